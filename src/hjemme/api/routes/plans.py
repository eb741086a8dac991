"""``/api/plans``: make, change, pin and read day plans; reads are cut to the caller's role."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from hjemme.api.deps import ClientDep, EngineDep, NowDep, SettingsDep, require_roles
from hjemme.api.schemas.plans import PinCreate, PlanCreate, PlanSummaryRead, ReplanCreate
from hjemme.planning.params import PlannerParams
from hjemme.services import planning as service
from hjemme.services.auth import Principal
from hjemme.services.planning import PlanOutcome, ReplanRequest

router = APIRouter(prefix="/api/plans", tags=["plans"])

Planner = Annotated[Principal, Depends(require_roles(*service.PLANNERS))]
Reader = Annotated[Principal, Depends(require_roles(*service.PLAN_ROLES))]
Day = Annotated[dt.date, Path(description="The day, YYYY-MM-DD.")]


def _summary(outcome: PlanOutcome) -> PlanSummaryRead:
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
    """Plan the day from the stored enrolments, roster and fleet (a new version)."""
    outcome = service.plan_day(
        engine=engine,
        date=date,
        now=now,
        params=PlannerParams(time_limit_s=body.time_limit_s, seed=body.seed),
        provider_name=settings.travel_time_provider,
        principal=principal,
        client=client,
    )
    return _summary(outcome)


@router.post("/{date}/replan", status_code=201)
def change_plan(
    principal: Planner,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    settings: SettingsDep,
    date: Day,
    body: ReplanCreate,
) -> PlanSummaryRead:
    """Insert an urgent visit, cancel a task or remove a clinician; pinned stops stay in place."""
    outcome = service.replan_day(
        engine=engine,
        date=date,
        request=ReplanRequest(
            add_urgent_patient=body.add_urgent, cancel_task=body.cancel, absent_staff=body.absent
        ),
        now=now,
        extra_pins=body.pins,
        params=PlannerParams(time_limit_s=body.time_limit_s),
        provider_name=settings.travel_time_provider,
        principal=principal,
        client=client,
    )
    return _summary(outcome)


@router.post("/{date}/tasks/{task_id}/pin", status_code=204)
def pin_task(
    principal: Reader,
    engine: EngineDep,
    now: NowDep,
    date: Day,
    task_id: Annotated[str, Path(min_length=1, max_length=120)],
    body: PinCreate,
) -> Response:
    """Mark a task confirmed, started or done, which keeps it in place when the day is re-planned."""
    service.pin_task(
        engine=engine, principal=principal, date=date, task_id=task_id, status=body.status, at=now
    )
    return Response(status_code=204)
