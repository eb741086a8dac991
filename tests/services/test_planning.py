"""Planning use cases: plan a stored day, change it through its journal, mark tasks, read a plan by role."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine, func, select

from hjemme.domain.journal import EntryKind
from hjemme.domain.resources import ResourceKind
from hjemme.domain.security import Role
from hjemme.domain.tasks import TaskKind
from hjemme.domain.time import at_local
from hjemme.errors import InputError, NotFoundError, PermissionDeniedError
from hjemme.geo import make_provider
from hjemme.planning.params import PlannerParams
from hjemme.planning.plan_json import plan_from_json
from hjemme.planning.problem_json import problem_from_json
from hjemme.planning.validate import validate_plan
from hjemme.services.access import SYSTEM
from hjemme.services.auth import Principal
from hjemme.services.journal import DayChange, change_day, plan_day
from hjemme.services.planning import read_plan, stored_problem
from hjemme.services.seeding import seed_population
from hjemme.services.users import add_user
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.tables import AccessLogRecord

DATE = dt.date(2026, 11, 23)
MORNING = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)
FAST = PlannerParams(time_limit_s=0.5, rounds=2)


@pytest.fixture
def planned(db_engine: Engine) -> Engine:
    seed_population(engine=db_engine, n_patients=25, seed=3, date=DATE)
    plan_day(engine=db_engine, date=DATE, now=MORNING, params=FAST)
    return db_engine


def _independently_valid(engine: Engine) -> None:
    plan_data, problem_data = stored_problem(engine=engine, date=DATE)
    problem = problem_from_json(problem_data)
    plan = plan_from_json(plan_data)
    violations = validate_plan(plan, problem.tasks, problem.resources, make_provider("builtin"), problem.lab)
    assert violations == []


def test_plan_day_stores_a_valid_plan_with_its_input(planned: Engine) -> None:
    """Planning a seeded day stores version 1 whose plan re-validates against the stored input."""
    plan_data, problem_data = stored_problem(engine=planned, date=DATE)
    assert plan_data["date"] == "2026-11-23" and plan_data["routes"]
    planned_ids = {s["task"] for r in plan_data["routes"] for s in r["stops"] if s["task"]}
    unplanned_ids = {u["task"] for u in plan_data["unplanned"]}
    assert planned_ids | unplanned_ids == {t["id"] for t in problem_data["tasks"]}
    _independently_valid(planned)


def test_urgent_visit_is_added_and_begun_stops_stay_pinned(planned: Engine) -> None:
    """An urgent visit lands in version 2, and stops begun before the change keep their time and route."""
    before = plan_from_json(stored_problem(engine=planned, date=DATE)[0])
    now = at_local(DATE, 600)  # 10:00 in Oslo
    begun = {
        s.task_id: (r.resource_id, s.start_min)
        for r in before.routes
        for s in r.stops
        if s.task_id and s.start_min <= 600
    }
    patient = before.routes[0].stops[0].patient_id or ""
    with session_scope(planned) as session:
        patient = patient or repo.list_patients(session, limit=1)[0].id
    outcome = change_day(engine=planned, principal=SYSTEM, date=DATE, change=DayChange(EntryKind.URGENT_VISIT, patient_id=patient), now=now, params=FAST
    )
    assert outcome.version == 2
    urgent = [t for t in outcome.problem.tasks if t.id.endswith("-U0")]
    assert len(urgent) == 1 and urgent[0].kind is TaskKind.VISIT and urgent[0].window.start_min == 600
    after = {s.task_id: (r.resource_id, s.start_min) for r in outcome.plan.routes for s in r.stops if s.task_id}
    assert all(after.get(task_id) == place for task_id, place in begun.items())
    _independently_valid(planned)


def test_cancel_and_absent_staff(planned: Engine) -> None:
    """A cancelled task disappears from the plan; an absent clinician gets no route."""
    plan = plan_from_json(stored_problem(engine=planned, date=DATE)[0])
    clinician_route = next(r for r in plan.routes if r.kind is ResourceKind.CLINICIAN and r.stops)
    task_id = next(s.task_id for s in clinician_route.stops if s.task_id)
    cancelled = change_day(engine=planned, principal=SYSTEM, date=DATE, change=DayChange(EntryKind.CANCELLED, task_id=task_id), now=MORNING, params=FAST
    )
    assert task_id not in cancelled.problem.tasks_by_id
    absent = change_day(engine=planned, principal=SYSTEM, date=DATE, change=DayChange(EntryKind.ABSENT, staff_id=clinician_route.resource_id),
        now=MORNING,
        params=FAST,
    )
    assert clinician_route.resource_id not in {r.resource_id for r in absent.plan.routes}
    _independently_valid(planned)


def test_bad_changes_are_refused_and_store_nothing(planned: Engine) -> None:
    """Unknown ids and no-change requests are refused; the plan stays at version 1."""
    with pytest.raises(NotFoundError):
        change_day(engine=planned, principal=SYSTEM, date=DATE, change=DayChange(EntryKind.CANCELLED, task_id="nope"), now=MORNING)
    with pytest.raises(NotFoundError):
        change_day(engine=planned, principal=SYSTEM, date=DATE, change=DayChange(EntryKind.ABSENT, staff_id="S9999"), now=MORNING)
    with pytest.raises(NotFoundError):
        change_day(engine=planned, principal=SYSTEM, date=DATE, change=DayChange(EntryKind.URGENT_VISIT, patient_id="P9999"), now=MORNING)
    with pytest.raises(InputError):
        DayChange(EntryKind.CANCELLED)
    with pytest.raises(NotFoundError):
        change_day(engine=planned, principal=SYSTEM, date=DATE + dt.timedelta(days=1),
                   change=DayChange(EntryKind.CANCELLED, task_id="x"), now=MORNING)
    with session_scope(planned) as session:
        assert repo.latest_plan(session, DATE).version == 1  # type: ignore[union-attr]


def _user(engine: Engine, role: Role, staff_id: str | None = None) -> Principal:
    add_user(
        engine=engine, username=f"{role.value}x", password="long enough password", role=role,
        now=MORNING, staff_id=staff_id,
    )
    return Principal(f"{role.value}x", role)


def test_plan_views_follow_need_to_know(planned: Engine) -> None:
    """The coordinator sees every route; a clinician only their own; logistics only vans and couriers."""
    full = plan_from_json(stored_problem(engine=planned, date=DATE)[0])
    clinician_route = next(r for r in full.routes if r.kind is ResourceKind.CLINICIAN and r.stops)
    coordinator = _user(planned, Role.COORDINATOR)
    clinician = _user(planned, Role.CLINICIAN, staff_id=clinician_route.resource_id)
    driver = _user(planned, Role.LOGISTICS)
    whole = read_plan(engine=planned, principal=coordinator, date=DATE, client="1.2.3.4", at=MORNING)
    assert len(whole["routes"]) == len(full.routes)
    own = read_plan(engine=planned, principal=clinician, date=DATE, client=None, at=MORNING)
    assert [r["resource"] for r in own["routes"]] == [clinician_route.resource_id]
    assert own["unplanned"] == []
    vans = read_plan(engine=planned, principal=driver, date=DATE, client=None, at=MORNING)
    assert {r["kind"] for r in vans["routes"]} <= {"van", "courier"}
    assert all(s["type"] != "visit" for r in vans["routes"] for s in r["stops"])
    stop = next(s for r in vans["routes"] for s in r["stops"] if s.get("patient"))
    assert stop["address"] and stop["patient_name"]
    with pytest.raises(PermissionDeniedError):
        read_plan(engine=planned, principal=_user(planned, Role.RESEARCHER), date=DATE, client=None, at=MORNING)


def test_reading_a_plan_is_access_logged(planned: Engine) -> None:
    """Each patient on the routes the coordinator reads gets one access-log row for that read."""
    coordinator = _user(planned, Role.COORDINATOR)
    data = read_plan(engine=planned, principal=coordinator, date=DATE, client="10.0.0.9", at=MORNING)
    patients = {s["patient"] for r in data["routes"] for s in r["stops"] if s.get("patient")}
    with session_scope(planned) as session:
        rows = session.scalar(
            select(func.count()).select_from(AccessLogRecord).where(AccessLogRecord.username == "coordinatorx")
        )
    assert rows == len(patients) > 0


def test_clinician_pins_only_own_tasks(planned: Engine) -> None:
    """A clinician can mark a visit on their own route started, but not someone else's."""
    full = plan_from_json(stored_problem(engine=planned, date=DATE)[0])
    routes = [r for r in full.routes if r.kind is ResourceKind.CLINICIAN and any(s.task_id for s in r.stops)]
    mine, other = routes[0], routes[1]
    clinician = _user(planned, Role.CLINICIAN, staff_id=mine.resource_id)
    own_task = next(s.task_id for s in mine.stops if s.task_id)
    other_task = next(s.task_id for s in other.stops if s.task_id)
    change_day(engine=planned, principal=clinician, date=DATE, now=MORNING,
               change=DayChange(EntryKind.STARTED, task_id=own_task))
    with session_scope(planned) as session:
        assert repo.pinned_tasks(session, DATE) == {own_task: "started"}
    with pytest.raises(NotFoundError):
        change_day(engine=planned, principal=clinician, date=DATE, now=MORNING,
                   change=DayChange(EntryKind.DONE, task_id=other_task))


def test_plan_json_round_trips_through_storage(planned: Engine) -> None:
    """The stored plan text is the documented JSON with HH:MM times."""
    plan_data, _ = stored_problem(engine=planned, date=DATE)
    text = json.dumps(plan_data)
    assert set(json.loads(text)) >= {"date", "routes", "samples", "unplanned", "kpis"}
    stop = next(s for r in plan_data["routes"] for s in r["stops"])
    assert len(stop["start"]) == 5 and stop["start"][2] == ":"


def test_clinician_sees_samples_from_own_visits_even_when_a_courier_carries_them(db_engine: Engine) -> None:
    """A sample taken at the clinician's visit and fetched by a courier is on that clinician's plan."""
    seed_population(engine=db_engine, n_patients=25, seed=3, date=DATE)
    outcome = plan_day(
        engine=db_engine, date=DATE, now=MORNING,
        params=PlannerParams(time_limit_s=0.5, clinician_sample_detour_min=0),  # prefer couriers
    )
    kinds = {r.resource_id: r.kind for r in outcome.plan.routes}
    fetched = [s for s in outcome.plan.samples if kinds.get(s.carried_by) is ResourceKind.COURIER]
    assert fetched, "test setup: the day should have a courier-fetched sample"
    sample = outcome.problem.tasks_by_id[fetched[0].task_id]
    clinician_id = next(
        r.resource_id for r in outcome.plan.routes for s in r.stops if s.task_id == sample.taken_at
    )
    clinician = _user(db_engine, Role.CLINICIAN, staff_id=clinician_id)
    own = read_plan(engine=db_engine, principal=clinician, date=DATE, client=None, at=MORNING)
    assert sample.id in {s["task"] for s in own["samples"]}


def test_planning_is_logged_as_the_user_who_planned(planned: Engine) -> None:
    """Making or changing a plan writes one access-log row per patient of the day, as that user."""
    coordinator = _user(planned, Role.COORDINATOR)
    outcome = change_day(engine=planned, principal=coordinator, date=DATE, change=DayChange(EntryKind.CANCELLED, task_id=stored_problem(engine=planned, date=DATE)[1]["tasks"][0]["id"]),
        now=MORNING, params=FAST, client="10.1.1.1",
    )
    patients = {t.patient_id for t in outcome.problem.tasks}
    with session_scope(planned) as session:
        rows = session.execute(
            select(AccessLogRecord.patient_id, AccessLogRecord.action, AccessLogRecord.client_addr)
            .where(AccessLogRecord.username == "coordinatorx")
        ).all()
    assert {r.patient_id for r in rows} == patients
    assert {(r.action, r.client_addr) for r in rows} == {("write", "10.1.1.1")}
    with pytest.raises(PermissionDeniedError):
        plan_day(engine=planned, date=DATE, now=MORNING, params=FAST, principal=_user(planned, Role.LOGISTICS))
