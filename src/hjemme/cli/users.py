"""``hjemme user add NAME --role ROLE``: create a log-in; the password is read from standard input."""

from __future__ import annotations

import datetime as dt
import sys

import typer

from hjemme.cli._common import cli_errors, database
from hjemme.domain.security import Role
from hjemme.services.users import add_user

app = typer.Typer(help="Manage user accounts.", no_args_is_help=True, add_completion=False)


def _read_password() -> str:
    """From a terminal: prompt twice without echo; otherwise the first line of standard input."""
    if sys.stdin.isatty():
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\r\n")


@app.command("add")
def add_command(
    name: str = typer.Argument(..., help="User name (log-in)."),
    role: Role = typer.Option(..., "--role", case_sensitive=False, help="Role of the user."),
    staff_id: str | None = typer.Option(None, "--staff-id", help="Link to a member of staff."),
    patient_id: str | None = typer.Option(
        None, "--patient-id", help="The patient a 'patient' user is (required for that role)."
    ),
) -> None:
    """Add a user; the password is read from standard input (echo 'secret' | hjemme user add …)."""
    password = _read_password()
    with cli_errors(), database() as engine:
        account = add_user(
            engine=engine,
            username=name,
            password=password,
            role=role,
            now=dt.datetime.now(dt.UTC),
            staff_id=staff_id,
            patient_id=patient_id,
        )
    typer.echo(f"Added user {account.username} with role {account.role.value}.")
