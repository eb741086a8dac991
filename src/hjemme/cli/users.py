"""``hjemme user add|disable|enable|reset-password NAME``: manage log-ins from the server's shell.

Passwords are read from standard input (prompted twice without echo on a terminal). Disabling and
resetting end the user's sessions and tokens at once.
"""

from __future__ import annotations

import datetime as dt
import sys

import typer

from hjemme.cli._common import CLI_PRINCIPAL, cli_errors, database
from hjemme.domain.security import Role
from hjemme.services.users import add_user, change_role, disable_user, enable_user, reset_password

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


NameArgument = typer.Argument(..., help="User name (log-in).")


@app.command("disable")
def disable_command(name: str = NameArgument) -> None:
    """Disable a user: no more log-ins, and their sessions and tokens end at once."""
    with cli_errors(), database() as engine:
        disable_user(engine=engine, principal=CLI_PRINCIPAL, username=name)
    typer.echo(f"Disabled user {name}; their sessions have ended.")


@app.command("enable")
def enable_command(name: str = NameArgument) -> None:
    """Re-enable a disabled user."""
    with cli_errors(), database() as engine:
        enable_user(engine=engine, principal=CLI_PRINCIPAL, username=name)
    typer.echo(f"Enabled user {name}.")


@app.command("role")
def role_command(
    name: str = NameArgument,
    role: str = typer.Argument(..., help="The new role: " + ", ".join(r.value for r in Role) + "."),
) -> None:
    """Give a user another role; their sessions end at once."""
    with cli_errors(), database() as engine:
        change_role(engine=engine, principal=CLI_PRINCIPAL, username=name, role=role)
    typer.echo(f"User {name} is now {role}; their sessions have ended.")


@app.command("reset-password")
def reset_password_command(name: str = NameArgument) -> None:
    """Set a new password (read from standard input); the user's sessions end at once."""
    password = _read_password()
    with cli_errors(), database() as engine:
        reset_password(
            engine=engine, principal=CLI_PRINCIPAL, username=name, new_password=password,
            now=dt.datetime.now(dt.UTC),
        )
    typer.echo(f"Reset the password of {name}; their sessions have ended.")
