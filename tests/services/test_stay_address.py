"""A move entered ahead of its date (issue 13): the address every page shows is the one valid on the
day it shows, derived from the address history, so nothing has to run on the date itself."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from hjemme.domain.security import Role
from hjemme.domain.time import at_local, local_date
from hjemme.monitoring.alarms import Alarm
from hjemme.monitoring.rules import FindingKind, Severity
from hjemme.services import patients, stays
from hjemme.services.access import SYSTEM
from hjemme.services.alarm_view import read_alarm_page
from hjemme.services.auth import Principal
from hjemme.services.journal import plan_day
from hjemme.services.monitoring import save_transition
from hjemme.services.plans_view import read_day_plan
from hjemme.services.seeding import seed_population
from hjemme.services.stay_views import list_open_stays, read_stay
from hjemme.services.workload import tasks_on
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from tests.services.test_stays import DATE, FAST, NOW, TOMORROW

COORDINATOR = Principal("koordinator", Role.COORDINATOR)
NEW = "Mortensrudveien 1, 1283 Oslo"
KEY = "x" * 40


def _stop_addresses(engine: Engine, date: dt.date, patient_id: str, at: dt.datetime) -> set[str]:
    view = read_day_plan(engine=engine, principal=COORDINATOR, date=date, client=None, at=at)
    assert view is not None
    return {s.address for r in view.routes for s in r.stops if s.patient_id == patient_id}


def _addresses_shown(engine: Engine, patient_id: str, at: dt.datetime, alarm_id: str) -> set[str]:
    rows = list_open_stays(engine=engine, principal=COORDINATOR, on=local_date(at), now=at)
    shown = {r.patient.address for r in rows if r.patient.id == patient_id}
    shown.add(read_stay(engine=engine, principal=COORDINATOR, patient_id=patient_id, now=at).patient.address)
    page = read_alarm_page(engine=engine, principal=COORDINATOR, alarm_id=alarm_id, at=at)
    assert page.patient is not None
    shown.add(page.patient.address)
    view = patients.read_patient(
        engine=engine, principal=SYSTEM, patient_ref=patient_id, client=None, at=at, research_key=KEY
    )
    shown.add(str(view["address"]))
    return shown


@pytest.mark.parametrize("tomorrow_planned_first", [False, True])
def test_a_move_entered_ahead_shows_from_its_date_on_every_page(
    db_engine: Engine, tomorrow_planned_first: bool
) -> None:
    """Today's plan and pages keep the old address; tomorrow's plan and pages show the new one,
    whether tomorrow is planned after the move or was planned before it (then through its journal)."""
    seed_population(engine=db_engine, n_patients=12, seed=3, date=DATE)
    plan_day(engine=db_engine, date=DATE, now=NOW, params=FAST)
    if tomorrow_planned_first:
        plan_day(engine=db_engine, date=TOMORROW, now=NOW, params=FAST)
    with session_scope(db_engine) as session:
        staying = {e.patient_id for e in repo.list_enrolments(session, active_on=TOMORROW)}
    view = read_day_plan(engine=db_engine, principal=COORDINATOR, date=DATE, client=None, at=NOW)
    assert view is not None
    patient_id = next(
        s.patient_id for r in view.routes for s in r.stops if s.patient_id in staying and s.type == "visit"
    )
    with session_scope(db_engine) as session:
        old = repo.get_patient(session, patient_id).address
    alarm = Alarm(
        alarm_id="A-move",
        patient_id=patient_id,
        kind=FindingKind.NEWS2,
        severity=Severity.RED,
        dedup_key=f"{patient_id}:news2",
        cause="NEWS2",
        evidence=(),
        opened_at=NOW,
    )
    with session_scope(db_engine) as session:
        save_transition(session, [alarm], [])

    result = stays.change_stay(
        engine=db_engine,
        principal=COORDINATOR,
        patient_id=patient_id,
        now=NOW,
        change=stays.StayChangeRequest("address", TOMORROW, address=NEW, district="sondre_nordstrand"),
    )

    assert _stop_addresses(db_engine, DATE, patient_id, NOW) == {old}
    assert _addresses_shown(db_engine, patient_id, NOW, alarm.alarm_id) == {old}
    if tomorrow_planned_first:
        assert [d.date for d in result.days] == [TOMORROW]  # a stay_changed entry in tomorrow's journal
    else:
        assert result.days == ()
        plan_day(engine=db_engine, date=TOMORROW, now=NOW, params=FAST)
    tomorrow = at_local(TOMORROW, 8 * 60)
    assert _stop_addresses(db_engine, TOMORROW, patient_id, tomorrow) == {NEW}
    assert _addresses_shown(db_engine, patient_id, tomorrow, alarm.alarm_id) == {NEW}
    visits = [t for t in tasks_on(engine=db_engine, date=TOMORROW) if t.patient_id == patient_id]
    with session_scope(db_engine) as session:
        moved = repo.get_patient(session, patient_id, on=TOMORROW)
    assert visits and {t.location for t in visits} == {moved.location}
