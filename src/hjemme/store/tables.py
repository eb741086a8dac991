"""The foundation tables: population (patients, enrolments, staff, vehicles), users, the access
log and saved plans.

``…Record`` classes are rows, never passed above the store: :mod:`hjemme.store.repositories` maps
them to domain objects. Clock times are stored as minutes after midnight (``…_min``), as in the
domain; datetimes are stored in UTC and come back timezone-aware on both databases.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hjemme.store.base import Base

ID_LENGTH = 64


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware datetime stored as UTC; SQLite would otherwise hand back naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("hjemme stores only timezone-aware datetimes")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class PatientRecord(Base):
    __tablename__ = "patients"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    birth_year: Mapped[int] = mapped_column(Integer)
    address: Mapped[str] = mapped_column(String(300))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    district_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    phone: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    needs_interpreter: Mapped[bool] = mapped_column(Boolean)
    lives_alone: Mapped[bool] = mapped_column(Boolean)
    clinic: Mapped[str] = mapped_column(String(ID_LENGTH))
    delivery_notes: Mapped[str] = mapped_column(Text, default="")
    access_notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    next_of_kin: Mapped[str] = mapped_column(Text, default="", server_default="")
    national_id: Mapped[str | None] = mapped_column(String(11), nullable=True, unique=True, index=True)
    hospital_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), nullable=True, unique=True, index=True
    )


class EnrolmentRecord(Base):
    """A stay in a pathway; ``end_date`` is stored (not only derived) so "active on" is indexable."""

    __tablename__ = "enrolments"
    __table_args__ = (Index("ix_enrolments_active", "start_date", "end_date"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    patient_id: Mapped[str] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    pathway_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    length_days: Mapped[int] = mapped_column(Integer)
    preferred_staff_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    excluded_staff_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    spo2_target_88_92: Mapped[bool] = mapped_column(Boolean, default=False)
    episode_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), default="admitted", server_default="admitted")
    pauses: Mapped[list[list[str]]] = mapped_column(JSON, default=list, server_default="[]")
    # the patient's own visits from a date (issue 13): [{"from", "per_day", "every_days", "windows"}]
    visit_plans: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list, server_default="[]")


class StaffRecord(Base):
    __tablename__ = "staff"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32), index=True)
    skills: Mapped[list[str]] = mapped_column(JSON)
    home_base_site_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    shift_start_min: Mapped[int] = mapped_column(Integer)
    shift_end_min: Mapped[int] = mapped_column(Integer)
    break_start_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    break_end_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    break_min: Mapped[int] = mapped_column(Integer)
    max_work_min: Mapped[int] = mapped_column(Integer)
    clinic: Mapped[str] = mapped_column(String(ID_LENGTH))
    qualified_carrier: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    contract_pct: Mapped[int] = mapped_column(Integer, default=100, server_default="100")


class VehicleRecord(Base):
    __tablename__ = "vehicles"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    volume_l: Mapped[float] = mapped_column(Float)
    weight_kg: Mapped[float] = mapped_column(Float)
    cold_chain: Mapped[bool] = mapped_column(Boolean)
    qualified_carrier: Mapped[bool] = mapped_column(Boolean)
    electric: Mapped[bool] = mapped_column(Boolean)
    co2_g_per_km: Mapped[float] = mapped_column(Float)
    cost_nok_per_km: Mapped[float] = mapped_column(Float)
    home_site_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    last_service_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    next_service_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class UserRecord(Base):
    """A log-in. ``role`` is a :class:`hjemme.domain.security.Role` value; a ``patient`` user is
    linked to its own patient row, a clinician may be linked to a staff row. Links become NULL
    when the population is re-seeded, so accounts survive a reset."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(32))
    staff_id: Mapped[str | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), nullable=True
    )
    patient_id: Mapped[str | None] = mapped_column(
        ForeignKey("patients.id", ondelete="SET NULL"), nullable=True, index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    token_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Bumped by log-out, password change/reset and disabling: tokens of an older epoch are dead."""
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)


class AccessLogRecord(Base):
    """One read or write of a patient's data: who, in which role, what, when, from where.

    ``patient_id`` is deliberately not a foreign key: the log must outlive the patient row. Reads
    are counted per 15-minute ``bucket`` (see :mod:`hjemme.services.access_log`): ``at`` is the
    first read, ``last_at`` the last, ``count`` how many; writes and refusals have no bucket.
    """

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_patient_at", "patient_id", "at"),
        Index("ix_access_log_username_at", "username", "at"),
        Index(
            "uq_access_log_bucket",
            "username", "patient_id", "resource", "action", "client_addr", "bucket",
            unique=True,
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    username: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    patient_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    resource: Mapped[str] = mapped_column(String(300))
    client_addr: Mapped[str | None] = mapped_column(String(100), nullable=True)
    bucket: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class LoginAttemptRecord(Base):
    """A log-in attempt: ``pending`` while its password is checked, then ``failed`` (wrong password,
    unknown or disabled user; pending and failed count towards the throttle) or ``throttled``
    (refused unchecked while locked); a successful attempt is deleted."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_username_at", "username", "at"),
        Index("ix_login_attempts_client_at", "client_addr", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    username: Mapped[str] = mapped_column(String(100))
    client_addr: Mapped[str | None] = mapped_column(String(100), nullable=True)
    outcome: Mapped[str] = mapped_column(String(16))


class PlanRecord(Base):
    """A saved day plan in its JSON form; each re-plan of a date gets the next ``version``."""

    __tablename__ = "plans"
    __table_args__ = (UniqueConstraint("date", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    json: Mapped[str] = mapped_column(Text)
    problem_json: Mapped[str | None] = mapped_column(Text, nullable=True)


class TaskPinRecord(Base):
    """A task a clinician or coordinator has confirmed or started: re-planning keeps it in place."""

    __tablename__ = "task_pins"
    __table_args__ = (UniqueConstraint("date", "task_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    date: Mapped[dt.date] = mapped_column(Date)
    task_id: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16))
    username: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
