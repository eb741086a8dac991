"""A clinician's day on a phone: the stops of their route in order, with times and addresses, what
each visit needs, the samples to take and where they go, the video slots; and "started"/"done".

The route (and the access log of its patients) comes from ``services.plans_view.read_my_route``;
what to bring and the samples come from the problem stored with the plan
(``services.planning.stored_problem``), read here only for the caller's own stops. Marking a stop
started or done goes through the day's journal (``services.journal.change_day``), which checks the
stop is on the caller's route; re-planning then never moves it. "Changed since last time" lists what
moved on the caller's route since the version they last opened (remembered in a cookie).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine

from hjemme.catalogue import load_catalogue
from hjemme.domain.journal import EntryKind
from hjemme.domain.security import Role
from hjemme.errors import ConflictError, HjemmeError, NotFoundError
from hjemme.services.auth import Principal
from hjemme.services.journal import DayChange, change_day
from hjemme.services.patients import local_date
from hjemme.services.planning import plan_diff, stored_problem, task_statuses
from hjemme.services.plans_view import RouteView, read_my_route
from hjemme.web.deps import ClientDep, EngineDep, NowDep, ServiceDate, SettingsDep, page_context, page_for
from hjemme.web.rendering import N_, render

router = APIRouter()
ClinicianDep = Annotated[Principal, Depends(page_for(Role.CLINICIAN))]
STATUSES = {"started": EntryKind.STARTED, "done": EntryKind.DONE, "undo": EntryKind.MARK_UNDONE}
ERRORS = {
    "status": N_("Choose started or done."),
    "stop": N_("That stop is not on your route today; nothing was changed."),
    "undo": N_("There is no mark to undo on that stop."),
}


@dataclass(frozen=True, slots=True)
class Bring:
    """Goods a visit uses: the product lines, and the delivery that brings them (or not)."""

    lines: tuple[tuple[str, int], ...]  # product name, quantity
    delivered_by: str | None
    delivered_at: str | None


@dataclass(frozen=True, slots=True)
class SampleToTake:
    """A sample to take at a visit, and how it reaches the lab."""

    sample_type: str
    stability_min: int | None
    carrier: str | None  # None: not planned
    own: bool  # the clinician takes it to the lab
    pickup_at: str | None
    at_lab: str | None


@router.get("/my-day")
def my_day(
    request: Request,
    user: ClinicianDep,
    settings: SettingsDep,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    date: Annotated[ServiceDate | None, Query()] = None,
    error: str = "",
) -> Response:
    day = date or local_date(now)
    plan, route = read_my_route(engine=engine, principal=user, date=day, client=client, at=now)
    context: dict[str, Any] = {
        **page_context(user), "date": day, "plan": plan, "route": route, "error": ERRORS.get(error),
        "bring": {}, "samples": {}, "statuses": {}, "treatments": {}, "videos": [], "video_links": {},
        "stop_names": {},
    }
    if route is not None:
        context.update(_details(engine, day, route))
        context["videos"] = [s for s in route.stops if s.type == "video"]
        context["stop_names"] = {  # "changed since last time" names the visit, not its task id
            s.task_id: s.patient_name or s.task_id for s in route.stops if s.task_id
        }
        context["video_links"] = {
            s.task_id: settings.video_url.replace("{task}", quote(s.task_id))
            for s in context["videos"] if s.task_id and settings.video_url
        }
    seen = _seen_version(request, day)
    if plan is not None and route is not None and seen is not None and seen < plan.version:
        diff = plan_diff(engine=engine, principal=user, date=day, from_version=seen, to_version=plan.version)
        mine = [r for r in diff.to_json()["resources"] if r["resource_id"] == route.resource_id]
        context["changed"] = mine[0] if mine else None
    response = render(request, "myday/day.html", context)
    if plan is not None:
        response.set_cookie(SEEN_COOKIE, f"{day.isoformat()}:{plan.version}", max_age=2 * 24 * 3600,
                            httponly=True, samesite="lax")
    return response


SEEN_COOKIE = "hjemme_myday_seen"


def _seen_version(request: Request, day: dt.date) -> int | None:
    """The plan version this browser last showed for ``day`` ("changed since last time")."""
    value = request.cookies.get(SEEN_COOKIE, "")
    date_text, _, version = value.partition(":")
    return int(version) if date_text == day.isoformat() and version.isdigit() and len(version) < 8 else None


@router.post("/my-day/stops/{task_id}")
def mark_stop(
    user: ClinicianDep,
    engine: EngineDep,
    now: NowDep,
    task_id: str,
    date: Annotated[ServiceDate, Form()],
    status: Annotated[str, Form()] = "",
) -> Response:
    """Mark one of the caller's stops started or done (which pins it), or take the last mark back
    (a tap by mistake), then back to the day."""
    target = f"/my-day?date={date.isoformat()}"
    if status not in STATUSES:
        return RedirectResponse(f"{target}&error=status", status_code=303)
    try:
        change_day(engine=engine, principal=user, date=date, now=now,
                   change=DayChange(STATUSES[status], task_id=task_id))
    except ConflictError:
        return RedirectResponse(f"{target}&error={'undo' if status == 'undo' else 'stop'}", status_code=303)
    except HjemmeError:
        return RedirectResponse(f"{target}&error=stop", status_code=303)
    return RedirectResponse(f"{target}#stop-{task_id}", status_code=303)


def _details(engine: Engine, day: dt.date, route: RouteView) -> dict[str, Any]:
    """What each of the route's visits needs and which samples it takes; empty without stored input."""
    statuses = task_statuses(engine=engine, date=day)
    own = {s.task_id for s in route.stops if s.task_id}
    try:
        plan, problem = stored_problem(engine=engine, date=day)
    except NotFoundError:
        return {"statuses": {t: st for t, st in statuses.items() if t in own}, "treatments": {}}
    catalogue = load_catalogue()
    products = catalogue.products
    tasks = {t["id"]: t for t in problem["tasks"]}
    placed = {
        s["task"]: (r["resource"], r["kind"], s) for r in plan["routes"] for s in r["stops"] if s["task"]
    }
    bring: dict[str, Bring] = {}
    samples: dict[str, list[SampleToTake]] = {}
    for task in tasks.values():
        uses = [v for v in task["before"] if v in own]
        if task["goods"] and uses:
            where = placed.get(task["id"])
            lines = tuple(
                (products[p].name if p in products else p, int(q)) for p, q in task["goods"]["lines"]
            )
            for visit in uses:
                bring[visit] = Bring(lines, where[0] if where else None, where[2]["start"] if where else None)
        if task["kind"] == "sample" and task["taken_at"] in own:
            samples.setdefault(task["taken_at"], []).append(
                _sample(task, route.resource_id, plan["samples"], placed)
            )
    treatments = {
        t["id"]: (catalogue.pathways[t["pathway"]].name_nb, catalogue.pathways[t["pathway"]].name)
        for t in tasks.values() if t["id"] in own and t.get("pathway") in catalogue.pathways
    }
    return {
        "bring": bring,
        "samples": samples,
        "treatments": treatments,
        "statuses": {t: st for t, st in statuses.items() if t in own},
    }


def _sample(task: Mapping[str, Any], me: str, journeys: list[dict[str, Any]],
            placed: Mapping[str, tuple[str, str, Mapping[str, Any]]]) -> SampleToTake:
    journey = next((j for j in journeys if j["task"] == task["id"]), None)
    carrier = journey["carried_by"] if journey else None
    pickup = placed.get(task["id"])
    return SampleToTake(
        sample_type=task["sample_type"] or "",
        stability_min=task["sample_stability_min"],
        carrier=carrier,
        own=carrier == me,
        pickup_at=pickup[2]["start"] if pickup and carrier != me else None,
        at_lab=journey["at_lab"] if journey else None,
    )
