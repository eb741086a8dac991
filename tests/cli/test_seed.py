"""``hjemme seed`` through the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hjemme.cli.main import app
from hjemme.services.database import open_database
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope

runner = CliRunner()


def _patients(url: str) -> int:
    engine = open_database(url=url)  # migrated: a refused command may not have created tables
    try:
        with session_scope(engine) as session:
            return repo.count_patients(session)
    finally:
        engine.dispose()


def test_seed_fills_the_configured_database(database_env: str) -> None:
    """Seeding writes N patients to the database named by HJEMME_DATABASE_URL and says so."""
    result = runner.invoke(app, ["seed", "--patients", "25", "--seed", "7", "--date", "2026-11-23"])
    assert result.exit_code == 0, result.output
    assert "25 patients" in result.output
    assert _patients(database_env) == 25


def test_second_seed_needs_reset(database_env: str) -> None:
    """Seeding a seeded database fails without --reset and replaces the population with it."""
    args = ["seed", "--patients", "10", "--date", "2026-11-23"]
    assert runner.invoke(app, args).exit_code == 0
    refused = runner.invoke(app, [*args[:2], "12", *args[3:]])
    assert refused.exit_code == 1 and "reset" in refused.output
    assert _patients(database_env) == 10
    assert runner.invoke(app, [*args[:2], "12", *args[3:], "--reset"]).exit_code == 0
    assert _patients(database_env) == 12


@pytest.mark.parametrize(
    ("args", "option", "value"),
    [
        (["--patients", "10", "--date", "2026-02-30"], "--date", "2026-02-30"),
        (["--patients", "10", "--date", "23.11.2026"], "--date", "23.11.2026"),
        (["--patients", "-5", "--date", "2026-11-23"], "--patients", "-5"),
        (["--patients", "0", "--date", "2026-11-23"], "--patients", "0"),
        (["--patients", "10", "--seed", "-1"], "--seed", "-1"),
    ],
)
def test_bad_input_exits_2_and_changes_nothing(
    database_env: str, args: list[str], option: str, value: str
) -> None:
    """An impossible date or a negative number exits with status 2, names option and value, writes nothing."""
    result = runner.invoke(app, ["seed", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert option in result.output and value in result.output
    assert _patients(database_env) == 0
