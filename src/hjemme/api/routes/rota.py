"""``/api/rotas`` and ``/api/me/rota``: the staff rota (issue 17). Coordinators and admins plan, edit,
publish and re-plan; clinical staff and management read; every handler is one service call."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from hjemme.api.deps import EngineDep, NowDep, require_roles
from hjemme.api.schemas.rota import (
    BreachRead,
    CellEditsCreate,
    CoverRead,
    LoadRead,
    MyShiftRead,
    ReplanCreate,
    RotaCreate,
    RotaJobRead,
    RotaRead,
    RotaSummaryRead,
    ShiftRead,
    TeamShiftsUpdate,
    WishCreate,
    WishRead,
)
from hjemme.domain.rota import RotaVersion, StaffWish
from hjemme.domain.security import Role
from hjemme.domain.time import local_date
from hjemme.errors import NotFoundError
from hjemme.rota.problem import RotaParams, ShiftDef
from hjemme.services import rota as service
from hjemme.services import rota_jobs
from hjemme.services import rota_team as team_service
from hjemme.services.auth import Principal

router = APIRouter(tags=["rota"])

Planner = Annotated[Principal, Depends(require_roles(*service.PLANNERS))]
Reader = Annotated[Principal, Depends(require_roles(*service.READERS))]
Wisher = Annotated[Principal, Depends(require_roles(*service.PLANNERS, Role.CLINICIAN))]
Lang = Annotated[str, Query(pattern="^(nb|en)$")]
RotaId = Annotated[int, Path(ge=1, le=2**62)]  # a stored id; larger numbers are refused, not looked up
WishId = Annotated[int, Path(ge=1, le=2**62)]
Team = Annotated[str, Path(min_length=1, max_length=64)]


def _summary(r: RotaVersion) -> dict[str, object]:
    return {
        "id": r.id,
        "team": r.team,
        "first_day": r.first_day,
        "days": r.days,
        "version": r.version,
        "status": r.status.value,
        "based_on": r.based_on,
        "changed": r.changed,
    }


def _hhmm(minutes: int | None) -> str | None:
    return None if minutes is None else f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def shift_read(shift: ShiftDef) -> ShiftRead:
    return ShiftRead(
        code=shift.code,
        start=_hhmm(shift.start_min) or "",
        end=_hhmm(shift.end_min) or "",
        hours=round(shift.minutes / 60, 2),
        night=shift.night,
    )


def _job_read(job: rota_jobs.RotaJob) -> RotaJobRead:
    return RotaJobRead(
        job_id=job.job_id,
        kind=job.kind,
        team=job.team,
        stage=job.stage,
        percent=job.percent,
        ahead=job.ahead if job.stage == "queued" else 0,
        rota_id=job.rota_id,
        rota_url=f"/api/rotas/{job.rota_id}" if job.rota_id is not None else None,
        error=job.error,
    )


def _accepted(job: rota_jobs.RotaJob) -> JSONResponse:
    """202 with the job and where to follow it (``Location``)."""
    url = f"/api/rota-jobs/{job.job_id}"
    return JSONResponse(_job_read(job).model_dump(mode="json"), status_code=202, headers={"Location": url})


def rota_read(view: service.RotaView, language: str) -> RotaRead:
    rota = view.rota
    return RotaRead(
        **_summary(rota),  # type: ignore[arg-type]
        staff=[{"id": s.id, "name": s.name} for s in view.staff],
        cells=[
            {"staff_id": sid, "date": d.isoformat(), "shift": c} for (sid, d), c in sorted(rota.cells.items())
        ],
        locks=[
            {"staff_id": sid, "date": d.isoformat(), "shift": c} for (sid, d), c in sorted(rota.locks.items())
        ],
        cover=[
            CoverRead(
                date=view.problem.date_of(day),
                shift=code,
                staffed=have,
                needed=cell.total,
                by_skill=cell.by_skill,
                low=round(cell.low, 2),
                high=round(cell.high, 2),
            )
            for (day, code), (have, cell) in sorted(view.cover().items())
        ],
        loads=[
            LoadRead(
                staff_id=sid,
                hours=round(load.minutes / 60, 2),
                contract_hours=round(load.target_minutes / 60, 2),
                off_contract=load.off_contract(view.problem.rules.contract_tolerance_pct),
                nights=load.nights,
                weekends=load.weekends,
            )
            for sid, load in view.loads().items()
        ],
        absent=[
            {"staff_id": sid, "date": view.problem.date_of(day).isoformat()}
            for sid, day in sorted(view.problem.unavailable)
        ],
        changes=[
            {"staff_id": sid, "date": date.isoformat(), "before": before, "after": after}
            for (sid, date), (before, after) in view.changes().items()
        ],
        breaches=[
            BreachRead(
                code=b.code, hard=b.hard, staff_id=b.staff_id, date=view.problem.date_of(b.day), message=m
            )
            for b, m in zip(view.breaches, view.messages(language), strict=True)
        ],
        shifts=[shift_read(s) for s in view.problem.shifts],
        wishes=[_wish_read(w, view.wish_met(w)) for w in view.wishes],
    )


def _wish_read(wish: StaffWish, met: bool | None = None) -> WishRead:
    return WishRead(
        id=wish.id or 0,
        staff_id=wish.staff_id,
        date=wish.date,
        kind=wish.kind,
        shift=wish.shift,
        weight=wish.weight,
        met=met,
    )


@router.get("/api/rotas", response_model=list[RotaSummaryRead])
def list_rotas(principal: Reader, engine: EngineDep, team: str | None = None) -> list[RotaSummaryRead]:
    """Every rota version, newest first (``team`` to filter)."""
    rotas = service.list_rotas(engine=engine, principal=principal, team=team)
    return [RotaSummaryRead(**_summary(r)) for r in rotas]  # type: ignore[arg-type]


@router.post("/api/rotas", status_code=202, response_model=RotaJobRead)
def plan(
    request: Request, body: RotaCreate, principal: Planner, engine: EngineDep, now: NowDep
) -> JSONResponse:
    """Forecast the team's demand and plan a draft rota for ``weeks`` weeks from ``first_day``, as a
    background job: ``202`` with the job (follow ``Location``); bad input is refused at once (422)."""
    job = rota_jobs.start_plan(
        rota_jobs.jobs_of(request.app.state),
        engine=engine,
        principal=principal,
        team=body.team,
        first_day=body.first_day,
        weeks=body.weeks,
        now=now,
        params=RotaParams(time_limit_s=body.time_limit_s),
    )
    return _accepted(job)


@router.get("/api/rota-jobs/{job_id}", response_model=RotaJobRead)
def job(request: Request, job_id: Annotated[str, Path(max_length=64)], principal: Planner) -> RotaJobRead:
    """Where a plan or re-plan is (stage, per cent); once ``done``, the draft's id and URL."""
    found = rota_jobs.jobs_of(request.app.state).get(job_id, principal.username)
    if found is None:
        raise NotFoundError("rota job", job_id)
    return _job_read(found)


@router.get("/api/rotas/{rota_id}", response_model=RotaRead)
def read(rota_id: RotaId, principal: Reader, engine: EngineDep, lang: Lang = "nb") -> RotaRead:
    """A rota with its cover against demand and every breach named in ``lang``."""
    return rota_read(service.read_rota(engine=engine, principal=principal, rota_id=rota_id), lang)


@router.post("/api/rotas/{rota_id}/cells", response_model=RotaRead)
def edit(
    rota_id: RotaId,
    body: CellEditsCreate,
    principal: Planner,
    engine: EngineDep,
    now: NowDep,
    lang: Lang = "nb",
) -> RotaRead:
    """Set cells (a published rota is copied into a new draft) and answer with the check at once."""
    edits = [
        service.CellEdit(
            e.staff_id, e.date, e.shift, e.lock, e.was if "was" in e.model_fields_set else service.UNSEEN
        )
        for e in body.edits
    ]
    return rota_read(
        service.edit_rota(engine=engine, principal=principal, rota_id=rota_id, edits=edits, now=now), lang
    )


@router.post("/api/rotas/{rota_id}/publish", response_model=RotaRead)
def publish(
    rota_id: RotaId, principal: Planner, engine: EngineDep, now: NowDep, lang: Lang = "nb"
) -> RotaRead:
    """Publish a draft that breaks no rule (409 naming the breaches otherwise)."""
    return rota_read(service.publish_rota(engine=engine, principal=principal, rota_id=rota_id, now=now), lang)


@router.post("/api/rotas/{rota_id}/replan", status_code=202, response_model=RotaJobRead)
def replan(
    request: Request,
    rota_id: RotaId,
    principal: Planner,
    engine: EngineDep,
    now: NowDep,
    body: ReplanCreate | None = None,
) -> JSONResponse:
    """Re-plan after a sick call (absences from the register) with as few changes as possible, as a
    background job: ``202`` with the job (follow ``Location``)."""
    limit = body.time_limit_s if body is not None else ReplanCreate().time_limit_s
    job = rota_jobs.start_replan(
        rota_jobs.jobs_of(request.app.state),
        engine=engine,
        principal=principal,
        rota_id=rota_id,
        now=now,
        params=RotaParams(time_limit_s=limit),
    )
    return _accepted(job)


@router.get("/api/rotas/{rota_id}/export.xlsx")
def export(rota_id: RotaId, principal: Reader, engine: EngineDep, lang: Lang = "nb") -> Response:
    """The rota as an Excel workbook."""
    data = service.export_rota_xlsx(engine=engine, principal=principal, rota_id=rota_id, language=lang)
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="rota-{rota_id}.xlsx"'},
    )


@router.post("/api/rota-wishes", status_code=201)
def wish(body: WishCreate, principal: Wisher, engine: EngineDep, now: NowDep) -> dict[str, int]:
    """A staff wish for a date (a clinician for themself)."""
    wish_id = team_service.add_wish(
        engine=engine,
        principal=principal,
        now=now,
        wish=StaffWish(body.staff_id, body.date, body.kind, body.shift, body.weight),
    )
    return {"id": wish_id}


@router.delete("/api/rota-wishes/{wish_id}", status_code=204)
def withdraw_wish(wish_id: WishId, principal: Wisher, engine: EngineDep, now: NowDep) -> Response:
    """Withdraw a wish (a clinician their own)."""
    team_service.remove_wish(engine=engine, principal=principal, wish_id=wish_id, now=now)
    return Response(status_code=204)


@router.get("/api/rota-teams/{team}/shifts", response_model=list[ShiftRead])
def team_shifts(team: Team, principal: Reader, engine: EngineDep) -> list[ShiftRead]:
    """The team's shift times (its own where set, the defaults otherwise)."""
    return [
        shift_read(s) for s in team_service.read_team_shifts(engine=engine, principal=principal, team=team)
    ]


@router.put("/api/rota-teams/{team}/shifts", response_model=list[ShiftRead])
def set_team_shifts(
    team: Team, body: TeamShiftsUpdate, principal: Planner, engine: EngineDep, now: NowDep
) -> list[ShiftRead]:
    """Set the team's shift times; rotas planned afterwards use them (and the rules are measured on them)."""
    times = {code: team_service.shift_times(code, t.start, t.end) for code, t in body.shifts.items()}
    shifts = team_service.set_team_shifts(engine=engine, principal=principal, team=team, times=times, now=now)
    return [shift_read(s) for s in shifts]


@router.get("/api/me/rota", response_model=list[MyShiftRead])
def my_rota(
    principal: Reader,
    engine: EngineDep,
    now: NowDep,
    first: Annotated[dt.date | None, Query(alias="from")] = None,
    days: Annotated[int, Query(ge=1, le=62)] = 28,
) -> list[MyShiftRead]:
    """The caller's own shifts from the published rotas."""
    shifts = service.my_rota(engine=engine, principal=principal, first=first or local_date(now), days=days)
    return [
        MyShiftRead(
            date=s.date,
            shift=s.shift,
            start=_hhmm(s.start_min),
            end=_hhmm(s.end_min),
            team=s.team,
            published=s.published,
        )
        for s in shifts
    ]
