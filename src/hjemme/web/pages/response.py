"""The response centre: the alarm worklist (live over server-sent events), one alarm with its
measurements, and acknowledge / escalate / resolve.

The worklist page opens ``/response/events``; every ``REFRESH_S`` seconds the stream says
"refresh" and the page fetches ``/response/worklist`` again (htmx). Each fetch is a read of the
alarms through the monitoring service, so it is in the access log like any other look at them.
The action forms work without JavaScript (POST, then a redirect) and with htmx (the new worklist
replaces the old one in place).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from hjemme.domain.security import Role
from hjemme.domain.time import local_date
from hjemme.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from hjemme.services.alarm_view import read_alarm_page
from hjemme.services.auth import Principal
from hjemme.services.journal import AlreadyOrderedError
from hjemme.services.monitoring import (
    acknowledge_alarm,
    escalate_alarm,
    list_alarms,
    resolve_alarm,
)
from hjemme.services.planning import stored_problem
from hjemme.services.urgent_visits import ordered_visit, request_urgent_visit
from hjemme.web.alarm_charts import chart
from hjemme.web.deps import ClientDep, EngineDep, NowDep, log_refused_request, page_context, page_for
from hjemme.web.rendering import N_, render

router = APIRouter()
URGENT_TWICE = N_("This alarm has already ordered its urgent visit; it is shown below.")
URGENT_REFUSED = N_("Only a red alarm that is not resolved can order an urgent visit.")
URGENT_NO_INPUT = N_("Today's plan has to be made again before an urgent visit can be added.")
ACT_ERRORS = {
    "note": N_("Resolving needs a note of what was done."),
    "conflict": N_("Someone else has already handled this alarm."),
    "missing": N_("The alarm no longer exists."),
}
DONE = {
    "ack": N_("The alarm is acknowledged: you own it now."),
    "escalate": N_("The alarm has been escalated to the next level."),
    "resolve": N_("The alarm is resolved."),
    "urgent": N_("The urgent visit has been ordered; it is shown below."),
}

ResponderDep = Annotated[Principal, Depends(page_for(Role.RESPONDER))]
REFRESH_S = 15.0
STREAM_LIFETIME_S = 300.0
"""A stream ends after this long; the browser's EventSource reconnects on its own."""


def _worklist(request: Request, user: Principal, engine: EngineDep, now: NowDep, client: ClientDep,
              *, template: str, error: str | None = None, status_code: int = 200) -> Response:
    alarms = list_alarms(engine=engine, principal=user, at=now, status="open", client=client)
    context = {
        **page_context(user),
        "waiting": [a for a in alarms if str(a.status) == "open"],
        "acknowledged": [a for a in alarms if str(a.status) == "acknowledged"],
        "error": error,
    }
    return render(request, template, context, status_code=status_code)


@router.get("/response")
def response_centre(request: Request, user: ResponderDep, engine: EngineDep, now: NowDep,
                    client: ClientDep) -> Response:
    return _worklist(request, user, engine, now, client, template="response/index.html")


@router.get("/response/worklist")
def worklist(request: Request, user: ResponderDep, engine: EngineDep, now: NowDep,
             client: ClientDep) -> Response:
    """The worklist alone, for the page to swap in when the stream says so."""
    return _worklist(request, user, engine, now, client, template="response/worklist.html")


@router.get("/response/events")
async def events(request: Request, user: ResponderDep) -> StreamingResponse:
    """Server-sent events: ``refresh`` every ``REFRESH_S`` seconds while the page is open."""

    async def stream() -> AsyncIterator[str]:
        yield f"retry: {int(REFRESH_S * 1000)}\n\n"
        waited = 0.0
        while waited < STREAM_LIFETIME_S and not await request.is_disconnected():
            await asyncio.sleep(REFRESH_S)
            waited += REFRESH_S
            yield "event: refresh\ndata: worklist\n\n"

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


@router.get("/response/alarms/{alarm_id}")
def alarm(request: Request, alarm_id: str, user: ResponderDep, engine: EngineDep, now: NowDep,
          client: ClientDep, error: str | None = None, status_code: int = 200, done: str = "") -> Response:
    """One alarm to act from: the patient, why, 72 h of measurements with limits, what has been
    done, and acknowledge / escalate / resolve / urgent visit on the page itself."""
    try:
        page = read_alarm_page(engine=engine, principal=user, alarm_id=alarm_id, at=now, client=client)
    except NotFoundError:
        log_refused_request(request, 404)
        return render(request, "errors/404.html", page_context(user), status_code=404)
    ordered = ordered_visit(engine=engine, alarm_id=page.alarm.alarm_id)
    context = {**page_context(user), "alarm": page.alarm, "trail": page.trail, "patient": page.patient,
               "age": page.age(local_date(now)), "charts": [chart(s, page.since, now) for s in page.series],
               "error": error, "done": DONE.get(done), "ordered": ordered,
               "ordered_by": _staff_name(engine, ordered.date, ordered.staff_id) if ordered else None}
    return render(request, "response/alarm.html", context, status_code=status_code)


def _staff_name(engine: EngineDep, day: dt.date, staff_id: str | None) -> str | None:
    """Who goes on the urgent visit, by name (the plan's stored input names its people)."""
    if staff_id is None:
        return None
    try:
        _plan, problem = stored_problem(engine=engine, date=day)
    except NotFoundError:
        return staff_id
    return next((r["name"] for r in problem["resources"] if r["id"] == staff_id), staff_id)


def _act(request: Request, user: Principal, engine: EngineDep, now: NowDep, client: ClientDep,
         action: Callable[[], object], *, alarm_id: str = "", back: str = "", done: str = "") -> Response:
    error = None
    try:
        action()
    except NotFoundError:
        error = "missing"
    except (ConflictError, InputError) as exc:
        error = "note" if isinstance(exc, InputError) else "conflict"
    if back == "alarm" and alarm_id:  # the form on the alarm's own page: back there
        if error is None:
            return RedirectResponse(f"/response/alarms/{alarm_id}?done={done}", status_code=303)
        return alarm(request, alarm_id, user, engine, now, client, error=ACT_ERRORS[error],
                     status_code=409 if error == "conflict" else 422)
    if request.headers.get("HX-Request") == "true":
        return _worklist(request, user, engine, now, client, template="response/worklist.html", error=error)
    if error is not None:
        return _worklist(request, user, engine, now, client, template="response/index.html", error=error,
                         status_code=409 if error == "conflict" else 422)
    return RedirectResponse("/response", status_code=303)


BackField = Annotated[str, Form(max_length=10)]  # "alarm": the form on the alarm's page, back there
NoteField = Annotated[str, Form(max_length=1000)]


@router.post("/response/alarms/{alarm_id}/ack")
def acknowledge(request: Request, alarm_id: str, user: ResponderDep, engine: EngineDep, now: NowDep,
                client: ClientDep, back: BackField = "") -> Response:
    return _act(request, user, engine, now, client, lambda: acknowledge_alarm(
        engine=engine, principal=user, alarm_id=alarm_id, at=now, client=client),
        alarm_id=alarm_id, back=back, done="ack")


@router.post("/response/alarms/{alarm_id}/escalate")
def escalate(request: Request, alarm_id: str, user: ResponderDep, engine: EngineDep, now: NowDep,
             client: ClientDep, note: NoteField = "", back: BackField = "") -> Response:
    return _act(request, user, engine, now, client, lambda: escalate_alarm(
        engine=engine, principal=user, alarm_id=alarm_id, at=now, note=note.strip(), client=client),
        alarm_id=alarm_id, back=back, done="escalate")


@router.post("/response/alarms/{alarm_id}/resolve")
def resolve(request: Request, alarm_id: str, user: ResponderDep, engine: EngineDep, now: NowDep,
            client: ClientDep, note: NoteField = "", back: BackField = "") -> Response:
    return _act(request, user, engine, now, client, lambda: resolve_alarm(
        engine=engine, principal=user, alarm_id=alarm_id, note=note.strip(), at=now, client=client),
        alarm_id=alarm_id, back=back, done="resolve")


@router.post("/response/alarms/{alarm_id}/urgent-visit")
def urgent_visit(request: Request, alarm_id: str, user: ResponderDep, engine: EngineDep, now: NowDep,
                 client: ClientDep) -> Response:
    """Order an urgent visit in today's plan for a red alarm's patient (the planner re-plans)."""
    try:
        request_urgent_visit(engine=engine, principal=user, alarm_id=alarm_id, at=now, client=client)
    except NotFoundError:
        return render(request, "errors/404.html", page_context(user), status_code=404)
    except PermissionDeniedError:
        return render(request, "errors/403.html", page_context(user), status_code=403)
    except AlreadyOrderedError:
        return alarm(request, alarm_id, user, engine, now, client, error=URGENT_TWICE, status_code=409)
    except ConflictError:
        return alarm(request, alarm_id, user, engine, now, client, error=URGENT_REFUSED, status_code=409)
    except InputError:
        return alarm(request, alarm_id, user, engine, now, client, error=URGENT_NO_INPUT, status_code=422)
    return RedirectResponse(f"/response/alarms/{alarm_id}?done=urgent", status_code=303)
