"""Replenishment: what the logistics centre should buy, how much and when.

Demand has two sources that see different things. The *census* (order suggestions for the
patients enrolled now, :mod:`hjemme.logistics.orders`) knows exactly what today's patients will
need but nothing about patients not admitted yet. The *history* of consumption sees everyone
but lags. The expected demand over a protection period is therefore the larger of the two sums:
never plan for less than the patients we know, nor less than the trend. The trend is forecast
with statsmodels' simple exponential smoothing (not hand-rolled), and the spread of its
one-step errors gives the demand uncertainty.

From that: a reorder point over the supplier lead time L and an order-up-to level over L plus the
review period R, both with safety stock z·σ·√t for the service-level target (z from the normal
distribution); the inventory position nets out units that will expire before FEFO consumption
reaches them; the order quantity is rounded up to whole packs.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from statsmodels.tsa.holtwinters import SimpleExpSmoothing

from hjemme.domain.catalogue import Product
from hjemme.errors import InputError
from hjemme.logistics.orders import LineStatus, OrderSuggestionResult
from hjemme.logistics.pooling import service_level_z
from hjemme.logistics.stock import StockLedger


@dataclass(frozen=True, slots=True)
class ReplenishmentParams:
    """Targets for purchasing; the defaults are assumptions to agree with the logistics centre.

    ``smoothing_level`` is fixed by default (0.2, an assumption: slow-moving supplies): fitting it
    per product with statsmodels' optimiser costs 15–60 ms a product on the shared 2-core machine,
    which would put 500 products far over the 5 s budget (measured in benchmarks/). ``None``
    estimates it per product when the time is available.
    """

    service_level: float = 0.95
    review_period_days: int = 7
    smoothing_level: float | None = 0.2
    min_history_days: int = 14

    def __post_init__(self) -> None:
        service_level_z(self.service_level)
        if self.review_period_days < 1:
            raise ValueError("review_period_days must be at least 1")
        if self.min_history_days < 10:
            raise ValueError("min_history_days must be at least 10 (statsmodels' heuristic start)")
        if self.smoothing_level is not None and not 0.0 < self.smoothing_level <= 1.0:
            raise ValueError("smoothing_level must be in (0, 1]")


@dataclass(frozen=True, slots=True)
class DemandForecast:
    """Daily demand level and its standard deviation forecast from history (units per day)."""

    level_per_day: float
    sigma_per_day: float
    from_history: bool


@dataclass(frozen=True, slots=True)
class InventoryPosition:
    """What the store holds of one product: usable units, units that will expire unused, on order."""

    product_id: str
    on_hand: int
    expiring_unused: int = 0
    on_order: int = 0

    @property
    def position(self) -> int:
        return self.on_hand - self.expiring_unused + self.on_order


@dataclass(frozen=True, slots=True)
class ReplenishmentRow:
    """The reasoning for one product, so a buyer can see why an order is (not) suggested."""

    product_id: str
    lead_days: int
    census_units: int  # what enrolled patients need over lead time + review period
    forecast: DemandForecast
    expected_units: float  # demand over lead time + review period
    safety_stock: float
    reorder_point: float
    order_up_to: float
    position: int
    order_units: int
    order_packs: int


@dataclass(frozen=True, slots=True)
class PurchaseOrderLine:
    product_id: str
    packs: int
    units: int
    order_date: dt.date
    expected_arrival: dt.date
    cost_nok: float


@dataclass(frozen=True, slots=True)
class ReplenishmentResult:
    rows: tuple[ReplenishmentRow, ...]
    purchase_orders: tuple[PurchaseOrderLine, ...]


def forecast_demand(history: Sequence[float], params: ReplenishmentParams) -> DemandForecast:
    """Daily level and σ from a consumption history (oldest first) with simple exponential smoothing.

    Shorter histories than ``min_history_days`` give ``from_history=False`` and a zero forecast,
    leaving the census to carry the demand.
    """
    values = np.asarray(history, dtype=float)
    if len(values) < params.min_history_days:
        return DemandForecast(0.0, 0.0, from_history=False)
    if np.any(values < 0):
        raise InputError("history", "forbruk kan ikke være negativt")
    if not values.any():
        return DemandForecast(0.0, 0.0, from_history=True)
    with warnings.catch_warnings():
        # statsmodels warns about convergence and log(0) on flat series; the fit is still usable.
        warnings.simplefilter("ignore")
        if params.smoothing_level is None:
            fit = SimpleExpSmoothing(values, initialization_method="estimated").fit()
        else:
            model = SimpleExpSmoothing(values, initialization_method="heuristic")
            fit = model.fit(smoothing_level=params.smoothing_level, optimized=False)
        level = float(fit.forecast(1)[0])
        sigma = float(np.std(fit.resid, ddof=1)) if len(values) > 1 else 0.0
    return DemandForecast(max(0.0, level), sigma if math.isfinite(sigma) else 0.0, from_history=True)


def census_demand(
    suggestion: OrderSuggestionResult, *, by: str = "delivery_date"
) -> dict[str, dict[dt.date, int]]:
    """Units per product per day the store must issue for the suggested (or accepted) lines.

    ``by="delivery_date"`` (default) dates demand when goods leave the store; ``"needed_by"`` when
    patients use them.
    """
    if by not in ("delivery_date", "needed_by"):
        raise InputError("by", "by må være delivery_date eller needed_by")
    demand: dict[str, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for line in suggestion.lines:
        if line.status is not LineStatus.REJECTED:
            demand[line.product_id][getattr(line, by)] += line.quantity
    return {p: dict(days) for p, days in demand.items()}


def expected_waste(
    lots: Iterable[tuple[dt.date | None, int]], daily_demand: float, on: dt.date, window_days: int
) -> int:
    """Units that will pass their use-by date before FEFO consumption at ``daily_demand`` uses them.

    Only lots expiring within ``window_days`` of ``on`` count; later lots are assumed usable.
    """
    consumed = 0.0
    waste = 0
    ordered = sorted(lots, key=lambda lot: (lot[0] is None, lot[0] or dt.date.max))
    for expiry, units in ordered:
        if expiry is None:
            continue
        days = (expiry - on).days + 1  # usable through the expiry date
        capacity = max(0.0, daily_demand * max(days, 0) - consumed)
        used = min(float(units), capacity)
        consumed += used
        if days > window_days:
            break
        waste += units - math.floor(used + 1e-9)
    return waste


def inventory_position(
    ledger: StockLedger,
    location: str,
    product: Product,
    on: dt.date,
    daily_demand: float,
    params: ReplenishmentParams,
    on_order: int = 0,
) -> InventoryPosition:
    """The position of ``product`` at ``location`` from the ledger, expected waste netted out."""
    lots = ledger.lots_at(location, product.id)
    usable = [(lot.expiry_date, units) for lot, units in lots if lot.usable_on(on)]
    window = product.supplier_lead_days + params.review_period_days
    return InventoryPosition(
        product.id,
        on_hand=sum(units for _, units in usable),
        expiring_unused=expected_waste(usable, daily_demand, on, window),
        on_order=on_order,
    )


def plan_replenishment(
    on: dt.date,
    products: Mapping[str, Product],
    positions: Mapping[str, InventoryPosition],
    *,
    census: Mapping[str, Mapping[dt.date, int]] | None = None,
    history: Mapping[str, Sequence[float]] | None = None,
    params: ReplenishmentParams | None = None,
) -> ReplenishmentResult:
    """Reorder points, order-up-to levels and purchase orders for every product in ``positions``."""
    params = params or ReplenishmentParams()
    census = census or {}
    history = history or {}
    z = service_level_z(params.service_level)
    rows: list[ReplenishmentRow] = []
    orders: list[PurchaseOrderLine] = []
    for product_id in sorted(positions):
        product = products[product_id]
        lead = product.supplier_lead_days
        protect = lead + params.review_period_days
        forecast = forecast_demand(history.get(product_id, ()), params)
        by_day = census.get(product_id, {})
        census_lead = sum(q for d, q in by_day.items() if 0 <= (d - on).days < lead)
        census_protect = sum(q for d, q in by_day.items() if 0 <= (d - on).days < protect)
        sigma = forecast.sigma_per_day
        if not forecast.from_history:
            sigma = math.sqrt(census_protect / protect) if protect else 0.0  # Poisson fallback
        lead_units = max(float(census_lead), forecast.level_per_day * lead)
        protect_units = max(float(census_protect), forecast.level_per_day * protect)
        safety = z * sigma * math.sqrt(protect)
        reorder_point = lead_units + z * sigma * math.sqrt(lead)
        order_up_to = protect_units + safety
        position = positions[product_id].position
        units = packs = 0
        if position <= reorder_point and order_up_to > position:
            packs = math.ceil((order_up_to - position) / product.pack_size - 1e-9)
            units = packs * product.pack_size
            orders.append(
                PurchaseOrderLine(
                    product_id, packs, units, on, on + dt.timedelta(days=lead),
                    round(units * product.unit_cost_nok, 2),
                )
            )
        rows.append(
            ReplenishmentRow(
                product_id, lead, census_protect, forecast, protect_units, safety, reorder_point,
                order_up_to, position, units, packs,
            )
        )
    return ReplenishmentResult(tuple(rows), tuple(orders))
