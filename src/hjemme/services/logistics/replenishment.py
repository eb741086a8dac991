"""Suggested purchase orders for the logistics centre and the risk-pooling report (issue 6, item 3).

One use case, one read-only transaction: the stock ledger gives what the centre holds (usable
lots only; lots that will expire before first-expiry-first consumption reaches them are netted
out by the engine) and what it issued day by day (the consumption history); the order-suggestion
engine gives what the patients enrolled in the horizon will need (the census); the pure engines
:func:`hjemme.logistics.replenishment.plan_replenishment` and
:func:`hjemme.logistics.pooling.safety_stock_pooling` do the rest. Nothing is stored: a buyer
places the orders in the hospital's purchasing system, and the receipts come back through the
ledger.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain.catalogue import Product, ProductCategory
from hjemme.domain.time import local_date
from hjemme.errors import InputError
from hjemme.logistics import orders as order_engine
from hjemme.logistics.orders import LineStatus, OrderSuggestionResult
from hjemme.logistics.pooling import PoolingResult, safety_stock_pooling
from hjemme.logistics.replenishment import (
    InventoryPosition,
    ReplenishmentParams,
    ReplenishmentRow,
    census_demand,
    forecast_demand,
    inventory_position,
    plan_replenishment,
)
from hjemme.logistics.stock import LowStock, MovementKind, StockLedger, low_stock
from hjemme.services.access import require_role
from hjemme.services.access_log import write_access
from hjemme.services.auth import Principal
from hjemme.services.logistics._rows import (
    ORDER_ROLES,
    WAREHOUSE,
    _home_stock,
    _load_ledger,
    _order_line,
    _overlapping,
)
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.logistics_tables import OrderLineRecord, PurchaseOrderRecord

ISSUES = frozenset({MovementKind.PICK, MovementKind.DELIVERY})
"""Movements out of the centre that count as consumption (transfers, scrap and counts do not)."""
DEFAULT_HISTORY_DAYS = 56
ORDERED = "ordered"
"""A purchase order's status from placing until its receipt is booked."""


@dataclass(frozen=True, slots=True)
class PurchaseOrderSuggestion:
    """One product to buy now, and the numbers that made the engine suggest it (units unless named)."""

    product_id: str
    packs: int
    pack_size: int
    units: int  # packs × pack_size
    order_by: dt.date
    expected_arrival: dt.date  # order_by + the supplier's lead time
    cost_nok: float
    reorder_point: float
    order_up_to: float
    position: int  # usable on hand − expected to expire unused (+ on order: none is stored)
    on_hand: int  # usable (unexpired) units at the centre
    expiring_unused: int
    expected_units: float  # demand over lead time + review period
    forecast: str  # "census" or "history": which source set ``expected_units``
    forecast_per_day: float  # the smoothed daily consumption from the history (0 without one)


@dataclass(frozen=True, slots=True)
class ProductPooling:
    """Safety stock of one product over its lead time: per clinic if each kept its own, vs pooled."""

    product_id: str
    unit_cost_nok: float
    result: PoolingResult


@dataclass(frozen=True, slots=True)
class PurchaseOrderResult:
    """Suggested purchase orders, the engine's reasoning for every product, and the pooling report."""

    on: dt.date
    horizon_days: int
    service_level: float
    history_days: int  # days of consumption history used (0: the ledger is younger than that)
    orders: tuple[PurchaseOrderSuggestion, ...]
    rows: tuple[ReplenishmentRow, ...]
    positions: Mapping[str, InventoryPosition]
    pooling: tuple[ProductPooling, ...]

    @property
    def pooled_nok(self) -> float:
        """The pooled safety stock of every product, valued at unit cost."""
        return sum(p.result.pooled * p.unit_cost_nok for p in self.pooling)

    @property
    def separate_nok(self) -> float:
        """The per-clinic safety stocks of every product, summed and valued at unit cost."""
        return sum(p.result.separate_total * p.unit_cost_nok for p in self.pooling)


def consumption_history(
    ledger: StockLedger, on: dt.date, days: int, *, location: str = WAREHOUSE
) -> tuple[int, dict[str, list[float]]]:
    """Units per product per day issued from ``location`` (picks and deliveries) before ``on``.

    The window is the ``days`` days before ``on``, cut to start on the ledger's first day: days
    before the ledger existed are unknown, not zero (a freshly seeded store has no history, so
    the engine uses the census and a Poisson σ instead of a false certainty of zero demand).
    Days inside the window on which nothing moved are zeros. Returns the window's length and
    the series (oldest first) for every product that has stock movements.
    """
    if not ledger.movements:
        return 0, {}
    first = min(local_date(_aware(m.at)) for m in ledger.movements)
    start = max(on - dt.timedelta(days=days), first)
    length = max(0, (on - start).days)
    series: dict[str, list[float]] = {
        lot.product_id: [0.0] * length for lot in ledger.lots.values()
    }
    for m in ledger.movements:
        if m.kind not in ISSUES or m.from_location != location:
            continue
        offset = (local_date(_aware(m.at)) - start).days
        if 0 <= offset < length:
            series[ledger.lots[m.lot_id].product_id][offset] += m.quantity
    return length, series


def _aware(at: dt.datetime) -> dt.datetime:
    """SQLite hands timestamps back without a zone; they were written in UTC."""
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


def suggest_purchase_orders(
    *,
    engine: Engine,
    principal: Principal,
    client: str | None,
    at: dt.datetime,
    on: dt.date,
    horizon_days: int = 14,
    service_level: float = 0.95,
    params: ReplenishmentParams | None = None,
    history_days: int = DEFAULT_HISTORY_DAYS,
    catalogue: Catalogue | None = None,
) -> PurchaseOrderResult:
    """What the logistics centre should buy on ``on``, with reorder points, and the pooling report.

    * **Stock**: usable units of each non-MTU product at the logistics centre from the ledger
      (expired lots never count); units the engine's FEFO simulation says will expire before use
      are netted out of the position. MTU devices are a serial-numbered pool, not bought here.
    * **History**: units issued per day (picks and deliveries out of the centre) over the last
      ``history_days`` days, zeros where nothing moved (:func:`consumption_history`).
    * **Census**: the order-suggestion engine's lines (Alt 1: everything from the centre) for the
      enrolments with stay days in ``[on, on + horizon_days)``, net of home stock, with lines a
      coordinator accepted or rejected keeping their decision; dated by delivery. Demand beyond
      the horizon is not seen, so the horizon should cover lead time + review period (≤ 14 days
      in the catalogue).
    * **Pooling**: per product, the safety stock over its lead time if each clinic of the active
      enrolments kept its own stock (σ per clinic: Poisson, √ of the clinic's mean daily census)
      against one pooled store.

    Need-to-know: only aggregates per product (and per clinic) leave this use case — no patient,
    enrolment or pathway — so it writes no access-log rows; the role is still checked (admin,
    coordinator, logistics). ``client`` and ``at`` are taken for the same signature as the other
    logistics use cases. Purchase orders placed from the low list (:func:`order_low_stock`) and not
    yet received count as on order.
    """
    require_role(principal, ORDER_ROLES)
    with session_scope(engine) as session:
        return _suggest_in(
            session,
            on=on,
            horizon_days=horizon_days,
            service_level=service_level,
            params=params,
            history_days=history_days,
            catalogue=catalogue,
        )[0]


def _suggest_in(
    session: Session,
    *,
    on: dt.date,
    horizon_days: int,
    service_level: float,
    params: ReplenishmentParams | None = None,
    history_days: int = DEFAULT_HISTORY_DAYS,
    catalogue: Catalogue | None = None,
) -> tuple[PurchaseOrderResult, StockLedger]:
    """:func:`suggest_purchase_orders` inside the caller's transaction, with the ledger it read.

    Open purchase orders (placed from the low list, not yet received) count as on order.
    """
    if horizon_days < 1:
        raise InputError("horizon", "horisonten må være minst én dag")
    if history_days < 0:
        raise InputError("history_days", "kan ikke være negativ")
    params = replace(params or ReplenishmentParams(), service_level=service_level)
    catalogue = catalogue or load_catalogue()
    products = {p.id: p for p in catalogue.products.values() if p.category is not ProductCategory.MTU}
    end = on + dt.timedelta(days=horizon_days - 1)
    ledger = _load_ledger(session)
    enrolments = _overlapping(session, on, end)
    ids = sorted({e.patient_id for e in enrolments})
    patients = {p.id: p for p in repo.list_patients(session, ids=ids)} if ids else {}
    suggestion = order_engine.suggest_orders(
        on,
        horizon_days,
        enrolments,
        catalogue.pathways,
        catalogue.products,
        catalogue.device_types,
        patients=patients,
        home_stock=_home_stock(ledger, on),
    )
    decided = {
        r.id: _order_line(r)
        for r in session.scalars(
            select(OrderLineRecord).where(
                OrderLineRecord.id.in_([ln.id for ln in suggestion.lines]),
                OrderLineRecord.status != LineStatus.SUGGESTED.value,
            )
        )
    }
    on_order = open_orders_in(session)
    suggestion = replace(suggestion, lines=tuple(decided.get(ln.id, ln) for ln in suggestion.lines))
    census = census_demand(suggestion)
    length, history = consumption_history(ledger, on, history_days)
    history = {pid: series for pid, series in history.items() if pid in products}
    positions = {
        pid: inventory_position(
            ledger,
            WAREHOUSE,
            product,
            on,
            _daily_demand(product, on, census.get(pid, {}), history.get(pid, ()), params),
            params,
            on_order=on_order.get(pid, 0),
        )
        for pid, product in products.items()
    }
    result = plan_replenishment(on, products, positions, census=census, history=history, params=params)
    rows = {row.product_id: row for row in result.rows}
    orders = tuple(
        PurchaseOrderSuggestion(
            product_id=po.product_id,
            packs=po.packs,
            pack_size=products[po.product_id].pack_size,
            units=po.units,
            order_by=po.order_date,
            expected_arrival=po.expected_arrival,
            cost_nok=po.cost_nok,
            reorder_point=rows[po.product_id].reorder_point,
            order_up_to=rows[po.product_id].order_up_to,
            position=rows[po.product_id].position,
            on_hand=positions[po.product_id].on_hand,
            expiring_unused=positions[po.product_id].expiring_unused,
            expected_units=rows[po.product_id].expected_units,
            forecast="census"
            if rows[po.product_id].census_units >= rows[po.product_id].expected_units
            else "history",
            forecast_per_day=rows[po.product_id].forecast.level_per_day,
        )
        for po in result.purchase_orders
    )
    clinic_of = {
        e.patient_id: patients[e.patient_id].clinic
        if e.patient_id in patients
        else catalogue.pathways[e.pathway_id].clinic
        for e in enrolments
    }
    pooling = _pooling(suggestion, clinic_of, products, horizon_days, params.service_level)
    found = PurchaseOrderResult(
        on, horizon_days, params.service_level, length, orders, result.rows, positions, pooling
    )
    return found, ledger




def open_orders_in(session: Session) -> dict[str, int]:
    """Units on order (placed, not yet received) per product, from the purchase-order table."""
    rows = session.execute(
        select(PurchaseOrderRecord.product_id, func.sum(PurchaseOrderRecord.units))
        .where(PurchaseOrderRecord.status == ORDERED)
        .group_by(PurchaseOrderRecord.product_id)
    )
    return {pid: int(units or 0) for pid, units in rows}


def low_stock_list(
    *,
    engine: Engine,
    principal: Principal,
    client: str | None,
    at: dt.datetime,
    on: dt.date,
    horizon_days: int = 14,
    service_level: float = 0.95,
) -> list[LowStock]:
    """Products at the logistics centre whose usable stock is below their reorder point, worst first.

    The reorder points are the ones :func:`suggest_purchase_orders` derives from what the enrolled
    patients' pathways will need (and consumption history), so "low" means low for the coming
    patients, not against a fixed number. Aggregates only: no access-log rows.
    """
    require_role(principal, ORDER_ROLES)
    with session_scope(engine) as session:
        result, ledger = _suggest_in(session, on=on, horizon_days=horizon_days, service_level=service_level)
    return _low(result, ledger, on)


def _low(result: PurchaseOrderResult, ledger: StockLedger, on: dt.date) -> list[LowStock]:
    points = {row.product_id: math.ceil(row.reorder_point) for row in result.rows}
    return low_stock(ledger, WAREHOUSE, points, on)


@dataclass(frozen=True, slots=True)
class PurchaseOrder:
    """A placed purchase order: ``units`` (``packs`` × pack size) of one product for the centre."""

    id: str
    product_id: str
    location: str
    packs: int
    units: int
    cost_nok: float
    expected_arrival: dt.date
    status: str
    ordered_by: str
    ordered_at: dt.datetime


def order_low_stock(
    *,
    engine: Engine,
    principal: Principal,
    client: str | None,
    at: dt.datetime,
    on: dt.date,
    product_ids: Sequence[str],
    horizon_days: int = 14,
    service_level: float = 0.95,
    catalogue: Catalogue | None = None,
) -> list[PurchaseOrder]:
    """Place purchase orders for the chosen products of the below-reorder-point list; the new orders.

    One transaction: the low list is worked out again from the ledger (so an order is placed only
    for what is still low), each chosen product gets the replenishment engine's suggested packs
    (up to its order-up-to level; at least the shortfall in whole packs), and the orders are
    written with who and when, plus one audit row in the access log ("purchase order …", no
    patient). A product already on order is skipped, so a repeated click places nothing twice.
    A product not on the list, or no product at all, is an :class:`InputError` and places none.
    """
    require_role(principal, ORDER_ROLES)
    wanted = list(dict.fromkeys(product_ids))
    if not wanted:
        raise InputError("product", "ingen varer valgt")
    catalogue = catalogue or load_catalogue()
    with session_scope(engine) as session:
        result, ledger = _suggest_in(
            session, on=on, horizon_days=horizon_days, service_level=service_level, catalogue=catalogue
        )
        low = {item.product_id: item for item in _low(result, ledger, on)}
        stray = [pid for pid in wanted if pid not in low]
        if stray:
            raise InputError("product", f"ikke under bestillingspunktet: {', '.join(stray)}")
        on_order = open_orders_in(session)
        suggested = {po.product_id: po for po in result.orders}
        placed: list[PurchaseOrder] = []
        for pid in wanted:
            if on_order.get(pid, 0) > 0:
                continue
            product = catalogue.products[pid]
            packs = max(
                suggested[pid].packs if pid in suggested else 0,
                math.ceil(low[pid].shortfall / product.pack_size),
                1,
            )
            order = PurchaseOrder(
                id=f"PO-{at:%Y%m%d%H%M%S}-{pid}"[:64],
                product_id=pid,
                location=WAREHOUSE,
                packs=packs,
                units=packs * product.pack_size,
                cost_nok=round(packs * product.pack_size * product.unit_cost_nok, 2),
                expected_arrival=on + dt.timedelta(days=product.supplier_lead_days),
                status=ORDERED,
                ordered_by=principal.username,
                ordered_at=at,
            )
            session.add(PurchaseOrderRecord(**{f: getattr(order, f) for f in order.__slots__}))
            placed.append(order)
        if placed:
            session.flush()
            write_access(
                session,
                principal=principal,
                patient_ids=[None],
                resource="purchase order " + ", ".join(f"{o.product_id} {o.units}" for o in placed),
                client=client,
                at=at,
                action="write",
            )
    return placed


def list_purchase_orders(
    *, engine: Engine, principal: Principal, status: str | None = ORDERED
) -> list[PurchaseOrder]:
    """Placed purchase orders (the open ones by default), newest first. No patient data."""
    require_role(principal, ORDER_ROLES)
    record = PurchaseOrderRecord
    query = select(record).order_by(record.ordered_at.desc(), record.id)
    if status is not None:
        query = query.where(PurchaseOrderRecord.status == status)
    with session_scope(engine) as session:
        return [
            PurchaseOrder(
                r.id, r.product_id, r.location, r.packs, r.units, r.cost_nok, r.expected_arrival, r.status,
                r.ordered_by, r.ordered_at,
            )
            for r in session.scalars(query)
        ]


def _daily_demand(
    product: Product,
    on: dt.date,
    census: Mapping[dt.date, int],
    history: Sequence[float],
    params: ReplenishmentParams,
) -> float:
    """The consumption rate the FEFO waste simulation assumes: the larger of census and trend."""
    protect = product.supplier_lead_days + params.review_period_days
    census_units = sum(q for d, q in census.items() if 0 <= (d - on).days < protect)
    return max(census_units / protect, forecast_demand(history, params).level_per_day)


def _pooling(
    suggestion: OrderSuggestionResult,
    clinic_of: Mapping[str, str],
    products: Mapping[str, Product],
    horizon_days: int,
    service_level: float,
) -> tuple[ProductPooling, ...]:
    """Per product with census demand: per-clinic Poisson σ (every clinic of the active enrolments)."""
    clinics = sorted(set(clinic_of.values()))
    units: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(clinics, 0))
    for line in suggestion.lines:
        if line.status is not LineStatus.REJECTED and line.product_id in products:
            units[line.product_id][clinic_of[line.patient_id]] += line.quantity
    return tuple(
        ProductPooling(
            pid,
            products[pid].unit_cost_nok,
            safety_stock_pooling(
                {c: math.sqrt(u / horizon_days) for c, u in by_clinic.items()},
                products[pid].supplier_lead_days,
                service_level,
            ),
        )
        for pid, by_clinic in sorted(units.items())
    )
