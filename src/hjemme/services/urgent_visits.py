"""A red alarm becomes an urgent visit on today's plan (issue 5, item 3).

The response centre decides that a patient must be seen today; the planner's own re-planning
(:func:`hjemme.services.planning.replan_day` with ``add_urgent_patient``) adds a mandatory visit
from now, keeps the stops already begun or confirmed where they are, validates and stores the next
plan version. The alarm's audit trail records what happened, with the plan version and the task.

Three transactions, not one: reading the alarm, re-planning (the planning service's own) and
recording the event. A failure in between leaves either no new plan or a plan without its audit
event; never an event for a plan that was not stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hjemme.domain.security import Role
from hjemme.domain.time import local_date, local_minute
from hjemme.errors import ConflictError
from hjemme.monitoring.alarms import AlarmEvent, AlarmEventKind, AlarmStatus
from hjemme.monitoring.rules import Severity
from hjemme.services.access import log_access, require_role
from hjemme.services.monitoring import load_alarm, save_transition
from hjemme.services.planning import ReplanRequest, replan_day
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from hjemme.planning.params import PlannerParams
    from hjemme.services.auth import Principal

URGENT_VISIT_ROLES = frozenset({Role.RESPONDER, Role.COORDINATOR, Role.ADMIN})
"""The response-centre nurse who owns the alarm, and the coordinators who own the plan."""


@dataclass(frozen=True, slots=True)
class UrgentVisitResult:
    """What the request did: the date, and when a plan existed, its new version and the visit.

    ``task_id`` is the new visit's id; ``staff_id``/``start_min`` (minutes after local midnight) say
    who goes and when, both ``None`` when the planner could not fit it (it is then unplanned and
    shown as such on the plan). Without a plan for today, ``plan_version`` is ``None``.
    """

    alarm_id: str
    patient_id: str
    date: dt.date
    plan_version: int | None
    task_id: str | None
    staff_id: str | None
    start_min: int | None


def request_urgent_visit(
    *, engine: Engine, principal: Principal, alarm_id: str, at: dt.datetime, client: str | None = None,
    params: PlannerParams | None = None,
) -> UrgentVisitResult:
    """``POST /api/alarms/{id}/urgent-visit``: an urgent visit for a red alarm's patient, today.

    Refused (``ConflictError``, 409) for alarms that are not red or already resolved. Today is the
    hospital's (Oslo) date at ``at``. When no plan exists for today the request is recorded on the
    alarm and nothing is planned (the day's first plan is made by the coordinator).
    """
    require_role(principal, URGENT_VISIT_ROLES)
    with session_scope(engine) as session:
        alarm = load_alarm(session, alarm_id)
        today = local_date(at)
        has_plan = repo.latest_plan(session, today) is not None
    if alarm.severity is not Severity.RED:
        raise ConflictError(f"alarm {alarm_id} er {alarm.severity}, ikke rød: bare røde alarmer gir "
                            "akuttbesøk")
    if alarm.status is AlarmStatus.RESOLVED:
        raise ConflictError(f"alarm {alarm_id} er allerede løst")
    task_id = staff_id = start = version = None
    if has_plan:
        request = ReplanRequest(add_urgent_patient=alarm.patient_id)
        outcome = replan_day(engine=engine, date=today, request=request, now=at, params=params)
        version = outcome.version
        prefix = f"-{today:%Y%m%d}-U"
        urgent = [t for t in outcome.problem.tasks if t.patient_id == alarm.patient_id and prefix in t.id]
        task_id = max((t.id for t in urgent), key=lambda i: int(i.rsplit("-U", 1)[1]), default=None)
        stop = next(((r.resource_id, s.start_min) for r in outcome.plan.routes for s in r.stops
                     if s.task_id == task_id), None)
        staff_id, start = stop if stop is not None else (None, None)
    if version is None:
        note = f"akuttbesøk bedt om, men ingen plan for {today} ennå (kl. {_clock(local_minute(at))})"
    elif staff_id is None:
        note = f"akuttbesøk {task_id} i plan {today} v{version}, ikke plassert"
    else:
        note = f"akuttbesøk {task_id} i plan {today} v{version}: {staff_id} kl. {_clock(start)}"
    event = AlarmEvent(alarm.alarm_id, AlarmEventKind.URGENT_VISIT, at, principal.username,
                       alarm.escalation_level, alarm.severity, note)
    with session_scope(engine) as session:
        save_transition(session, [], [event])
        log_access(session=session, principal=principal, patient_ids=[alarm.patient_id],
                   resource=f"alarm {alarm_id} urgent-visit", client=client, at=at, action="write")
    return UrgentVisitResult(alarm.alarm_id, alarm.patient_id, today, version, task_id, staff_id, start)


def _clock(minute: int | None) -> str:
    return "–" if minute is None else f"{minute // 60:02d}:{minute % 60:02d}"
