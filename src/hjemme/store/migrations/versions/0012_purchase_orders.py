"""Purchase orders placed from the stock page's below-reorder-point list (issue 14, item 4).

Revision ID: 0012_purchase_orders
Revises: 0001_foundation
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_purchase_orders"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=64)


def upgrade() -> None:
    op.create_table(
        "purchase_orders",
        sa.Column("id", ID, nullable=False),
        sa.Column("product_id", ID, nullable=False),
        sa.Column("location", sa.String(length=100), nullable=False),
        sa.Column("packs", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("cost_nok", sa.Float(), nullable=False),
        sa.Column("expected_arrival", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ordered_by", sa.String(length=100), nullable=False),
        sa.Column("ordered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_purchase_orders"),
    )
    op.create_index("ix_purchase_orders_product_id_status", "purchase_orders", ["product_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_purchase_orders_product_id_status", table_name="purchase_orders")
    op.drop_table("purchase_orders")
