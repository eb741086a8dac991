"""Logistics over HTTP: order suggestions to accept, adjust or reject, stock, devices due, the
van loads and pick list of a stored plan, and suggested purchase orders. Every patient shown or
changed is access-logged by the services in :mod:`hjemme.services.logistics` (purchase orders are
aggregates per product and show no patient); these handlers only translate.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from hjemme.api.deps import ClientDep, EngineDep, NowDep, require_roles
from hjemme.api.schemas.common import ServiceDate
from hjemme.api.schemas.logistics import (
    DeviceDueRead,
    ExpiringStockRead,
    GoodsLineRead,
    LoadItemRead,
    LowStockRead,
    OrderAcceptCreate,
    OrderLineRead,
    OrderRejectCreate,
    PickLineRead,
    PlanLoadsRead,
    PurchaseOrdersRead,
    ShortageRead,
    StockLevelRead,
    VanLoadRead,
)
from hjemme.domain.time import local_date
from hjemme.errors import InputError
from hjemme.logistics.orders import LineStatus, OrderLine
from hjemme.logistics.sourcing import DeliveryModel
from hjemme.services import logistics as service
from hjemme.services.auth import Principal

router = APIRouter(prefix="/api", tags=["logistics"])

Logistics = Annotated[Principal, Depends(require_roles(*service.ORDER_ROLES))]
DeviceStaff = Annotated[Principal, Depends(require_roles(*service.DEVICE_ROLES))]
Day = Annotated[ServiceDate | None, Query(description="YYYY-MM-DD; today (Oslo) when left out.")]


def _line(line: OrderLine) -> OrderLineRead:
    return OrderLineRead(
        id=line.id,
        patient=line.patient_id,
        product=line.product_id,
        quantity=line.quantity,
        needed_by=line.needed_by,
        delivery_date=line.delivery_date,
        source=line.source_site_id,
        delivery=line.delivery_id,
        status=line.status.value,
    )


@contextmanager
def _body_fields(fields: Mapping[str, str]) -> Iterator[None]:
    """Name the request-body field in a service's ``InputError`` (``line_ids`` → ``body.lines``)."""
    try:
        yield
    except InputError as error:
        if error.field in fields:
            raise InputError(fields[error.field], error.problem) from None
        raise


@router.post("/orders/suggest", response_model=list[OrderLineRead])
def suggest_orders(
    principal: Logistics,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    date: Day = None,
    horizon: Annotated[int, Query(ge=1, le=60, description="Days ahead.")] = 7,
    model: Annotated[DeliveryModel, Query(description="Delivery model.")] = DeliveryModel.ALT1,
) -> list[OrderLineRead]:
    """Suggest (and store) order lines for every patient in the horizon; decided lines stay decided."""
    result = service.suggest_orders(
        engine=engine,
        principal=principal,
        client=client,
        at=now,
        date=date or local_date(now),
        horizon_days=horizon,
        model=model,
    )
    return [_line(line) for line in result.lines]


@router.get("/orders", response_model=list[OrderLineRead])
def list_orders(
    principal: Logistics,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    date: Annotated[ServiceDate | None, Query(description="Delivery date; all dates when left out.")] = None,
    status: Annotated[LineStatus | None, Query()] = None,
) -> list[OrderLineRead]:
    """Stored order lines by delivery date and id."""
    lines = service.list_order_lines(
        engine=engine, principal=principal, client=client, at=now, delivery_date=date, status=status
    )
    return [_line(line) for line in lines]


@router.post("/orders/accept", response_model=list[OrderLineRead])
def accept_orders(
    principal: Logistics, engine: EngineDep, now: NowDep, client: ClientDep, body: OrderAcceptCreate
) -> list[OrderLineRead]:
    """Accept lines, adjusting quantity or delivery date per line; all or nothing (422 names the field)."""
    fields = {
        "line_ids": "body.lines",
        "quantity": "body.lines.quantity",
        "delivery_date": "body.lines.delivery_date",
    }
    with _body_fields(fields):
        lines = service.accept_order_lines(
            engine=engine,
            principal=principal,
            client=client,
            at=now,
            line_ids=[line.id for line in body.lines],
            quantities={line.id: line.quantity for line in body.lines if line.quantity is not None},
            delivery_dates={
                line.id: line.delivery_date for line in body.lines if line.delivery_date is not None
            },
        )
    return [_line(line) for line in lines]


@router.post("/orders/reject", response_model=list[OrderLineRead])
def reject_orders(
    principal: Logistics, engine: EngineDep, now: NowDep, client: ClientDep, body: OrderRejectCreate
) -> list[OrderLineRead]:
    """Reject lines; all or nothing (an unknown id is 422 naming ``ids``)."""
    with _body_fields({"line_ids": "body.ids"}):
        lines = service.reject_order_lines(
            engine=engine, principal=principal, client=client, at=now, line_ids=body.ids
        )
    return [_line(line) for line in lines]


@router.get("/stock", response_model=list[StockLevelRead])
def stock(
    principal: Logistics,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    location: Annotated[str | None, Query(max_length=200, description="e.g. logistics_centre")] = None,
) -> list[StockLevelRead]:
    """On-hand, usable and expired units per location and product today."""
    levels = service.stock_levels(
        engine=engine, principal=principal, client=client, at=now, on=local_date(now), location=location
    )
    return [
        StockLevelRead(
            location=s.location,
            product=s.product_id,
            on_hand=s.on_hand,
            usable=s.usable,
            expired=s.expired,
            next_expiry=s.next_expiry,
        )
        for s in levels
    ]


@router.get("/stock/low", response_model=list[LowStockRead])
def low(
    principal: Logistics,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    horizon: Annotated[int, Query(ge=1, le=365)] = 14,
) -> list[LowStockRead]:
    """Products at the logistics centre below the reorder point the coming patients need, worst first."""
    found = service.low_stock_list(
        engine=engine, principal=principal, client=client, at=now, on=local_date(now), horizon_days=horizon
    )
    return [
        LowStockRead(
            product=x.product_id, usable=x.usable, reorder_point=x.reorder_point, shortfall=x.shortfall
        )
        for x in found
    ]


@router.get("/stock/expiring", response_model=list[ExpiringStockRead])
def expiring(
    principal: Logistics,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    within_days: Annotated[int, Query(ge=0, le=3650)] = 7,
    location: Annotated[str | None, Query(max_length=200)] = None,
) -> list[ExpiringStockRead]:
    """Lots that expire within ``within_days`` (or already have), soonest first."""
    found = service.expiring_stock(
        engine=engine,
        principal=principal,
        client=client,
        at=now,
        on=local_date(now),
        within_days=within_days,
        location=location,
    )
    return [
        ExpiringStockRead(
            location=e.location,
            lot=e.lot_id,
            product=e.product_id,
            quantity=e.quantity,
            expiry_date=e.expiry_date,
            days_left=e.days_left,
        )
        for e in found
    ]


@router.get("/devices/due", response_model=list[DeviceDueRead])
def devices_due(
    principal: DeviceStaff,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    within_days: Annotated[int, Query(ge=0, le=3650)] = 14,
) -> list[DeviceDueRead]:
    """Devices due for service within ``within_days`` (or overdue), soonest first, and where they are."""
    dues = service.devices_due(
        engine=engine,
        principal=principal,
        client=client,
        at=now,
        within_days=within_days,
        today=local_date(now),
    )
    return [
        DeviceDueRead(
            serial=d.serial,
            device_type=d.device_type_id,
            status=d.status.value,
            location_kind=d.location_kind.value,
            location=d.location_id,
            patient=d.patient_id,
            due_date=d.due_date,
            reason=d.reason,
            days_left=d.days_left,
        )
        for d in dues
    ]


@router.get("/plans/{date}/loads", response_model=PlanLoadsRead)
def plan_loads(
    principal: Logistics,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    date: Annotated[ServiceDate, Path(description="The day, YYYY-MM-DD.")],
) -> PlanLoadsRead:
    """What each van loads (reverse stop order) and the FEFO pick list, for the latest plan of the day."""
    result = service.pick_lists(engine=engine, principal=principal, client=client, at=now, date=date)
    return PlanLoadsRead(
        date=result.date,
        version=result.version,
        warehouse=result.warehouse,
        loads=[
            VanLoadRead(
                resource=load.resource_id,
                vehicle=load.vehicle_id,
                volume_l=load.volume_l,
                weight_kg=load.weight_kg,
                items=[
                    LoadItemRead(
                        position=item.position,
                        stop=item.stop_index,
                        task=item.task_id,
                        patient=item.patient_id,
                        lines=[GoodsLineRead(product=g.product_id, quantity=g.quantity) for g in item.lines],
                    )
                    for item in load.items
                ],
            )
            for load in result.loads
        ],
        picks=[
            PickLineRead(
                resource=p.resource_id,
                task=p.task_id,
                patient=p.patient_id,
                product=p.product_id,
                quantity=p.quantity,
                lot=p.lot_id,
                expiry_date=p.expiry_date,
            )
            for p in result.picks
        ],
        shortages=[
            ShortageRead(task=s.task_id, product=s.product_id, missing=s.missing) for s in result.shortages
        ],
    )


@router.get("/purchase-orders", response_model=PurchaseOrdersRead)
def purchase_orders(
    principal: Logistics,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    date: Day = None,
    horizon: Annotated[int, Query(ge=1, le=60, description="Days of census demand.")] = 14,
    service_level: Annotated[float, Query(ge=0.5, lt=1.0, description="Cycle service level.")] = 0.95,
) -> PurchaseOrdersRead:
    """What the logistics centre should buy now (whole packs) and the pooled vs per-clinic safety stock."""
    result = service.suggest_purchase_orders(
        engine=engine,
        principal=principal,
        client=client,
        at=now,
        on=date or local_date(now),
        horizon_days=horizon,
        service_level=service_level,
    )
    return PurchaseOrdersRead.of(result)
