"""Alembic environment: runs on the connection handed over by :func:`hjemme.store.database.upgrade`.

From the ``alembic`` command line (to autogenerate a feature migration) pass the database with
``-x url=sqlite:///var/hjemme.db``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from hjemme.store import tables  # noqa: F401  (registers the foundation tables on Base.metadata)
from hjemme.store.base import Base
from hjemme.store.database import create_db_engine

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("alembic: pass the database as -x url=<SQLAlchemy URL>")
    engine = create_db_engine(url)
    try:
        with engine.begin() as own_connection:
            _run(own_connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("hjemme migrations run online only (upgrade(engine) or alembic -x url=…)")
run_migrations_online()
