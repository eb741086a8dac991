"""The coordinator's board, live: a server-sent-event stream of the day's plan version and its
tasks' status marks (started, done, not done …), which the board's script turns into bar states,
the "now" line and a "newer version" notice.

Built like the response centre's worklist stream (``pages/response.py``): a plain
``text/event-stream`` that ends after ``STREAM_LIFETIME_S`` (the browser's EventSource reconnects).
Each check is one read through ``services.planning.day_state`` (task ids only, no patient data); an
event is sent when something changed, and at least every ``KEEPALIVE_S``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from hjemme.domain.security import Role
from hjemme.domain.time import local_date, local_minute
from hjemme.services.auth import Principal
from hjemme.services.planning import day_state
from hjemme.web.deps import EngineDep, NowDep, page_for

router = APIRouter()
CoordinatorDep = Annotated[Principal, Depends(page_for(Role.COORDINATOR))]
CHECK_S = 5.0
KEEPALIVE_S = 30.0
STREAM_LIFETIME_S = 300.0


def state_event(day: dt.date, version: int | None, statuses: dict[str, str], now: dt.datetime) -> str:
    """One ``state`` event: the version, every marked task's status and the Oslo minute of now
    (``null`` when the board shows another day)."""
    data: dict[str, Any] = {
        "version": version, "statuses": statuses,
        "now_min": local_minute(now) if local_date(now) == day else None,
    }
    return f"event: state\ndata: {json.dumps(data, sort_keys=True)}\n\n"


@router.get("/plan/events")
async def plan_events(request: Request, user: CoordinatorDep, engine: EngineDep, now: NowDep,
                      date: Annotated[dt.date, Query()]) -> StreamingResponse:
    """The day's state at once, then whenever it changes (``app.state.plan_events_lifetime_s`` and
    ``plan_events_check_s`` may shorten the stream and the checks, as tests do)."""
    lifetime = float(getattr(request.app.state, "plan_events_lifetime_s", STREAM_LIFETIME_S))
    check_s = float(getattr(request.app.state, "plan_events_check_s", CHECK_S))
    opened = time.monotonic()

    async def stream() -> AsyncIterator[str]:
        yield f"retry: {int(check_s * 1000)}\n\n"
        last, last_sent = "", 0.0
        while True:
            elapsed = time.monotonic() - opened
            version, statuses = await run_in_threadpool(day_state, engine=engine, principal=user, date=date)
            event = state_event(date, version, statuses, now + dt.timedelta(seconds=elapsed))
            if event != last or elapsed - last_sent >= KEEPALIVE_S:
                yield event
                last, last_sent = event, elapsed
            if elapsed + check_s > lifetime or await request.is_disconnected():
                return
            await asyncio.sleep(check_s)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)
