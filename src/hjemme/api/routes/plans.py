"""``/api/plans``: read day plans (cut to the caller's role) and change them through the day's
journal (issue 11): changes, status marks, whole-day planning, undo, the journal, diffs and the
feasible places of a task. Writes accept ``If-Match`` (the version seen) and ``Idempotency-Key``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from sqlalchemy import Engine

from hjemme.api.deps import ClientDep, EngineDep, NowDep, SettingsDep, require_roles
from hjemme.api.schemas.common import ServiceDate
from hjemme.api.schemas.plans import (
    ChangeCreate,
    ChangeRead,
    JournalEntryRead,
    PlacementRead,
    PlacementsRead,
    PlanCreate,
    PlanSummaryRead,
    RestoreCreate,
    StatusCreate,
    VersionRead,
)
from hjemme.domain.journal import EntryKind
from hjemme.domain.plans import Plan
from hjemme.domain.time import HOSPITAL_TZ, format_hhmm, format_local, parse_hhmm
from hjemme.errors import InputError
from hjemme.planning.diff import diff_plans
from hjemme.planning.params import PlannerParams
from hjemme.services import journal
from hjemme.services import planning as service
from hjemme.services.auth import Principal
from hjemme.services.journal import ChangeOutcome, DayChange, describe_entry

router = APIRouter(prefix="/api/plans", tags=["plans"])

Planner = Annotated[Principal, Depends(require_roles(*service.PLANNERS))]
Reader = Annotated[Principal, Depends(require_roles(*service.PLAN_ROLES))]
Marker = Annotated[Principal, Depends(require_roles(*journal.MARKERS))]
Day = Annotated[ServiceDate, Path(description="The day, YYYY-MM-DD.")]
IfMatch = Annotated[str | None, Header(description="The plan version the change was made against.")]
TaskId = Annotated[str, Path(min_length=1, max_length=120)]

CHANGE_PARAMS = PlannerParams(time_limit_s=0.5, rounds=1)
"""Repairs search briefly: a change is answered in about a second."""



def language(request: Request, default: str) -> str:
    """``en`` when the caller asks for English (``Accept-Language``), else the configured default."""
    asked = request.headers.get("accept-language", "").strip().lower()
    if asked.startswith("en"):
        return "en"
    if asked.startswith(("nb", "no", "nn")):
        return "nb"
    return default


def _expected(if_match: str | None, body_version: int | None) -> int | None:
    if if_match is None:
        return body_version
    value = if_match.strip().strip('"').removeprefix("W/").strip('"')
    if not value.isdigit() or len(value) > 7:
        raise InputError("If-Match", "give the plan version the change was made against, e.g. If-Match: 3")
    return int(value)


def _summary(outcome: ChangeOutcome) -> PlanSummaryRead:
    k = outcome.plan.kpis
    return PlanSummaryRead(
        date=outcome.plan.date.isoformat(),
        version=outcome.version,
        tasks_total=k.tasks_total,
        tasks_planned=k.tasks_planned,
        unplanned=len(outcome.plan.unplanned),
        km=k.km,
        solve_seconds=k.solve_seconds,
    )


def _minute(value: str | None, default: int) -> int:
    return default if value is None else parse_hhmm(value)


def _change_read(outcome: ChangeOutcome, previous: Plan | None) -> ChangeRead:
    place = None
    if outcome.task_id is not None:
        place = next(
            ((r.resource_id, s.start_min) for r in outcome.plan.routes for s in r.stops
             if s.task_id == outcome.task_id),
            None,
        )
    return ChangeRead(
        date=outcome.plan.date.isoformat(),
        version=outcome.version,
        previous_version=outcome.previous_version,
        journal_seq=outcome.entry.seq,
        task=outcome.task_id or outcome.entry.payload.get("task"),
        resource=place[0] if place else None,
        start=format_hhmm(place[1]) if place else None,
        unplanned=len(outcome.plan.unplanned),
        diff=diff_plans(previous, outcome.plan).to_json() if previous is not None else None,
    )


@router.get("/{date}", response_class=Response, responses={200: {"content": {"application/json": {}}}})
def read_plan(principal: Reader, engine: EngineDep, now: NowDep, client: ClientDep, date: Day) -> Response:
    """The latest plan of the day (``docs/plan.schema.json``) as the caller's role may see it."""
    body = service.read_plan_json(engine=engine, principal=principal, date=date, client=client, at=now)
    return Response(body, media_type="application/json")


@router.post("/{date}", status_code=201)
def make_plan(
    principal: Planner,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    settings: SettingsDep,
    date: Day,
    body: PlanCreate,
) -> PlanSummaryRead:
    """Plan the whole day (a new version): from the pathways with every journalled change re-applied
    and started, done and past stops kept; an existing plan is improved, not replaced."""
    outcome = journal.plan_day(
        engine=engine,
        principal=principal,
        date=date,
        now=now,
        params=journal.configured(PlannerParams(time_limit_s=body.time_limit_s, seed=body.seed), settings),
        provider_name=settings.travel_time_provider,
        client=client,
        reason=body.reason,
    )
    return _summary(outcome)


@router.post("/{date}/changes", status_code=201)
def change_plan(
    principal: Planner,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    settings: SettingsDep,
    date: Day,
    body: ChangeCreate,
    if_match: IfMatch = None,
) -> ChangeRead:
    """One change to the day, repaired into the latest version: 201 with the new version and the
    difference, 409 when it was made against an older version it no longer fits."""
    change = DayChange(
        kind=EntryKind(body.kind),
        patient_id=body.patient,
        task_id=body.task,
        staff_id=body.staff,
        vehicle_id=body.vehicle,
        resource_id=body.resource,
        start_min=None if body.start is None else parse_hhmm(body.start),
        from_min=_minute(body.from_, 0),
        to_min=_minute(body.to, 24 * 60),
        reason=body.reason,
    )
    outcome = journal.change_day(
        engine=engine,
        principal=principal,
        date=date,
        change=change,
        now=now,
        expected_version=_expected(if_match, body.expected_version),
        params=journal.configured(CHANGE_PARAMS, settings),
        provider_name=settings.travel_time_provider,
        client=client,
    )
    return _change_read(outcome, _previous(engine, principal, date, outcome))


def _previous(engine: Engine, principal: Principal, date: dt.date, outcome: ChangeOutcome) -> Plan | None:
    if outcome.previous_version is None or outcome.previous_version == outcome.version:
        return None
    return service.plan_at(engine=engine, principal=principal, date=date, version=outcome.previous_version)


@router.post("/{date}/tasks/{task_id}/status", status_code=201)
def mark_task(
    principal: Marker,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    date: Day,
    task_id: TaskId,
    body: StatusCreate,
) -> ChangeRead:
    """Record that a task is confirmed, started, done, not done, delivered or its sample handed in;
    re-planning never moves it again. Clinicians and drivers mark their own stops."""
    outcome = journal.change_day(
        engine=engine,
        principal=principal,
        date=date,
        change=DayChange(kind=EntryKind(body.status), task_id=task_id, reason=body.reason),
        now=now,
        client=client,
    )
    return _change_read(outcome, None)


@router.post("/{date}/restore", status_code=201)
def restore(
    principal: Planner,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    settings: SettingsDep,
    date: Day,
    body: RestoreCreate,
    if_match: IfMatch = None,
) -> ChangeRead:
    """Undo: an earlier version stored again as the newest; the journal keeps both."""
    outcome = journal.restore_version(
        engine=engine,
        principal=principal,
        date=date,
        version=body.version,
        now=now,
        expected_version=_expected(if_match, body.expected_version),
        params=journal.configured(CHANGE_PARAMS, settings),
        provider_name=settings.travel_time_provider,
        client=client,
        reason=body.reason,
    )
    return _change_read(outcome, _previous(engine, principal, date, outcome))


@router.get("/{date}/journal")
def read_journal(
    principal: Planner, engine: EngineDep, settings: SettingsDep, request: Request, date: Day
) -> list[JournalEntryRead]:
    """Who changed what on the day, when (Oslo time), why and against which version, oldest first."""
    lang = language(request, settings.language)
    return [
        JournalEntryRead(
            seq=e.seq,
            kind=e.kind,
            text=describe_entry(e, lang),
            payload={k: v for k, v in e.payload.items() if k != "task_json"},
            reason=e.reason,
            user=e.username,
            role=e.role,
            at=e.at.astimezone(HOSPITAL_TZ).isoformat(timespec="seconds"),
            at_local=format_local(e.at, lang),
            base_version=e.base_version,
            result_version=e.result_version,
            reverted_by=e.reverted_by,
        )
        for e in service.read_journal(engine=engine, principal=principal, date=date)
    ]


@router.get("/{date}/versions")
def read_versions(principal: Planner, engine: EngineDep, date: Day) -> list[VersionRead]:
    """Every stored version of the day's plan (for undo)."""
    return [
        VersionRead(version=v, created_at=at.astimezone(HOSPITAL_TZ).isoformat(timespec="seconds"))
        for v, at in service.list_versions(engine=engine, principal=principal, date=date)
    ]


@router.get("/{date}/diff")
def read_diff(
    principal: Reader,
    engine: EngineDep,
    date: Day,
    from_version: Annotated[int, Query(alias="from", ge=1, le=1_000_000)],
    to_version: Annotated[int, Query(alias="to", ge=1, le=1_000_000)],
) -> dict[str, Any]:
    """What changed from version ``from`` to ``to``: per person and vehicle, stops added, removed,
    reassigned and moved in time (a clinician sees their own)."""
    diff = service.plan_diff(
        engine=engine, principal=principal, date=date, from_version=from_version, to_version=to_version
    )
    return {"date": date.isoformat(), "from": from_version, "to": to_version, **diff.to_json()}


@router.get("/{date}/placements")
def read_placements(
    principal: Planner,
    engine: EngineDep,
    now: NowDep,
    settings: SettingsDep,
    date: Day,
    task: Annotated[str, Query(min_length=1, max_length=120)],
) -> PlacementsRead:
    """Where the task could go (person or vehicle, start, cost change), best first; choose one by
    posting a ``moved`` change with that resource and start."""
    version, found = service.list_placements(
        engine=engine, principal=principal, date=date, task_id=task, now=now,
        params=journal.configured(CHANGE_PARAMS, settings), provider_name=settings.travel_time_provider,
    )
    return PlacementsRead(
        date=date.isoformat(),
        version=version,
        task=task,
        placements=[
            PlacementRead(resource=p.resource_id, start=format_hhmm(p.start_min), cost_delta=p.cost_delta,
                          moved_tasks=p.moved_tasks)
            for p in found
        ],
    )
