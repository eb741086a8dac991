"""The coordinator's day plan: every route on a map, a timeline per resource, what did not fit, KPIs."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from hjemme.domain.security import Role
from hjemme.services.auth import Principal
from hjemme.services.patients import local_date
from hjemme.services.plans_view import DayPlanView, read_day_plan
from hjemme.web.deps import ClientDep, EngineDep, NowDep, SettingsDep, page_context, page_for
from hjemme.web.rendering import render

router = APIRouter()

ROUTE_COLOURS = (
    "#1f5fa8", "#b4381e", "#2a7a3b", "#7a3fa0", "#a86a00", "#0f7a7a", "#a3306b", "#4d5b1e",
    "#5a4632", "#2f4f8f", "#8f2f2f", "#3f6f5f",
)
"""Route line colours, each with at least 4.5:1 contrast on white (they also colour text labels)."""


@router.get("/plan")
def day_plan(
    request: Request,
    user: Annotated[Principal, Depends(page_for(Role.COORDINATOR))],
    settings: SettingsDep,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    date: Annotated[dt.date | None, Query()] = None,
) -> Response:
    day = date or local_date(now)
    plan = read_day_plan(engine=engine, principal=user, date=day, client=client, at=now)
    context = {**page_context(user), "date": day, "plan": plan, "tile_url": settings.tile_url}
    if plan is not None:
        context.update(_layout(plan, settings.tile_url))
    return render(request, "plan/day.html", context)


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
