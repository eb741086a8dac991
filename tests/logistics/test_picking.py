"""Pick lists and van loads for a stored plan."""

import datetime as dt

from hjemme.catalogue import load_catalogue
from hjemme.domain.geo import Location
from hjemme.domain.pathways import GoodsLine
from hjemme.domain.plans import Plan, PlanKpis, Route, Stop
from hjemme.domain.resources import ResourceKind
from hjemme.domain.tasks import Goods, Task, TaskKind
from hjemme.domain.time import TimeWindow
from hjemme.logistics.picking import pick_lists
from hjemme.logistics.stock import Lot, Movement, MovementKind, StockLedger, van_location

CATALOGUE = load_catalogue()
TODAY = dt.date(2026, 11, 23)
AT = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)
WINDOW = TimeWindow(420, 600)
HERE = Location(59.93, 10.75)


def _task(task_id: str, kind: TaskKind, patient: str, lines: dict[str, int]) -> Task:
    goods = Goods.of(tuple(GoodsLine(p, q) for p, q in lines.items()), CATALOGUE.products)
    return Task(task_id, kind, patient, "E-" + patient, "iv_antibiotics", HERE, 10, WINDOW, goods=goods)


def _stop(task_id: str, patient: str, minute: int) -> Stop:
    return Stop(task_id, "delivery", patient, HERE, minute, minute, minute + 10, WINDOW)


TASKS = {
    "D1": _task("D1", TaskKind.DELIVERY, "P1", {"saline_flush": 14, "gloves_box": 1}),
    "P1": _task("P1", TaskKind.PICKUP, "P3", {"sharps_container": 1}),
    "D2": _task("D2", TaskKind.DELIVERY, "P2", {"saline_flush": 10}),
    "W1": _task("W1", TaskKind.DEVICE_SWAP, "P4", {"oxygen_concentrator": 1}),
}
PLAN = Plan(
    TODAY,
    (
        Route("van-1", ResourceKind.VAN, "V1", (
            _stop("D1", "P1", 430), _stop("P1", "P3", 460), _stop("D2", "P2", 500), _stop("W1", "P4", 540),
        )),
    ),
    (),
    (),
    PlanKpis(4, 4, 10.0, 1.0, 0.0, 0.0, 0, 1.0, 0.1),
)


def _ledger() -> StockLedger:
    lots = [
        Lot("F-late", "saline_flush", TODAY + dt.timedelta(days=300)),
        Lot("F-soon", "saline_flush", TODAY + dt.timedelta(days=5)),
        Lot("F-gone", "saline_flush", TODAY - dt.timedelta(days=1)),
    ]
    receipts = [
        Movement(f"R{i}", MovementKind.RECEIPT, lot, units, None, "logistics_centre", "po", "u", AT)
        for i, (lot, units) in enumerate([("F-late", 50), ("F-soon", 20), ("F-gone", 100)])
    ]
    return StockLedger.of(lots, receipts)


def test_van_is_loaded_in_reverse_stop_order_and_pickups_take_no_space() -> None:
    """The swap device for the last stop is loaded first and the first delivery last; the pick-up is not loaded."""
    result = pick_lists(PLAN, TASKS, _ledger(), CATALOGUE.products, warehouse="logistics_centre", user_id="u", at=AT)
    (load,) = result.loads
    assert [(item.position, item.task_id) for item in load.items] == [(1, "W1"), (2, "D2"), (3, "D1")]


def test_warehouse_picks_fefo_lots_across_stops_and_reports_shortages() -> None:
    """The first stop gets the 14 soonest-expiring flushes, the second 6 of them and 4 of the later lot; no gloves means a shortage."""
    result = pick_lists(PLAN, TASKS, _ledger(), CATALOGUE.products, warehouse="logistics_centre", user_id="u", at=AT)
    flushes = [(p.task_id, p.lot_id, p.quantity) for p in result.picks if p.product_id == "saline_flush"]
    assert flushes == [("D1", "F-soon", 14), ("D2", "F-soon", 6), ("D2", "F-late", 4)]
    assert [(s.task_id, s.product_id, s.missing) for s in result.shortages] == [("D1", "gloves_box", 1)]
    assert [(p.product_id, p.lot_id) for p in result.picks if p.task_id == "W1"] == [("oxygen_concentrator", None)]
    moved = _ledger().record_all(result.movements)
    assert moved.on_hand(location=van_location("V1")) == 24
