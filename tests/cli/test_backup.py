"""``hjemme backup`` and ``hjemme restore`` on SQLite and PostgreSQL: a restore brings back exactly
what was backed up, whatever changed in between."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from sqlalchemy import Engine, delete, select
from typer.testing import CliRunner

from hjemme.cli.main import app
from hjemme.services.database import open_database
from hjemme.services.seeding import seed_population
from hjemme.services.users import add_user
from hjemme.store.database import session_scope
from hjemme.store.tables import AccessLogRecord, PatientRecord, UserRecord

runner = CliRunner()
DATE = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)


def _snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    with session_scope(engine) as session:
        return {
            "patients": [tuple(r) for r in session.execute(
                select(PatientRecord.id, PatientRecord.name, PatientRecord.address).order_by(PatientRecord.id))],
            "users": [tuple(r) for r in session.execute(
                select(UserRecord.username, UserRecord.role, UserRecord.active).order_by(UserRecord.username))],
            "log": [tuple(r) for r in session.execute(select(AccessLogRecord.id, AccessLogRecord.patient_id))],
        }


@pytest.fixture
def engine(database_env: str):
    if database_env.startswith("postgresql") and (shutil.which("pg_dump") is None or shutil.which("pg_restore") is None):
        pytest.skip("PostgreSQL backup needs pg_dump and pg_restore on PATH")
    engine = open_database(url=database_env)
    yield engine
    engine.dispose()


def test_backup_change_restore_compare(engine: Engine, tmp_path) -> None:
    """After backing up, deleting patients, adding a user and restoring, the data equals the backup."""
    seed_population(engine=engine, n_patients=8, seed=1, date=DATE)
    add_user(engine=engine, username="kari", password="hemmelig passord", role="coordinator", now=NOW)
    before = _snapshot(engine)
    out = tmp_path / "hjemme.backup"
    result = runner.invoke(app, ["backup", str(out)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0

    add_user(engine=engine, username="ola", password="hemmelig passord", role="admin", now=NOW)
    with session_scope(engine) as session:
        session.execute(delete(PatientRecord))
    assert _snapshot(engine) != before

    restored = runner.invoke(app, ["restore", str(out), "--yes"])
    assert restored.exit_code == 0, restored.output
    assert _snapshot(engine) == before


def test_backup_refuses_to_overwrite(engine: Engine, tmp_path) -> None:
    """An existing backup file is not overwritten without --force."""
    out = tmp_path / "old.backup"
    out.write_bytes(b"keep me")
    result = runner.invoke(app, ["backup", str(out)])
    assert result.exit_code == 1 and "--force" in result.output
    assert out.read_bytes() == b"keep me"


def test_restore_refuses_a_file_that_is_not_a_backup(engine: Engine, tmp_path) -> None:
    """Restoring from a file that is no backup fails and leaves the data as it was."""
    seed_population(engine=engine, n_patients=3, seed=1, date=DATE)
    before = _snapshot(engine)
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is not a database")
    result = runner.invoke(app, ["restore", str(junk), "--yes"])
    assert result.exit_code != 0
    assert _snapshot(engine) == before
