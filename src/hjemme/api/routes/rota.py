"""``/api/rotas`` and ``/api/me/rota``: the staff rota (issue 17). Coordinators and admins plan, edit,
publish and re-plan; clinical staff and management read; every handler is one service call."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from hjemme.api.deps import EngineDep, NowDep, require_roles
from hjemme.api.schemas.rota import (
    BreachRead,
    CellEditsCreate,
    CoverRead,
    MyShiftRead,
    ReplanCreate,
    RotaCreate,
    RotaRead,
    RotaSummaryRead,
    WishCreate,
)
from hjemme.domain.rota import RotaVersion, StaffWish
from hjemme.domain.security import Role
from hjemme.domain.time import local_date
from hjemme.rota.problem import RotaParams
from hjemme.services import rota as service
from hjemme.services.auth import Principal

router = APIRouter(tags=["rota"])

Planner = Annotated[Principal, Depends(require_roles(*service.PLANNERS))]
Reader = Annotated[Principal, Depends(require_roles(*service.READERS))]
Wisher = Annotated[Principal, Depends(require_roles(*service.PLANNERS, Role.CLINICIAN))]
Lang = Annotated[str, Query(pattern="^(nb|en)$")]
RotaId = Annotated[int, Path(ge=1, le=2**62)]  # a stored id; larger numbers are refused, not looked up


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
        breaches=[
            BreachRead(
                code=b.code, hard=b.hard, staff_id=b.staff_id, date=view.problem.date_of(b.day), message=m
            )
            for b, m in zip(view.breaches, view.messages(language), strict=True)
        ],
    )


@router.get("/api/rotas", response_model=list[RotaSummaryRead])
def list_rotas(principal: Reader, engine: EngineDep, team: str | None = None) -> list[RotaSummaryRead]:
    """Every rota version, newest first (``team`` to filter)."""
    rotas = service.list_rotas(engine=engine, principal=principal, team=team)
    return [RotaSummaryRead(**_summary(r)) for r in rotas]  # type: ignore[arg-type]


@router.post("/api/rotas", status_code=201, response_model=RotaRead)
def plan(body: RotaCreate, principal: Planner, engine: EngineDep, now: NowDep, lang: Lang = "nb") -> RotaRead:
    """Forecast the team's demand and plan a draft rota for ``weeks`` weeks from ``first_day``."""
    view = service.plan_rota(
        engine=engine,
        principal=principal,
        team=body.team,
        first_day=body.first_day,
        weeks=body.weeks,
        now=now,
        params=RotaParams(time_limit_s=body.time_limit_s),
    )
    return rota_read(view, lang)


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
    edits = [service.CellEdit(e.staff_id, e.date, e.shift, e.lock) for e in body.edits]
    return rota_read(
        service.edit_rota(engine=engine, principal=principal, rota_id=rota_id, edits=edits, now=now), lang
    )


@router.post("/api/rotas/{rota_id}/publish", response_model=RotaRead)
def publish(
    rota_id: RotaId, principal: Planner, engine: EngineDep, now: NowDep, lang: Lang = "nb"
) -> RotaRead:
    """Publish a draft that breaks no rule (409 naming the breaches otherwise)."""
    return rota_read(service.publish_rota(engine=engine, principal=principal, rota_id=rota_id, now=now), lang)


@router.post("/api/rotas/{rota_id}/replan", response_model=RotaRead)
def replan(
    rota_id: RotaId,
    principal: Planner,
    engine: EngineDep,
    now: NowDep,
    body: ReplanCreate | None = None,
    lang: Lang = "nb",
) -> RotaRead:
    """Re-plan after a sick call (absences from the register) with as few changes as possible."""
    limit = body.time_limit_s if body is not None else ReplanCreate().time_limit_s
    view = service.replan_rota(
        engine=engine, principal=principal, rota_id=rota_id, now=now, params=RotaParams(time_limit_s=limit)
    )
    return rota_read(view, lang)


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
    wish_id = service.add_wish(
        engine=engine,
        principal=principal,
        now=now,
        wish=StaffWish(body.staff_id, body.date, body.kind, body.shift, body.weight),
    )
    return {"id": wish_id}


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
        MyShiftRead(date=s.date, shift=s.shift, start=_hhmm(s.start_min), end=_hhmm(s.end_min), team=s.team)
        for s in shifts
    ]
