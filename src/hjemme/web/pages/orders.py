"""Order suggestions for a busy morning (issue 14, item 4): per patient and delivery date, with totals
per product, filters (clinic, delivery date, product group), "choose all shown" and an action bar
that stays in view. Accepting or rejecting any number of lines is one request, one service call
and one transaction.

Logistics and the home-care coordinators decide on suggestions (the roadmap's "staff only adjust
and accept"). Need-to-know: the page names the patient and the address the goods go to, never a
pathway or diagnosis.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from hjemme.catalogue import load_catalogue
from hjemme.domain.catalogue import ProductCategory
from hjemme.domain.security import Role
from hjemme.errors import ConflictError, InputError
from hjemme.services.auth import Principal
from hjemme.services.logistics import accept_order_lines, read_order_board, reject_order_lines
from hjemme.services.patients import local_date
from hjemme.web.deps import ClientDep, EngineDep, NowDep, ServiceDate, page_context, page_for_roles
from hjemme.web.rendering import render

router = APIRouter()

DecidersDep = Annotated[Principal, Depends(page_for_roles(Role.LOGISTICS, Role.COORDINATOR))]
FILTERS = ("date", "clinic", "group")
"""The query parameters of the filter form, carried through a decision back to the same view."""


@router.get("/logistics/orders")
def orders(
    request: Request,
    user: DecidersDep,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    date: Annotated[ServiceDate | None, Query()] = None,
    clinic: str = "",
    group: Annotated[ProductCategory | None, Query()] = None,
    error: str = "",
    done: str = "",
    n: int = 0,
) -> Response:
    """Suggested lines from today on, grouped per patient and delivery date, filtered as asked."""
    view = read_order_board(
        engine=engine, principal=user, client=client, at=now, start=local_date(now),
        delivery_date=date, clinic=clinic or None, product_group=group,
    )
    products = load_catalogue().products
    context = {
        **page_context(user),
        "view": view,
        "board": view.board,
        "products": {pid: p.name for pid, p in products.items()},
        "groups_of": {pid: str(p.category) for pid, p in products.items()},
        "chosen_date": date,
        "chosen_clinic": clinic,
        "chosen_group": str(group) if group else "",
        "error": error in ("input", "conflict"),
        "done": done if done in ("accepted", "rejected") else "",
        "done_count": n,
        "units": sum(t.quantity for t in view.board.totals),
    }
    return render(request, "logistics/orders.html", context)


@router.post("/logistics/orders")
async def decide(request: Request, user: DecidersDep, engine: EngineDep, now: NowDep,
                 client: ClientDep) -> Response:
    """Accept or reject the chosen lines (or every line shown); a changed quantity adjusts its line."""
    form = await request.form()
    return await run_in_threadpool(_decide, request, form, user, engine, now, client)


def chosen_lines(form: Any) -> list[str]:
    """The line ids a decision covers: every line shown when "all" is ticked, else the ticked rows
    (a row stands for the day-of-need lines behind it, their ids separated by spaces)."""
    field = "shown" if form.get("all") else "line"
    return list(dict.fromkeys(i for value in form.getlist(field) for i in str(value).split()))


def _decide(request: Request, form: Any, user: Principal, engine: Engine, now: dt.datetime,
            client: str | None) -> Response:
    ids = chosen_lines(form)
    quantities: dict[str, int] = {}
    for line_id in ids:
        raw = str(form.get(f"quantity-{line_id}", "")).strip()
        if raw.isdigit():
            quantities[line_id] = int(raw)
    rejecting = form.get("decision") == "reject"
    error = ""
    decided = []
    try:
        if rejecting:
            decided = reject_order_lines(engine=engine, principal=user, client=client, at=now, line_ids=ids)
        else:
            decided = accept_order_lines(engine=engine, principal=user, client=client, at=now, line_ids=ids,
                                         quantities=quantities)
    except InputError:
        error = "input"
    except ConflictError:
        error = "conflict"
    target = request.url_for("orders").include_query_params(
        **{k: str(form.get(k, "")) for k in FILTERS if form.get(k)}
    )
    if error:
        target = target.include_query_params(error=error)
    else:
        target = target.include_query_params(done="rejected" if rejecting else "accepted", n=len(decided))
    return RedirectResponse(str(target.path) + "?" + target.query, status_code=303)
