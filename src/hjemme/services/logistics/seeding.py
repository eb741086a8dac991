"""Initial stock and a device pool for a synthetic world (demo and ``hjemme seed``)."""


from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, replace

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain.catalogue import ProductCategory
from hjemme.errors import ConflictError
from hjemme.logistics import devices as device_engine
from hjemme.logistics.devices import (
    Device,
    DeviceLocationKind,
    DeviceParams,
    DeviceStatus,
)
from hjemme.logistics.stock import Lot, Movement, MovementKind
from hjemme.services.logistics._rows import (
    WAREHOUSE,
    _append,
    _save_devices,
)
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.logistics_tables import DeviceRecord, OrderLineRecord, StockLotRecord, StockMovementRecord


@dataclass(frozen=True, slots=True)
class LogisticsSeedResult:
    lots: int
    movements: int
    devices: int
    devices_assigned: int


def seed_logistics(
    *, engine: Engine, date: dt.date, seed: int = 0, catalogue: Catalogue | None = None
) -> LogisticsSeedResult:
    """Initial stock and a device pool for the stored population, in one transaction of its own."""
    with session_scope(engine) as session:
        return seed_logistics_in(session, date=date, seed=seed, catalogue=catalogue)


def clear_logistics_in(session: Session) -> None:
    """Delete the synthetic world's stock, ledger, device register and order lines (a re-seed)."""
    for table in (OrderLineRecord, DeviceRecord, StockMovementRecord, StockLotRecord):
        session.execute(delete(table))


def seed_logistics_in(
    session: Session, *, date: dt.date, seed: int = 0, catalogue: Catalogue | None = None
) -> LogisticsSeedResult:
    """Initial stock at the logistics centre and a device pool; deterministic in ``seed``.

    Runs inside the caller's transaction, so seeding a population and its logistics is all or
    nothing. Two lots per non-MTU product (one of them close to expiry, so the expiring list has
    content), and per device type enough devices for the enrolments active on ``date`` plus 25 %
    spares, with service dates spread over the interval so some come due soon. Active enrolments
    get their devices assigned. Refuses to seed twice.
    """
    catalogue = catalogue or load_catalogue()
    rng = random.Random(seed)
    at = dt.datetime.combine(date, dt.time(6, 0), tzinfo=dt.UTC)
    if session.scalar(select(func.count()).select_from(StockLotRecord)):
        raise ConflictError("logistikkdata er allerede lagt inn (lagerpartier finnes)")
    lots: list[Lot] = []
    movements: list[Movement] = []
    for index, product in enumerate(sorted(catalogue.products.values(), key=lambda p: p.id), start=1):
        if product.category is ProductCategory.MTU:
            continue
        for n in range(2):
            expiry = None
            if product.shelf_life_days is not None:
                shelf = product.shelf_life_days
                days = (
                    rng.randint(1, max(1, min(10, shelf - 1)))
                    if n == 0
                    else rng.randint(max(1, shelf // 2), shelf)
                )
                expiry = date + dt.timedelta(days=days)
            # a batch number as printed on a package, not a product code (pages show it to pickers)
            lot = Lot(f"L{seed:02d}{index:03d}-{n + 1}", product.id, expiry)
            units = product.pack_size * rng.randint(4, 20)
            lots.append(lot)
            movements.append(
                Movement(
                    f"seed-{lot.id}",
                    MovementKind.RECEIPT,
                    lot.id,
                    units,
                    None,
                    WAREHOUSE,
                    "initial_stock",
                    "seed",
                    at,
                )
            )
    _append(session, lots, movements)

    active = repo.list_enrolments(session, active_on=date)
    need: dict[str, int] = defaultdict(int)
    for enrolment in active:
        for spec in catalogue.pathways[enrolment.pathway_id].devices:
            need[spec.device_type_id] += spec.quantity
    pool: list[Device] = []
    for type_id, device_type in sorted(catalogue.device_types.items()):
        count = need.get(type_id, 0) + max(2, round(0.25 * need.get(type_id, 0)))
        for n in range(count):
            last = date - dt.timedelta(days=rng.randint(0, device_type.service_interval_days - 1))
            pool.append(
                Device(
                    f"{type_id.upper()[:3]}-{seed}-{n:04d}",
                    type_id,
                    DeviceStatus.AVAILABLE,
                    DeviceLocationKind.WAREHOUSE,
                    WAREHOUSE,
                    last,
                )
            )
    assigned = device_engine.assign_devices(
        pool, active, catalogue.pathways, catalogue.device_types, date
    )
    enrolment_by_id = {e.id: e for e in active}
    devices = []
    params = DeviceParams()
    for device in assigned.devices:
        if device.enrolment_id is not None:
            days = (date - enrolment_by_id[device.enrolment_id].start_date).days
            limit = catalogue.device_types[device.device_type_id].service_interval_usage_hours
            hours = days * params.hours_per_day(device.device_type_id)
            device = replace(
                device, usage_hours_since_service=min(hours, limit * 0.9) if limit else hours
            )
        devices.append(device)
    _save_devices(session, devices)
    return LogisticsSeedResult(len(lots), len(movements), len(devices), len(assigned.assignments))
