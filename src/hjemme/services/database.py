"""Opening the database for a command or a server: an engine with the schema at ``heads``.

Migrating on open is what lets ``hjemme seed`` work on a fresh clone and ``hjemme serve`` on a
database an older version created; it is idempotent and cheap when nothing is pending.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import ArgumentError, OperationalError

from hjemme.errors import HjemmeError, InputError
from hjemme.store.database import create_db_engine, upgrade


def open_database(*, url: str, migrate: bool = True) -> Engine:
    """An engine on ``url``, migrated to ``heads`` unless ``migrate`` is false.

    A malformed URL is an :class:`InputError` on ``HJEMME_DATABASE_URL``; a database that cannot
    be reached is a :class:`HjemmeError` naming it (without the password).
    """
    try:
        engine = create_db_engine(url)
    except (ArgumentError, ValueError) as error:
        raise InputError("HJEMME_DATABASE_URL", f"{url!r} is not a database URL ({error})") from None
    if migrate:
        try:
            upgrade(engine)
        except OperationalError as error:
            engine.dispose()
            raise HjemmeError(
                f"cannot open the database {engine.url.render_as_string(hide_password=True)}: {error.orig}"
            ) from None
    return engine
