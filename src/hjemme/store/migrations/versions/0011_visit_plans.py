"""The patient's own visit frequency and windows from a date (issue 13): ``enrolments.visit_plans``,
a JSON list of ``{"from", "per_day", "every_days", "windows"}`` carried by every stage of a stay.

Revision ID: 0011_visit_plans
Revises: 0001_foundation
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_visit_plans"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy of ``enrolments``; see 0010_realdata).
    op.add_column("enrolments", sa.Column("visit_plans", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    op.drop_column("enrolments", "visit_plans")
