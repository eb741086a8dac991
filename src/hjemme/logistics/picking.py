"""Pick lists and van loads for a day plan.

Once the planner has put the day's deliveries and device swaps on routes, the warehouse needs to
know what to pick (with which lots, first expiry first) and the driver in which order to load:
the last stop's goods go in first so that each stop's goods are at the door when the van gets
there (reverse stop order). Picking is simulated against a working copy of the stock ledger so
that two stops never get the same units; the pick movements are returned for the caller to
store. MTU devices are serial-numbered in the device register, not lots, so their pick lines
carry no lot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from hjemme.domain.catalogue import Product, ProductCategory
from hjemme.domain.pathways import GoodsLine
from hjemme.domain.plans import Plan
from hjemme.domain.tasks import Task, TaskKind
from hjemme.logistics.stock import (
    InsufficientStockError,
    LotPick,
    Movement,
    MovementKind,
    StockLedger,
    movements_for_picks,
    pick_fefo,
    van_location,
)

LOADED_KINDS = frozenset({TaskKind.DELIVERY, TaskKind.DEVICE_SWAP})


@dataclass(frozen=True, slots=True)
class LoadItem:
    """Goods for one stop; ``position`` 1 is loaded first (deepest in the van)."""

    position: int
    stop_index: int
    task_id: str
    patient_id: str
    lines: tuple[GoodsLine, ...]


@dataclass(frozen=True, slots=True)
class VanLoad:
    resource_id: str
    vehicle_id: str | None
    items: tuple[LoadItem, ...]
    volume_l: float
    weight_kg: float


@dataclass(frozen=True, slots=True)
class PickLine:
    resource_id: str
    task_id: str
    patient_id: str
    product_id: str
    quantity: int
    lot_id: str | None
    expiry_date: dt.date | None


@dataclass(frozen=True, slots=True)
class PickShortage:
    task_id: str
    product_id: str
    missing: int


@dataclass(frozen=True, slots=True)
class PickListResult:
    loads: tuple[VanLoad, ...]
    picks: tuple[PickLine, ...]
    shortages: tuple[PickShortage, ...]
    movements: tuple[Movement, ...]  # warehouse → van, to record when the pick is confirmed


def pick_lists(
    plan: Plan,
    tasks: Mapping[str, Task],
    ledger: StockLedger,
    products: Mapping[str, Product],
    *,
    warehouse: str,
    user_id: str,
    at: dt.datetime,
) -> PickListResult:
    """Van loads in reverse stop order and FEFO pick lines from ``warehouse`` for ``plan``."""
    loads: list[VanLoad] = []
    picks: list[PickLine] = []
    shortages: list[PickShortage] = []
    movements: list[Movement] = []
    working = ledger
    for route in plan.routes:
        carried = [
            (i, tasks[stop.task_id])
            for i, stop in enumerate(route.stops)
            if stop.task_id is not None
            and stop.task_id in tasks
            and tasks[stop.task_id].kind in LOADED_KINDS
            and tasks[stop.task_id].goods is not None
        ]
        if not carried:
            continue
        items = []
        volume = weight = 0.0
        for position, (stop_index, task) in enumerate(reversed(carried), start=1):
            goods = task.goods
            assert goods is not None
            items.append(LoadItem(position, stop_index, task.id, task.patient_id, goods.lines))
            volume += goods.volume_l
            weight += goods.weight_kg
        loads.append(
            VanLoad(route.resource_id, route.vehicle_id, tuple(items), round(volume, 3), round(weight, 3))
        )

        destination = van_location(route.vehicle_id or route.resource_id)
        for _, task in carried:
            assert task.goods is not None
            for n, line in enumerate(task.goods.lines):
                if products[line.product_id].category is ProductCategory.MTU:
                    picks.append(
                        PickLine(
                            route.resource_id,
                            task.id,
                            task.patient_id,
                            line.product_id,
                            line.quantity,
                            None,
                            None,
                        )
                    )
                    continue
                lot_picks, missing = _pick(working, warehouse, line, plan.date)
                if missing:
                    shortages.append(PickShortage(task.id, line.product_id, missing))
                if not lot_picks:
                    continue
                new = movements_for_picks(
                    lot_picks,
                    kind=MovementKind.PICK,
                    from_location=warehouse,
                    to_location=destination,
                    reason_code="plan",
                    user_id=user_id,
                    at=at,
                    id_prefix=f"PK-{plan.date:%Y%m%d}-{task.id}-{n}",
                )
                working = working.record_all(new)
                movements.extend(new)
                picks.extend(
                    PickLine(
                        route.resource_id,
                        task.id,
                        task.patient_id,
                        p.product_id,
                        p.quantity,
                        p.lot_id,
                        p.expiry_date,
                    )
                    for p in lot_picks
                )
    return PickListResult(tuple(loads), tuple(picks), tuple(shortages), tuple(movements))


def _pick(
    ledger: StockLedger, warehouse: str, line: GoodsLine, on: dt.date
) -> tuple[tuple[LotPick, ...], int]:
    """FEFO picks for a line, and how many units could not be picked from usable stock."""
    try:
        return pick_fefo(ledger, warehouse, line.product_id, line.quantity, on), 0
    except InsufficientStockError:
        usable = ledger.on_hand(location=warehouse, product_id=line.product_id, usable_on=on)
        if usable == 0:
            return (), line.quantity
        return pick_fefo(ledger, warehouse, line.product_id, usable, on), line.quantity - usable
