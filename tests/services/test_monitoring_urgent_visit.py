"""A red alarm creates an urgent visit in a new version of today's plan; other alarms are refused."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine

from hjemme.domain.security import Role
from hjemme.domain.time import at_local
from hjemme.errors import ConflictError, PermissionDeniedError
from hjemme.geo import make_provider
from hjemme.monitoring.alarms import Alarm
from hjemme.monitoring.rules import FindingKind, Severity
from hjemme.planning.params import PlannerParams
from hjemme.planning.plan_json import plan_from_json
from hjemme.planning.problem import build_problem
from hjemme.planning.problem_json import problem_from_json
from hjemme.planning.validate import validate_plan
from hjemme.services.auth import Principal
from hjemme.services.journal import AlreadyOrderedError, plan_day
from hjemme.services.monitoring import get_alarm, save_transition
from hjemme.services.seeding import seed_population
from hjemme.services.urgent_visits import ordered_visit, request_urgent_visit
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope

TODAY = dt.date(2026, 11, 23)
AT = at_local(TODAY, 10 * 60)  # 10:00 in Oslo
RESPONDER = Principal("rita", Role.RESPONDER)


@pytest.fixture
def planned(db_engine: Engine) -> str:
    """A tiny population planned for today; returns a patient enrolled today."""
    seed_population(engine=db_engine, n_patients=6, seed=3, date=TODAY)
    plan_day(engine=db_engine, date=TODAY, now=at_local(TODAY, 6 * 60), params=PlannerParams(time_limit_s=0.3))
    with session_scope(db_engine) as session:
        return repo.list_enrolments(session, active_on=TODAY)[0].patient_id


def alarm(engine: Engine, patient_id: str, severity: Severity) -> str:
    record = Alarm(alarm_id=f"A-{severity}", patient_id=patient_id, kind=FindingKind.NEWS2, severity=severity,
                   dedup_key=f"{patient_id}:news2", cause="NEWS2 7", evidence=(), opened_at=AT)
    with session_scope(engine) as session:
        save_transition(session, [record], [])
    return record.alarm_id


def test_red_alarm_puts_an_urgent_visit_in_a_new_plan_version(db_engine: Engine, planned: str) -> None:
    """A responder's urgent visit for a red alarm re-plans today: version 2 holds a valid plan with the
    patient's urgent visit from now, and the alarm's trail names the task."""
    alarm_id = alarm(db_engine, planned, Severity.RED)
    result = request_urgent_visit(engine=db_engine, principal=RESPONDER, alarm_id=alarm_id, at=AT,
                                  params=PlannerParams(time_limit_s=0.3, rounds=1))
    assert result.plan_version == 2 and result.date == TODAY
    assert result.task_id is not None and "-20261123-U" in result.task_id
    with session_scope(db_engine) as session:
        stored = repo.latest_plan(session, TODAY)
    assert stored is not None and stored.version == 2 and stored.problem_json is not None
    inputs = problem_from_json(json.loads(stored.problem_json))
    problem = build_problem(TODAY, inputs.tasks, inputs.resources, inputs.lab, make_provider("builtin"))
    plan = plan_from_json(json.loads(stored.json))
    assert validate_plan(plan, problem.tasks, problem.resources, problem.provider, problem.lab) == []
    urgent = problem.tasks_by_id[result.task_id]
    assert urgent.patient_id == planned and urgent.window.start_min >= 10 * 60
    placed = {s.task_id: (r.resource_id, s.start_min) for r in plan.routes for s in r.stops}
    assert placed.get(result.task_id, (None, None)) == (result.staff_id, result.start_min)
    _alarm, events, _evidence = get_alarm(engine=db_engine, principal=RESPONDER, alarm_id=alarm_id, at=AT)
    assert [e.kind for e in events] == ["urgent_visit"] and result.task_id in events[0].note


def test_yellow_alarm_is_refused_and_the_plan_stays(db_engine: Engine, planned: str) -> None:
    """A yellow alarm cannot create an urgent visit: refused, and no new plan version is stored."""
    alarm_id = alarm(db_engine, planned, Severity.YELLOW)
    with pytest.raises(ConflictError, match="ikke rød"):
        request_urgent_visit(engine=db_engine, principal=RESPONDER, alarm_id=alarm_id, at=AT)
    with session_scope(db_engine) as session:
        stored = repo.latest_plan(session, TODAY)
    assert stored is not None and stored.version == 1


def test_only_responders_and_coordinators_ask(db_engine: Engine, planned: str) -> None:
    """A clinician (or any role other than responder, coordinator, admin) may not create urgent visits."""
    alarm_id = alarm(db_engine, planned, Severity.RED)
    with pytest.raises(PermissionDeniedError):
        request_urgent_visit(engine=db_engine, principal=Principal("kari", Role.CLINICIAN), alarm_id=alarm_id,
                             at=AT)


def test_an_alarm_orders_its_urgent_visit_only_once(db_engine: Engine, planned: str) -> None:
    """A second press of "order urgent visit" on the same alarm is refused naming the visit already
    planned, and the plan keeps one urgent visit (version 2, no version 3)."""
    alarm_id = alarm(db_engine, planned, Severity.RED)
    fast = PlannerParams(time_limit_s=0.3, rounds=1)
    first = request_urgent_visit(engine=db_engine, principal=RESPONDER, alarm_id=alarm_id, at=AT, params=fast)
    with pytest.raises(AlreadyOrderedError) as refused:
        request_urgent_visit(engine=db_engine, principal=RESPONDER, alarm_id=alarm_id, at=AT, params=fast)
    assert refused.value.task_id == first.task_id
    ordered = ordered_visit(engine=db_engine, alarm_id=alarm_id)
    assert ordered is not None and ordered.task_id == first.task_id
    assert (ordered.staff_id, ordered.start_min) == (first.staff_id, first.start_min)
    with session_scope(db_engine) as session:
        stored = repo.latest_plan(session, TODAY)
    assert stored is not None and stored.version == 2
    urgent = [t for t in problem_from_json(json.loads(stored.problem_json or "{}")).tasks if "-U" in t.id]
    assert [t.id for t in urgent] == [first.task_id]
