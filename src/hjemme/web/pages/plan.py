"""The coordinator's day plan: every route on a map, a timeline per resource, what did not fit, KPIs,
and the changes a coordinator makes during the day: plan the day, re-plan after an urgent visit, a
cancelled task or an absence (pinned stops kept), and move a task by hand (validated at once).

Each handler makes one service call; the forms work without JavaScript (POST, then 303) and with
htmx (the planner's progress is shown while the request runs, problems are swapped in place).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from hjemme.domain.security import Role
from hjemme.domain.time import check_service_date, parse_hhmm
from hjemme.errors import HjemmeError, InputError, NotFoundError
from hjemme.planning.params import PlannerParams
from hjemme.services.auth import Principal
from hjemme.services.patients import local_date
from hjemme.services.plan_edits import move_task
from hjemme.services.planning import ReplanRequest, plan_day, replan_day, stored_problem
from hjemme.services.plans_view import DayPlanView, read_day_plan
from hjemme.settings import Settings
from hjemme.web.deps import ClientDep, EngineDep, NowDep, ServiceDate, SettingsDep, page_context, page_for
from hjemme.web.rendering import N_, render

router = APIRouter()
CoordinatorDep = Annotated[Principal, Depends(page_for(Role.COORDINATOR))]

ROUTE_COLOURS = (
    "#1f5fa8", "#b4381e", "#2a7a3b", "#7a3fa0", "#a86a00", "#0f7a7a", "#a3306b", "#4d5b1e",
    "#5a4632", "#2f4f8f", "#8f2f2f", "#3f6f5f",
)
"""Route line colours, each with at least 4.5:1 contrast on white (they also colour text labels)."""


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
) -> Response:
    return _page(request, user, settings, engine, now, client, date or local_date(now), done=done)


def _page(request: Request, user: Principal, settings: Settings, engine: Engine, now: dt.datetime,
          client: str | None, day: dt.date, *, done: str = "", errors: list[str] | None = None,
          status_code: int = 200) -> Response:
    plan = read_day_plan(engine=engine, principal=user, date=day, client=client, at=now)
    context: dict[str, Any] = {
        **page_context(user), "date": day, "plan": plan, "tile_url": settings.tile_url,
        "done": DONE_MESSAGES.get(done), "errors": errors or [],
    }
    if plan is not None:
        context.update(_layout(plan, settings.tile_url))
        context["edit"] = _edit_choices(engine, day, plan)
    return render(request, "plan/day.html", context, status_code=status_code)


def _edit_choices(engine: Engine, day: dt.date, plan: DayPlanView) -> dict[str, Any]:
    """What the change forms offer: the day's patients, planned tasks and resources.

    Only a plan stored with its input (made by the planner's services) can be re-planned.
    """
    try:
        _plan_data, problem = stored_problem(engine=engine, date=day)
    except NotFoundError:
        return {"possible": False}
    names = {s.patient_id: s.patient_name for r in plan.routes for s in r.stops if s.patient_id}
    patients = sorted({t["patient"] for t in problem["tasks"] if t["patient"]})
    tasks = [
        (s.task_id, f"{s.start} {r.resource_id} · {s.task_id} {s.patient_name}")
        for r in plan.routes for s in r.stops if s.task_id
    ]
    return {
        "possible": True,
        "patients": [(pid, f"{names.get(pid) or pid} ({pid})") for pid in patients],
        "tasks": tasks,
        "unplanned": [u.task_id for u in plan.unplanned],
        "resources": [(r["id"], f"{r['id']} · {r['name']}") for r in problem["resources"]],
        "staff": sorted({r["staff"] for r in problem["resources"] if r["staff"]}),
    }


def _layout(plan: DayPlanView, tile_url: str) -> dict[str, Any]:
    """Colours, the timeline's span and the map's data (coordinates only, no names)."""
    starts = [r.start_min for r in plan.routes if r.stops] or [7 * 60]
    ends = [r.end_min for r in plan.routes if r.stops] or [16 * 60]
    day0 = min(starts) // 60 * 60
    day1 = max(max(ends), day0 + 60)
    day1 = -(-day1 // 60) * 60
    colours = [ROUTE_COLOURS[i % len(ROUTE_COLOURS)] for i in range(len(plan.routes))]
    map_data = {
        "tile_url": tile_url,
        "routes": [
            {
                "id": route.resource_id,
                "colour": colour,
                "points": [[s.lat, s.lon] for s in route.stops if s.lat is not None and s.lon is not None],
            }
            for route, colour in zip(plan.routes, colours, strict=True)
        ],
    }
    drawn = sum(1 for r in map_data["routes"] if r["points"])
    return {
        "colours": colours,
        "day0": day0,
        "span": day1 - day0,
        "hours": list(range(day0, day1 + 1, 60)),
        "map_data": map_data,
        "routes_drawn": drawn,
    }


# -- changing the plan ----------------------------------------------------------------------------

PLAN_PARAMS = PlannerParams(time_limit_s=3.0, rounds=1)
"""The "Plan the day" button's planner: a short search, so the coordinator waits seconds."""
REPLAN_PARAMS = PlannerParams(time_limit_s=1.0, rounds=1)
ACTIONS = ("urgent", "cancel", "absent")


def _params(request: Request, name: str, default: PlannerParams) -> PlannerParams:
    """Tests and the benchmark may set shorter limits on ``app.state``."""
    params: PlannerParams = getattr(request.app.state, name, default)
    return params


def _done(request: Request, day: dt.date, done: str) -> Response:
    """After a change: htmx follows ``HX-Redirect``, a plain form a 303 (the page then says what happened)."""
    target = f"/plan?date={day.isoformat()}&done={done}"
    if request.headers.get("HX-Request"):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _failed(request: Request, user: Principal, engine: Engine, now: dt.datetime, client: str | None,
            day: dt.date, errors: list[str], settings: Settings) -> Response:
    """The form's problem in words; nothing was changed. htmx gets the message box alone."""
    if request.headers.get("HX-Request"):
        return render(request, "plan/errors.html", {"errors": errors})
    return _page(request, user, settings, engine, now, client, day, errors=errors, status_code=422)


def _date_of(form: Any) -> dt.date | None:
    try:
        return check_service_date(dt.date.fromisoformat(str(form.get("date", ""))))
    except ValueError:
        return None


@router.post("/plan/make")
async def make_plan(request: Request, user: CoordinatorDep, settings: SettingsDep, engine: EngineDep,
                    now: NowDep, client: ClientDep) -> Response:
    """"Plan the day": plan the date from scratch with a short time limit and store the next version."""
    form = await request.form()
    # Planning takes seconds: in a worker thread, so the event loop keeps answering others (#12).
    return await run_in_threadpool(_make_plan, request, form, user, settings, engine, now, client)


def _make_plan(request: Request, form: Any, user: Principal, settings: Settings, engine: Engine,
               now: dt.datetime, client: str | None) -> Response:
    day = _date_of(form)
    if day is None:
        return _failed(request, user, engine, now, client, local_date(now), [BAD_DATE], settings)
    try:
        plan_day(engine=engine, date=day, now=now, params=_params(request, "web_plan_params", PLAN_PARAMS),
                 principal=user, client=client)
    except HjemmeError:
        return _failed(request, user, engine, now, client, day,
                       [NOT_PLANNED], settings)
    return _done(request, day, "planned")


@router.post("/plan/replan")
async def replan(request: Request, user: CoordinatorDep, settings: SettingsDep, engine: EngineDep,
                 now: NowDep, client: ClientDep) -> Response:
    """Re-plan after one change (urgent visit, cancelled task, absent staff); pinned stops stay put."""
    form = await request.form()
    # Planning takes seconds: in a worker thread, so the event loop keeps answering others (#12).
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
    request_ = ReplanRequest(**{REPLAN_FIELDS[action]: value})
    try:
        replan_day(engine=engine, date=day, request=request_, now=now,
                   params=_params(request, "web_replan_params", REPLAN_PARAMS), principal=user, client=client)
    except NotFoundError as exc:
        message = NO_PLAN if exc.what == "plan" else REPLAN_UNKNOWN[action]
        return _failed(request, user, engine, now, client, day, [message], settings)
    except InputError as exc:
        message = NO_INPUT if exc.field == "date" else REPLAN_UNKNOWN[action]
        return _failed(request, user, engine, now, client, day, [message], settings)
    except HjemmeError:
        return _failed(request, user, engine, now, client, day,
                       [N_("The plan could not be changed; the plan shown is unchanged.")], settings)
    return _done(request, day, action)


@router.post("/plan/move")
async def move(request: Request, user: CoordinatorDep, settings: SettingsDep, engine: EngineDep,
               now: NowDep, client: ClientDep) -> Response:
    """Move a task to another resource or time: validated at once; if valid, pinned there and re-planned."""
    form = await request.form()
    # Planning takes seconds: in a worker thread, so the event loop keeps answering others (#12).
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
        errors.append(N_("Choose the task to move."))
    if not resource_id:
        errors.append(N_("Choose the resource to move it to."))
    try:
        start_min = parse_hhmm(str(form.get("start", "")).strip())
    except (InputError, ValueError):
        errors.append(N_("Write the new start time as HH:MM (00:00–23:59)."))
        start_min = 0
    if errors:
        return _failed(request, user, engine, now, client, day, errors, settings)
    try:
        result = move_task(engine=engine, principal=user, date=day, task_id=task_id, resource_id=resource_id,
                           start_min=start_min, now=now,
                           params=_params(request, "web_replan_params", REPLAN_PARAMS))
    except NotFoundError as exc:
        message = NO_PLAN if exc.what == "plan" else UNKNOWN_MOVE
        return _failed(request, user, engine, now, client, day, [message], settings)
    except InputError:
        return _failed(request, user, engine, now, client, day,
                       [NOT_ROUTED], settings)
    except HjemmeError:
        return _failed(request, user, engine, now, client, day,
                       [N_("The task could not be moved; the plan shown is unchanged.")], settings)
    if not result.ok:
        problems = [f"{p.text_nb}: {p.detail}" if p.detail else p.text_nb for p in result.problems]
        return _failed(request, user, engine, now, client, day,
                       [N_("The move breaks the plan's rules; nothing was changed.")] + problems, settings)
    return _done(request, day, "moved")


BAD_DATE = N_("Choose a valid date.")
NO_CHANGE = N_("Choose a change.")
NOT_PLANNED = N_("The day could not be planned: is there staff on the roster and work on this date?")
UNKNOWN_MOVE = N_("That task or resource is not in the stored plan of this date.")
NOT_ROUTED = N_("That task is not on any route of the plan; only planned tasks can be moved.")
NO_PLAN = N_("No plan is stored for this date yet: plan the day first.")
NO_INPUT = N_("This plan was stored without the planner's input: plan the day again first.")
REPLAN_FIELDS = {"urgent": "add_urgent_patient", "cancel": "cancel_task", "absent": "absent_staff"}
REPLAN_MISSING = {
    "urgent": N_("Choose the patient who needs an urgent visit."),
    "cancel": N_("Choose the task to cancel."),
    "absent": N_("Choose who is absent."),
}
REPLAN_UNKNOWN = {
    "urgent": N_("That patient has no pathway active on this date."),
    "cancel": N_("That task is not in the stored plan of this date."),
    "absent": N_("That person is not on this date's plan."),
}
DONE_MESSAGES = {
    "planned": N_("The day has been planned; the new version is shown."),
    "urgent": N_("The urgent visit has been added and the day re-planned; pinned stops were kept."),
    "cancel": N_("The task has been cancelled and the day re-planned; pinned stops were kept."),
    "absent": N_("The absence has been registered and the day re-planned; pinned stops were kept."),
    "moved": N_("The task has been moved, pinned at its new place and the day re-planned."),
}
