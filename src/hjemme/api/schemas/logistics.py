"""Wire schemas of the logistics routes (orders, stock, devices, van loads): one per direction.

Need-to-know: nothing here carries an enrolment, a pathway or a diagnosis; an order line or a
load names the patient, the product and where it goes, which is what logistics needs.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
    delivery_date: dt.date | None = None


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
