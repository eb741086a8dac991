"""``hjemme user add`` through the command line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hjemme.cli.main import app
from hjemme.services.auth import verify_password
from hjemme.services.database import open_database
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope

runner = CliRunner()


def _users(url: str) -> list[repo.UserAccount]:
    engine = open_database(url=url)  # migrated: a refused command may not have created tables
    try:
        with session_scope(engine) as session:
            return repo.list_users(session)
    finally:
        engine.dispose()


def test_user_add_reads_the_password_from_stdin(database_env: str) -> None:
    """The password piped on standard input is the one the new user logs in with."""
    result = runner.invoke(app, ["user", "add", "kari", "--role", "coordinator"], input="hemmelig passord\n")
    assert result.exit_code == 0, result.output
    (user,) = _users(database_env)
    assert user.username == "kari" and user.role.value == "coordinator"
    assert verify_password(user.password_hash, "hemmelig passord")


@pytest.mark.parametrize(
    ("args", "password", "needle"),
    [
        (["kari", "--role", "boss"], "hemmelig passord\n", "boss"),
        (["kari", "--role", "admin"], "kort\n", "--password"),
        (["kari", "--role", "patient", "--patient-id", "P404"], "hemmelig passord\n", "P404"),
    ],
)
def test_bad_input_exits_2_and_adds_nobody(
    database_env: str, args: list[str], password: str, needle: str
) -> None:
    """An unknown role, a short password or an unknown patient exits 2 naming it, and adds no user."""
    result = runner.invoke(app, ["user", "add", *args], input=password, env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert needle in result.output
    assert _users(database_env) == []


def test_existing_user_is_refused(database_env: str) -> None:
    """Adding a user name twice fails the second time with a message naming the user."""
    args = ["user", "add", "kari", "--role", "admin"]
    assert runner.invoke(app, args, input="hemmelig passord\n").exit_code == 0
    again = runner.invoke(app, args, input="annet passord\n")
    assert again.exit_code == 1 and "kari" in again.output


def test_disable_enable_and_reset_password(database_env: str) -> None:
    """``user disable`` stops a log-in, ``user enable`` restores it, ``user reset-password`` sets a new
    password read from standard input."""
    assert runner.invoke(app, ["user", "add", "kari", "--role", "clinician"], input="hemmelig passord\n").exit_code == 0
    assert runner.invoke(app, ["user", "disable", "kari"]).exit_code == 0
    assert _users(database_env)[0].active is False
    assert runner.invoke(app, ["user", "enable", "kari"]).exit_code == 0
    reset = runner.invoke(app, ["user", "reset-password", "kari"], input="et nytt passord\n")
    assert reset.exit_code == 0, reset.output
    (user,) = _users(database_env)
    assert user.active and verify_password(user.password_hash, "et nytt passord")
    assert user.token_epoch == 2  # disabling and the reset each ended the sessions


def test_unknown_user_or_short_password_is_refused(database_env: str) -> None:
    """Disabling an unknown user exits 2 naming it; a too-short new password exits 2 and changes nothing."""
    missing = runner.invoke(app, ["user", "disable", "ghost"])
    assert missing.exit_code == 2 and "ghost" in missing.output
    runner.invoke(app, ["user", "add", "kari", "--role", "clinician"], input="hemmelig passord\n")
    short = runner.invoke(app, ["user", "reset-password", "kari"], input="kort\n")
    assert short.exit_code == 2 and "--password" in short.output
    assert verify_password(_users(database_env)[0].password_hash, "hemmelig passord")


def test_user_role_changes_the_role_and_refuses_an_unknown_one(database_env: str) -> None:
    """``hjemme user role`` gives a user another role; an unknown role exits 2 and changes nothing."""
    assert runner.invoke(app, ["user", "add", "kari", "--role", "coordinator"], input="hemmelig passord\n").exit_code == 0
    assert runner.invoke(app, ["user", "role", "kari", "boss"]).exit_code == 2
    assert _users(database_env)[0].role.value == "coordinator"
    result = runner.invoke(app, ["user", "role", "kari", "responder"])
    assert result.exit_code == 0, result.output
    assert _users(database_env)[0].role.value == "responder"
