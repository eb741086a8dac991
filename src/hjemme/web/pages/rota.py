"""The rota pages (issue 17): a coordinator's grid per team (people × days, a colour per shift, cover
against demand, warnings, edit with instant check, publish) and a clinician's own rota on the phone.

Every action is one call to :mod:`hjemme.services.rota`; a cell changed in the grid is posted at once
(``static/js/rota.js``) and the page comes back with the check of the whole rota. Planning and
re-planning run as background jobs (:mod:`hjemme.services.rota_jobs`): the page shows a progress bar
and then opens the draft. Team shift times are set on ``/rota``; staff wishes are entered on the grid
by the planner and on ``/my-rota`` by the nurse.
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
from hjemme.services import availability, rota_jobs
from hjemme.services import rota as service
from hjemme.services import rota_team as team_service
from hjemme.services.auth import Principal
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.web.deps import ClientDep, EngineDep, NowDep, ServiceDate, page_context, page_for, page_for_roles
from hjemme.web.rendering import LANGUAGES, N_, language_of, render

RotaId = Annotated[int, Path(ge=1, le=2**62)]  # a stored id; larger numbers are refused, not looked up
WishId = Annotated[int, Path(ge=1, le=2**62)]
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
WISH_WEIGHTS = {1: N_("Low"), 3: N_("Normal"), 5: N_("High")}
INPUT_ERRORS = {
    "team": N_("Choose a team that has clinical staff."),
    "weeks": N_("Plan from 1 to 8 weeks."),
    "first_day": N_("Choose a valid first day."),
    "kind": N_("Choose a wish: a day off, a shift wanted or a shift not wanted."),
    "shift": N_("A shift wish names its shift; a day-off wish names none."),
    "weight": N_("Choose a weight from 1 (low) to 5 (high)."),
    "date": N_("A wish is for today or a later day within the rota."),
    "staff_id": N_("Choose a member of the team."),
    "times": N_("Give each shift a start and an end as HH:MM; a shift lasts from 1 to 10 hours."),
}
"""Bad input by field, in the page's language (the service's own message is English)."""
DAY_OFF = "-"
"""A day off in the grid's ``was`` field (an empty form field reads as not given)."""
CELL_CHANGED = N_(
    "Someone else changed that cell after you opened the rota; nothing was changed. The grid shows the rota "
    "as it is now."
)
ABSENCE_ERRORS = {
    "staff_id": N_("Choose a member of the team."),
    "kind": N_("Choose the kind of absence."),
    "from_date": N_("Give the first day of the absence."),
    "to": N_("An absence ends on or after its first day, and lasts at most a year."),
}
"""Bad input of the sick-call form, by field."""
FIX_FIRST = N_("Fix the broken rules before publishing.")
UNKNOWN_JOB = N_("That planning job is not known (the server may have restarted); plan the rota again.")


def _input_error(error: HjemmeError) -> str:
    field = error.field if isinstance(error, InputError) else ""
    if field.endswith(("_start", "_end")):
        field = "times"
    return INPUT_ERRORS.get(field, str(error))


def _home(
    request: Request,
    user: Principal,
    engine: Any,
    first_day: dt.date,
    error: str = "",
    status: int = 200,
    note: str = "",
) -> Response:
    with session_scope(engine) as session:
        teams = service.teams(session)
        shifts = {team: service.team_shifts(session, team) for team in teams}
    context = {
        **page_context(user),
        "teams": teams,
        "team_shifts": shifts,
        "defaults": {d.code: d for d in DEFAULT_SHIFTS},
        "shift_names": SHIFT_NAMES,
        "rotas": service.list_rotas(engine=engine, principal=user),
        "next_monday": first_day,
        "error": error,
        "note": note,
        "status_names": STATUS_NAMES,
        "team_names": TEAM_NAMES,
    }
    return render(request, "rota/home.html", context, status_code=status)


def _next_monday(now: dt.datetime) -> dt.date:
    today = local_date(now)
    return today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)


HOME_NOTES = {"shifts": N_("The shift times are saved; the team's next rota uses them.")}


@router.get("/rota")
def rota_home(request: Request, user: PlannerDep, engine: EngineDep, now: NowDep, note: str = "") -> Response:
    """Teams and their shift times, the rota versions, and the form to plan a new one."""
    return _home(request, user, engine, _next_monday(now), note=HOME_NOTES.get(note, ""))


@router.post("/rota/teams/{team}/shifts")
def rota_team_shifts(
    request: Request,
    user: PlannerDep,
    engine: EngineDep,
    now: NowDep,
    team: Annotated[str, Path(min_length=1, max_length=64)],
    D_start: Annotated[str, Form()] = "",  # noqa: N803 - form fields named after the shift codes
    D_end: Annotated[str, Form()] = "",  # noqa: N803
    E_start: Annotated[str, Form()] = "",  # noqa: N803
    E_end: Annotated[str, Form()] = "",  # noqa: N803
    N_start: Annotated[str, Form()] = "",  # noqa: N803
    N_end: Annotated[str, Form()] = "",  # noqa: N803
) -> Response:
    """A team's own shift times (the next rota of the team uses them)."""
    given = {"D": (D_start, D_end), "E": (E_start, E_end), "N": (N_start, N_end)}
    try:
        times = {code: team_service.shift_times(code, *pair) for code, pair in given.items()}
        team_service.set_team_shifts(engine=engine, principal=user, team=team, times=times, now=now)
    except NotFoundError:
        return render(request, "errors/404.html", page_context(user), status_code=404)
    except InputError as error:
        return _home(request, user, engine, _next_monday(now), error=_input_error(error), status=422)
    return RedirectResponse("/rota?note=shifts", status_code=303)


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
    """Plan a draft from the forecast in the background and follow it: a progress bar, then the draft."""
    try:
        job = rota_jobs.start_plan(
            rota_jobs.jobs_of(request.app.state),
            engine=engine,
            principal=user,
            team=team,
            first_day=first_day,
            weeks=weeks,
            now=now,
            params=RotaParams(time_limit_s=request.app.state.settings.rota_page_seconds),
        )
    except HjemmeError as error:
        return _home(request, user, engine, first_day, error=_input_error(error), status=422)
    return RedirectResponse(f"/rota/jobs/{job.job_id}", status_code=303)


JobId = Annotated[str, Path(max_length=64)]


@router.get("/rota/jobs/{job_id}")
def rota_job(request: Request, user: PlannerDep, job_id: JobId) -> Response:
    """A plan or re-plan in progress (a bar that the page polls); done, on to the draft."""
    job = rota_jobs.jobs_of(request.app.state).get(job_id, user.username)
    if job is None:
        context = {**page_context(user), "job": None, "unknown": UNKNOWN_JOB, "team_names": TEAM_NAMES}
        return render(request, "rota/job.html", context, status_code=404)
    if job.stage == "done":
        return RedirectResponse(f"/rota/{job.rota_id}", status_code=303)
    context = {**page_context(user), "job": job, "team_names": TEAM_NAMES}
    return render(request, "rota/job.html", context)


@router.get("/rota/jobs/{job_id}/progress")
def rota_job_progress(request: Request, user: PlannerDep, job_id: JobId) -> Response:
    """The progress bar alone (polled by htmx); once the job ends, the page reloads to its outcome."""
    job = rota_jobs.jobs_of(request.app.state).get(job_id, user.username)
    if job is None and request.headers.get("HX-Request"):  # forgotten (a restart): stop polling, say so
        return Response(status_code=204, headers={"HX-Redirect": f"/rota/jobs/{job_id}"})
    if job is None:
        return Response(status_code=404)
    if job.finished:
        return Response(status_code=204, headers={"HX-Redirect": f"/rota/jobs/{job_id}"})
    return render(request, "rota/progress.html", {"job": job})


GRID_NOTES = {
    "wish": N_("The wish is saved; the next plan or re-plan weighs it."),
    "withdrawn": N_("The wish is withdrawn."),
}


def _grid(
    request: Request,
    user: Principal,
    now: dt.datetime,
    view: service.RotaView,
    error: str = "",
    status: int = 200,
    note: str = "",
) -> Response:
    rota = view.rota
    dates = [rota.first_day + dt.timedelta(days=d) for d in range(rota.days)]
    cover = view.cover()
    language = language_of(request, request.app.state.settings.language)
    hard = [m for b, m in zip(view.breaches, view.messages(language), strict=True) if b.hard]
    warnings = [m for b, m in zip(view.breaches, view.messages(language), strict=True) if not b.hard]
    flagged = {(b.staff_id, rota.first_day + dt.timedelta(days=b.day)) for b in view.breaches if b.hard}
    wishes: dict[tuple[str, dt.date], list[tuple[StaffWish, bool]]] = {}
    for wish in view.wishes:
        wishes.setdefault((wish.staff_id, wish.date), []).append((wish, view.wish_met(wish)))
    context = {
        **page_context(user),
        "view": view,
        "rota": rota,
        "dates": dates,
        "cover": cover,
        "loads": view.loads(),
        "changes": view.changes(),
        "absent": {(sid, rota.first_day + dt.timedelta(days=day)) for sid, day in view.problem.unavailable},
        "tolerance": view.problem.rules.contract_tolerance_pct,
        "hard": hard,
        "warnings": warnings,
        "flagged": flagged,
        "shifts": view.problem.shifts,
        "shift_names": SHIFT_NAMES,
        "status_names": STATUS_NAMES,
        "error": error,
        "note": note,
        "editable": rota.status.value != "superseded",
        "team_names": TEAM_NAMES,
        "wishes": wishes,
        "names": {s.id: s.name for s in view.staff},
        "wish_kinds": WISH_KINDS,
        "wish_weights": WISH_WEIGHTS,
        # a sick call is for today, or the rota's first day when it starts later
        "absence_from": min(max(local_date(now), rota.first_day), dates[-1]),
    }
    return render(request, "rota/grid.html", context, status_code=status)


@router.get("/rota/{rota_id}")
def rota_grid(
    request: Request, user: PlannerDep, engine: EngineDep, now: NowDep, rota_id: RotaId, note: str = ""
) -> Response:
    try:
        view = service.read_rota(engine=engine, principal=user, rota_id=rota_id)
    except NotFoundError:
        return render(request, "errors/404.html", page_context(user), status_code=404)
    return _grid(request, user, now, view, note=GRID_NOTES.get(note, ""))


@router.post("/rota/{rota_id}/wishes")
def rota_wish(
    request: Request,
    user: PlannerDep,
    engine: EngineDep,
    now: NowDep,
    rota_id: RotaId,
    staff_id: Annotated[str, Form(max_length=64)] = "",
    date: Annotated[str, Form(max_length=10)] = "",
    kind: Annotated[str, Form(max_length=24)] = "",
    shift: Annotated[str, Form(max_length=8)] = "",
    weight: Annotated[str, Form(max_length=2)] = "3",
) -> Response:
    """A wish of a team member entered by the planner (a day off, a shift wanted or not wanted, weighted)."""
    try:
        view = service.read_rota(engine=engine, principal=user, rota_id=rota_id)
    except NotFoundError:
        return render(request, "errors/404.html", page_context(user), status_code=404)
    try:
        if staff_id not in {s.id for s in view.staff}:
            raise InputError("staff_id", f"{staff_id!r} is not in team {view.rota.team}")
        day = _form_date(date)
        if not view.rota.covers(day):
            raise InputError("date", f"{day} is outside the rota's period")
        shift = "" if kind == "day_off" else shift  # the form's shift list is ignored for a day off
        wish = StaffWish(staff_id, day, kind, shift or None, _form_int("weight", weight))
        team_service.add_wish(engine=engine, principal=user, wish=wish, now=now)
    except InputError as error:
        return _grid(request, user, now, view, error=_input_error(error), status=422)
    return RedirectResponse(f"/rota/{rota_id}?note=wish#wishes", status_code=303)


@router.post("/rota/{rota_id}/wishes/{wish_id}/delete")
def rota_wish_delete(
    request: Request, user: PlannerDep, engine: EngineDep, now: NowDep, rota_id: RotaId, wish_id: WishId
) -> Response:
    """Withdraw a wish from the grid."""
    try:
        team_service.remove_wish(engine=engine, principal=user, wish_id=wish_id, now=now)
    except NotFoundError:
        return render(request, "errors/404.html", page_context(user), status_code=404)
    return RedirectResponse(f"/rota/{rota_id}?note=withdrawn#wishes", status_code=303)


def _form_date(text: str, field: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(field, f"a date as YYYY-MM-DD, not {text!r}") from None


def _form_int(field: str, text: str) -> int:
    if not text.strip().isdigit():
        raise InputError(field, f"a whole number, not {text!r}")
    return int(text)


@router.post("/rota/{rota_id}/cells")
def rota_cells(
    request: Request,
    user: PlannerDep,
    engine: EngineDep,
    now: NowDep,
    rota_id: RotaId,
    cell: Annotated[str, Form()],
    shift: Annotated[str, Form()] = "",  # empty: a day off
    lock: Annotated[str, Form()] = "1",  # "1": kept by a re-plan (the grid's edits always are)
    was: Annotated[str, Form(max_length=8)] = "",  # what the grid showed, "-" a day off; empty: unknown
) -> Response:
    """One cell changed in the grid (``cell`` = ``staff|YYYY-MM-DD``); the grid it leads to has the check.
    A cell the planner set by hand is locked: a re-plan after a sick call keeps it. A cell someone
    else changed since the grid was shown is not overwritten: the grid comes back as it is now."""
    staff_id, _, date_text = cell.partition("|")
    try:
        date = dt.date.fromisoformat(date_text)
        seen = service.UNSEEN if not was else (None if was == DAY_OFF else was)
        edit = service.CellEdit(staff_id, date, shift or None, lock == "1", seen)
        view = service.edit_rota(engine=engine, principal=user, rota_id=rota_id, edits=[edit], now=now)
    except NotFoundError:
        return render(request, "errors/404.html", page_context(user), status_code=404)
    except ConflictError:
        view = service.read_rota(engine=engine, principal=user, rota_id=rota_id)
        return _grid(request, user, now, view, error=CELL_CHANGED, status=409)
    except (ValueError, InputError) as error:
        return _grid(
            request,
            user,
            now,
            service.read_rota(engine=engine, principal=user, rota_id=rota_id),
            error=str(error),
            status=422,
        )
    # Post/redirect/get: reloading the checked grid reads it again rather than posting the cell twice
    # (which its `was` would refuse as someone else's change); a published rota edited is a new draft.
    lang = request.query_params.get("lang")
    return RedirectResponse(f"/rota/{view.rota.id}{f'?lang={lang}' if lang in LANGUAGES else ''}", 303)


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
        return _grid(request, user, now, view, error=FIX_FIRST, status=409)
    return RedirectResponse(f"/rota/{view.rota.id}", status_code=303)


@router.post("/rota/{rota_id}/replan")
def rota_replan(
    request: Request,
    user: PlannerDep,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    rota_id: RotaId,
    staff_id: Annotated[str, Form(max_length=64)] = "",  # empty: the absence is in the register already
    kind: Annotated[str, Form(max_length=16)] = "sick",
    from_date: Annotated[str, Form(max_length=10)] = "",
    to_date: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """After a sick call: the absence recorded in the absence register (the same service as the
    registers page; left out when it is there already), then a new draft with as few changes as
    possible, planned in the background (a progress bar, then the draft). Bad input records nothing."""
    try:
        if staff_id:
            view = service.read_rota(engine=engine, principal=user, rota_id=rota_id)
            if staff_id not in {p.id for p in view.staff}:
                raise InputError("staff_id", f"{staff_id!r} is not in team {view.rota.team}")
            availability.record_absence(
                engine=engine,
                principal=user,
                staff_id=staff_id,
                kind=kind,
                from_date=_form_date(from_date, "from_date"),
                to_date=_form_date(to_date, "to") if to_date else None,
                now=now,
                client=client,
            )
    except NotFoundError:
        return render(request, "errors/404.html", page_context(user), status_code=404)
    except InputError as error:
        view = service.read_rota(engine=engine, principal=user, rota_id=rota_id)
        return _grid(request, user, now, view, error=ABSENCE_ERRORS.get(error.field, str(error)), status=422)
    try:
        job = rota_jobs.start_replan(
            rota_jobs.jobs_of(request.app.state),
            engine=engine,
            principal=user,
            rota_id=rota_id,
            now=now,
            params=RotaParams(time_limit_s=request.app.state.settings.rota_page_seconds),
        )
    except NotFoundError:
        return render(request, "errors/404.html", page_context(user), status_code=404)
    return RedirectResponse(f"/rota/jobs/{job.job_id}", status_code=303)


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
    "withdrawn": N_("The wish is withdrawn."),
    **{f"bad-{field}": message for field, message in INPUT_ERRORS.items()},
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
        "wishes": team_service.my_wishes(engine=engine, principal=user, first=today),
        "wish_kinds": WISH_KINDS,
        "wish_weights": WISH_WEIGHTS,
        "note": WISH_NOTES.get(note),
        "bad": note.startswith("bad"),
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
    weight: Annotated[str, Form(max_length=2)] = "3",
) -> Response:
    """A wish of the clinician for themself: a day off, or a shift wanted or not wanted, weighted."""
    with session_scope(engine) as session:
        account = repo.get_user(session, user.username)
    staff_id = account.staff_id if account is not None else None
    if staff_id is None:
        return RedirectResponse("/my-rota?note=bad", status_code=303)
    if kind == "day_off":
        shift = ""  # the form's shift list is ignored for a day off
    try:
        wish = StaffWish(staff_id, date, kind, shift or None, _form_int("weight", weight))
        team_service.add_wish(engine=engine, principal=user, now=now, wish=wish)
    except InputError as error:
        field = error.field if f"bad-{error.field}" in WISH_NOTES else ""
        return RedirectResponse(f"/my-rota?note=bad{'-' + field if field else ''}", status_code=303)
    except HjemmeError:
        return RedirectResponse("/my-rota?note=bad", status_code=303)
    return RedirectResponse("/my-rota?note=saved", status_code=303)


@router.post("/my-rota/wishes/{wish_id}/delete")
def remove_my_wish(user: ClinicianDep, engine: EngineDep, now: NowDep, wish_id: WishId) -> Response:
    """The clinician withdraws one of their wishes (another's wish is not found)."""
    try:
        team_service.remove_wish(engine=engine, principal=user, wish_id=wish_id, now=now)
    except NotFoundError:
        return Response(status_code=404)
    return RedirectResponse("/my-rota?note=withdrawn", status_code=303)
