"""What the logistics use cases share: roles, the caller check and row ↔ domain mapping."""


from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from hjemme.domain.people import Enrolment
from hjemme.domain.security import Role
from hjemme.domain.time import TimeWindow
from hjemme.logistics import stock as stock_engine
from hjemme.logistics.devices import (
    Device,
    DeviceLocationKind,
    DeviceStatus,
)
from hjemme.logistics.orders import LineStatus, OrderLine
from hjemme.logistics.stock import Lot, Movement, MovementKind, StockLedger
from hjemme.services.access import log_access, require_role
from hjemme.services.auth import Principal
from hjemme.store import repositories as repo
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
