"""A red alarm becomes an urgent visit on today's plan (issue 5, item 3; issue 11, item 3).

The response centre decides that a patient must be seen today; the day's journal
(:func:`hjemme.services.journal.change_day`) adds a mandatory visit from now to the latest plan by
repair (stops begun, done or about to start stay where they are), validates and stores the next
version. The alarm's audit event is written in the same transaction as the journal entry and the
plan, and an alarm orders its urgent visit at most once: a second request is refused (409) naming
the visit already planned.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hjemme.domain.journal import EntryKind
from hjemme.domain.security import Role
from hjemme.domain.time import local_date, local_minute
from hjemme.errors import ConflictError
from hjemme.monitoring.alarms import Alarm, AlarmEvent, AlarmEventKind, AlarmStatus
from hjemme.monitoring.rules import Severity
from hjemme.planning.plan_json import plan_from_json
from hjemme.services.access import log_access, require_role
from hjemme.services.journal import ChangeOutcome, DayChange, change_day
from hjemme.services.monitoring import load_alarm, save_transition
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.journal import entry_for_alarm

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

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
    *,
    engine: Engine,
    principal: Principal,
    alarm_id: str,
    at: dt.datetime,
    client: str | None = None,
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
        raise ConflictError(
            f"alarm {alarm_id} er {alarm.severity}, ikke rød: bare røde alarmer gir akuttbesøk"
        )
    if alarm.status is AlarmStatus.RESOLVED:
        raise ConflictError(f"alarm {alarm_id} er allerede løst")
    if not has_plan:
        note = f"akuttbesøk bedt om, men ingen plan for {today} ennå (kl. {_clock(local_minute(at))})"
        with session_scope(engine) as session:
            _record(session, alarm, principal, at, client, note)
        return UrgentVisitResult(alarm.alarm_id, alarm.patient_id, today, None, None, None, None)

    def record(session: Session, outcome: ChangeOutcome) -> None:
        stop = _stop_of(outcome)
        where = f"{stop[0]} kl. {_clock(stop[1])}" if stop else "ikke plassert"
        _record(
            session,
            alarm,
            principal,
            at,
            client,
            f"akuttbesøk {outcome.task_id} i plan {today} v{outcome.version}: {where}",
        )

    outcome = change_day(
        engine=engine,
        principal=principal,
        date=today,
        now=at,
        params=params,
        client=client,
        change=DayChange(EntryKind.URGENT_VISIT, patient_id=alarm.patient_id, reason=f"alarm {alarm_id}"),
        alarm_id=alarm.alarm_id,
        in_transaction=record,
    )
    stop = _stop_of(outcome)
    staff_id, start = stop if stop is not None else (None, None)
    return UrgentVisitResult(
        alarm.alarm_id, alarm.patient_id, today, outcome.version, outcome.task_id, staff_id, start
    )


def _stop_of(outcome: ChangeOutcome) -> tuple[str, int] | None:
    return next(
        (
            (r.resource_id, s.start_min)
            for r in outcome.plan.routes
            for s in r.stops
            if s.task_id == outcome.task_id
        ),
        None,
    )


def _record(
    session: Session, alarm: Alarm, principal: Principal, at: dt.datetime, client: str | None, note: str
) -> None:
    event = AlarmEvent(
        alarm.alarm_id,
        AlarmEventKind.URGENT_VISIT,
        at,
        principal.username,
        alarm.escalation_level,
        alarm.severity,
        note,
    )
    save_transition(session, [], [event])
    log_access(
        session=session,
        principal=principal,
        patient_ids=[alarm.patient_id],
        resource=f"alarm {alarm.alarm_id} urgent-visit",
        client=client,
        at=at,
        action="write",
    )


@dataclass(frozen=True, slots=True)
class OrderedVisit:
    """The urgent visit an alarm ordered, and where the latest plan has it (``None``: not placed)."""

    task_id: str
    date: dt.date
    staff_id: str | None
    start_min: int | None


def ordered_visit(*, engine: Engine, alarm_id: str) -> OrderedVisit | None:
    """The urgent visit an alarm ordered, if it ordered one (task ids and times only: not logged)."""
    with session_scope(engine) as session:
        entry = entry_for_alarm(session, alarm_id)
        if entry is None:
            return None
        stored = repo.latest_plan(session, entry.date)
    task_id = str(entry.payload.get("task", ""))
    place = None
    if stored is not None:
        plan = plan_from_json(json.loads(stored.json))
        stops = ((r.resource_id, s) for r in plan.routes for s in r.stops)
        place = next(((rid, s.start_min) for rid, s in stops if s.task_id == task_id), None)
    return OrderedVisit(task_id, entry.date, place[0] if place else None, place[1] if place else None)


def _clock(minute: int | None) -> str:
    return "–" if minute is None else f"{minute // 60:02d}:{minute % 60:02d}"
