"""The rota pages (issue 17): a coordinator's grid per team (people × days, a colour per shift, cover
against demand, warnings, edit with instant check, publish) and a clinician's own rota on the phone.

Every action is one call to :mod:`hjemme.services.rota`; a cell changed in the grid is posted at once
(``static/js/rota.js``) and the page comes back with the check of the whole rota.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from hjemme.domain.rota import StaffWish
from hjemme.domain.security import Role
from hjemme.domain.time import local_date
from hjemme.errors import ConflictError, HjemmeError, InputError, NotFoundError
from hjemme.rota.problem import DEFAULT_SHIFTS, RotaParams
from hjemme.services import rota as service
from hjemme.services.auth import Principal
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.web.deps import EngineDep, NowDep, ServiceDate, page_context, page_for, page_for_roles
from hjemme.web.rendering import N_, language_of, render

RotaId = Annotated[int, Path(ge=1, le=2**62)]  # a stored id; larger numbers are refused, not looked up
router = APIRouter()
PlannerDep = Annotated[Principal, Depends(page_for_roles(Role.COORDINATOR, Role.ADMIN))]
ClinicianDep = Annotated[Principal, Depends(page_for(Role.CLINICIAN))]
SHIFT_NAMES = {"D": N_("Day"), "E": N_("Evening"), "N": N_("Night")}
STATUS_NAMES = {"draft": N_("Draft"), "published": N_("Published"), "superseded": N_("Superseded")}
TEAM_NAMES = {
    "cardiology": N_("Cardiology"),
    "clinical_service": N_("Clinical service"),
    "dermatology": N_("Dermatology"),
    "haematology": N_("Haematology"),
    "infectious_diseases": N_("Infectious diseases"),
    "nephrology": N_("Nephrology"),
    "paediatrics": N_("Paediatrics"),
    "palliative_care": N_("Palliative care"),
    "prehospital": N_("Prehospital"),
    "psychiatry": N_("Psychiatry"),
    "pulmonology": N_("Pulmonology"),
}
"""The teams (clinics) of the synthetic population by name; another clinic shows its id, spaced."""
PAGE_SOLVE_S = 10.0  # a plan from the page: a short search (the CLI and API allow longer)


def _teams(engine: Any) -> list[str]:
    with session_scope(engine) as session:
        return service.teams(session)


@router.get("/rota")
def rota_home(
    request: Request, user: PlannerDep, engine: EngineDep, now: NowDep, error: str = ""
) -> Response:
    """Teams, the rota versions, and the form to plan a new one."""
    today = local_date(now)
    context = {
        **page_context(user),
        "teams": _teams(engine),
        "rotas": service.list_rotas(engine=engine, principal=user),
        "next_monday": today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7),
        "error": error,
        "status_names": STATUS_NAMES,
        "team_names": TEAM_NAMES,
    }
    return render(request, "rota/home.html", context)


@router.post("/rota/plan")
def rota_plan(
    request: Request,
    user: PlannerDep,
    engine: EngineDep,
    now: NowDep,
    team: Annotated[str, Form()],
    first_day: Annotated[ServiceDate, Form()],
    weeks: Annotated[int, Form()],
) -> Response:
    """Plan a draft from the forecast and open it."""
    try:
        view = service.plan_rota(
            engine=engine,
            principal=user,
            team=team,
            first_day=first_day,
            weeks=weeks,
            now=now,
            params=RotaParams(time_limit_s=PAGE_SOLVE_S),
        )
    except HjemmeError as error:
        return render(
            request,
            "rota/home.html",
            {
                **page_context(user),
                "teams": _teams(engine),
                "rotas": service.list_rotas(engine=engine, principal=user),
                "next_monday": first_day,
                "error": str(error),
                "status_names": STATUS_NAMES,
                "team_names": TEAM_NAMES,
            },
            status_code=422,
        )
    return RedirectResponse(f"/rota/{view.rota.id}", status_code=303)


def _grid(
    request: Request, user: Principal, view: service.RotaView, error: str = "", status: int = 200
) -> Response:
    rota = view.rota
    dates = [rota.first_day + dt.timedelta(days=d) for d in range(rota.days)]
    cover = view.cover()
    language = language_of(request, request.app.state.settings.language)
    hard = [m for b, m in zip(view.breaches, view.messages(language), strict=True) if b.hard]
    warnings = [m for b, m in zip(view.breaches, view.messages(language), strict=True) if not b.hard]
    flagged = {(b.staff_id, rota.first_day + dt.timedelta(days=b.day)) for b in view.breaches if b.hard}
    context = {
        **page_context(user),
        "view": view,
        "rota": rota,
        "dates": dates,
        "cover": cover,
        "hard": hard,
        "warnings": warnings,
        "flagged": flagged,
        "shifts": DEFAULT_SHIFTS,
        "shift_names": SHIFT_NAMES,
        "status_names": STATUS_NAMES,
        "error": error,
        "editable": rota.status.value != "superseded",
        "team_names": TEAM_NAMES,
    }
    return render(request, "rota/grid.html", context, status_code=status)


@router.get("/rota/{rota_id}")
def rota_grid(request: Request, user: PlannerDep, engine: EngineDep, rota_id: RotaId) -> Response:
    try:
        view = service.read_rota(engine=engine, principal=user, rota_id=rota_id)
    except NotFoundError:
        return render(request, "errors/404.html", page_context(user), status_code=404)
    return _grid(request, user, view)


@router.post("/rota/{rota_id}/cells")
def rota_cells(
    request: Request,
    user: PlannerDep,
    engine: EngineDep,
    now: NowDep,
    rota_id: RotaId,
    cell: Annotated[str, Form()],
    shift: Annotated[str, Form()] = "",  # empty: a day off
    lock: Annotated[str, Form()] = "1",
) -> Response:
    """One cell changed in the grid (``cell`` = ``staff|YYYY-MM-DD``); the page answers with the check.
    A cell the planner set by hand is locked: a re-plan after a sick call keeps it."""
    staff_id, _, date_text = cell.partition("|")
    try:
        date = dt.date.fromisoformat(date_text)
        edit = service.CellEdit(staff_id, date, shift or None, bool(lock))
        view = service.edit_rota(engine=engine, principal=user, rota_id=rota_id, edits=[edit], now=now)
    except NotFoundError:
        return render(request, "errors/404.html", page_context(user), status_code=404)
    except (ValueError, InputError) as error:
        return _grid(
            request,
            user,
            service.read_rota(engine=engine, principal=user, rota_id=rota_id),
            error=str(error),
            status=422,
        )
    if view.rota.id != rota_id:
        return RedirectResponse(f"/rota/{view.rota.id}", status_code=303)
    return _grid(request, user, view)


@router.post("/rota/{rota_id}/publish")
def rota_publish(
    request: Request, user: PlannerDep, engine: EngineDep, now: NowDep, rota_id: RotaId
) -> Response:
    try:
        view = service.publish_rota(engine=engine, principal=user, rota_id=rota_id, now=now)
    except NotFoundError:
        return render(request, "errors/404.html", page_context(user), status_code=404)
    except ConflictError:
        view = service.read_rota(engine=engine, principal=user, rota_id=rota_id)
        return _grid(request, user, view, error=N_("Fix the broken rules before publishing."), status=409)
    return RedirectResponse(f"/rota/{view.rota.id}", status_code=303)


@router.post("/rota/{rota_id}/replan")
def rota_replan(
    request: Request, user: PlannerDep, engine: EngineDep, now: NowDep, rota_id: RotaId
) -> Response:
    """After a sick call (recorded in the absence register): a new draft with as few changes as possible."""
    try:
        view = service.replan_rota(
            engine=engine,
            principal=user,
            rota_id=rota_id,
            now=now,
            params=RotaParams(time_limit_s=PAGE_SOLVE_S),
        )
    except NotFoundError:
        return render(request, "errors/404.html", page_context(user), status_code=404)
    return RedirectResponse(f"/rota/{view.rota.id}", status_code=303)


@router.get("/rota/{rota_id}/export.xlsx")
def rota_export(request: Request, user: PlannerDep, engine: EngineDep, rota_id: RotaId) -> Response:
    language = language_of(request, request.app.state.settings.language)
    try:
        data = service.export_rota_xlsx(engine=engine, principal=user, rota_id=rota_id, language=language)
    except NotFoundError:
        return Response(status_code=404)
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="rota-{rota_id}.xlsx"'},
    )


WISH_KINDS = {
    "day_off": N_("Day off"),
    "shift_wanted": N_("I want this shift"),
    "shift_not_wanted": N_("I do not want this shift"),
}
WISH_NOTES = {
    "bad": N_("Choose a date, a wish and, for a shift wish, the shift."),
    "saved": N_("Your wish is saved; the next rota takes it into account."),
}


@router.get("/my-rota")
def my_rota(request: Request, user: ClinicianDep, engine: EngineDep, now: NowDep, note: str = "") -> Response:
    """The clinician's own published shifts for the next four weeks, one line a day, and their wishes."""
    today = local_date(now)
    shifts = service.my_rota(engine=engine, principal=user, first=today, days=28)
    with session_scope(engine) as session:
        account = repo.get_user(session, user.username)
    context = {
        **page_context(user),
        "shifts": shifts,
        "shift_names": SHIFT_NAMES,
        "today": today,
        "linked": account is not None and account.staff_id is not None,
        "wishes": service.my_wishes(engine=engine, principal=user, first=today),
        "wish_kinds": WISH_KINDS,
        "note": WISH_NOTES.get(note),
        "shifts_defs": DEFAULT_SHIFTS,
    }
    return render(request, "rota/mine.html", context)


@router.post("/my-rota/wishes")
def add_my_wish(
    user: ClinicianDep,
    engine: EngineDep,
    now: NowDep,
    date: Annotated[ServiceDate, Form()],
    kind: Annotated[str, Form()],
    shift: Annotated[str, Form()] = "",
) -> Response:
    """A wish of the clinician for themself: a day off, or a shift wanted or not wanted."""
    with session_scope(engine) as session:
        account = repo.get_user(session, user.username)
    staff_id = account.staff_id if account is not None else None
    if staff_id is None or kind not in WISH_KINDS or (kind != "day_off" and not shift):
        return RedirectResponse("/my-rota?note=bad", status_code=303)
    try:
        wish = StaffWish(staff_id, date, kind, shift or None)
        service.add_wish(engine=engine, principal=user, now=now, wish=wish)
    except HjemmeError:
        return RedirectResponse("/my-rota?note=bad", status_code=303)
    return RedirectResponse("/my-rota?note=saved", status_code=303)
