"""Logistics use cases (issue 6): order suggestions, accepting them, stock levels, devices due,
pick lists and van loads for a stored plan, and seeding stock and a device pool for the demo.

Each function is one transaction: it loads what the pure engines in :mod:`hjemme.logistics`
need, calls them, and writes the result. The store may not import the engines (sibling layers),
so the row ↔ domain mapping of the logistics tables lives here.

Need-to-know: every function that shows a person patient-linked data (order lines, a patient's
home stock, the device register, van loads) takes the caller's ``principal``, ``client`` and
``at``, refuses roles outside :data:`ORDER_ROLES` / :data:`DEVICE_ROLES` and writes one access-log
row per patient shown in its own transaction. The planner's own inputs (:func:`order_delivery_tasks`,
:func:`device_tasks`, and :func:`list_order_lines` without a principal) show nobody anything and
are not logged.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain.catalogue import ProductCategory
from hjemme.domain.people import Enrolment
from hjemme.domain.security import Role
from hjemme.domain.tasks import Task
from hjemme.domain.time import TimeWindow
from hjemme.errors import ConflictError, InputError, NotFoundError
from hjemme.logistics import devices as device_engine
from hjemme.logistics import orders as order_engine
from hjemme.logistics import picking as picking_engine
from hjemme.logistics import stock as stock_engine
from hjemme.logistics.devices import (
    DatedTask,
    Device,
    DeviceDue,
    DeviceLocationKind,
    DeviceParams,
    DeviceStatus,
)
from hjemme.logistics.orders import LineStatus, OrderLine, OrderParams, OrderSuggestionResult
from hjemme.logistics.picking import PickLine, PickShortage, VanLoad
from hjemme.logistics.sourcing import DeliveryModel, SourcingParams
from hjemme.logistics.stock import Lot, Movement, MovementKind, StockLedger, StockLevel
from hjemme.planning.plan_json import plan_from_json
from hjemme.planning.problem_json import problem_from_json
from hjemme.services.access import log_access, require_role
from hjemme.services.auth import Principal
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.logistics_tables import DeviceRecord, OrderLineRecord, StockLotRecord, StockMovementRecord

WAREHOUSE = "logistics_centre"

ORDER_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.LOGISTICS})
"""Who may suggest, read, accept and reject order lines, read stock and read van loads."""
DEVICE_ROLES = ORDER_ROLES | {Role.TECHNICIAN}
"""Who may read the device register and the due list (the medical-technical staff too)."""


def _check(principal: Principal | None, roles: frozenset[Role], at: dt.datetime | None) -> None:
    """Refuse a role outside ``roles``; a person's read needs ``at`` for the access log."""
    if principal is None:
        return
    require_role(principal, roles)
    if at is None:
        raise ValueError("a principal's read needs `at` for the access log")


def _shown(
    session: Session,
    principal: Principal | None,
    patient_ids: Iterable[str | None],
    *,
    resource: str,
    client: str | None,
    at: dt.datetime | None,
    action: str = "read",
) -> None:
    """One access-log row per patient shown to ``principal``, in the caller's transaction.

    No principal: a system caller (the day planner, demo seeding) that shows nobody anything.
    """
    if principal is None or at is None:
        return
    log_access(
        session=session,
        principal=principal,
        patient_ids=sorted({p for p in patient_ids if p}),
        resource=resource,
        client=client,
        at=at,
        action=action,
    )


# --- row mapping ------------------------------------------------------------------------------


def _load_ledger(session: Session) -> StockLedger:
    lots = [Lot(r.id, r.product_id, r.expiry_date) for r in session.scalars(select(StockLotRecord))]
    movements = [
        Movement(
            r.movement_id,
            MovementKind(r.kind),
            r.lot_id,
            r.quantity,
            r.from_location,
            r.to_location,
            r.reason_code,
            r.user_id,
            r.at,
            r.note,
        )
        for r in session.scalars(select(StockMovementRecord).order_by(StockMovementRecord.seq))
    ]
    return StockLedger.of(lots, movements)


def _append(session: Session, lots: Iterable[Lot], movements: Iterable[Movement]) -> None:
    session.add_all(
        StockLotRecord(id=lot.id, product_id=lot.product_id, expiry_date=lot.expiry_date) for lot in lots
    )
    session.flush()
    for m in movements:
        session.add(
            StockMovementRecord(
                movement_id=m.id,
                kind=m.kind.value,
                lot_id=m.lot_id,
                quantity=m.quantity,
                from_location=m.from_location,
                to_location=m.to_location,
                reason_code=m.reason_code,
                user_id=m.user_id,
                at=m.at,
                note=m.note,
            )
        )
    session.flush()


def _device(r: DeviceRecord) -> Device:
    return Device(
        r.serial,
        r.device_type_id,
        DeviceStatus(r.status),
        DeviceLocationKind(r.location_kind),
        r.location_id,
        r.last_service_date,
        r.usage_hours_since_service,
        r.patient_id,
        r.enrolment_id,
        r.available_from,
    )


def _save_devices(session: Session, devices: Iterable[Device]) -> None:
    for d in devices:
        session.merge(
            DeviceRecord(
                serial=d.serial,
                device_type_id=d.device_type_id,
                status=d.status.value,
                location_kind=d.location_kind.value,
                location_id=d.location_id,
                last_service_date=d.last_service_date,
                usage_hours_since_service=d.usage_hours_since_service,
                patient_id=d.patient_id,
                enrolment_id=d.enrolment_id,
                available_from=d.available_from,
            )
        )
    session.flush()


def _order_line(r: OrderLineRecord) -> OrderLine:
    return OrderLine(
        id=r.id,
        patient_id=r.patient_id,
        enrolment_id=r.enrolment_id,
        pathway_id=r.pathway_id,
        product_id=r.product_id,
        quantity=r.quantity,
        gross_quantity=r.gross_quantity,
        needed_by=r.needed_by,
        delivery_date=r.delivery_date,
        source_site_id=r.source_site_id,
        qualified_carrier=r.qualified_carrier,
        window=TimeWindow(r.window_start_min, r.window_end_min),
        status=LineStatus(r.status),
    )


def _line_row(line: OrderLine, model: str) -> OrderLineRecord:
    return OrderLineRecord(
        id=line.id,
        patient_id=line.patient_id,
        enrolment_id=line.enrolment_id,
        pathway_id=line.pathway_id,
        product_id=line.product_id,
        quantity=line.quantity,
        gross_quantity=line.gross_quantity,
        needed_by=line.needed_by,
        delivery_date=line.delivery_date,
        source_site_id=line.source_site_id,
        qualified_carrier=line.qualified_carrier,
        window_start_min=line.window.start_min,
        window_end_min=line.window.end_min,
        status=line.status.value,
        model=model,
    )


def _overlapping(session: Session, start: dt.date, end: dt.date) -> list[Enrolment]:
    return [e for e in repo.list_enrolments(session) if e.start_date <= end and e.end_date >= start]


def _home_stock(ledger: StockLedger, on: dt.date) -> dict[str, dict[str, int]]:
    prefix = stock_engine.home_location("")
    stock: dict[str, dict[str, int]] = defaultdict(dict)
    for level in stock_engine.stock_levels(ledger, on):
        if level.location.startswith(prefix) and level.usable > 0:
            stock[level.location[len(prefix) :]][level.product_id] = level.usable
    return stock


# --- order suggestions ------------------------------------------------------------------------


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
        for line_id in wanted:
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


# --- stock ------------------------------------------------------------------------------------


def _home_patients(locations: Iterable[str]) -> list[str]:
    prefix = stock_engine.home_location("")
    return [loc[len(prefix) :] for loc in locations if loc.startswith(prefix)]


def stock_levels(
    *,
    engine: Engine,
    principal: Principal,
    client: str | None,
    at: dt.datetime,
    on: dt.date,
    location: str | None = None,
) -> list[StockLevel]:
    """On-hand, usable and expired units per location and product, derived from the ledger.

    A patient's home (``home:<patient>``) is a location, so each home shown is access-logged.
    """
    require_role(principal, ORDER_ROLES)
    with session_scope(engine) as session:
        ledger = _load_ledger(session)
        if location is not None and location not in ledger.locations():
            known = ", ".join(ledger.locations()) or "ingen"
            raise InputError("location", f"ukjent lagersted {location!r} (kjente: {known})")
        levels = stock_engine.stock_levels(ledger, on, location=location)
        _shown(
            session,
            principal,
            _home_patients(lv.location for lv in levels),
            resource="stock",
            client=client,
            at=at,
        )
    return levels


def expiring_stock(
    *,
    engine: Engine,
    principal: Principal,
    client: str | None,
    at: dt.datetime,
    on: dt.date,
    within_days: int,
    location: str | None = None,
) -> list[stock_engine.ExpiringStock]:
    """Lots that expire within ``within_days`` (or already have), soonest first."""
    require_role(principal, ORDER_ROLES)
    if within_days < 0:
        raise InputError("within_days", "kan ikke være negativ")
    with session_scope(engine) as session:
        ledger = _load_ledger(session)
        found = stock_engine.expiring_stock(ledger, on, within_days, location=location)
        _shown(
            session,
            principal,
            _home_patients(e.location for e in found),
            resource="expiring stock",
            client=client,
            at=at,
        )
    return found


def record_stock_movements(
    *, engine: Engine, movements: Iterable[Movement], new_lots: Iterable[Lot] = ()
) -> int:
    """Append movements to the ledger after checking them all; none is stored if one is refused."""
    lots = list(new_lots)
    moves = list(movements)
    with session_scope(engine) as session:
        ledger = _load_ledger(session).with_lots(lots)
        ledger.record_all(moves)  # raises NegativeStockError / InputError before anything is written
        known = set(session.scalars(select(StockLotRecord.id)))
        _append(session, [lot for lot in lots if lot.id not in known], moves)
    return len(moves)


# --- devices ----------------------------------------------------------------------------------


def _register(session: Session) -> list[Device]:
    return [_device(r) for r in session.scalars(select(DeviceRecord).order_by(DeviceRecord.serial))]


def list_devices(
    *, engine: Engine, principal: Principal, client: str | None, at: dt.datetime
) -> list[Device]:
    """The device register; each patient holding a device is access-logged."""
    require_role(principal, DEVICE_ROLES)
    with session_scope(engine) as session:
        devices = _register(session)
        _shown(
            session,
            principal,
            (d.patient_id for d in devices),
            resource="device register",
            client=client,
            at=at,
        )
    return devices


def devices_due(
    *,
    engine: Engine,
    within_days: int,
    today: dt.date,
    params: DeviceParams | None = None,
    catalogue: Catalogue | None = None,
    principal: Principal | None = None,
    client: str | None = None,
    at: dt.datetime | None = None,
) -> list[DeviceDue]:
    """Devices due for service within ``within_days`` of ``today`` (or overdue), soonest first.

    With a ``principal`` the role is checked and each patient holding a due device is
    access-logged; without one it is a system read that shows nobody anything.
    """
    _check(principal, DEVICE_ROLES, at)
    if within_days < 0:
        raise InputError("within_days", "kan ikke være negativ")
    catalogue = catalogue or load_catalogue()
    with session_scope(engine) as session:
        dues = device_engine.devices_due(
            _register(session), catalogue.device_types, today, within_days, params
        )
        _shown(
            session,
            principal,
            (d.patient_id for d in dues),
            resource=f"devices due {today.isoformat()}",
            client=client,
            at=at,
        )
    return dues


def device_tasks(
    *,
    engine: Engine,
    within_days: int,
    today: dt.date,
    params: DeviceParams | None = None,
    catalogue: Catalogue | None = None,
) -> list[DatedTask]:
    """DEVICE_SWAP / PICKUP tasks for the planner for devices due within ``within_days``."""
    catalogue = catalogue or load_catalogue()
    with session_scope(engine) as session:
        devices = _register(session)
        ids = sorted({d.patient_id for d in devices if d.patient_id})
        patients = {p.id: p for p in repo.list_patients(session, ids=ids)} if ids else {}
        enrolments = {e.id: e for e in repo.list_enrolments(session)}
    dues = device_engine.devices_due(devices, catalogue.device_types, today, within_days, params)
    return device_engine.maintenance_tasks(
        dues, today, enrolments, patients, catalogue.products, catalogue.device_types, params
    )


# --- pick lists and van loads -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanLoads:
    """What each van of a stored plan loads (reverse stop order) and what the warehouse picks.

    ``picks`` are first-expiry-first-out lots from :data:`WAREHOUSE`'s stock; nothing is moved
    in the ledger (the pick is confirmed separately). No pathway or diagnosis is carried.
    """

    date: dt.date
    version: int
    warehouse: str
    loads: tuple[VanLoad, ...]
    picks: tuple[PickLine, ...]
    shortages: tuple[PickShortage, ...]


def pick_lists(
    *,
    engine: Engine,
    principal: Principal,
    client: str | None,
    at: dt.datetime,
    date: dt.date,
    warehouse: str = WAREHOUSE,
    catalogue: Catalogue | None = None,
) -> PlanLoads:
    """Van loads and FEFO pick lists for the latest stored plan of ``date``.

    The plan and the problem it was made from (for each task's goods lines) are read in the same
    transaction as the stock ledger and the access-log rows, so they belong to one plan version.
    """
    require_role(principal, ORDER_ROLES)
    catalogue = catalogue or load_catalogue()
    with session_scope(engine) as session:
        stored = repo.latest_plan(session, date)
        if stored is None or stored.problem_json is None:
            raise NotFoundError("plan", date.isoformat())
        plan = plan_from_json(json.loads(stored.json))
        tasks = {t.id: t for t in problem_from_json(json.loads(stored.problem_json)).tasks}
        result = picking_engine.pick_lists(
            plan,
            tasks,
            _load_ledger(session),
            catalogue.products,
            warehouse=warehouse,
            user_id=principal.username,
            at=at,
        )
        shown = [i.patient_id for load in result.loads for i in load.items]
        _shown(
            session,
            principal,
            shown,
            resource=f"van loads {date.isoformat()} v{stored.version}",
            client=client,
            at=at,
        )
    return PlanLoads(date, stored.version, warehouse, result.loads, result.picks, result.shortages)


# --- seeding ----------------------------------------------------------------------------------


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
    for product in sorted(catalogue.products.values(), key=lambda p: p.id):
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
            lot = Lot(f"{product.id}-{seed}-{n}", product.id, expiry)
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
