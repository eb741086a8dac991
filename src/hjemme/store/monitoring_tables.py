"""Tables of remote monitoring (issue 5): observations, dead letters, alarms and their audit trail,
PROM responses, sent reminders and personal thresholds.

``observations.observation_id`` is unique: it is what makes ingest idempotent when a device or
the broker redelivers. At most one *unresolved* alarm exists per ``dedup_key`` (a partial unique
index on both databases), so two consumers racing on the same problem cannot open two alarms.
The schema is created by migrations ``0003_monitoring`` and ``0005_device_tokens``; these classes
mirror it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from hjemme.store.base import Base
from hjemme.store.tables import ID_LENGTH, UtcDateTime

OPEN_ALARM_WHERE = "status <> 'resolved'"


class ObservationRecord(Base):
    __tablename__ = "observations"
    __table_args__ = (
        Index("ix_observations_patient_parameter_at", "patient_id", "parameter", "effective_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    observation_id: Mapped[str] = mapped_column(String(200), unique=True)
    patient_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("patients.id", ondelete="CASCADE"))
    parameter: Mapped[str] = mapped_column(String(32))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    effective_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    device_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)


class DeadLetterRecord(Base):
    """A message, or part of one, that could not be used: kept with the reason, never dropped."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    source: Mapped[str] = mapped_column(String(16))  # mqtt, http, csv
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)
    device_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    topic: Mapped[str | None] = mapped_column(String(300), nullable=True)


class AlarmRecord(Base):
    __tablename__ = "alarms"
    __table_args__ = (
        Index("ix_alarms_status", "status"),
        Index("ix_alarms_patient_id", "patient_id"),
        Index("uq_alarms_open_dedup_key", "dedup_key", unique=True,
              sqlite_where=text(OPEN_ALARM_WHERE), postgresql_where=text(OPEN_ALARM_WHERE)),
    )

    alarm_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    patient_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("patients.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    dedup_key: Mapped[str] = mapped_column(String(300))
    cause: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str | None] = mapped_column(String(100), nullable=True)
    escalation_level: Mapped[int] = mapped_column(Integer)
    level_since: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    opened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    resolution_note: Mapped[str | None] = mapped_column(Text, nullable=True)


class AlarmEventRecord(Base):
    """The audit trail of an alarm: one row per transition, with actor and note."""

    __tablename__ = "alarm_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alarm_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("alarms.alarm_id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(100))
    level: Mapped[int] = mapped_column(Integer)
    severity: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)


class PromResponseRecord(Base):
    __tablename__ = "prom_responses"
    __table_args__ = (
        Index("ix_prom_responses_patient_q_at", "patient_id", "questionnaire_id", "authored_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    response_id: Mapped[str] = mapped_column(String(200), unique=True)
    patient_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("patients.id", ondelete="CASCADE"))
    questionnaire_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    authored_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    score: Mapped[float] = mapped_column(Float)
    alert: Mapped[bool] = mapped_column(Boolean)
    item_scores: Mapped[dict[str, Any]] = mapped_column(JSON)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON)


class ReminderRecord(Base):
    """A reminder sent to a patient; the unique key stops the tick from sending it twice."""

    __tablename__ = "monitoring_reminders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedup_key: Mapped[str] = mapped_column(String(300), unique=True)
    patient_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("patients.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(64))
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    message: Mapped[str] = mapped_column(Text)


class PersonalThresholdRecord(Base):
    __tablename__ = "personal_thresholds"

    patient_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    parameter: Mapped[str] = mapped_column(String(32), primary_key=True)
    low: Mapped[float | None] = mapped_column(Float, nullable=True)
    high: Mapped[float | None] = mapped_column(Float, nullable=True)
    set_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    set_by: Mapped[str] = mapped_column(String(100))


class DeviceTokenRecord(Base):
    """A device's secret for ``POST /fhir/Observation``: only its SHA-256 is kept (migration 0005).

    The token itself is shown once when issued; a leaked database therefore yields no usable
    token. A device posts for exactly one patient; issuing a new token revokes the older ones.
    """

    __tablename__ = "device_tokens"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    patient_id: Mapped[str] = mapped_column(String(ID_LENGTH), ForeignKey("patients.id", ondelete="CASCADE"))
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    issued_by: Mapped[str] = mapped_column(String(100))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
