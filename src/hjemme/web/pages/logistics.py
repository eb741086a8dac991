"""Logistics and the medical-technical staff: the vans' routes, order suggestions to accept or
adjust, stock with what expires, and devices due for service.

Need-to-know: these pages show addresses, parcels and patient ids, never a pathway or diagnosis
(the order lines' pathway is dropped before rendering).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from hjemme.catalogue import load_catalogue
from hjemme.domain.security import Role
from hjemme.errors import ConflictError, InputError, NotFoundError
from hjemme.logistics.orders import LineStatus
from hjemme.services.auth import Principal
from hjemme.services.logistics import (
    accept_order_lines,
    devices_due,
    expiring_stock,
    list_order_lines,
    low_stock_list,
    pick_lists,
    reject_order_lines,
    stock_levels,
)
from hjemme.services.patients import local_date
from hjemme.services.plans_view import read_transport_routes
from hjemme.web.deps import ClientDep, EngineDep, NowDep, ServiceDate, page_context, page_for
from hjemme.web.rendering import render

router = APIRouter()

LogisticsDep = Annotated[Principal, Depends(page_for(Role.LOGISTICS))]
DateQuery = Annotated[ServiceDate | None, Query()]
EXPIRING_DAYS = 7
DEVICES_DUE_DAYS = 14


def _products() -> dict[str, str]:
    return {pid: p.name for pid, p in load_catalogue().products.items()}


@router.get("/logistics")
def van_loads(request: Request, user: LogisticsDep, engine: EngineDep, now: NowDep, client: ClientDep,
              date: DateQuery = None) -> Response:
    """The day's van and courier routes, stop by stop, as the drivers will drive them."""
    day = date or local_date(now)
    plan = read_transport_routes(engine=engine, principal=user, date=day, client=client, at=now)
    try:
        loads = pick_lists(engine=engine, principal=user, client=client, at=now, date=day)
    except NotFoundError:  # no plan, or one stored without its input: nothing to pick from
        loads = None
    context = {**page_context(user), "date": day, "plan": plan, "loads": loads, "products": _products()}
    return render(request, "logistics/vans.html", context)


@router.get("/logistics/orders")
def orders(request: Request, user: LogisticsDep, engine: EngineDep, now: NowDep, client: ClientDep,
           date: DateQuery = None, error: str = "") -> Response:
    """Suggested order lines for a delivery date, to accept (with an adjusted quantity) or reject."""
    day = date or local_date(now)
    lines = list_order_lines(engine=engine, principal=user, client=client, at=now, delivery_date=day)
    context = {
        **page_context(user),
        "date": day,
        "suggested": [ln for ln in lines if ln.status is LineStatus.SUGGESTED],
        "decided": [ln for ln in lines if ln.status is not LineStatus.SUGGESTED],
        "products": _products(),
        "error": error in ("input", "conflict"),
    }
    return render(request, "logistics/orders.html", context)


@router.post("/logistics/orders")
async def decide(request: Request, user: LogisticsDep, engine: EngineDep, now: NowDep,
                 client: ClientDep) -> Response:
    """Accept or reject the ticked lines; a changed quantity field adjusts its line when accepting."""
    form = await request.form()
    return await run_in_threadpool(_decide, request, form, user, engine, now, client)


def _decide(request: Request, form: Any, user: Principal, engine: Engine, now: dt.datetime,
            client: str | None) -> Response:
    ids = [str(v) for v in form.getlist("line")]
    date = str(form.get("date", ""))
    quantities: dict[str, int] = {}
    for line_id in ids:
        raw = str(form.get(f"quantity-{line_id}", "")).strip()
        if raw.isdigit():
            quantities[line_id] = int(raw)
    error = ""
    try:
        if form.get("decision") == "reject":
            reject_order_lines(engine=engine, principal=user, client=client, at=now, line_ids=ids)
        else:
            accept_order_lines(engine=engine, principal=user, client=client, at=now, line_ids=ids,
                               quantities=quantities)
    except InputError:
        error = "input"
    except ConflictError:
        error = "conflict"
    target = request.url_for("orders").include_query_params(date=date)
    if error:
        target = target.include_query_params(error=error)
    return RedirectResponse(str(target.path) + "?" + target.query, status_code=303)


@router.get("/logistics/stock")
def stock(request: Request, user: LogisticsDep, engine: EngineDep, now: NowDep,
          client: ClientDep) -> Response:
    """Stock per location and product, what is below its reorder point, and what expires within a week."""
    day = local_date(now)
    context = {
        **page_context(user),
        "levels": stock_levels(engine=engine, principal=user, client=client, at=now, on=day),
        "expiring": expiring_stock(engine=engine, principal=user, client=client, at=now, on=day,
                                   within_days=EXPIRING_DAYS),
        "low": low_stock_list(engine=engine, principal=user, client=client, at=now, on=day),
        "products": _products(),
        "days": EXPIRING_DAYS,
    }
    return render(request, "logistics/stock.html", context)


@router.get("/devices")
def devices(request: Request, user: Annotated[Principal, Depends(page_for(Role.TECHNICIAN))],
            engine: EngineDep, now: NowDep, client: ClientDep) -> Response:
    """Devices due for service within two weeks (or overdue), soonest first, and where they are."""
    due = devices_due(engine=engine, principal=user, client=client, at=now, within_days=DEVICES_DUE_DAYS,
                      today=local_date(now))
    names = {tid: t.name for tid, t in load_catalogue().device_types.items()}
    context = {**page_context(user), "due": due, "names": names, "days": DEVICES_DUE_DAYS}
    return render(request, "logistics/devices.html", context)
