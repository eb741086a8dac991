"""Staff rota, issue 17 follow-up: shift times per team, and the shift times each rota was planned with.

Revision ID: 0018_rota_team_shifts
Revises: 0001_foundation (depends on 0017_rota, whose ``rotas`` table it extends)
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_rota_team_shifts"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0017_rota"

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "rota_team_shifts",
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("start_min", sa.Integer(), nullable=False),
        sa.Column("end_min", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("team", "code", name="pk_rota_team_shifts"),
    )
    with op.batch_alter_table("rotas") as batch:
        batch.add_column(sa.Column("shifts", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rotas") as batch:
        batch.drop_column("shifts")
    op.drop_table("rota_team_shifts")
