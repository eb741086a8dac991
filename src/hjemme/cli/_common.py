"""What the storage-backed commands share: option parsing, the database, and error exit codes.

Bad input (an impossible date, an unknown role, a negative count, an unknown id) exits with
status 2 and a message naming the option and the value; a conflict with stored state exits 1.
Messages go to standard error so that ``--format json`` output stays parseable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from sqlalchemy import Engine

from hjemme.domain.security import Role
from hjemme.errors import HjemmeError, InputError, NotFoundError
from hjemme.services.auth import Principal
from hjemme.services.database import open_database
from hjemme.settings import get_settings

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1
CLI_PRINCIPAL = Principal("cli", Role.ADMIN)
"""Who the command line acts as: an operator on the server; patient data it shows or changes is
access-logged as user ``cli``."""


def parse_date_option(value: str | None) -> dt.date | None:
    """Typer callback for ``--date``: ISO ``YYYY-MM-DD`` (``None`` stays ``None`` = today)."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD") from None


def at_least(minimum: int) -> Callable[[int], int]:
    """A Typer callback refusing integers below ``minimum``, naming the value given."""

    def check(value: int) -> int:
        if value < minimum:
            raise typer.BadParameter(f"{value} is less than {minimum}")
        return value

    return check


@contextmanager
def cli_errors() -> Iterator[None]:
    """Translate hjemme's errors into exit codes: bad input 2, anything else 1."""
    try:
        yield
    except InputError as error:
        option = error.field if error.field.isupper() else f"--{error.field.replace('_', '-')}"
        typer.echo(f"Error: invalid value for {option}: {error.problem}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except NotFoundError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except HjemmeError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(EXIT_FAILED) from None


@contextmanager
def database() -> Iterator[Engine]:
    """An engine on ``HJEMME_DATABASE_URL`` (``get_settings()``), migrated, disposed afterwards."""
    engine = open_database(url=get_settings().database_url)
    try:
        yield engine
    finally:
        engine.dispose()
