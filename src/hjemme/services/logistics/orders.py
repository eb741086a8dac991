"""Order suggestions from the pathways: suggest, accept or adjust, reject; accepted lines as deliveries."""


from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import replace

from sqlalchemy import Engine, select

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain.tasks import Task
from hjemme.errors import InputError
from hjemme.logistics import orders as order_engine
from hjemme.logistics.orders import LineStatus, OrderLine, OrderParams, OrderSuggestionResult
from hjemme.logistics.sourcing import DeliveryModel, SourcingParams
from hjemme.services.access import require_role
from hjemme.services.auth import Principal
from hjemme.services.logistics._rows import (
    ORDER_ROLES,
    _check,
    _home_stock,
    _line_row,
    _load_ledger,
    _order_line,
    _overlapping,
    _shown,
)
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.logistics_tables import OrderLineRecord


def suggest_orders(
    *,
    engine: Engine,
    date: dt.date,
    horizon_days: int,
    model: DeliveryModel | str = DeliveryModel.ALT1,
    params: OrderParams | None = None,
    catalogue: Catalogue | None = None,
    principal: Principal | None = None,
    client: str | None = None,
    at: dt.datetime | None = None,
) -> OrderSuggestionResult:
    """Suggest and store order lines for every enrolment with stay days in the horizon.

    Netted against the patients' home stock in the ledger (``home:<patient>``). Lines a
    coordinator has already accepted, adjusted or rejected keep that decision. With a
    ``principal`` (API, web, CLI) the role is checked and every patient with a line is
    access-logged (``write``: the suggestion is stored); without one it is a system run (demo
    seeding, a nightly job) that shows nobody anything.
    """
    _check(principal, ORDER_ROLES, at)
    catalogue = catalogue or load_catalogue()
    try:
        model = DeliveryModel(model)
    except ValueError:
        raise InputError("model", f"{model!r} er ikke en leveransemodell (alt1, alt2, alt3)") from None
    if horizon_days < 1:
        raise InputError("horizon", "horisonten må være minst én dag")
    params = replace(params or OrderParams(), sourcing=replace(SourcingParams(), model=model))
    end = date + dt.timedelta(days=horizon_days - 1)
    with session_scope(engine) as session:
        enrolments = _overlapping(session, date, end)
        ids = sorted({e.patient_id for e in enrolments})
        patients = {p.id: p for p in repo.list_patients(session, ids=ids)} if ids else {}
        result = order_engine.suggest_orders(
            date,
            horizon_days,
            enrolments,
            catalogue.pathways,
            catalogue.products,
            catalogue.device_types,
            patients=patients,
            home_stock=_home_stock(_load_ledger(session), date),
            params=params,
        )
        decided = {
            r.id: _order_line(r)
            for r in session.scalars(
                select(OrderLineRecord).where(
                    OrderLineRecord.id.in_([ln.id for ln in result.lines]),
                    OrderLineRecord.status != LineStatus.SUGGESTED.value,
                )
            )
        }
        lines = [decided.get(ln.id, ln) for ln in result.lines]
        for line in lines:
            if line.id not in decided:
                session.merge(_line_row(line, model.value))
        _shown(
            session,
            principal,
            (ln.patient_id for ln in lines),
            resource=f"order suggestions {date.isoformat()} +{horizon_days}d",
            client=client,
            at=at,
            action="write",
        )
    return replace(result, lines=tuple(lines))


def _decide(
    *,
    engine: Engine,
    principal: Principal,
    client: str | None,
    at: dt.datetime,
    line_ids: Iterable[str],
    status: LineStatus,
    quantities: Mapping[str, int] | None = None,
    delivery_dates: Mapping[str, dt.date] | None = None,
    catalogue: Catalogue | None = None,
) -> list[OrderLine]:
    require_role(principal, ORDER_ROLES)
    catalogue = catalogue or load_catalogue()
    wanted = list(dict.fromkeys(line_ids))
    quantities = dict(quantities or {})
    delivery_dates = dict(delivery_dates or {})
    if not wanted:
        raise InputError("line_ids", "ingen ordrelinjer valgt")
    for field, given in (("quantity", quantities), ("delivery_date", delivery_dates)):
        stray = sorted(set(given) - set(wanted))
        if stray:
            raise InputError(field, f"gjelder ordrelinjer som ikke er valgt: {', '.join(stray)}")
    with session_scope(engine) as session:
        records = {
            r.id: r for r in session.scalars(select(OrderLineRecord).where(OrderLineRecord.id.in_(wanted)))
        }
        missing = [i for i in wanted if i not in records]
        if missing:
            raise InputError("line_ids", f"ukjente ordrelinjer: {', '.join(missing)}")
        result = OrderSuggestionResult(
            at.date(), 1, DeliveryModel.ALT1, tuple(_order_line(records[i]) for i in wanted)
        )
        # Only real changes go through the engine's check: a form sends every chosen line's quantity,
        # and adjusting 500 unchanged lines one by one is quadratic (issue 14: 500 lines at once).
        changed = [
            i
            for i in wanted
            if quantities.get(i, records[i].quantity) != records[i].quantity
            or delivery_dates.get(i, records[i].delivery_date) != records[i].delivery_date
        ]
        for line_id in changed:
            try:
                result = order_engine.adjust_line(
                    result,
                    line_id,
                    catalogue.products,
                    quantity=quantities.get(line_id),
                    delivery_date=delivery_dates.get(line_id),
                )
            except InputError as error:  # say which line: the engine names only the field
                raise InputError(error.field, f"{line_id}: {error.problem}") from None
        if status is LineStatus.ACCEPTED:
            result = order_engine.accept_lines(result, wanted)
        else:
            result = order_engine.reject_lines(result, wanted)
        for line in result.lines:
            record = records[line.id]
            record.status = line.status.value
            record.quantity = line.quantity
            record.delivery_date = line.delivery_date
            record.decided_by = principal.username
            record.decided_at = at
        _shown(
            session,
            principal,
            (ln.patient_id for ln in result.lines),
            resource=f"order lines {status.value}",
            client=client,
            at=at,
            action="write",
        )
    return list(result.lines)


def accept_order_lines(
    *,
    engine: Engine,
    principal: Principal,
    client: str | None,
    at: dt.datetime,
    line_ids: Iterable[str],
    quantities: Mapping[str, int] | None = None,
    delivery_dates: Mapping[str, dt.date] | None = None,
    catalogue: Catalogue | None = None,
) -> list[OrderLine]:
    """Accept stored lines, optionally adjusting quantity or delivery date (shelf life is checked).

    All or nothing: an unknown id, a negative quantity, a delivery date after the need or earlier
    than shelf life allows, or an adjustment for a line not chosen changes no line.
    """
    return _decide(
        engine=engine,
        principal=principal,
        client=client,
        at=at,
        line_ids=line_ids,
        status=LineStatus.ACCEPTED,
        quantities=quantities,
        delivery_dates=delivery_dates,
        catalogue=catalogue,
    )


def reject_order_lines(
    *, engine: Engine, principal: Principal, client: str | None, at: dt.datetime, line_ids: Iterable[str]
) -> list[OrderLine]:
    """Reject stored lines: they will not be delivered and a re-suggestion will not revive them."""
    return _decide(
        engine=engine,
        principal=principal,
        client=client,
        at=at,
        line_ids=line_ids,
        status=LineStatus.REJECTED,
    )


def list_order_lines(
    *,
    engine: Engine,
    principal: Principal | None = None,
    client: str | None = None,
    at: dt.datetime | None = None,
    delivery_date: dt.date | None = None,
    status: LineStatus | str | None = None,
) -> list[OrderLine]:
    """Stored order lines, by delivery date and id.

    With a ``principal`` (every caller that shows the lines to a person) the role is checked and
    each patient shown is access-logged at ``at``. Without one it is the day planner's own read of
    the order book (:func:`hjemme.services.planning.day_tasks`), which shows nobody anything.
    """
    _check(principal, ORDER_ROLES, at)
    if status is not None:
        try:
            status = LineStatus(status)
        except ValueError:
            known = ", ".join(s.value for s in LineStatus)
            raise InputError("status", f"{status!r} er ikke en status ({known})") from None
    query = select(OrderLineRecord).order_by(OrderLineRecord.delivery_date, OrderLineRecord.id)
    if delivery_date is not None:
        query = query.where(OrderLineRecord.delivery_date == delivery_date)
    if status is not None:
        query = query.where(OrderLineRecord.status == status.value)
    with session_scope(engine) as session:
        lines = [_order_line(r) for r in session.scalars(query)]
        day = delivery_date.isoformat() if delivery_date else "all"
        _shown(
            session,
            principal,
            (ln.patient_id for ln in lines),
            resource=f"order lines {day}",
            client=client,
            at=at,
        )
    return lines


def order_delivery_tasks(*, engine: Engine, date: dt.date, catalogue: Catalogue | None = None) -> list[Task]:
    """Delivery tasks for the planner from the lines accepted for delivery on ``date``."""
    catalogue = catalogue or load_catalogue()
    with session_scope(engine) as session:
        query = select(OrderLineRecord).where(
            OrderLineRecord.delivery_date == date, OrderLineRecord.status == LineStatus.ACCEPTED.value
        )
        lines = tuple(_order_line(r) for r in session.scalars(query))
        ids = sorted({ln.patient_id for ln in lines})
        patients = {p.id: p for p in repo.list_patients(session, ids=ids)} if ids else {}
        enrolments = {e.id: e for e in repo.list_enrolments(session, active_on=date)}
    result = OrderSuggestionResult(date, 1, DeliveryModel.ALT1, lines)
    return order_engine.delivery_tasks(
        result, date, patients, catalogue.pathways, catalogue.products, enrolments=enrolments
    )
