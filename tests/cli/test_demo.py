"""``hjemme demo`` (without starting the server) and ``hjemme serve`` argument checks."""

from __future__ import annotations

from typer.testing import CliRunner

from hjemme.cli.main import app
from hjemme.domain.security import Role

runner = CliRunner()


def test_demo_prints_a_login_for_every_role(database_env: str) -> None:
    """The demo seeds, prints user name and password for every role and the URL; rerunning keeps it."""
    result = runner.invoke(app, ["demo", "--no-serve", "--patients", "12"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for role in Role:
        assert f"{role.value}-demo" in result.output
    assert "http://127.0.0.1:8000/" in result.output
    again = runner.invoke(app, ["demo", "--no-serve", "--patients", "12"], env={"COLUMNS": "200"})
    assert again.exit_code == 0 and "already holds a population" in again.output


def test_serve_refuses_a_bad_port(database_env: str) -> None:
    """A port outside 1–65535 exits with status 2 naming --port."""
    result = runner.invoke(app, ["serve", "--port", "70000"], env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "--port" in result.output
