"""Device tokens for ``POST /fhir/Observation`` (issue 5): the SHA-256 of each token, its device and
patient.

Follows ``0003_monitoring`` (the monitoring branch) rather than ``0001_foundation``: it extends that
feature's schema and is upgraded with it.

Revision ID: 0005_device_tokens
Revises: 0003_monitoring
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_device_tokens"
down_revision: str | Sequence[str] | None = "0003_monitoring"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=64)
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "device_tokens",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("device_id", ID, nullable=False),
        sa.Column("patient_id", ID, nullable=False),
        sa.Column("issued_at", WHEN, nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.Column("revoked_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("token_sha256", name="pk_device_tokens"),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name="fk_device_tokens_patient_id_patients",
                                ondelete="CASCADE"),
    )
    op.create_index("ix_device_tokens_device_id", "device_tokens", ["device_id"])


def downgrade() -> None:
    op.drop_index("ix_device_tokens_device_id", table_name="device_tokens")
    op.drop_table("device_tokens")
