"""Repositories for the registers of a real service (issue 13): rows ↔ domain objects.

Like :mod:`hjemme.store.repositories`, every function takes the caller's session and neither
commits nor rolls back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from hjemme.domain.availability import Absence, AbsenceKind, OutOfService, OutOfServiceReason
from hjemme.domain.people import Address, Enrolment, Patient, Staff, Vehicle
from hjemme.store import repositories as repo
from hjemme.store.realdata_tables import (
    LabResultRecord,
    PatientAddressRecord,
    StaffAbsenceRecord,
    StayChangeRecord,
    VehicleOutOfServiceRecord,
)
from hjemme.store.tables import EnrolmentRecord, PatientRecord, StaffRecord, VehicleRecord

# --- rows of the foundation tables --------------------------------------------------------------


def save_patient(session: Session, patient: Patient) -> None:
    """Insert or replace the patient's row."""
    row = repo._patient_row(patient)
    if session.get(PatientRecord, patient.id) is None:
        repo.add_patients(session, [patient])
    else:
        session.execute(update(PatientRecord).where(PatientRecord.id == patient.id).values(**row))


def patient_by_identifier(
    session: Session, *, national_id: str | None, hospital_id: str | None
) -> Patient | None:
    """The patient with this national id (first) or hospital id, if stored."""
    for column, value in ((PatientRecord.national_id, national_id), (PatientRecord.hospital_id, hospital_id)):
        if value:
            record = session.scalar(select(PatientRecord).where(column == value))
            if record is not None:
                return repo._patient(record)
    return None


def save_stages(session: Session, stages: Iterable[Enrolment]) -> None:
    """Insert or replace each stage's row."""
    for stage in stages:
        row = repo._enrolment_row(stage)
        if session.get(EnrolmentRecord, stage.id) is None:
            repo.add_enrolments(session, [stage])
        else:
            session.execute(update(EnrolmentRecord).where(EnrolmentRecord.id == stage.id).values(**row))


def enrolment_ids(session: Session, prefix: str) -> set[str]:
    return set(session.scalars(select(EnrolmentRecord.id).where(EnrolmentRecord.id.startswith(prefix))))


def save_staff(session: Session, staff: Staff) -> None:
    row = repo._staff_row(staff)
    if session.get(StaffRecord, staff.id) is None:
        repo.add_staff(session, [staff])
    else:
        session.execute(update(StaffRecord).where(StaffRecord.id == staff.id).values(**row))


def save_vehicle(session: Session, vehicle: Vehicle) -> None:
    row = repo._vehicle_row(vehicle)
    if session.get(VehicleRecord, vehicle.id) is None:
        repo.add_vehicles(session, [vehicle])
    else:
        session.execute(update(VehicleRecord).where(VehicleRecord.id == vehicle.id).values(**row))


def get_vehicle(session: Session, vehicle_id: str) -> Vehicle | None:
    record = session.get(VehicleRecord, vehicle_id)
    return repo._vehicle(record) if record is not None else None


def find_staff(session: Session, staff_id: str) -> Staff | None:
    record = session.get(StaffRecord, staff_id)
    return repo._staff(record) if record is not None else None


# --- addresses ----------------------------------------------------------------------------------


def add_address(session: Session, patient_id: str, address: Address) -> None:
    """Record ``address`` from its date (replacing one recorded for the same date)."""
    session.execute(
        delete(PatientAddressRecord).where(
            PatientAddressRecord.patient_id == patient_id,
            PatientAddressRecord.valid_from == address.valid_from,
        )
    )
    session.add(
        PatientAddressRecord(
            patient_id=patient_id,
            valid_from=address.valid_from,
            address=address.address,
            lat=address.location.lat,
            lon=address.location.lon,
            district_id=address.district_id,
            access_notes=address.access_notes,
            delivery_notes=address.delivery_notes,
        )
    )
    session.flush()


def add_addresses(session: Session, rows: Iterable[tuple[str, Address]]) -> None:
    """Bulk insert first addresses (one statement per chunk; for admissions in bulk)."""
    values = [
        {
            "patient_id": pid,
            "valid_from": a.valid_from,
            "address": a.address,
            "lat": a.location.lat,
            "lon": a.location.lon,
            "district_id": a.district_id,
            "access_notes": a.access_notes,
            "delivery_notes": a.delivery_notes,
        }
        for pid, a in rows
    ]
    if values:
        session.execute(insert(PatientAddressRecord), values)


def addresses(session: Session, patient_ids: Collection[str] | None = None) -> dict[str, list[Address]]:
    """Patient id → addresses, oldest first (only patients who have moved or were admitted here)."""
    return repo.patient_addresses(session, patient_ids)


# --- the history of stays -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StayChange:
    kind: str
    episode_id: str
    effective: dt.date
    details: dict[str, Any]
    reason: str
    username: str
    at: dt.datetime


def add_stay_change(session: Session, patient_id: str, change: StayChange) -> None:
    session.add(
        StayChangeRecord(
            patient_id=patient_id,
            episode_id=change.episode_id,
            kind=change.kind,
            effective=change.effective,
            details=change.details,
            reason=change.reason,
            username=change.username,
            at=change.at,
        )
    )
    session.flush()


def add_stay_changes(session: Session, rows: Iterable[tuple[str, StayChange]]) -> None:
    values = [
        {
            "patient_id": pid,
            "episode_id": c.episode_id,
            "kind": c.kind,
            "effective": c.effective,
            "details": c.details,
            "reason": c.reason,
            "username": c.username,
            "at": c.at,
        }
        for pid, c in rows
    ]
    if values:
        session.execute(insert(StayChangeRecord), values)


def stay_changes(session: Session, patient_id: str) -> list[StayChange]:
    rows = session.scalars(
        select(StayChangeRecord)
        .where(StayChangeRecord.patient_id == patient_id)
        .order_by(StayChangeRecord.id)
    )
    return [
        StayChange(r.kind, r.episode_id, r.effective, r.details, r.reason, r.username, r.at) for r in rows
    ]


# --- absences and vehicles out of service -------------------------------------------------------


def add_absence(session: Session, absence: Absence, *, username: str, at: dt.datetime) -> int:
    record = StaffAbsenceRecord(
        staff_id=absence.staff_id,
        kind=absence.kind.value,
        from_date=absence.from_date,
        to_date=absence.to_date,
        from_min=absence.from_min,
        to_min=absence.to_min,
        note=absence.note,
        username=username,
        at=at,
    )
    session.add(record)
    session.flush()
    return record.id


def absences(session: Session, *, on: dt.date | None = None, staff_id: str | None = None) -> list[Absence]:
    query = select(StaffAbsenceRecord).order_by(StaffAbsenceRecord.from_date, StaffAbsenceRecord.id)
    if on is not None:
        query = query.where(StaffAbsenceRecord.from_date <= on, StaffAbsenceRecord.to_date >= on)
    if staff_id is not None:
        query = query.where(StaffAbsenceRecord.staff_id == staff_id)
    return [
        Absence(r.staff_id, AbsenceKind(r.kind), r.from_date, r.to_date, r.from_min, r.to_min, r.note, r.id)
        for r in session.scalars(query)
    ]


def add_out_of_service(session: Session, period: OutOfService, *, username: str, at: dt.datetime) -> int:
    record = VehicleOutOfServiceRecord(
        vehicle_id=period.vehicle_id,
        from_date=period.from_date,
        to_date=period.to_date,
        reason=period.reason.value,
        note=period.note,
        username=username,
        at=at,
    )
    session.add(record)
    session.flush()
    return record.id


def out_of_service(
    session: Session, *, on: dt.date | None = None, vehicle_id: str | None = None
) -> list[OutOfService]:
    query = select(VehicleOutOfServiceRecord).order_by(VehicleOutOfServiceRecord.from_date)
    if on is not None:
        query = query.where(
            VehicleOutOfServiceRecord.from_date <= on, VehicleOutOfServiceRecord.to_date >= on
        )
    if vehicle_id is not None:
        query = query.where(VehicleOutOfServiceRecord.vehicle_id == vehicle_id)
    return [
        OutOfService(r.vehicle_id, r.from_date, r.to_date, OutOfServiceReason(r.reason), r.note, r.id)
        for r in session.scalars(query)
    ]


# --- lab results --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabResult:
    source_id: str
    patient_id: str
    sample_task_id: str
    code: str
    display: str
    value: float | None
    unit: str
    low: float | None
    high: float | None
    taken_at: dt.datetime | None
    result_at: dt.datetime
    turnaround_min: int | None
    flag: str


def lab_result_exists(session: Session, source_id: str) -> bool:
    return (
        session.scalar(select(LabResultRecord.id).where(LabResultRecord.source_id == source_id)) is not None
    )


def add_lab_result(session: Session, result: LabResult) -> None:
    session.add(LabResultRecord(**{f: getattr(result, f) for f in LabResult.__dataclass_fields__}))
    session.flush()


def lab_results(session: Session, patient_id: str) -> list[LabResult]:
    rows = session.scalars(
        select(LabResultRecord)
        .where(LabResultRecord.patient_id == patient_id)
        .order_by(LabResultRecord.result_at)
    )
    return [LabResult(**{f: getattr(r, f) for f in LabResult.__dataclass_fields__}) for r in rows]
