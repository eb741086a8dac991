"""Running a real service (issue 13): patient identifiers, access notes and next of kin, addresses
over time, stays with stages, pauses and a status, their history, staff phone and contract,
absences, vehicle service dates and periods out of service, lab results.

Revision ID: 0010_realdata
Revises: 0001_foundation
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_realdata"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def _who() -> list[sa.Column[object]]:
    return [
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("at", WHEN, nullable=False),
    ]


def upgrade() -> None:
    # Plain ADD COLUMN, never a batch copy: on SQLite, dropping the old ``patients`` table during a
    # copy would cascade-delete every enrolment (foreign keys are enforced).
    op.add_column("patients", sa.Column("access_notes", sa.Text(), nullable=False, server_default=""))
    op.add_column("patients", sa.Column("next_of_kin", sa.Text(), nullable=False, server_default=""))
    op.add_column("patients", sa.Column("national_id", sa.String(length=11), nullable=True))
    op.add_column("patients", sa.Column("hospital_id", sa.String(length=64), nullable=True))
    op.create_index("ix_patients_national_id", "patients", ["national_id"], unique=True)
    op.create_index("ix_patients_hospital_id", "patients", ["hospital_id"], unique=True)
    op.add_column("enrolments", sa.Column("episode_id", sa.String(length=64), nullable=True))
    op.add_column(
        "enrolments", sa.Column("status", sa.String(length=16), nullable=False, server_default="admitted")
    )
    op.add_column("enrolments", sa.Column("pauses", sa.JSON(), nullable=False, server_default="[]"))
    op.create_index("ix_enrolments_episode_id", "enrolments", ["episode_id"])
    op.add_column("staff", sa.Column("phone", sa.String(length=40), nullable=False, server_default=""))
    op.add_column("staff", sa.Column("contract_pct", sa.Integer(), nullable=False, server_default="100"))
    op.add_column("vehicles", sa.Column("last_service_date", sa.Date(), nullable=True))
    op.add_column("vehicles", sa.Column("next_service_date", sa.Date(), nullable=True))

    op.create_table(
        "patient_addresses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("district_id", sa.String(length=64), nullable=False),
        sa.Column("access_notes", sa.Text(), nullable=False),
        sa.Column("delivery_notes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name="fk_patient_addresses_patient_id_patients",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_patient_addresses"),
    )
    op.create_index("ix_patient_addresses_patient_id", "patient_addresses", ["patient_id"])
    op.create_table(
        "stay_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("episode_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("effective", sa.Date(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        *_who(),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name="fk_stay_changes_patient_id_patients", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_stay_changes"),
    )
    op.create_index("ix_stay_changes_patient_id", "stay_changes", ["patient_id"])
    op.create_index("ix_stay_changes_episode_id", "stay_changes", ["episode_id"])
    op.create_table(
        "staff_absences",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("to_date", sa.Date(), nullable=False),
        sa.Column("from_min", sa.Integer(), nullable=False),
        sa.Column("to_min", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        *_who(),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name="fk_staff_absences_staff_id_staff", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_staff_absences"),
    )
    op.create_index("ix_staff_absences_staff_id", "staff_absences", ["staff_id"])
    op.create_index("ix_staff_absences_from_date", "staff_absences", ["from_date"])
    op.create_index("ix_staff_absences_to_date", "staff_absences", ["to_date"])
    op.create_table(
        "vehicle_out_of_service",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("vehicle_id", sa.String(length=64), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("to_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        *_who(),
        sa.ForeignKeyConstraint(
            ["vehicle_id"],
            ["vehicles.id"],
            name="fk_vehicle_out_of_service_vehicle_id_vehicles",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_vehicle_out_of_service"),
    )
    op.create_index("ix_vehicle_out_of_service_vehicle_id", "vehicle_out_of_service", ["vehicle_id"])
    op.create_index("ix_vehicle_out_of_service_from_date", "vehicle_out_of_service", ["from_date"])
    op.create_index("ix_vehicle_out_of_service_to_date", "vehicle_out_of_service", ["to_date"])
    op.create_table(
        "lab_results",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("patient_id", sa.String(length=64), nullable=False),
        sa.Column("sample_task_id", sa.String(length=120), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("display", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("low", sa.Float(), nullable=True),
        sa.Column("high", sa.Float(), nullable=True),
        sa.Column("taken_at", WHEN, nullable=True),
        sa.Column("result_at", WHEN, nullable=False),
        sa.Column("turnaround_min", sa.Integer(), nullable=True),
        sa.Column("flag", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name="fk_lab_results_patient_id_patients", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_lab_results"),
        sa.UniqueConstraint("source_id", name="uq_lab_results_source_id"),
    )
    op.create_index("ix_lab_results_patient_id", "lab_results", ["patient_id"])
    op.create_index("ix_lab_results_sample_task_id", "lab_results", ["sample_task_id"])


def downgrade() -> None:
    for table in (
        "lab_results",
        "vehicle_out_of_service",
        "staff_absences",
        "stay_changes",
        "patient_addresses",
    ):
        op.drop_table(table)
    op.drop_index("ix_enrolments_episode_id", table_name="enrolments")
    op.drop_index("ix_patients_hospital_id", table_name="patients")
    op.drop_index("ix_patients_national_id", table_name="patients")
    for table, column in (
        ("vehicles", "next_service_date"),
        ("vehicles", "last_service_date"),
        ("staff", "contract_pct"),
        ("staff", "phone"),
        ("enrolments", "pauses"),
        ("enrolments", "status"),
        ("enrolments", "episode_id"),
        ("patients", "hospital_id"),
        ("patients", "national_id"),
        ("patients", "next_of_kin"),
        ("patients", "access_notes"),
    ):
        op.drop_column(table, column)
