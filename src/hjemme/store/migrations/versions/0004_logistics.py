"""Logistics: stock lots, the append-only movement ledger, the MTU device register, order lines
(issue 6).

Revision ID: 0004_logistics
Revises: 0001_foundation
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_logistics"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=64)
LOCATION = sa.String(length=100)
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "stock_lots",
        sa.Column("id", ID, nullable=False),
        sa.Column("product_id", ID, nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_stock_lots"),
    )
    op.create_index("ix_stock_lots_product_id", "stock_lots", ["product_id"])

    op.create_table(
        "stock_movements",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("movement_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("lot_id", ID, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("from_location", LOCATION, nullable=True),
        sa.Column("to_location", LOCATION, nullable=True),
        sa.Column("reason_code", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=100), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_stock_movements"),
        sa.UniqueConstraint("movement_id", name="uq_stock_movements_movement_id"),
        sa.ForeignKeyConstraint(["lot_id"], ["stock_lots.id"], name="fk_stock_movements_lot_id_stock_lots"),
    )
    op.create_index("ix_stock_movements_lot_id", "stock_movements", ["lot_id"])

    op.create_table(
        "devices",
        sa.Column("serial", ID, nullable=False),
        sa.Column("device_type_id", ID, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("location_kind", sa.String(length=16), nullable=False),
        sa.Column("location_id", LOCATION, nullable=False),
        sa.Column("last_service_date", sa.Date(), nullable=False),
        sa.Column("usage_hours_since_service", sa.Float(), nullable=False),
        sa.Column("patient_id", ID, nullable=True),
        sa.Column("enrolment_id", ID, nullable=True),
        sa.Column("available_from", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("serial", name="pk_devices"),
    )
    op.create_index("ix_devices_device_type_id", "devices", ["device_type_id"])

    op.create_table(
        "order_lines",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("patient_id", ID, nullable=False),
        sa.Column("enrolment_id", ID, nullable=False),
        sa.Column("pathway_id", ID, nullable=False),
        sa.Column("product_id", ID, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("gross_quantity", sa.Integer(), nullable=False),
        sa.Column("needed_by", sa.Date(), nullable=False),
        sa.Column("delivery_date", sa.Date(), nullable=False),
        sa.Column("source_site_id", ID, nullable=False),
        sa.Column("qualified_carrier", sa.Boolean(), nullable=False),
        sa.Column("window_start_min", sa.Integer(), nullable=False),
        sa.Column("window_end_min", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("model", sa.String(length=8), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_order_lines"),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name="fk_order_lines_patient_id_patients", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_order_lines_delivery_date", "order_lines", ["delivery_date"])


def downgrade() -> None:
    op.drop_index("ix_order_lines_delivery_date", table_name="order_lines")
    op.drop_table("order_lines")
    op.drop_index("ix_devices_device_type_id", table_name="devices")
    op.drop_table("devices")
    op.drop_index("ix_stock_movements_lot_id", table_name="stock_movements")
    op.drop_table("stock_movements")
    op.drop_index("ix_stock_lots_product_id", table_name="stock_lots")
    op.drop_table("stock_lots")
