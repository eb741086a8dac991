"""Engines, transactions and migrations on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, inspect, text

from hjemme.store import repositories
from hjemme.store.database import (
    create_db_engine,
    current_revisions,
    downgrade,
    normalise_url,
    session_scope,
    upgrade,
)
from tests.store import factories

FOUNDATION_TABLES = {"patients", "enrolments", "staff", "vehicles", "users", "access_log", "plans"}


def _tables(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def test_postgresql_urls_get_the_psycopg3_driver() -> None:
    """A plain postgresql:// URL is served by psycopg 3, the driver hjemme installs."""
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("sqlite:///x.db").drivername == "sqlite"


def test_sqlite_creates_its_directory_and_enforces_foreign_keys(tmp_path) -> None:
    """A SQLite database in a missing directory is created, in WAL mode, with foreign keys on."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'hjemme.db'}")
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert (tmp_path / "nested" / "dir").is_dir()
    finally:
        engine.dispose()


def test_sqlite_connections_go_back_to_the_pool_and_are_reused(tmp_path) -> None:
    """A connection handed back is reset cleanly and reused: the write queue's reset listener has the
    signature SQLAlchemy expects (with the old one every check-in warned, and where warnings are errors
    the pool threw the connection away)."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'hjemme.db'}")
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            first = connection.connection.driver_connection
        with engine.connect() as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))  # takes the write queue's lock
        with engine.begin() as connection:  # the writer that rolled back released it
            connection.execute(text("INSERT INTO t VALUES (2)"))
            assert connection.connection.driver_connection is first
            assert connection.execute(text("SELECT x FROM t")).scalars().all() == [2]
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(blank_engine: Engine) -> None:
    """Migrations create every foundation table, drop them all again, and re-create them."""
    upgrade(blank_engine)
    assert FOUNDATION_TABLES <= _tables(blank_engine)
    assert current_revisions(blank_engine)
    downgrade(blank_engine, "base")
    assert not (FOUNDATION_TABLES & _tables(blank_engine))
    assert current_revisions(blank_engine) == frozenset()
    upgrade(blank_engine)
    assert FOUNDATION_TABLES <= _tables(blank_engine)


def test_upgrade_is_idempotent(db_engine: Engine) -> None:
    """Upgrading an up-to-date database changes nothing and does not fail."""
    before = current_revisions(db_engine)
    upgrade(db_engine)
    assert current_revisions(db_engine) == before


def test_session_scope_commits_on_success(db_engine: Engine) -> None:
    """Rows written inside a successful session_scope are visible afterwards."""
    with session_scope(db_engine) as session:
        repositories.add_patients(session, [factories.patient()])
    with session_scope(db_engine) as session:
        assert repositories.count_patients(session) == 1


def test_failing_write_leaves_nothing(db_engine: Engine) -> None:
    """An error half-way through a session_scope rolls back every row written before it."""
    with pytest.raises(RuntimeError), session_scope(db_engine) as session:
        repositories.add_patients(session, [factories.patient("P1"), factories.patient("P2")])
        session.flush()
        raise RuntimeError("boom after the flush")
    with session_scope(db_engine) as session:
        assert repositories.count_patients(session) == 0


def test_constraint_violation_leaves_nothing(db_engine: Engine) -> None:
    """An enrolment of an unknown patient fails and takes the patients of that write with it."""
    with pytest.raises(Exception, match="(?i)foreign key"), session_scope(db_engine) as session:
        repositories.add_patients(session, [factories.patient("P1")])
        repositories.add_enrolments(session, [factories.enrolment(patient_id="nobody")])
    with session_scope(db_engine) as session:
        assert repositories.count_patients(session) == 0
