"""Engines, transactions and schema migrations for SQLite (embedded default) and PostgreSQL.

Everything that talks to a database gets its engine from :func:`create_db_engine` and its
transaction from :func:`session_scope`, so the SQLite pragmas, the psycopg 3 driver and the
commit-or-roll-back rule are set in one place. The schema is owned by Alembic: :func:`upgrade`
runs the migrations shipped inside the package (``store/migrations``) to ``heads``, because feature
migrations branch from ``0001_foundation`` instead of forming one line.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_BUSY_TIMEOUT_S = 30.0  # the CLI and the server may write to one SQLite file at the same time


def normalise_url(url: str | URL) -> URL:
    """The SQLAlchemy URL to use: ``postgresql://`` and ``postgres://`` get the psycopg 3 driver.

    Operators write plain ``postgresql://user@host/db`` (as libpq does); SQLAlchemy would pick
    psycopg2 for it, which hjemme does not install.
    """
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def create_db_engine(url: str | URL, *, echo: bool = False) -> Engine:
    """An engine for ``url``, set up the way hjemme needs it on either database.

    SQLite: the file's parent directory is created, foreign keys are enforced and the journal is
    in WAL mode (readers do not block the writer) with ``synchronous=NORMAL``. ``sqlite://`` (in
    memory) shares one connection.
    PostgreSQL: psycopg 3 with a pre-ping, so a restarted server does not break a running app.
    """
    parsed = normalise_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        in_memory = parsed.database in (None, "", ":memory:")
        if in_memory:
            kwargs["poolclass"] = StaticPool
            kwargs["connect_args"] = {"check_same_thread": False}
        else:
            Path(parsed.database or "").expanduser().parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_S}
        engine = create_engine(parsed, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas(wal=not in_memory))
        if not in_memory:
            _serialise_sqlite_writers(engine)
        return engine
    kwargs["pool_pre_ping"] = True
    return create_engine(parsed, **kwargs)


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")
_HOLDS_WRITE_LOCK = "hjemme_sqlite_write_lock"


def _serialise_sqlite_writers(engine: Engine) -> None:
    """Let this process's writers to one SQLite file queue on a lock instead of busy-waiting.

    SQLite admits one writer at a time; a waiting connection polls with back-off sleeps of up to
    100 ms, so 50 concurrent requests that each write an access-log row spent most of their time
    asleep (issue 12). A transaction takes the lock at its first write and releases it when it
    commits or rolls back. Waits are bounded by the busy timeout, after which SQLite's own locking
    applies as before — so a transaction that (wrongly) nests a second writing transaction fails
    exactly as it would without the lock, instead of hanging. Other processes (the CLI) still
    meet SQLite's busy handler.
    """
    lock = threading.Lock()

    def before_execute(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if conn.info.get(_HOLDS_WRITE_LOCK) or not statement.lstrip()[:7].upper().startswith(_WRITES):
            return
        if lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_S):
            conn.info[_HOLDS_WRITE_LOCK] = True

    def release(info: dict[Any, Any]) -> None:
        if info.pop(_HOLDS_WRITE_LOCK, False):
            lock.release()

    event.listen(engine, "before_cursor_execute", before_execute)
    event.listen(engine, "commit", lambda conn: release(conn.info))
    event.listen(engine, "rollback", lambda conn: release(conn.info))
    # The three-argument form is SQLAlchemy 2's; the two-argument one warns on every check-in, and
    # where warnings are errors (the tests) the pool then discards the connection instead of reusing it.
    event.listen(engine, "reset", lambda _dbapi, record, _reset_state: release(record.info))
    event.listen(engine, "close", lambda _dbapi, record: release(record.info))


def _sqlite_pragmas(*, wal: bool) -> Any:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            if wal:
                cursor.execute("PRAGMA journal_mode=WAL")
                # In WAL mode NORMAL syncs at checkpoints, not at every commit: a crash of hjemme
                # loses nothing, a power cut at most the last commits, never the file (issue 12:
                # every read writes its access-log row, and an fsync per read capped the API).
                cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    return on_connect


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commits when the block ends normally, rolls back on any exception.

    This is what makes writes transactional: a service that fails half-way (bad input found late,
    a constraint violated, Ctrl-C) leaves the database as it was. Objects stay readable after the
    commit (``expire_on_commit=False``) so services can return what they wrote.
    """
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def serialised_scope(engine: Engine, key: int) -> Iterator[Session]:
    """A :func:`session_scope` that holds the write lock named by ``key`` until it commits.

    Changes to one day's plan are serialised through it (issue 11), so a change always starts from
    the latest version and two changes never both build on the same one. PostgreSQL: a
    transaction-scoped advisory lock on ``key`` (other days go on in parallel). SQLite has one
    writer anyway: ``BEGIN IMMEDIATE`` takes the database's write lock at once instead of at the
    first write, so the reads that decide the change are already inside the lock.
    """
    session = Session(engine, expire_on_commit=False)
    try:
        connection = session.connection()
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _alembic_config(connection: Any) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Migrate the schema to ``revision`` (all branch heads by default) in one transaction."""
    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Migrate the schema down to ``revision`` (``"base"`` drops every hjemme table)."""
    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), revision)


def current_revisions(engine: Engine) -> frozenset[str]:
    """The revisions the database is at (one per applied branch head; empty when blank)."""
    with engine.connect() as connection:
        return frozenset(MigrationContext.configure(connection).get_current_heads())
