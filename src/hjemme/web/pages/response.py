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
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from hjemme.domain.security import Role
from hjemme.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from hjemme.monitoring.observations import Observation
from hjemme.services.auth import Principal
from hjemme.services.journal import AlreadyOrderedError
from hjemme.services.monitoring import (
    acknowledge_alarm,
    escalate_alarm,
    get_alarm,
    list_alarms,
    resolve_alarm,
)
from hjemme.services.urgent_visits import ordered_visit, request_urgent_visit
from hjemme.web.deps import ClientDep, EngineDep, NowDep, log_refused_request, page_context, page_for
from hjemme.web.rendering import N_, render

router = APIRouter()
URGENT_TWICE = N_("This alarm has already ordered its urgent visit; it is shown below.")
URGENT_REFUSED = N_("Only a red alarm that is not resolved can order an urgent visit.")
URGENT_NO_INPUT = N_("Today's plan has to be made again before an urgent visit can be added.")

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
          client: ClientDep, error: str | None = None, status_code: int = 200) -> Response:
    """One alarm: why, its measurements as a chart, and what has been done."""
    try:
        found, trail, evidence = get_alarm(engine=engine, principal=user, alarm_id=alarm_id, at=now,
                                           client=client)
    except NotFoundError:
        log_refused_request(request, 404)
        return render(request, "errors/404.html", page_context(user), status_code=404)
    context = {**page_context(user), "alarm": found, "trail": trail, "chart": _chart(evidence),
               "error": error, "ordered": ordered_visit(engine=engine, alarm_id=found.alarm_id)}
    return render(request, "response/alarm.html", context, status_code=status_code)


def _act(request: Request, user: Principal, engine: EngineDep, now: NowDep, client: ClientDep,
         action: Callable[[], object]) -> Response:
    error = None
    try:
        action()
    except NotFoundError:
        error = "missing"
    except (ConflictError, InputError) as exc:
        error = "note" if isinstance(exc, InputError) else "conflict"
    if request.headers.get("HX-Request") == "true":
        return _worklist(request, user, engine, now, client, template="response/worklist.html", error=error)
    if error is not None:
        return _worklist(request, user, engine, now, client, template="response/index.html", error=error,
                         status_code=409 if error == "conflict" else 422)
    return RedirectResponse("/response", status_code=303)


@router.post("/response/alarms/{alarm_id}/ack")
def acknowledge(request: Request, alarm_id: str, user: ResponderDep, engine: EngineDep, now: NowDep,
                client: ClientDep) -> Response:
    return _act(request, user, engine, now, client, lambda: acknowledge_alarm(
        engine=engine, principal=user, alarm_id=alarm_id, at=now, client=client))


@router.post("/response/alarms/{alarm_id}/escalate")
def escalate(request: Request, alarm_id: str, user: ResponderDep, engine: EngineDep, now: NowDep,
             client: ClientDep, note: Annotated[str, Form(max_length=1000)] = "") -> Response:
    return _act(request, user, engine, now, client, lambda: escalate_alarm(
        engine=engine, principal=user, alarm_id=alarm_id, at=now, note=note.strip(), client=client))


@router.post("/response/alarms/{alarm_id}/resolve")
def resolve(request: Request, alarm_id: str, user: ResponderDep, engine: EngineDep, now: NowDep,
            client: ClientDep, note: Annotated[str, Form(max_length=1000)] = "") -> Response:
    return _act(request, user, engine, now, client, lambda: resolve_alarm(
        engine=engine, principal=user, alarm_id=alarm_id, note=note.strip(), at=now, client=client))


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
    return RedirectResponse(f"/response/alarms/{alarm_id}", status_code=303)


def _chart(evidence: Sequence[Observation]) -> list[dict[str, object]]:
    """Per parameter, an SVG polyline (600×160 view box) of the evidence measurements over time."""
    by_parameter: dict[str, list[Observation]] = {}
    for observation in evidence:
        by_parameter.setdefault(str(observation.parameter), []).append(observation)
    charts = []
    for parameter, points in by_parameter.items():
        t0, t1 = points[0].effective_at, points[-1].effective_at
        span = max((t1 - t0).total_seconds(), 1.0)
        low, high = min(p.value for p in points), max(p.value for p in points)
        rng = (high - low) or 1.0
        xy = [(20 + 560 * (p.effective_at - t0).total_seconds() / span,
               140 - 120 * (p.value - low) / rng) for p in points]
        charts.append({
            "parameter": parameter,
            "unit": points[0].unit,
            "points": " ".join(f"{x:.1f},{y:.1f}" for x, y in xy),
            "dots": xy,
            "rows": points,
            "low": low,
            "high": high,
        })
    return charts
