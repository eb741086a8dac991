"""Suggested purchase orders on a seeded database, checked against inputs the test derives itself."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

import pytest
from sqlalchemy import Engine, func, select

from hjemme.catalogue import load_catalogue
from hjemme.domain.catalogue import ProductCategory
from hjemme.domain.security import Role
from hjemme.errors import InputError, PermissionDeniedError
from hjemme.logistics import orders as order_engine
from hjemme.logistics.replenishment import (
    InventoryPosition,
    ReplenishmentParams,
    census_demand,
    expected_waste,
    plan_replenishment,
)
from hjemme.logistics.stock import Lot, Movement, MovementKind
from hjemme.services import logistics as service
from hjemme.services.auth import Principal
from hjemme.services.seeding import seed_population
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.logistics_tables import StockLotRecord, StockMovementRecord
from hjemme.store.tables import AccessLogRecord

DATE = dt.date(2026, 11, 23)
AT = dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)
HORIZON = 14
CATALOGUE = load_catalogue()
PRODUCTS = {p.id: p for p in CATALOGUE.products.values() if p.category is not ProductCategory.MTU}
BUYER = Principal("innkjop", Role.LOGISTICS)
WAREHOUSE = "logistics_centre"


def _suggest(engine: Engine, on: dt.date = DATE, **kwargs: object) -> service.PurchaseOrderResult:
    return service.suggest_purchase_orders(
        engine=engine, principal=BUYER, client="10.0.0.9", at=AT, on=on, **kwargs
    )


def _census(engine: Engine, on: dt.date) -> tuple[dict[str, dict[dt.date, int]], dict[str, str]]:
    """The census straight from the order engine over the enrolments the test selects itself."""
    end = on + dt.timedelta(days=HORIZON - 1)
    with session_scope(engine) as session:
        enrolments = [e for e in repo.list_enrolments(session) if e.start_date <= end and e.end_date >= on]
        patients = {p.id: p for p in repo.list_patients(session)}
    suggestion = order_engine.suggest_orders(
        on, HORIZON, enrolments, CATALOGUE.pathways, CATALOGUE.products, CATALOGUE.device_types,
        patients=patients,
    )  # fmt: skip
    return census_demand(suggestion), {e.patient_id: patients[e.patient_id].clinic for e in enrolments}


def _lots_at_warehouse(engine: Engine) -> dict[str, list[tuple[str, dt.date | None, int]]]:
    """(lot, expiry, units) of every lot at the centre, summed from the raw movement rows."""
    with session_scope(engine) as session:
        lots = {r.id: r for r in session.scalars(select(StockLotRecord))}
        units: dict[str, int] = defaultdict(int)
        for m in session.scalars(select(StockMovementRecord)):
            if m.to_location == WAREHOUSE:
                units[m.lot_id] += m.quantity
            if m.from_location == WAREHOUSE:
                units[m.lot_id] -= m.quantity
        # a seeded world has no stock at home: the census needs no netting in this test
        assert not session.scalar(
            select(func.count()).select_from(StockMovementRecord).where(StockMovementRecord.to_location.like("home:%"))
        )
    by_product: dict[str, list[tuple[str, dt.date | None, int]]] = defaultdict(list)
    for lot_id, n in units.items():
        if n > 0:
            by_product[lots[lot_id].product_id].append((lot_id, lots[lot_id].expiry_date, n))
    return by_product


def _positions(engine: Engine, census: dict[str, dict[dt.date, int]]) -> dict[str, InventoryPosition]:
    """Usable units (unexpired lots only) less the engine's expected waste at the census rate."""
    params = ReplenishmentParams()
    positions = {}
    lots = _lots_at_warehouse(engine)
    for pid, product in PRODUCTS.items():
        usable = [(exp, n) for _, exp, n in lots.get(pid, []) if exp is None or exp >= DATE]
        protect = product.supplier_lead_days + params.review_period_days
        daily = sum(q for d, q in census.get(pid, {}).items() if 0 <= (d - DATE).days < protect) / protect
        positions[pid] = InventoryPosition(
            pid, sum(n for _, n in usable), expected_waste(usable, daily, DATE, protect)
        )
    return positions


def _scrap_all(engine: Engine, product_ids: list[str]) -> None:
    """Take every unit of these products out of the centre (a stock count found them damaged)."""
    lots = _lots_at_warehouse(engine)
    moves = [
        Movement(f"scrap-{lot}", MovementKind.SCRAP, lot, n, WAREHOUSE, None, "damaged", "t", AT)
        for pid in product_ids
        for lot, _, n in lots[pid]
    ]
    service.record_stock_movements(engine=engine, movements=moves)


@pytest.fixture
def world(db_engine: Engine) -> tuple[Engine, list[str]]:
    """A seeded population with stock; three products the patients need soon have run out."""
    seed_population(engine=db_engine, n_patients=30, seed=3, date=DATE)
    census, _ = _census(db_engine, DATE)
    needed = sorted(
        pid
        for pid, days in census.items()
        if pid in PRODUCTS and any(0 <= (d - DATE).days < PRODUCTS[pid].supplier_lead_days for d in days)
    )
    assert len(needed) >= 3
    _scrap_all(db_engine, needed[:3])
    return db_engine, needed[:3]


def test_orders_exactly_the_products_below_their_reorder_point(world) -> None:
    """Every product whose position is at or below its reorder point is ordered, in whole packs, and nothing else."""
    engine, emptied = world
    result = _suggest(engine)
    census, _ = _census(engine, DATE)
    positions = _positions(engine, census)
    assert {pid: p.position for pid, p in result.positions.items()} == {
        pid: p.position for pid, p in positions.items()
    }
    expected = plan_replenishment(DATE, PRODUCTS, positions, census=census)
    rows = {r.product_id: r for r in expected.rows}
    below = {pid for pid, r in rows.items() if r.position <= r.reorder_point and r.order_up_to > r.position}
    ordered = {o.product_id: o for o in result.orders}
    assert set(ordered) == below and set(emptied) <= below
    assert len(below) < len(PRODUCTS)  # the stocked products are left alone
    for pid, order in ordered.items():
        row, pack = rows[pid], PRODUCTS[pid].pack_size
        assert order.units == order.packs * pack and order.pack_size == pack
        assert order.packs == math.ceil((row.order_up_to - row.position) / pack - 1e-9)
        assert order.reorder_point == pytest.approx(row.reorder_point)
        assert order.order_up_to == pytest.approx(row.order_up_to)
        assert order.order_by == DATE
        assert order.expected_arrival == DATE + dt.timedelta(days=PRODUCTS[pid].supplier_lead_days)
        assert order.forecast == "census"
    assert result.history_days == 0  # the ledger began today: no history, census with Poisson σ


def test_expired_and_expiring_stock_is_not_available(world) -> None:
    """A lot already expired adds nothing on hand and a big lot expiring tomorrow adds at most two days' use."""
    engine, emptied = world
    pid = emptied[0]
    before = _suggest(engine)
    row = next(r for r in before.rows if r.product_id == pid)
    daily = row.expected_units / (row.lead_days + ReplenishmentParams().review_period_days)
    lots = [Lot("old-1", pid, DATE - dt.timedelta(days=1)), Lot("soon-1", pid, DATE + dt.timedelta(days=1))]
    service.record_stock_movements(
        engine=engine,
        new_lots=lots,
        movements=[
            Movement("r-old", MovementKind.RECEIPT, "old-1", 5000, None, WAREHOUSE, "test", "t", AT),
            Movement("r-soon", MovementKind.RECEIPT, "soon-1", 5000, None, WAREHOUSE, "test", "t", AT),
        ],
    )
    after = _suggest(engine)
    position = after.positions[pid]
    assert position.on_hand == before.positions[pid].on_hand + 5000  # the expired lot is not counted
    assert position.expiring_unused >= 5000 - math.floor(2 * daily + 1e-9)
    assert pid in {o.product_id for o in after.orders}


def test_pooled_safety_stock_is_at_most_the_per_clinic_sum(world) -> None:
    """For every product the pooled safety stock is at most the sum of the clinics' own, over the active enrolments' clinics."""
    engine, _ = world
    result = _suggest(engine)
    _, clinic_of = _census(engine, DATE)
    assert result.pooling
    for pooling in result.pooling:
        assert set(pooling.result.separate_by_site) == set(clinic_of.values())
        assert pooling.result.pooled <= pooling.result.separate_total + 1e-9
        assert pooling.result.lead_days == PRODUCTS[pooling.product_id].supplier_lead_days
    assert any(p.result.saving > 0 for p in result.pooling)
    assert result.pooled_nok <= result.separate_nok


def test_consumption_history_comes_from_picks_out_of_the_centre(db_engine: Engine) -> None:
    """Daily picks out of the centre become the history (transfers and returns do not), and drive the forecast."""
    start = DATE - dt.timedelta(days=21)
    seed_population(engine=db_engine, n_patients=10, seed=4, date=start)
    with session_scope(db_engine) as session:  # the seed's long-dated lot
        lot = session.scalars(
            select(StockLotRecord.id).where(StockLotRecord.product_id == "syringe_10ml")
            .order_by(StockLotRecord.expiry_date.desc())
        ).first()
    moves = []
    for day in range(21):
        when = dt.datetime.combine(start + dt.timedelta(days=day), dt.time(9), tzinfo=dt.UTC)
        moves.append(Movement(f"p{day}", MovementKind.PICK, lot, 5, WAREHOUSE, "van:V1", "order", "t", when))
    when = dt.datetime.combine(start + dt.timedelta(days=3), dt.time(12), tzinfo=dt.UTC)
    moves.append(Movement("tr", MovementKind.TRANSFER, lot, 7, WAREHOUSE, "store:aker", "move", "t", when))
    moves.append(Movement("ret", MovementKind.RETURN, lot, 2, "van:V1", WAREHOUSE, "unused", "t", when))
    service.record_stock_movements(engine=db_engine, movements=moves)
    result = _suggest(db_engine)
    assert result.history_days == 21
    rows = {r.product_id: r for r in result.rows}
    assert rows["syringe_10ml"].forecast.from_history
    assert rows["syringe_10ml"].forecast.level_per_day == pytest.approx(5.0)
    assert rows["gloves_box"].forecast.from_history and rows["gloves_box"].forecast.level_per_day == 0.0


def test_roles_bad_input_and_no_access_log(world) -> None:
    """Technicians are refused, a bad service level or horizon names the field, and nothing is access-logged."""
    engine, _ = world
    with session_scope(engine) as session:  # the seeder's own writes are logged (issue 13)
        logged = session.scalar(select(func.count()).select_from(AccessLogRecord))
    with pytest.raises(PermissionDeniedError):
        service.suggest_purchase_orders(
            engine=engine, principal=Principal("tek", Role.TECHNICIAN), client=None, at=AT, on=DATE
        )
    with pytest.raises(InputError) as error:
        _suggest(engine, service_level=1.0)
    assert error.value.field == "service_level"
    with pytest.raises(InputError) as error:
        _suggest(engine, horizon_days=0)
    assert error.value.field == "horizon"
    for role in (Role.ADMIN, Role.COORDINATOR):
        service.suggest_purchase_orders(engine=engine, principal=Principal("x", role), client=None, at=AT, on=DATE)
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(AccessLogRecord)) == logged


def test_low_stock_list_names_what_ran_out_worst_first(world) -> None:
    """The low-stock list holds the emptied products (usable 0, short by their reorder point), worst first,
    and only products whose usable stock is below their pathway-driven reorder point."""
    engine, emptied = world
    low = service.low_stock_list(engine=engine, principal=BUYER, client=None, at=AT, on=DATE)
    by_product = {x.product_id: x for x in low}
    points = {row.product_id: math.ceil(row.reorder_point) for row in _suggest(engine).rows}
    for pid in emptied:
        if points[pid] > 0:
            assert by_product[pid].usable == 0 and by_product[pid].shortfall == points[pid]
    assert all(x.usable < x.reorder_point == points[x.product_id] for x in low)
    assert [x.shortfall for x in low] == sorted((x.shortfall for x in low), reverse=True)
    with pytest.raises(PermissionDeniedError):
        service.low_stock_list(engine=engine, principal=Principal("x", Role.CLINICIAN), client=None, at=AT, on=DATE)
