"""Migration 0003_monitoring: the tables exist, downgrade removes them, open alarms are unique per key."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import IntegrityError

from hjemme.store import repositories as repo
from hjemme.store.database import downgrade, session_scope
from hjemme.store.monitoring_tables import AlarmRecord
from tests.store import factories

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
TABLES = {"observations", "dead_letters", "alarms", "alarm_events", "prom_responses", "monitoring_reminders",
          "personal_thresholds"}


def alarm(alarm_id: str, status: str = "open") -> AlarmRecord:
    return AlarmRecord(alarm_id=alarm_id, patient_id="P00001", kind="news2", severity="red", dedup_key="P00001:news2",
                       cause="NEWS2 7", evidence=["o1"], status=status, escalation_level=0, opened_at=NOW)


def test_tables_exist_and_downgrade_removes_them(db_engine: Engine) -> None:
    """Upgrading creates the monitoring tables; downgrading to the foundation drops exactly those."""
    assert TABLES <= set(inspect(db_engine).get_table_names())
    downgrade(db_engine, "0001_foundation")
    remaining = set(inspect(db_engine).get_table_names())
    assert not TABLES & remaining and "patients" in remaining


def test_one_unresolved_alarm_per_dedup_key(db_engine: Engine) -> None:
    """The database refuses a second unresolved alarm with the same key but allows it after resolution."""
    with session_scope(db_engine) as session:
        repo.add_patients(session, [factories.patient()])
        session.add(alarm("A1", status="resolved"))
        session.add(alarm("A2"))
    with pytest.raises(IntegrityError), session_scope(db_engine) as session:
        session.add(alarm("A3", status="acknowledged"))
