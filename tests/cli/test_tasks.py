"""``hjemme tasks`` through the command line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from hjemme.cli.main import app

runner = CliRunner()
REQUIRED = {"id", "kind", "patient", "lat", "lon", "duration_min", "window_start", "window_end", "skill"}


@pytest.fixture
def seeded(database_env: str) -> str:
    result = runner.invoke(app, ["seed", "--patients", "40", "--seed", "7", "--date", "2026-11-23"])
    assert result.exit_code == 0, result.output
    return database_env


def test_tasks_as_json(seeded: str) -> None:
    """The JSON output is an array of tasks with ids, place, duration, HH:MM window and skill or null."""
    result = runner.invoke(app, ["tasks", "--date", "2026-11-23", "--format", "json"])
    assert result.exit_code == 0, result.output
    tasks = json.loads(result.stdout)
    assert tasks and all(REQUIRED <= task.keys() for task in tasks)
    kinds = {task["kind"] for task in tasks}
    assert {"visit", "delivery"} <= kinds
    for task in tasks:
        assert len(task["window_start"]) == 5 and task["window_start"] <= task["window_end"]
        assert task["skill"] is None or task["kind"] in {"visit", "video"}
        assert isinstance(task["before"], list)
    ids = {task["id"] for task in tasks}
    assert all(set(task["before"]) <= ids for task in tasks)
    deliveries = [t for t in tasks if t["kind"] == "delivery"]
    assert all(t["goods"] and t["goods"]["volume_l"] >= 0 for t in deliveries)


def test_tasks_as_table(seeded: str) -> None:
    """The table output lists the tasks and a count per kind."""
    result = runner.invoke(
        app, ["tasks", "--date", "2026-11-23", "--format", "table"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "visit:" in result.output


def test_day_without_enrolments_is_an_empty_array(database_env: str) -> None:
    """On an empty database the JSON output is an empty array."""
    result = runner.invoke(app, ["tasks", "--date", "2026-11-23", "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout) == []


@pytest.mark.parametrize(
    ("args", "option", "value"),
    [(["--date", "2026-02-30"], "--date", "2026-02-30"), (["--format", "xml"], "--format", "xml")],
)
def test_bad_input_exits_2(database_env: str, args: list[str], option: str, value: str) -> None:
    """An impossible date or an unknown format exits with status 2 naming option and value."""
    result = runner.invoke(app, ["tasks", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert option in result.output and value in result.output


def test_listing_tasks_is_access_logged_as_the_cli_user(seeded: str) -> None:
    """Printing the day's tasks writes one access-log row per patient, as user ``cli``."""
    from sqlalchemy import select

    from hjemme.services.database import open_database
    from hjemme.store.database import session_scope
    from hjemme.store.tables import AccessLogRecord

    result = runner.invoke(app, ["tasks", "--date", "2026-11-23", "--format", "json"])
    patients = {task["patient"] for task in json.loads(result.stdout)}
    engine = open_database(url=seeded)
    try:
        with session_scope(engine) as session:
            logged = set(session.scalars(select(AccessLogRecord.patient_id).where(AccessLogRecord.username == "cli")))
    finally:
        engine.dispose()
    assert patients and logged == patients
