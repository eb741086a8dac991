"""Remote monitoring: observations, dead letters, alarms, alarm events, PROM responses, reminders,
personal thresholds (issue 5).

Revision ID: 0003_monitoring
Revises: 0001_foundation
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_monitoring"
down_revision: str | Sequence[str] | None = "0001_foundation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.String(length=64)
WHEN = sa.DateTime(timezone=True)
OPEN_ALARM_WHERE = sa.text("status <> 'resolved'")


def _patient_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=f"fk_{table}_patient_id_patients",
                                   ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("observation_id", sa.String(length=200), nullable=False),
        sa.Column("patient_id", ID, nullable=False),
        sa.Column("parameter", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("effective_at", WHEN, nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("device_id", ID, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_observations"),
        sa.UniqueConstraint("observation_id", name="uq_observations_observation_id"),
        _patient_fk("observations"),
    )
    op.create_index("ix_observations_patient_parameter_at", "observations",
                    ["patient_id", "parameter", "effective_at"])

    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("device_id", ID, nullable=True),
        sa.Column("topic", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_dead_letters"),
    )
    op.create_index("ix_dead_letters_received_at", "dead_letters", ["received_at"])

    op.create_table(
        "alarms",
        sa.Column("alarm_id", ID, nullable=False),
        sa.Column("patient_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("dedup_key", sa.String(length=300), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("level_since", WHEN, nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("opened_at", WHEN, nullable=False),
        sa.Column("acknowledged_at", WHEN, nullable=True),
        sa.Column("acknowledged_by", sa.String(length=100), nullable=True),
        sa.Column("resolved_at", WHEN, nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("alarm_id", name="pk_alarms"),
        _patient_fk("alarms"),
    )
    op.create_index("ix_alarms_status", "alarms", ["status"])
    op.create_index("ix_alarms_patient_id", "alarms", ["patient_id"])
    op.create_index("uq_alarms_open_dedup_key", "alarms", ["dedup_key"], unique=True,
                    sqlite_where=OPEN_ALARM_WHERE, postgresql_where=OPEN_ALARM_WHERE)

    op.create_table(
        "alarm_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("alarm_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_alarm_events"),
        sa.ForeignKeyConstraint(["alarm_id"], ["alarms.alarm_id"], name="fk_alarm_events_alarm_id_alarms",
                                ondelete="CASCADE"),
    )
    op.create_index("ix_alarm_events_alarm_id", "alarm_events", ["alarm_id"])

    op.create_table(
        "prom_responses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("response_id", sa.String(length=200), nullable=False),
        sa.Column("patient_id", ID, nullable=False),
        sa.Column("questionnaire_id", ID, nullable=False),
        sa.Column("authored_at", WHEN, nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("alert", sa.Boolean(), nullable=False),
        sa.Column("item_scores", sa.JSON(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_prom_responses"),
        sa.UniqueConstraint("response_id", name="uq_prom_responses_response_id"),
        _patient_fk("prom_responses"),
    )
    op.create_index("ix_prom_responses_patient_q_at", "prom_responses",
                    ["patient_id", "questionnaire_id", "authored_at"])

    op.create_table(
        "monitoring_reminders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dedup_key", sa.String(length=300), nullable=False),
        sa.Column("patient_id", ID, nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("due_at", WHEN, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_monitoring_reminders"),
        sa.UniqueConstraint("dedup_key", name="uq_monitoring_reminders_dedup_key"),
        _patient_fk("monitoring_reminders"),
    )

    op.create_table(
        "personal_thresholds",
        sa.Column("patient_id", ID, nullable=False),
        sa.Column("parameter", sa.String(length=32), nullable=False),
        sa.Column("low", sa.Float(), nullable=True),
        sa.Column("high", sa.Float(), nullable=True),
        sa.Column("set_at", WHEN, nullable=False),
        sa.Column("set_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("patient_id", "parameter", name="pk_personal_thresholds"),
        _patient_fk("personal_thresholds"),
    )


def downgrade() -> None:
    for table in ("personal_thresholds", "monitoring_reminders", "prom_responses", "alarm_events", "alarms",
                  "dead_letters", "observations"):
        op.drop_table(table)
