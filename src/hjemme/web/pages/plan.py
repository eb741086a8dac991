"""The coordinator's day plan: every route on a map, a timeline per resource, what did not fit, KPIs,
the day's journal, and the changes a coordinator makes during the day — all through the day's
journal (``services.journal``): plan or optimise the whole day again (a background job, asked for
explicitly when a plan exists), an urgent visit, a cancellation, an absence, a vehicle out of
service, a move to one of the task's feasible places, and undo. Every form carries the version the
coordinator saw; a change made against an older version is applied when it still fits and
otherwise refused with what changed in between. After a change the page shows what moved.

Each handler makes one service call; the forms work without JavaScript (POST, then 303) and with
htmx (progress is shown while the request runs, problems are swapped in place).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from hjemme.domain.journal import EntryKind
from hjemme.domain.security import Role
from hjemme.domain.time import MINUTES_PER_DAY, check_service_date, local_minute, parse_hhmm
from hjemme.errors import ConflictError, HjemmeError, InputError, NotFoundError
from hjemme.planning.params import PlannerParams
from hjemme.services import journal
from hjemme.services.auth import Principal
from hjemme.services.journal import DayChange, MoveRefusedError, VersionConflictError
from hjemme.services.patients import local_date
from hjemme.services.planning import (
    day_state,
    list_placements,
    list_versions,
    plan_diff,
    read_journal,
    stored_problem,
)
from hjemme.services.plans_view import read_day_plan
from hjemme.settings import Settings
from hjemme.web import board
from hjemme.web.deps import ClientDep, EngineDep, NowDep, ServiceDate, SettingsDep, page_context, page_for
from hjemme.web.plan_jobs import new_plan_job, plan_jobs_of
from hjemme.web.rendering import N_, language_of, render, text_functions

router = APIRouter()
CoordinatorDep = Annotated[Principal, Depends(page_for(Role.COORDINATOR))]

@router.get("/plan")
def day_plan(
    request: Request,
    user: CoordinatorDep,
    settings: SettingsDep,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    date: Annotated[ServiceDate | None, Query()] = None,
    done: str = "",
    from_version: Annotated[int | None, Query(alias="from", ge=1, le=1_000_000)] = None,
    job: str = "",
) -> Response:
    return _page(request, user, settings, engine, now, client, date or local_date(now), done=done,
                 changed_from=from_version, job=job)


def _page(request: Request, user: Principal, settings: Settings, engine: Engine, now: dt.datetime,
          client: str | None, day: dt.date, *, done: str = "", errors: list[str] | None = None,
          status_code: int = 200, changed_from: int | None = None, job: str = "") -> Response:
    plan = read_day_plan(engine=engine, principal=user, date=day, client=client, at=now)
    context: dict[str, Any] = {
        **page_context(user), "date": day, "plan": plan, "tile_url": settings.tile_url,
        "done": DONE_MESSAGES.get(done), "errors": errors or [], "diff": None, "journal": [], "versions": [],
        "job": plan_jobs_of(request.app.state).get(job, user.username) if job else None,
    }
    if plan is not None:
        language = language_of(request, settings.language)
        gettext, kind_name = text_functions(language)
        _version, statuses = day_state(engine=engine, principal=user, date=day)
        context.update(board.layout(plan, tile_url=settings.tile_url, statuses=statuses,
                                    now_min=_now_min(day, now), gettext=gettext, kind_name=kind_name))
        context["edit"] = board.edit_choices(plan, _problem(engine, day), kind_name)
        context["journal"] = [_journal_row(e, language_of(request, settings.language))
                              for e in reversed(read_journal(engine=engine, principal=user, date=day))]
        context["versions"] = [v for v, _at in list_versions(engine=engine, principal=user, date=day)]
        if changed_from is not None and changed_from < plan.version:
            context["diff"] = _diff_rows(engine, user, day, changed_from, plan.version)
    return render(request, "plan/day.html", context, status_code=status_code)


def _now_min(day: dt.date, now: dt.datetime) -> int | None:
    """Minutes after Oslo midnight when ``day`` is today (the board's "now" line), else ``None``."""
    return local_minute(now) if local_date(now) == day else None


def _problem(engine: Engine, day: dt.date) -> dict[str, Any] | None:
    try:
        return stored_problem(engine=engine, date=day)[1]
    except NotFoundError:
        return None


def _journal_row(entry: Any, lang: str) -> dict[str, Any]:
    return {
        "seq": entry.seq, "text": journal.describe_entry(entry, lang), "reason": entry.reason,
        "versions": (entry.base_version, entry.result_version), "undone": entry.reverted_by is not None,
    }


def _diff_rows(engine: Engine, user: Principal, day: dt.date, old: int, new: int) -> dict[str, Any]:
    """The difference between two versions as the page lists it: one row per person or vehicle."""
    data = plan_diff(engine=engine, principal=user, date=day, from_version=old, to_version=new).to_json()
    return {"from": old, "to": new, "rows": data["resources"], "totals": data["totals"]}


# -- changing the plan ----------------------------------------------------------------------------

PLAN_PARAMS = PlannerParams(time_limit_s=3.0, rounds=1)
"""The "Plan the day" button's planner: a short search, so the coordinator waits seconds."""
REPLAN_PARAMS = PlannerParams(time_limit_s=1.0, rounds=1)
ACTIONS = {
    "urgent": (EntryKind.URGENT_VISIT, "patient_id"),
    "cancel": (EntryKind.CANCELLED, "task_id"),
    "absent": (EntryKind.ABSENT, "staff_id"),
    "vehicle": (EntryKind.VEHICLE_OUT, "vehicle_id"),
}


def _params(request: Request, name: str, default: PlannerParams) -> PlannerParams:
    """The configured freeze horizon and stability costs on ``default`` (tests and the benchmark may set
    shorter search limits on ``app.state``)."""
    params: PlannerParams = getattr(request.app.state, name, default)
    return journal.configured(params, request.app.state.settings)


def _done(request: Request, day: dt.date, done: str, from_version: int | None = None) -> Response:
    """After a change: htmx follows ``HX-Redirect``, a plain form a 303 (the page then says what happened
    and, given the version before, what moved)."""
    target = f"/plan?date={day.isoformat()}&done={done}"
    if from_version is not None:
        target += f"&from={from_version}"
    if request.headers.get("HX-Request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _failed(request: Request, user: Principal, engine: Engine, now: dt.datetime, client: str | None,
            day: dt.date, errors: list[str], settings: Settings, status_code: int = 422) -> Response:
    """The form's problem in words; nothing was changed. htmx gets the message box alone."""
    if request.headers.get("HX-Request"):
        return render(request, "plan/errors.html", {"errors": errors}, status_code=200)
    return _page(request, user, settings, engine, now, client, day, errors=errors, status_code=status_code)


def _date_of(form: Any) -> dt.date | None:
    try:
        return check_service_date(dt.date.fromisoformat(str(form.get("date", ""))))
    except ValueError:
        return None


def _version_of(form: Any) -> int | None:
    value = str(form.get("version", "")).strip()
    return int(value) if value.isdigit() and len(value) < 8 else None


def _conflict(request: Request, settings: Settings, error: VersionConflictError) -> list[str]:
    return [N_("Someone changed the plan while you were looking at it; nothing was changed."),
            error.message(language_of(request, settings.language))]


@router.post("/plan/make")
async def make_plan(request: Request, user: CoordinatorDep, settings: SettingsDep, engine: EngineDep,
                    now: NowDep, client: ClientDep) -> Response:
    """"Plan the day": the whole day planned (or, with a plan already there and the coordinator's
    confirmation, optimised again) as a background job; every journalled change is kept."""
    form = await request.form()
    # Reading pages and starting the job touch the database: in a worker thread, off the event loop (#12).
    return await run_in_threadpool(_make_plan, request, form, user, settings, engine, now, client)


def _make_plan(request: Request, form: Any, user: Principal, settings: Settings, engine: Engine,
               now: dt.datetime, client: str | None) -> Response:
    day = _date_of(form)
    if day is None:
        return _failed(request, user, engine, now, client, local_date(now), [BAD_DATE], settings)
    version = _version_of(form)
    if version is not None and form.get("confirm") != "yes":
        return _failed(request, user, engine, now, client, day, [CONFIRM_REPLAN], settings)
    params = _params(request, "web_plan_params", PLAN_PARAMS)
    provider = settings.travel_time_provider

    def run(progress: Any) -> tuple[int, int | None]:
        outcome = journal.plan_day(engine=engine, principal=user, date=day, now=now, params=params,
                                   provider_name=provider, client=client, progress=progress)
        return outcome.version, outcome.previous_version

    job = plan_jobs_of(request.app.state).start((day, version), new_plan_job(day, user.username), run)
    target = f"/plan?date={day.isoformat()}&job={job.job_id}"
    if request.headers.get("HX-Request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


@router.get("/plan/jobs/{job_id}")
def plan_job(request: Request, user: CoordinatorDep, job_id: str) -> Response:
    """The job's progress (polled by the page); when it is done, on to the new version."""
    job = plan_jobs_of(request.app.state).get(job_id, user.username)
    if job is None:
        return render(request, "plan/errors.html", {"errors": [UNKNOWN_JOB]}, status_code=404)
    if job.stage == "done" and request.headers.get("HX-Request"):
        return _done(request, job.date, "planned", job.from_version)
    return render(request, "plan/job.html", {"job": job})


@router.post("/plan/replan")
async def replan(request: Request, user: CoordinatorDep, settings: SettingsDep, engine: EngineDep,
                 now: NowDep, client: ClientDep) -> Response:
    """One change (urgent visit, cancellation, absence, vehicle out of service) repaired into the plan."""
    form = await request.form()
    # The repair takes up to seconds: in a worker thread, so the event loop keeps answering others (#12).
    return await run_in_threadpool(_replan, request, form, user, settings, engine, now, client)


def _replan(request: Request, form: Any, user: Principal, settings: Settings, engine: Engine,
            now: dt.datetime, client: str | None) -> Response:
    day = _date_of(form)
    action = str(form.get("action", ""))
    value = str(form.get(action, "")).strip() if action in ACTIONS else ""
    if day is None:
        return _failed(request, user, engine, now, client, local_date(now), [BAD_DATE], settings)
    if not value:
        missing = REPLAN_MISSING.get(action, NO_CHANGE)
        return _failed(request, user, engine, now, client, day, [missing], settings)
    try:
        period = _period(form)
    except (InputError, ValueError):
        return _failed(request, user, engine, now, client, day, [BAD_PERIOD], settings)
    kind, field = ACTIONS[action]
    try:
        change = DayChange(kind, reason=str(form.get("reason", "")).strip()[:500], **period, **{field: value})
    except InputError:
        return _failed(request, user, engine, now, client, day, [BAD_PERIOD], settings)
    return _apply(request, user, settings, engine, now, client, day, form, change, done=action,
                  unknown=REPLAN_UNKNOWN[action], failed=NOT_CHANGED)


def _apply(request: Request, user: Principal, settings: Settings, engine: Engine, now: dt.datetime,
           client: str | None, day: dt.date, form: Any, change: DayChange, *, done: str, unknown: str,
           failed: str) -> Response:
    """Apply one change through the day's journal and answer: the next page, or why nothing changed."""
    try:
        outcome = journal.change_day(
            engine=engine, principal=user, date=day, change=change, now=now,
            expected_version=_version_of(form), params=_params(request, "web_replan_params", REPLAN_PARAMS),
            provider_name=settings.travel_time_provider, client=client,
        )
    except VersionConflictError as error:
        return _failed(request, user, engine, now, client, day, _conflict(request, settings, error), settings,
                       409)
    except MoveRefusedError as error:
        rules = sorted({v.rule for v in error.problems})
        return _failed(request, user, engine, now, client, day,
                       [N_("The move breaks the plan's rules; nothing was changed.")]
                       + [RULE_TEXTS.get(rule, RULE_TEXTS["other"]) for rule in rules], settings)
    except NotFoundError as exc:
        return _failed(request, user, engine, now, client, day, [NO_PLAN if exc.what == "plan" else unknown],
                       settings)
    except InputError:
        return _failed(request, user, engine, now, client, day, [unknown], settings)
    except ConflictError:
        return _failed(request, user, engine, now, client, day, [ALREADY_HAPPENED], settings, 409)
    except HjemmeError:
        return _failed(request, user, engine, now, client, day, [failed], settings)
    return _done(request, day, done, outcome.previous_version)


def _period(form: Any) -> dict[str, int]:
    start, end = str(form.get("from", "")).strip(), str(form.get("to", "")).strip()
    return {"from_min": parse_hhmm(start) if start else 0,
            "to_min": parse_hhmm(end) if end else MINUTES_PER_DAY}


@router.get("/plan/placements")
def placements_page(request: Request, user: CoordinatorDep, settings: SettingsDep, engine: EngineDep,
                    now: NowDep, date: Annotated[dt.date, Query()],
                    task: Annotated[str, Query(max_length=120)] = "") -> Response:
    """Where the chosen task could go, best first, each a button that moves it there."""
    if not task:
        return render(request, "plan/placements.html", {"error": CHOOSE_TASK, "places": []})
    try:
        version, found = list_placements(engine=engine, principal=user, date=date, task_id=task, now=now,
                                         params=_params(request, "web_replan_params", REPLAN_PARAMS),
                                         provider_name=settings.travel_time_provider)
    except NotFoundError:
        return render(request, "plan/placements.html", {"error": UNKNOWN_MOVE, "places": []})
    problem = _problem(engine, date) or {}
    names = {r["id"]: r["name"] for r in problem.get("resources", ())}
    return render(request, "plan/placements.html",
                  {"error": None if found else NO_PLACE, "places": found, "task": task, "date": date,
                   "version": version, "names": names})


@router.post("/plan/move")
async def move(request: Request, user: CoordinatorDep, settings: SettingsDep, engine: EngineDep,
               now: NowDep, client: ClientDep) -> Response:
    """Move a task to a resource and start time (a listed place, or typed): kept there if the rules allow."""
    form = await request.form()
    # The repair takes up to seconds: in a worker thread, so the event loop keeps answering others (#12).
    return await run_in_threadpool(_move, request, form, user, settings, engine, now, client)


def _move(request: Request, form: Any, user: Principal, settings: Settings, engine: Engine,
          now: dt.datetime, client: str | None) -> Response:
    day = _date_of(form)
    task_id = str(form.get("task", "")).strip()
    resource_id = str(form.get("resource", "")).strip()
    if day is None:
        return _failed(request, user, engine, now, client, local_date(now), [BAD_DATE], settings)
    errors: list[str] = []
    if not task_id:
        errors.append(CHOOSE_TASK)
    if not resource_id:
        errors.append(N_("Choose the resource to move it to."))
    try:
        start_min = parse_hhmm(str(form.get("start", "")).strip())
    except (InputError, ValueError):
        errors.append(N_("Write the new start time as HH:MM (00:00–23:59)."))
        start_min = 0
    if errors:
        return _failed(request, user, engine, now, client, day, errors, settings)
    change = DayChange(EntryKind.MOVED, task_id=task_id, resource_id=resource_id, start_min=start_min)
    return _apply(request, user, settings, engine, now, client, day, form, change, done="moved",
                  unknown=UNKNOWN_MOVE, failed=NOT_MOVED)


@router.post("/plan/restore")
async def restore(request: Request, user: CoordinatorDep, settings: SettingsDep, engine: EngineDep,
                  now: NowDep, client: ClientDep) -> Response:
    """Undo: store an earlier version again as the newest (the journal keeps both)."""
    form = await request.form()
    return await run_in_threadpool(_restore, request, form, user, settings, engine, now, client)


def _restore(request: Request, form: Any, user: Principal, settings: Settings, engine: Engine,
             now: dt.datetime, client: str | None) -> Response:
    day = _date_of(form)
    target = _version_of({"version": form.get("restore", "")})
    if day is None or target is None:
        return _failed(request, user, engine, now, client, day or local_date(now), [BAD_VERSION], settings)
    try:
        outcome = journal.restore_version(
            engine=engine, principal=user, date=day, version=target, now=now,
            expected_version=_version_of(form), params=_params(request, "web_replan_params", REPLAN_PARAMS),
            provider_name=settings.travel_time_provider, client=client,
        )
    except VersionConflictError as error:
        return _failed(request, user, engine, now, client, day, _conflict(request, settings, error), settings,
                       409)
    except HjemmeError:
        return _failed(request, user, engine, now, client, day, [BAD_VERSION], settings)
    return _done(request, day, "restored", outcome.previous_version)


BAD_DATE = N_("Choose a valid date.")
NOT_CHANGED = N_("The plan could not be changed; the plan shown is unchanged.")
NOT_MOVED = N_("The task could not be moved; the plan shown is unchanged.")
CHOOSE_TASK = N_("Choose the task to move.")
BAD_VERSION = N_("Choose an earlier version of this day's plan.")
BAD_PERIOD = N_("Write the times as HH:MM, the start before the end.")
NO_CHANGE = N_("Choose a change.")
CONFIRM_REPLAN = N_(
    "The day already has a plan. Tick the box to confirm that the whole day is optimised again; "
    "every change in the journal and every started or done visit is kept."
)
ALREADY_HAPPENED = N_("That task has already been started or done; it cannot be changed.")
UNKNOWN_JOB = N_("That planning job is not known (the server may have restarted); plan the day again.")
UNKNOWN_MOVE = N_("That task or resource is not in the stored plan of this date.")
NO_PLACE = N_("There is no feasible place for this task in today's plan.")
NO_PLAN = N_("No plan is stored for this date yet: plan the day first.")
REPLAN_MISSING = {
    "urgent": N_("Choose the patient who needs an urgent visit."),
    "cancel": N_("Choose the task to cancel."),
    "absent": N_("Choose who is absent."),
    "vehicle": N_("Choose the vehicle that is out of service."),
}
REPLAN_UNKNOWN = {
    "urgent": N_("That patient has no pathway active on this date."),
    "cancel": N_("That task is not in the stored plan of this date."),
    "absent": N_("That person is not on this date's plan."),
    "vehicle": N_("That vehicle is not on this date's plan."),
}
DONE_MESSAGES = {
    "planned": N_("The day has been planned; every change in the journal was kept."),
    "urgent": N_("The urgent visit has been added; only the affected routes were changed."),
    "cancel": N_("The task has been cancelled; only the affected routes were changed."),
    "absent": N_("The absence has been registered; the person's later tasks were given to others."),
    "vehicle": N_("The vehicle is out of service; its later tasks were given to other vehicles."),
    "moved": N_("The task has been moved and pinned at its new place."),
    "restored": N_("The earlier version has been restored as the newest; the journal keeps both."),
}
RULE_TEXTS = {
    "reference": N_("The task or the resource is not in the plan."),
    "once": N_("A task would be in the plan more than once."),
    "window": N_("The start time is outside the task's time window."),
    "skill": N_("The person does not have the right skills, or the patient has asked not to have them."),
    "carrier": N_("This resource cannot take the task (wrong kind, cold chain or qualified driver)."),
    "travel": N_("There is not enough time to drive between the stops."),
    "shift": N_("The route would run outside the shift or the working time."),
    "break": N_("The break no longer fits in the route."),
    "capacity": N_("The vehicle has no room for the goods."),
    "precedence": N_("A delivery must be done before the visit that uses it."),
    "sample": N_("A sample would not reach the lab in time."),
    "kpi": N_("The key figures do not match the plan."),
    "pin": N_("The planner found no valid plan with the task at that place."),
    "other": N_("The plan would break one of its rules."),
}
"""Each rule of the independent validator as the coordinator reads it (no internal codes)."""
