"""Planning: the problem each plan was made from, and pins on tasks already confirmed or started.

Re-planning must start from exactly the tasks and resources of the previous plan (an urgent visit
added by an earlier re-plan is not in the enrolments), so the problem is stored beside the plan.

Revision ID: 0002_planning
Revises: 0001_foundation
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_planning"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("problem_json", sa.Text(), nullable=True))
    op.create_table(
        "task_pins",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("task_id", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_task_pins"),
        sa.UniqueConstraint("date", "task_id", name="uq_task_pins_date_task_id"),
    )


def downgrade() -> None:
    op.drop_table("task_pins")
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("problem_json")
