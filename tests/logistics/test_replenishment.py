"""Replenishment: forecast from history, census demand, reorder point, pack rounding, expiry netting, pooling."""

import datetime as dt
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hjemme.catalogue import load_catalogue
from hjemme.domain.people import Enrolment
from hjemme.errors import InputError
from hjemme.logistics.orders import suggest_orders
from hjemme.logistics.pooling import safety_stock_pooling
from hjemme.logistics.replenishment import (
    InventoryPosition,
    ReplenishmentParams,
    census_demand,
    expected_waste,
    forecast_demand,
    inventory_position,
    plan_replenishment,
)
from hjemme.logistics.stock import Lot, Movement, MovementKind, StockLedger

CATALOGUE = load_catalogue()
TODAY = dt.date(2026, 11, 23)
Z95 = 1.6448536269514722


def _census(units_per_day: int, days: int) -> dict[str, dict[dt.date, int]]:
    return {"gloves_box": {TODAY + dt.timedelta(days=d): units_per_day for d in range(days)}}


def test_reorder_point_and_order_up_to_from_census_by_hand() -> None:
    """Gloves (lead 3 d, pack 10) at 2/day with 5 in stock: ROP 10.03, order-up-to 27.36, so 3 packs are ordered."""
    result = plan_replenishment(
        TODAY, CATALOGUE.products, {"gloves_box": InventoryPosition("gloves_box", 5)}, census=_census(2, 30)
    )
    (row,) = result.rows
    sigma = math.sqrt(20 / 10)  # Poisson fallback: 20 units over the 10-day protection period
    assert row.reorder_point == pytest.approx(6 + Z95 * sigma * math.sqrt(3))
    assert row.order_up_to == pytest.approx(20 + Z95 * sigma * math.sqrt(10))
    (order,) = result.purchase_orders
    assert (order.packs, order.units, order.expected_arrival) == (3, 30, TODAY + dt.timedelta(days=3))
    assert order.cost_nok == pytest.approx(30 * 60)


def test_no_order_above_the_reorder_point() -> None:
    """With 40 gloves in stock and 2/day needed, nothing is ordered."""
    result = plan_replenishment(
        TODAY, CATALOGUE.products, {"gloves_box": InventoryPosition("gloves_box", 40)}, census=_census(2, 30)
    )
    assert result.purchase_orders == ()


@pytest.mark.parametrize("smoothing_level", [0.2, None])
def test_forecast_of_a_steady_history_is_its_level(smoothing_level: float | None) -> None:
    """Thirty days of exactly 5 units a day forecast 5 a day with no spread, fixed or estimated smoothing."""
    forecast = forecast_demand([5.0] * 30, ReplenishmentParams(smoothing_level=smoothing_level))
    assert forecast.level_per_day == pytest.approx(5.0, abs=1e-6)
    assert forecast.sigma_per_day == pytest.approx(0.0, abs=1e-6)


def test_history_wins_when_it_is_larger_than_the_census() -> None:
    """When history says 6/day but enrolled patients need 2/day, the 6/day trend drives the order."""
    params = ReplenishmentParams(smoothing_level=0.3)
    result = plan_replenishment(
        TODAY, CATALOGUE.products, {"gloves_box": InventoryPosition("gloves_box", 0)},
        census=_census(2, 30), history={"gloves_box": [6.0] * 28}, params=params,
    )
    assert result.rows[0].expected_units == pytest.approx(60.0)


def test_census_wins_when_patients_need_more_than_the_trend() -> None:
    """When enrolled patients need 4/day but history says 1/day, the census drives the order."""
    result = plan_replenishment(
        TODAY, CATALOGUE.products, {"gloves_box": InventoryPosition("gloves_box", 0)},
        census=_census(4, 30), history={"gloves_box": [1.0] * 28},
    )
    assert result.rows[0].expected_units == pytest.approx(40.0)


def test_units_that_will_expire_unused_are_netted_out() -> None:
    """20 units expiring in 2 days at 1/day: 3 get used, 17 count as waste and an order is suggested."""
    assert expected_waste([(TODAY + dt.timedelta(days=2), 20)], 1.0, TODAY, 10) == 17
    lot = Lot("L1", "gloves_box", TODAY + dt.timedelta(days=2))
    ledger = StockLedger.of(
        [lot], [Movement("R", MovementKind.RECEIPT, "L1", 20, None, "lc", "po", "u", dt.datetime(2026, 11, 1, tzinfo=dt.UTC))]
    )
    params = ReplenishmentParams()
    position = inventory_position(ledger, "lc", CATALOGUE.products["gloves_box"], TODAY, 1.0, params)
    assert (position.on_hand, position.expiring_unused, position.position) == (20, 17, 3)
    result = plan_replenishment(TODAY, CATALOGUE.products, {"gloves_box": position}, census=_census(1, 30))
    assert result.purchase_orders and result.purchase_orders[0].units % 10 == 0


def test_census_demand_counts_suggested_lines_by_delivery_date() -> None:
    """The census of one IV-antibiotics patient over 14 days is 14 pumps, 7 on each of two delivery days."""
    suggestion = suggest_orders(
        TODAY, 14, [Enrolment("E1", "P1", "iv_antibiotics", TODAY, 20)], CATALOGUE.pathways,
        CATALOGUE.products, CATALOGUE.device_types,
    )
    pumps = census_demand(suggestion)["antibiotic_pump"]
    assert pumps == {TODAY: 7, TODAY + dt.timedelta(days=7): 7}


@settings(max_examples=40, deadline=None)
@given(
    product_id=st.sampled_from(sorted(CATALOGUE.products)),
    on_hand=st.integers(0, 500),
    per_day=st.integers(0, 20),
    history=st.lists(st.floats(0, 30), min_size=0, max_size=40),
)
def test_orders_are_whole_packs_that_reach_the_order_up_to_level(
    product_id: str, on_hand: int, per_day: int, history: list[float]
) -> None:
    """Every suggested order is whole packs and lifts the position to at least the order-up-to level."""
    census = {product_id: {TODAY + dt.timedelta(days=d): per_day for d in range(60)}}
    result = plan_replenishment(
        TODAY, CATALOGUE.products, {product_id: InventoryPosition(product_id, on_hand)},
        census=census, history={product_id: history}, params=ReplenishmentParams(smoothing_level=0.3),
    )
    (row,) = result.rows
    pack = CATALOGUE.products[product_id].pack_size
    assert row.order_units % pack == 0
    if row.order_units:
        assert row.position + row.order_units >= row.order_up_to - 1e-6
        assert row.order_units - pack < row.order_up_to - row.position + 1e-6


def test_pooling_by_hand() -> None:
    """Two clinics with σ 3 and 4 per day: pooled σ is 5, so pooled safety stock is 5/7 of the separate total."""
    result = safety_stock_pooling({"a": 3.0, "b": 4.0}, lead_days=4, service_level=0.95)
    assert result.separate_total == pytest.approx(Z95 * 7 * 2)
    assert result.pooled == pytest.approx(Z95 * 5 * 2)
    assert result.saving_share == pytest.approx(2 / 7)


@settings(max_examples=60, deadline=None)
@given(
    sigmas=st.dictionaries(st.text("abcdef", min_size=1, max_size=3), st.floats(0, 1e4), max_size=8),
    lead=st.floats(0, 90),
    level=st.floats(0.5, 0.999),
)
def test_pooled_safety_stock_never_exceeds_the_sum_of_separate(
    sigmas: dict[str, float], lead: float, level: float
) -> None:
    """For any clinics' demand spreads, pooled safety stock is at most the sum of the separate ones."""
    result = safety_stock_pooling(sigmas, lead, level)
    assert result.pooled <= result.separate_total * (1 + 1e-9) + 1e-9


def test_bad_service_level_is_refused() -> None:
    """A service level of 1 (infinite safety stock) is refused naming the service level."""
    with pytest.raises(InputError, match="service_level"):
        safety_stock_pooling({"a": 1.0}, 3, 1.0)
