"""Rows to domain objects and back, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hjemme.domain.people import StaffRole, VehicleKind
from hjemme.domain.security import Role
from hjemme.errors import NotFoundError
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from tests.store import factories

NOW = dt.datetime(2026, 11, 23, 8, 30, tzinfo=dt.UTC)


def test_patient_round_trip(session: Session) -> None:
    """A stored patient comes back equal to the one written, location and notes included."""
    patient = factories.patient(needs_interpreter=True, language="so", delivery_notes="Kode 1234")
    repo.add_patients(session, [patient])
    assert repo.get_patient(session, patient.id) == patient
    assert repo.list_patients(session) == [patient]


def test_unknown_patient_is_not_found(session: Session) -> None:
    """Asking for a patient id that does not exist raises NotFoundError naming the id."""
    with pytest.raises(NotFoundError, match="P404"):
        repo.get_patient(session, "P404")


def test_patients_sorted_filtered_and_paged(session: Session) -> None:
    """Patients list in id order, by ids or district, one page at a time."""
    repo.add_patients(
        session,
        [factories.patient(f"P{i}", district_id="alna" if i % 2 else "frogner") for i in (3, 1, 2)],
    )
    assert [p.id for p in repo.list_patients(session)] == ["P1", "P2", "P3"]
    assert [p.id for p in repo.list_patients(session, ids=["P3", "P2"])] == ["P2", "P3"]
    assert [p.id for p in repo.list_patients(session, district_id="alna")] == ["P1", "P3"]
    assert [p.id for p in repo.list_patients(session, limit=1, offset=1)] == ["P2"]
    assert repo.count_patients(session) == 3


def test_long_id_lists_are_looked_up(session: Session) -> None:
    """Asking for more ids than one query may bind still returns every patient, in id order."""
    repo.add_patients(session, [factories.patient(f"P{i:05d}") for i in range(repo.IN_CHUNK + 10)])
    wanted = [f"P{i:05d}" for i in range(repo.IN_CHUNK + 10)][::-1] + ["missing"]
    found = repo.list_patients(session, ids=wanted)
    assert [p.id for p in found] == sorted(wanted[:-1])
    assert [p.id for p in repo.list_patients(session, ids=wanted, limit=2, offset=1)] == ["P00001", "P00002"]


def test_enrolment_round_trip_and_active_filter(session: Session) -> None:
    """Enrolments round-trip and 'active on' includes the first and the last day of the stay."""
    repo.add_patients(session, [factories.patient("P1"), factories.patient("P2")])
    first = factories.enrolment("E1", "P1", start_date=dt.date(2026, 11, 20), length_days=4)
    second = factories.enrolment(
        "E2", "P2", start_date=dt.date(2026, 11, 24), length_days=2, spo2_target_88_92=True
    )
    repo.add_enrolments(session, [second, first])
    assert repo.list_enrolments(session) == [first, second]
    assert repo.list_enrolments(session, active_on=dt.date(2026, 11, 20)) == [first]
    assert repo.list_enrolments(session, active_on=dt.date(2026, 11, 23)) == [first]
    assert repo.list_enrolments(session, active_on=dt.date(2026, 11, 24)) == [second]
    assert repo.list_enrolments(session, active_on=dt.date(2026, 11, 26)) == []
    assert repo.list_enrolments(session, patient_id="P2") == [second]


def test_staff_and_vehicle_round_trip(session: Session) -> None:
    """Staff (skills, shift, break) and vehicles come back equal, and filter by role and kind."""
    nurse = factories.nurse()
    driver = factories.nurse(
        "S0002", role=StaffRole.DRIVER, skills=frozenset(), break_window=None, clinic="transport"
    )
    van = factories.van()
    cold = factories.van("V002", kind=VehicleKind.COLD_VAN, cold_chain=True)
    repo.add_staff(session, [driver, nurse])
    repo.add_vehicles(session, [cold, van])
    assert repo.list_staff(session) == [nurse, driver]
    assert repo.list_staff(session, role=StaffRole.DRIVER) == [driver]
    assert repo.list_vehicles(session) == [van, cold]
    assert repo.list_vehicles(session, kind=VehicleKind.COLD_VAN) == [cold]


def test_plans_are_versioned_per_date(session: Session) -> None:
    """Each saved plan of a date gets the next version and the latest one is returned."""
    date = dt.date(2026, 11, 23)
    assert repo.latest_plan(session, date) is None
    first = repo.save_plan(session, date=date, plan_json='{"v": 1}', created_at=NOW)
    second = repo.save_plan(session, date=date, plan_json='{"v": 2}', created_at=NOW)
    other = repo.save_plan(session, date=date + dt.timedelta(days=1), plan_json="{}", created_at=NOW)
    assert (first.version, second.version, other.version) == (1, 2, 1)
    latest = repo.latest_plan(session, date)
    assert latest is not None and latest.json == '{"v": 2}'
    assert latest.created_at == NOW and latest.created_at.tzinfo is not None


def test_user_round_trip(session: Session) -> None:
    """A user comes back with its role and links; an unknown name gives None."""
    repo.add_patients(session, [factories.patient("P1")])
    account = repo.add_user(
        session, username="kari", password_hash="$argon2id$x", role=Role.PATIENT,
        patient_id="P1", created_at=NOW,
    )
    assert repo.get_user(session, "kari") == account
    assert account.role is Role.PATIENT and account.patient_id == "P1" and account.active
    assert repo.get_user(session, "nobody") is None


def test_clear_population_keeps_users_and_unlinks_them(db_engine: Engine) -> None:
    """Clearing the population deletes patients, staff, vehicles and plans but keeps accounts."""
    with session_scope(db_engine) as session:
        repo.add_patients(session, [factories.patient("P1")])
        repo.add_enrolments(session, [factories.enrolment("E1", "P1")])
        repo.add_staff(session, [factories.nurse()])
        repo.add_vehicles(session, [factories.van()])
        repo.save_plan(session, date=dt.date(2026, 11, 23), plan_json="{}", created_at=NOW)
        repo.add_user(
            session, username="kari", password_hash="h", role=Role.PATIENT, patient_id="P1",
            created_at=NOW,
        )
    with session_scope(db_engine) as session:
        repo.clear_population(session)
    with session_scope(db_engine) as session:
        assert repo.count_patients(session) == 0
        assert repo.list_enrolments(session) == []
        assert repo.list_staff(session) == [] and repo.list_vehicles(session) == []
        assert repo.latest_plan(session, dt.date(2026, 11, 23)) is None
        user = repo.get_user(session, "kari")
        assert user is not None and user.patient_id is None
