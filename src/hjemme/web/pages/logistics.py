"""Logistics and the medical-technical staff: the vans' routes (one van at a time), a printable pick
list per van, stock with its warnings and an action to order what is low, and devices due for
service. Order suggestions are in :mod:`hjemme.web.pages.orders` (issue 14 split the old
16,000-pixel page into these).

Need-to-know: these pages show names, addresses, parcels and patient ids, never a pathway or
diagnosis.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from hjemme.catalogue import load_catalogue
from hjemme.domain.security import Role
from hjemme.errors import InputError, NotFoundError
from hjemme.services.auth import Principal
from hjemme.services.logistics import (
    devices_due,
    expiring_stock,
    list_purchase_orders,
    low_stock_list,
    order_low_stock,
    stock_levels,
    van_pick_sheets,
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
              date: DateQuery = None, van: str = "") -> Response:
    """The day's vans and couriers, one line each, and the stops of the one chosen (the first by default)."""
    day = date or local_date(now)
    plan = read_transport_routes(engine=engine, principal=user, date=day, client=client, at=now)
    routes = plan.routes if plan is not None else ()
    chosen = next((r for r in routes if r.resource_id == van), routes[0] if routes else None)
    context = {**page_context(user), "date": day, "plan": plan, "chosen": chosen}
    return render(request, "logistics/vans.html", context)


@router.get("/logistics/pick-lists")
def pick_list_sheets(request: Request, user: LogisticsDep, engine: EngineDep, now: NowDep, client: ClientDep,
                     date: DateQuery = None, van: str = "") -> Response:
    """One printable pick list per van, its stops in loading order (last stop loaded first)."""
    day = date or local_date(now)
    try:
        found = van_pick_sheets(engine=engine, principal=user, client=client, at=now, date=day)
    except NotFoundError:  # no plan, or one stored without its input: nothing to pick from
        found = None
    sheets = found.sheets if found is not None else ()
    shown = [s for s in sheets if not van or s.resource_id == van]
    context = {
        **page_context(user),
        "date": day,
        "found": found,
        "sheets": sheets,
        "shown": shown,
        "van": van,
        "products": _products(),
    }
    return render(request, "logistics/picklists.html", context)


@router.get("/logistics/stock")
def stock(request: Request, user: LogisticsDep, engine: EngineDep, now: NowDep, client: ClientDep,
          days: Annotated[int, Query(ge=0, le=365)] = EXPIRING_DAYS, error: str = "",
          ordered: int = -1) -> Response:
    """Warnings first (expired, expiring within ``days``, below the reorder point, with an action to
    order what is low), then the stock levels."""
    day = local_date(now)
    expiring = expiring_stock(engine=engine, principal=user, client=client, at=now, on=day, within_days=days)
    context = {
        **page_context(user),
        "levels": stock_levels(engine=engine, principal=user, client=client, at=now, on=day),
        "expired": [e for e in expiring if e.days_left < 0],
        "expiring": [e for e in expiring if e.days_left >= 0],
        "low": low_stock_list(engine=engine, principal=user, client=client, at=now, on=day),
        "on_order": {po.product_id: po for po in list_purchase_orders(engine=engine, principal=user)},
        "products": _products(),
        "days": days,
        "error": error == "input",
        "ordered": ordered,
    }
    return render(request, "logistics/stock.html", context)


@router.post("/logistics/stock/order")
async def order_low(request: Request, user: LogisticsDep, engine: EngineDep, now: NowDep,
                    client: ClientDep) -> Response:
    """Place purchase orders for the chosen products of the below-reorder-point list (one transaction)."""
    form = await request.form()
    products = [str(v) for v in form.getlist("product")]
    try:
        placed = await run_in_threadpool(
            lambda: order_low_stock(engine=engine, principal=user, client=client, at=now, on=local_date(now),
                                    product_ids=products)
        )
    except InputError:
        return RedirectResponse("/logistics/stock?error=input#low-heading", status_code=303)
    return RedirectResponse(f"/logistics/stock?ordered={len(placed)}#low-heading", status_code=303)


@router.get("/devices")
def devices(request: Request, user: Annotated[Principal, Depends(page_for(Role.TECHNICIAN))],
            engine: EngineDep, now: NowDep, client: ClientDep) -> Response:
    """Devices due for service within two weeks (or overdue), soonest first, and where they are."""
    due = devices_due(engine=engine, principal=user, client=client, at=now, within_days=DEVICES_DUE_DAYS,
                      today=local_date(now))
    names = {tid: t.name for tid, t in load_catalogue().device_types.items()}
    context = {**page_context(user), "due": due, "names": names, "days": DEVICES_DUE_DAYS}
    return render(request, "logistics/devices.html", context)
