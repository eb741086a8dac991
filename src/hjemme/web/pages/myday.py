"""A clinician's day on a phone: the stops of their route in order, with times and addresses."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from hjemme.domain.security import Role
from hjemme.services.auth import Principal
from hjemme.services.patients import local_date
from hjemme.services.plans_view import read_my_route
from hjemme.web.deps import ClientDep, EngineDep, NowDep, page_context, page_for
from hjemme.web.rendering import render

router = APIRouter()


@router.get("/my-day")
def my_day(
    request: Request,
    user: Annotated[Principal, Depends(page_for(Role.CLINICIAN))],
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    date: Annotated[dt.date | None, Query()] = None,
) -> Response:
    day = date or local_date(now)
    plan, route = read_my_route(engine=engine, principal=user, date=day, client=client, at=now)
    context = {**page_context(user), "date": day, "plan": plan, "route": route}
    return render(request, "myday/day.html", context)
