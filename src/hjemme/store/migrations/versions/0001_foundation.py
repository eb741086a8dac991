"""Foundation: population (patients, enrolments, staff, vehicles), users, access log, plans.

Feature migrations branch from this revision (``down_revision = "0001_foundation"``) and the app
upgrades to ``heads``. Tables that reference ``patients`` should use ``ondelete="CASCADE"`` so that
re-seeding (``hjemme seed --reset``) can clear the population.

Revision ID: 0001_foundation
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_foundation"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=64)


def upgrade() -> None:
    op.create_table(
        "patients",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("birth_year", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("district_id", ID, nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("needs_interpreter", sa.Boolean(), nullable=False),
        sa.Column("lives_alone", sa.Boolean(), nullable=False),
        sa.Column("clinic", ID, nullable=False),
        sa.Column("delivery_notes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_patients"),
    )
    op.create_index("ix_patients_district_id", "patients", ["district_id"])

    op.create_table(
        "enrolments",
        sa.Column("id", ID, nullable=False),
        sa.Column("patient_id", ID, nullable=False),
        sa.Column("pathway_id", ID, nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("length_days", sa.Integer(), nullable=False),
        sa.Column("preferred_staff_ids", sa.JSON(), nullable=False),
        sa.Column("excluded_staff_ids", sa.JSON(), nullable=False),
        sa.Column("spo2_target_88_92", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"],
            name="fk_enrolments_patient_id_patients", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_enrolments"),
    )
    op.create_index("ix_enrolments_active", "enrolments", ["start_date", "end_date"])
    op.create_index("ix_enrolments_pathway_id", "enrolments", ["pathway_id"])
    op.create_index("ix_enrolments_patient_id", "enrolments", ["patient_id"])

    op.create_table(
        "staff",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("home_base_site_id", ID, nullable=False),
        sa.Column("shift_start_min", sa.Integer(), nullable=False),
        sa.Column("shift_end_min", sa.Integer(), nullable=False),
        sa.Column("break_start_min", sa.Integer(), nullable=True),
        sa.Column("break_end_min", sa.Integer(), nullable=True),
        sa.Column("break_min", sa.Integer(), nullable=False),
        sa.Column("max_work_min", sa.Integer(), nullable=False),
        sa.Column("clinic", ID, nullable=False),
        sa.Column("qualified_carrier", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff"),
    )
    op.create_index("ix_staff_role", "staff", ["role"])

    op.create_table(
        "vehicles",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("volume_l", sa.Float(), nullable=False),
        sa.Column("weight_kg", sa.Float(), nullable=False),
        sa.Column("cold_chain", sa.Boolean(), nullable=False),
        sa.Column("qualified_carrier", sa.Boolean(), nullable=False),
        sa.Column("electric", sa.Boolean(), nullable=False),
        sa.Column("co2_g_per_km", sa.Float(), nullable=False),
        sa.Column("cost_nok_per_km", sa.Float(), nullable=False),
        sa.Column("home_site_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_vehicles"),
    )
    op.create_index("ix_vehicles_kind", "vehicles", ["kind"])

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("staff_id", ID, nullable=True),
        sa.Column("patient_id", ID, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"],
            name="fk_users_patient_id_patients", ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name="fk_users_staff_id_staff", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_index("ix_users_patient_id", "users", ["patient_id"])

    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("patient_id", ID, nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("resource", sa.String(length=300), nullable=False),
        sa.Column("client_addr", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_access_log"),
    )
    op.create_index("ix_access_log_patient_at", "access_log", ["patient_id", "at"])

    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_plans"),
        sa.UniqueConstraint("date", "version", name="uq_plans_date_version"),
    )
    op.create_index("ix_plans_date", "plans", ["date"])


def downgrade() -> None:
    for table in ("plans", "access_log", "users", "vehicles", "staff", "enrolments", "patients"):
        op.drop_table(table)
