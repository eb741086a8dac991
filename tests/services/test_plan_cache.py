"""Cached plan views (issue 12): one plan version is built once per scope, read many times, and
every read is still access-logged; a new version, or an old entry, is built afresh."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select, update

from hjemme.domain.people import Address
from hjemme.domain.security import Role
from hjemme.planning.params import PlannerParams
from hjemme.services import plan_cache
from hjemme.services.auth import Principal
from hjemme.services.journal import plan_day
from hjemme.services.planning import read_plan
from hjemme.services.seeding import seed_population
from hjemme.services.users import add_user
from hjemme.store import realdata
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.tables import AccessLogRecord, PatientRecord

DATE = dt.date(2026, 11, 23)
MORNING = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)
FAST = PlannerParams(time_limit_s=0.5, rounds=2)
COORDINATOR = Principal("koord", Role.COORDINATOR)
DRIVER = Principal("sjafor", Role.LOGISTICS)


@pytest.fixture
def planned(db_engine: Engine) -> Engine:
    seed_population(engine=db_engine, n_patients=25, seed=3, date=DATE)
    plan_day(engine=db_engine, date=DATE, now=MORNING, params=FAST)
    for who in (COORDINATOR, DRIVER):
        add_user(engine=db_engine, username=who.username, password="long enough password", role=who.role,
                 now=MORNING)
    return db_engine


def _read(engine: Engine, who: Principal, minutes: int = 0) -> dict:
    at = MORNING + dt.timedelta(minutes=minutes)
    return read_plan(engine=engine, principal=who, date=DATE, client="10.0.0.5", at=at)


def _first_patient(data: dict) -> tuple[str, str]:
    stop = next(s for r in data["routes"] for s in r["stops"] if s.get("patient"))
    return stop["patient"], stop["address"]


def _rename_street(engine: Engine, patient_id: str, address: str) -> None:
    """The patient moves from today, written straight to the tables (no plan is changed with it):
    the row and the address history, which decides what a page shows for a day (issue 13)."""
    with session_scope(engine) as session:
        session.execute(update(PatientRecord).where(PatientRecord.id == patient_id).values(address=address))
        patient = repo.get_patient(session, patient_id)
        realdata.add_address(
            session, patient_id, Address(DATE, address, patient.location, patient.district_id)
        )


def test_same_version_is_served_from_the_cache(planned: Engine) -> None:
    """A second read of the same version is the cached view: an address changed in between does not
    show yet (the stored plan was not rebuilt)."""
    first = _read(planned, COORDINATOR)
    patient, address = _first_patient(first)
    _rename_street(planned, patient, "Ny gate 1, 0150 Oslo")
    assert _read(planned, COORDINATOR) == first


def test_a_new_version_is_built_afresh(planned: Engine) -> None:
    """After a re-plan (version 2) the read shows version 2 and the present address."""
    patient, _ = _first_patient(_read(planned, COORDINATOR))
    _rename_street(planned, patient, "Ny gate 1, 0150 Oslo")
    plan_day(engine=planned, date=DATE, now=MORNING, params=FAST)
    fresh = _read(planned, COORDINATOR)
    assert fresh["version"] == 2
    assert {s["address"] for r in fresh["routes"] for s in r["stops"] if s.get("patient") == patient} == {
        "Ny gate 1, 0150 Oslo"
    }


def test_old_entries_expire(planned: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """An entry older than the time-to-live is rebuilt, so patient changes reach an unchanged version."""
    now = [1000.0]
    monkeypatch.setattr(plan_cache, "clock", lambda: now[0])
    patient, _ = _first_patient(_read(planned, COORDINATOR))
    _rename_street(planned, patient, "Ny gate 1, 0150 Oslo")
    now[0] += plan_cache.TTL_S + 1
    assert _first_patient(_read(planned, COORDINATOR)) == (patient, "Ny gate 1, 0150 Oslo")


def test_each_scope_has_its_own_view(planned: Engine) -> None:
    """A coordinator's read does not hand logistics the whole plan: the driver still sees only vans
    and couriers, and the coordinator's view is unchanged after the driver's read."""
    whole = _read(planned, COORDINATOR)
    vans = _read(planned, DRIVER)
    assert {r["kind"] for r in vans["routes"]} <= {"van", "courier"}
    assert len(vans["routes"]) < len(whole["routes"])
    assert _read(planned, COORDINATOR) == whole


def test_cached_reads_are_still_logged(planned: Engine) -> None:
    """Three reads of the cached view count three reads for every patient shown."""
    data = _read(planned, COORDINATOR)
    for minute in (1, 2):
        _read(planned, COORDINATOR, minute)
    shown = {s["patient"] for r in data["routes"] for s in r["stops"] if s.get("patient")}
    with session_scope(planned) as session:
        rows = session.execute(
            select(AccessLogRecord.patient_id, AccessLogRecord.count).where(AccessLogRecord.username == "koord")
        ).all()
    assert {patient for patient, _ in rows} == shown
    assert {count for _, count in rows} == {3}


def test_a_changed_view_cannot_leak_into_the_cache(planned: Engine) -> None:
    """Changing the dict a read returned does not change what the next read gets."""
    first = _read(planned, COORDINATOR)
    first["routes"].clear()
    assert _read(planned, COORDINATOR)["routes"]
