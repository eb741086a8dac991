"""Wire schemas of the logistics routes (orders, stock, devices, van loads, purchase orders): one
per direction.

Need-to-know: nothing here carries an enrolment, a pathway or a diagnosis; an order line or a
load names the patient, the product and where it goes, which is what logistics needs.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hjemme.api.schemas.common import ServiceDate

if TYPE_CHECKING:
    from hjemme.services.logistics import PurchaseOrderResult

LineId = str


class OrderLineRead(BaseModel):
    """One order line (the shape of ``hjemme orders suggest --format json``)."""

    id: str
    patient: str
    product: str
    quantity: int
    needed_by: dt.date
    delivery_date: dt.date
    source: str
    delivery: str
    status: str


class OrderLineDecision(BaseModel):
    """A line to accept, optionally with an adjusted quantity or delivery date."""

    model_config = ConfigDict(extra="forbid")

    id: LineId = Field(min_length=1, max_length=200)
    quantity: int | None = Field(default=None, ge=0, le=100_000)
    delivery_date: ServiceDate | None = None


class OrderAcceptCreate(BaseModel):
    """Accept these lines, all or none."""

    model_config = ConfigDict(extra="forbid")

    lines: list[OrderLineDecision] = Field(min_length=1, max_length=5000)

    @model_validator(mode="after")
    def _distinct(self) -> OrderAcceptCreate:
        ids = [line.id for line in self.lines]
        if len(set(ids)) != len(ids):
            raise ValueError("each line id may appear once")
        return self


class OrderRejectCreate(BaseModel):
    """Reject these lines, all or none."""

    model_config = ConfigDict(extra="forbid")

    ids: list[LineId] = Field(min_length=1, max_length=5000)


class StockLevelRead(BaseModel):
    location: str
    product: str
    on_hand: int
    usable: int
    expired: int
    next_expiry: dt.date | None


class ExpiringStockRead(BaseModel):
    location: str
    lot: str
    product: str
    quantity: int
    expiry_date: dt.date
    days_left: int


class LowStockRead(BaseModel):
    """A product below its reorder point at the logistics centre."""

    product: str
    usable: int
    reorder_point: int
    shortfall: int


class DeviceDueRead(BaseModel):
    """A device due for service (the shape of ``hjemme devices due --format json``)."""

    serial: str
    device_type: str
    status: str
    location_kind: str
    location: str
    patient: str | None
    due_date: dt.date
    reason: str
    days_left: int


class GoodsLineRead(BaseModel):
    product: str
    quantity: int


class LoadItemRead(BaseModel):
    """One stop's goods; position 1 is loaded first (deepest in the van)."""

    position: int
    stop: int
    task: str
    patient: str
    lines: list[GoodsLineRead]


class VanLoadRead(BaseModel):
    resource: str
    vehicle: str | None
    volume_l: float
    weight_kg: float
    items: list[LoadItemRead]


class PickLineRead(BaseModel):
    resource: str
    task: str
    patient: str
    product: str
    quantity: int
    lot: str | None
    expiry_date: dt.date | None


class ShortageRead(BaseModel):
    task: str
    product: str
    missing: int


class PlanLoadsRead(BaseModel):
    """Van loads and the warehouse's FEFO pick list for the latest plan of a day (``hjemme loads``)."""

    date: dt.date
    version: int
    warehouse: str
    loads: list[VanLoadRead]
    picks: list[PickLineRead]
    shortages: list[ShortageRead]


class PurchaseOrderLineRead(BaseModel):
    """One suggested purchase order (``hjemme purchase-orders --format json``, ``orders[]``)."""

    product: str
    packs: int
    pack_size: int
    quantity: int  # units: packs × pack_size
    order_by: dt.date
    expected_arrival: dt.date
    cost_nok: float
    reorder_point: float
    order_up_to: float
    position: int
    on_hand: int
    expiring_unused: int
    expected_units: float
    forecast: str
    forecast_per_day: float


class ProductPoolingRead(BaseModel):
    """Safety stock of one product over its lead time, per clinic vs pooled (units)."""

    product: str
    lead_days: float
    separate_by_clinic: dict[str, float]
    separate: float
    pooled: float
    saving: float


class PoolingReportRead(BaseModel):
    """The risk-pooling report: per product, and both totals valued at unit cost."""

    service_level: float
    separate_nok: float
    pooled_nok: float
    products: list[ProductPoolingRead]


class PurchaseOrdersRead(BaseModel):
    """Suggested purchase orders of the logistics centre and the pooling report; aggregates only."""

    date: dt.date
    horizon_days: int
    service_level: float
    history_days: int
    orders: list[PurchaseOrderLineRead]
    pooling: PoolingReportRead

    @classmethod
    def of(cls, result: PurchaseOrderResult) -> PurchaseOrdersRead:
        """The wire form of a service result (the command line prints the same)."""
        return cls(
            date=result.on,
            horizon_days=result.horizon_days,
            service_level=result.service_level,
            history_days=result.history_days,
            orders=[
                PurchaseOrderLineRead(
                    product=o.product_id,
                    packs=o.packs,
                    pack_size=o.pack_size,
                    quantity=o.units,
                    order_by=o.order_by,
                    expected_arrival=o.expected_arrival,
                    cost_nok=o.cost_nok,
                    reorder_point=round(o.reorder_point, 3),
                    order_up_to=round(o.order_up_to, 3),
                    position=o.position,
                    on_hand=o.on_hand,
                    expiring_unused=o.expiring_unused,
                    expected_units=round(o.expected_units, 3),
                    forecast=o.forecast,
                    forecast_per_day=round(o.forecast_per_day, 3),
                )
                for o in result.orders
            ],
            pooling=PoolingReportRead(
                service_level=result.service_level,
                separate_nok=round(result.separate_nok, 2),
                pooled_nok=round(result.pooled_nok, 2),
                products=[
                    ProductPoolingRead(
                        product=p.product_id,
                        lead_days=p.result.lead_days,
                        separate_by_clinic={c: round(v, 3) for c, v in p.result.separate_by_site.items()},
                        separate=round(p.result.separate_total, 3),
                        pooled=round(p.result.pooled, 3),
                        saving=round(p.result.saving, 3),
                    )
                    for p in result.pooling
                ],
            ),
        )
