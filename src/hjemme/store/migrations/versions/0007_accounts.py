"""Accounts and the access log (issue 12, items 7–8): session revocation, log-in throttling, and
access-log rows that count repeated reads.

* ``users.token_epoch``: every token and session cookie carries the epoch it was issued under; log-out,
  a password change or reset and disabling the user bump it, which ends them all at once.
* ``login_attempts``: log-in attempts (pending, failed, throttled) per user name and client address;
  the throttle counts the pending and failed ones of the last window.
* ``access_log.bucket`` / ``last_at`` / ``count``: reads of one resource of one patient by one user
  from one address in one 15-minute bucket are one row (first time ``at``, last time ``last_at``,
  ``count`` reads); writes and refusals keep one row each (``bucket`` NULL).

Revision ID: 0007_accounts
Revises: 0001_foundation
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_accounts"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)
BUCKET_COLUMNS = ["username", "patient_id", "resource", "action", "client_addr", "bucket"]


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("token_epoch", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("password_changed_at", WHEN, nullable=True))
    with op.batch_alter_table("access_log") as batch:
        batch.add_column(sa.Column("bucket", WHEN, nullable=True))
        batch.add_column(sa.Column("last_at", WHEN, nullable=True))
        batch.add_column(sa.Column("count", sa.Integer(), nullable=False, server_default="1"))
    op.create_index("uq_access_log_bucket", "access_log", BUCKET_COLUMNS, unique=True)
    op.create_index("ix_access_log_username_at", "access_log", ["username", "at"])
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("client_addr", sa.String(length=100), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_attempts"),
    )
    op.create_index("ix_login_attempts_username_at", "login_attempts", ["username", "at"])
    op.create_index("ix_login_attempts_client_at", "login_attempts", ["client_addr", "at"])


def downgrade() -> None:
    op.drop_index("ix_login_attempts_client_at", table_name="login_attempts")
    op.drop_index("ix_login_attempts_username_at", table_name="login_attempts")
    op.drop_table("login_attempts")
    op.drop_index("ix_access_log_username_at", table_name="access_log")
    op.drop_index("uq_access_log_bucket", table_name="access_log")
    with op.batch_alter_table("access_log") as batch:
        batch.drop_column("count")
        batch.drop_column("last_at")
        batch.drop_column("bucket")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_changed_at")
        batch.drop_column("token_epoch")
