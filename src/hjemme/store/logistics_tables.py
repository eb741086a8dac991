"""Tables of the logistics engine (issue 6).

Stock is an append-only ledger: ``stock_movements`` rows are only ever inserted (their ``seq``
gives the replay order), and on-hand is derived from them by :mod:`hjemme.logistics.stock`.
``devices`` is the pooled MTU register; ``order_lines`` keeps suggested order lines with their
status so that a coordinator's decision (accepted, adjusted, rejected) survives a re-suggestion.
The schema is created by migration ``0004_logistics``; these classes mirror it. The store may
not import the logistics engine (they are sibling layers), so :mod:`hjemme.services.logistics`
maps these rows to the engine's domain objects.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hjemme.store.base import Base
from hjemme.store.tables import ID_LENGTH, UtcDateTime

LOCATION_LENGTH = 100


class StockLotRecord(Base):
    __tablename__ = "stock_lots"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    expiry_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class StockMovementRecord(Base):
    __tablename__ = "stock_movements"
    __table_args__ = (Index("ix_stock_movements_lot_id", "lot_id"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    movement_id: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    lot_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("stock_lots.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    from_location: Mapped[str | None] = mapped_column(String(LOCATION_LENGTH), nullable=True)
    to_location: Mapped[str | None] = mapped_column(String(LOCATION_LENGTH), nullable=True)
    reason_code: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    note: Mapped[str] = mapped_column(Text, default="")


class DeviceRecord(Base):
    __tablename__ = "devices"

    serial: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    device_type_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    status: Mapped[str] = mapped_column(String(16))
    location_kind: Mapped[str] = mapped_column(String(16))
    location_id: Mapped[str] = mapped_column(String(LOCATION_LENGTH))
    last_service_date: Mapped[dt.date] = mapped_column(Date)
    usage_hours_since_service: Mapped[float] = mapped_column(Float)
    patient_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    enrolment_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    available_from: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class OrderLineRecord(Base):
    __tablename__ = "order_lines"
    __table_args__ = (Index("ix_order_lines_delivery_date", "delivery_date"),)

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    patient_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("patients.id", ondelete="CASCADE"))
    enrolment_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    pathway_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    product_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    quantity: Mapped[int] = mapped_column(Integer)
    gross_quantity: Mapped[int] = mapped_column(Integer)
    needed_by: Mapped[dt.date] = mapped_column(Date)
    delivery_date: Mapped[dt.date] = mapped_column(Date)
    source_site_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    qualified_carrier: Mapped[bool] = mapped_column(Boolean)
    window_start_min: Mapped[int] = mapped_column(Integer)
    window_end_min: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    model: Mapped[str] = mapped_column(String(8))
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class PurchaseOrderRecord(Base):
    """A purchase order placed from the stock page's low list (issue 14): what, how much, by whom.

    Open orders (``status`` ``ordered``) count as on order in the replenishment position, so the
    same shortage is not ordered twice; a receipt in the ledger closes them (``received``).
    Created by migration ``0012_purchase_orders``.
    """

    __tablename__ = "purchase_orders"
    __table_args__ = (Index("ix_purchase_orders_product_id_status", "product_id", "status"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    location: Mapped[str] = mapped_column(String(LOCATION_LENGTH))
    packs: Mapped[int] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(Integer)
    cost_nok: Mapped[float] = mapped_column(Float)
    expected_arrival: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    ordered_by: Mapped[str] = mapped_column(String(100))
    ordered_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
