"""Shared fixtures: a fresh database on SQLite (always) and PostgreSQL (when configured).

``database_url`` names an empty database: a file in ``tmp_path`` for SQLite, or a schema of its own
(dropped afterwards) in the server named by ``HJEMME_TEST_POSTGRES_URL``, so tests running in
parallel never see each other's rows. ``db_engine`` is that database migrated to ``heads``;
``session`` is a session on it whose work is rolled back after the test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from hjemme.settings import get_settings
from hjemme.store.database import create_db_engine, upgrade

POSTGRES_ENV = "HJEMME_TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of an empty database, once per backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'hjemme.db'}"
        return
    server_url = os.environ.get(POSTGRES_ENV)
    if not server_url:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql://postgres@127.0.0.1:5432/test)")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    admin = create_db_engine(server_url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def blank_engine(database_url: str) -> Iterator[Engine]:
    """An engine on the empty database (no tables yet): for migration tests."""
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db_engine(blank_engine: Engine) -> Engine:
    """An engine on a database migrated to ``heads`` (all feature branches included)."""
    upgrade(blank_engine)
    return blank_engine


@pytest.fixture
def session(db_engine: Engine) -> Iterator[Session]:
    """A session on the migrated database; whatever the test did is rolled back afterwards."""
    with Session(db_engine) as session:
        yield session
        session.rollback()


@pytest.fixture
def database_env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """Points ``get_settings().database_url`` (``HJEMME_DATABASE_URL``) at the test database, and
    ``var/`` (``HJEMME_VAR_DIR``, where the demo keeps its keys) at a directory of the test's own."""
    monkeypatch.setenv("HJEMME_DATABASE_URL", database_url)
    monkeypatch.setenv("HJEMME_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()
