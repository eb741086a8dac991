"""Staff rota (issue 17): versions of a team's rota per period, their cells, and staff wishes.

Revision ID: 0017_rota
Revises: 0001_foundation
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_rota"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "rotas",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("based_on", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("demand", sa.JSON(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("published_by", sa.String(length=100), nullable=True),
        sa.Column("published_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_rotas"),
    )
    op.create_index("ix_rotas_team", "rotas", ["team"])
    op.create_index("ix_rotas_first_day", "rotas", ["first_day"])
    op.create_index("ix_rotas_status", "rotas", ["status"])
    op.create_table(
        "rota_cells",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rota_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("shift", sa.String(length=8), nullable=True),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rota_cells"),
        sa.ForeignKeyConstraint(
            ["rota_id"], ["rotas.id"], name="fk_rota_cells_rota_id_rotas", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name="fk_rota_cells_staff_id_staff", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("rota_id", "staff_id", "date", name="uq_rota_cells_rota_id_staff_id_date"),
    )
    op.create_index("ix_rota_cells_rota_id", "rota_cells", ["rota_id"])
    op.create_index("ix_rota_cells_staff_id", "rota_cells", ["staff_id"])
    op.create_index("ix_rota_cells_date", "rota_cells", ["date"])
    op.create_table(
        "rota_wishes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("shift", sa.String(length=8), nullable=True),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rota_wishes"),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name="fk_rota_wishes_staff_id_staff", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_rota_wishes_staff_id", "rota_wishes", ["staff_id"])
    op.create_index("ix_rota_wishes_date", "rota_wishes", ["date"])


def downgrade() -> None:
    op.drop_table("rota_wishes")
    op.drop_table("rota_cells")
    op.drop_table("rotas")
