"""Care assignments and emergency access (issue 12, need-to-know by care relationship).

Revision ID: 0008_care
Revises: 0001_foundation
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_care"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=64)
USER = sa.String(length=100)
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "care_assignments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", USER, nullable=False),
        sa.Column("patient_id", ID, nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("assigned_by", USER, nullable=False),
        sa.Column("assigned_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_care_assignments"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"],
                                name="fk_care_assignments_patient_id_patients", ondelete="CASCADE"),
    )
    op.create_index("ix_care_assignments_username", "care_assignments", ["username"])
    op.create_index("ix_care_assignments_patient_id", "care_assignments", ["patient_id"])
    op.create_table(
        "emergency_access",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", USER, nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("patient_id", ID, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("client_addr", USER, nullable=True),
        sa.Column("reviewed_by", USER, nullable=True),
        sa.Column("reviewed_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_emergency_access"),
    )
    op.create_index("ix_emergency_access_username_patient_id", "emergency_access", ["username", "patient_id"])


def downgrade() -> None:
    op.drop_index("ix_emergency_access_username_patient_id", table_name="emergency_access")
    op.drop_table("emergency_access")
    op.drop_index("ix_care_assignments_patient_id", table_name="care_assignments")
    op.drop_index("ix_care_assignments_username", table_name="care_assignments")
    op.drop_table("care_assignments")
