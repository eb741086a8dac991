"""Tables for running a real service (issue 13): addresses over time, the history of every stay,
staff absences, vehicles out of service and lab results back from the laboratory."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hjemme.store.base import Base
from hjemme.store.tables import ID_LENGTH, UtcDateTime


class PatientAddressRecord(Base):
    """Where a patient lives from ``valid_from`` on (the first one at admission; a move adds one)."""

    __tablename__ = "patient_addresses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    address: Mapped[str] = mapped_column(String(300))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    district_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    access_notes: Mapped[str] = mapped_column(Text, default="")
    delivery_notes: Mapped[str] = mapped_column(Text, default="")


class StayChangeRecord(Base):
    """One change to a stay (referral, admission, stage, pause, move, discharge …): the patient's
    history as coordinators read it; who and when are also in the access log."""

    __tablename__ = "stay_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    episode_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    effective: Mapped[dt.date] = mapped_column(Date)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    username: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class StaffAbsenceRecord(Base):
    __tablename__ = "staff_absences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    from_date: Mapped[dt.date] = mapped_column(Date, index=True)
    to_date: Mapped[dt.date] = mapped_column(Date, index=True)
    from_min: Mapped[int] = mapped_column(Integer)
    to_min: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    username: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class VehicleOutOfServiceRecord(Base):
    __tablename__ = "vehicle_out_of_service"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    vehicle_id: Mapped[str] = mapped_column(ForeignKey("vehicles.id", ondelete="CASCADE"), index=True)
    from_date: Mapped[dt.date] = mapped_column(Date, index=True)
    to_date: Mapped[dt.date] = mapped_column(Date, index=True)
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    username: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class LabResultRecord(Base):
    """A laboratory result for a sample taken at home (FHIR ``Observation`` with ``basedOn`` the
    sample's ``ServiceRequest``, i.e. the sample task id); ``source_id`` makes a re-post a no-op."""

    __tablename__ = "lab_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(String(200), unique=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    sample_task_id: Mapped[str] = mapped_column(String(120), index=True)
    code: Mapped[str] = mapped_column(String(64))
    display: Mapped[str] = mapped_column(String(200), default="")
    value: Mapped[float | None] = mapped_column(Float, nullable=True)
    unit: Mapped[str] = mapped_column(String(32), default="")
    low: Mapped[float | None] = mapped_column(Float, nullable=True)
    high: Mapped[float | None] = mapped_column(Float, nullable=True)
    taken_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
    result_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    turnaround_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    flag: Mapped[str] = mapped_column(String(8), default="")  # "", "L" or "H"


REALDATA_TABLES = (
    LabResultRecord,
    VehicleOutOfServiceRecord,
    StaffAbsenceRecord,
    StayChangeRecord,
    PatientAddressRecord,
)
"""Deleted with the population by ``hjemme seed --reset`` (children before their parents)."""
