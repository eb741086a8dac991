"""Repositories: the only code that turns rows into domain objects and back.

Every function takes the caller's :class:`~sqlalchemy.orm.Session` and neither commits nor rolls
back: the transaction belongs to the service that called it (``session_scope``). Lists come back
sorted by id so that every caller (API pages, planner input, tests) sees a stable order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from hjemme.domain.geo import Location
from hjemme.domain.people import (
    WORKING_STATUSES,
    Address,
    Enrolment,
    EnrolmentStatus,
    Patient,
    Staff,
    StaffRole,
    Vehicle,
    VehicleKind,
    VisitPlan,
    patient_on,
)
from hjemme.domain.security import Role
from hjemme.domain.time import TimeWindow
from hjemme.errors import NotFoundError
from hjemme.store.realdata_tables import REALDATA_TABLES, PatientAddressRecord
from hjemme.store.rota_tables import ROTA_TABLES
from hjemme.store.tables import (
    EnrolmentRecord,
    PatientRecord,
    PlanRecord,
    StaffRecord,
    TaskPinRecord,
    UserRecord,
    VehicleRecord,
)

IN_CHUNK = 5000

# --- patients ---------------------------------------------------------------------------------


def _patient_row(patient: Patient) -> dict[str, Any]:
    return {
        "id": patient.id,
        "name": patient.name,
        "birth_year": patient.birth_year,
        "address": patient.address,
        "lat": patient.location.lat,
        "lon": patient.location.lon,
        "district_id": patient.district_id,
        "phone": patient.phone,
        "language": patient.language,
        "needs_interpreter": patient.needs_interpreter,
        "lives_alone": patient.lives_alone,
        "clinic": patient.clinic,
        "delivery_notes": patient.delivery_notes,
        "access_notes": patient.access_notes,
        "next_of_kin": patient.next_of_kin,
        "national_id": patient.national_id,
        "hospital_id": patient.hospital_id,
    }


def _patient(record: PatientRecord) -> Patient:
    return Patient(
        id=record.id,
        name=record.name,
        birth_year=record.birth_year,
        address=record.address,
        location=Location(record.lat, record.lon),
        district_id=record.district_id,
        phone=record.phone,
        language=record.language,
        needs_interpreter=record.needs_interpreter,
        lives_alone=record.lives_alone,
        clinic=record.clinic,
        delivery_notes=record.delivery_notes,
        access_notes=record.access_notes,
        next_of_kin=record.next_of_kin,
        national_id=record.national_id,
        hospital_id=record.hospital_id,
    )


def add_patients(session: Session, patients: Iterable[Patient]) -> int:
    """Insert patients in bulk; returns how many."""
    return _insert(session, PatientRecord, [_patient_row(p) for p in patients])


def list_patients(
    session: Session,
    *,
    ids: Collection[str] | None = None,
    district_id: str | None = None,
    limit: int | None = None,
    offset: int = 0,
    on: dt.date | None = None,
) -> list[Patient]:
    """Patients sorted by id, optionally only ``ids`` or one district, optionally one page.

    ``on`` gives each patient the address valid on that date (:func:`patients_on`): what a page
    showing that day must use, so a move entered ahead of time shows from its date (issue 13).
    """
    if ids is not None and len(ids) > IN_CHUNK:
        # SQLite caps bound parameters (32766): look long id lists up in chunks.
        wanted = sorted(set(ids))
        found = [
            patient
            for start in range(0, len(wanted), IN_CHUNK)
            for patient in list_patients(
                session, ids=wanted[start : start + IN_CHUNK], district_id=district_id, on=on
            )
        ]
        return found[offset : None if limit is None else offset + limit]
    query = select(PatientRecord).order_by(PatientRecord.id)
    if ids is not None:
        query = query.where(PatientRecord.id.in_(list(ids)))
    if district_id is not None:
        query = query.where(PatientRecord.district_id == district_id)
    if offset:
        query = query.offset(offset)
    if limit is not None:
        query = query.limit(limit)
    found = [_patient(r) for r in session.scalars(query)]
    return patients_on(session, found, on) if on is not None else found


def get_patient(session: Session, patient_id: str, *, on: dt.date | None = None) -> Patient:
    """The patient with ``patient_id`` (with the address valid ``on`` that date, when given);
    raises :class:`NotFoundError` when there is none."""
    record = session.get(PatientRecord, patient_id)
    if record is None:
        raise NotFoundError("patient", patient_id)
    patient = _patient(record)
    return patients_on(session, [patient], on)[0] if on is not None else patient


def patient_addresses(
    session: Session, patient_ids: Collection[str] | None = None
) -> dict[str, list[Address]]:
    """Patient id → addresses, oldest first (patients admitted through the registers, or who moved)."""
    if patient_ids is not None and len(patient_ids) > IN_CHUNK:
        wanted = sorted(set(patient_ids))
        merged: dict[str, list[Address]] = {}
        for start in range(0, len(wanted), IN_CHUNK):
            merged.update(patient_addresses(session, wanted[start : start + IN_CHUNK]))
        return merged
    query = select(PatientAddressRecord).order_by(PatientAddressRecord.valid_from, PatientAddressRecord.id)
    if patient_ids is not None:
        query = query.where(PatientAddressRecord.patient_id.in_(list(patient_ids)))
    found: dict[str, list[Address]] = {}
    for r in session.scalars(query):
        found.setdefault(r.patient_id, []).append(
            Address(
                r.valid_from,
                r.address,
                Location(r.lat, r.lon),
                r.district_id,
                r.access_notes,
                r.delivery_notes,
            )
        )
    return found


def patients_on(session: Session, patients: list[Patient], on: dt.date) -> list[Patient]:
    """``patients`` as they live on ``on``: the address history decides, the patient row is the
    fallback. Derived on every read rather than promoted by a job, so a move entered ahead of
    its date needs nothing to run on that date (issue 13)."""
    if not patients:
        return patients
    moves = patient_addresses(session, [p.id for p in patients])
    return [patient_on(p, moves.get(p.id, ()), on) for p in patients]


def count_patients(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PatientRecord)) or 0


def count_population(session: Session) -> int:
    """Patients, staff and vehicles stored: zero means the database has not been seeded."""
    return sum(
        session.scalar(select(func.count()).select_from(table)) or 0
        for table in (PatientRecord, StaffRecord, VehicleRecord)
    )


# --- enrolments -------------------------------------------------------------------------------


def _enrolment_row(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "id": enrolment.id,
        "patient_id": enrolment.patient_id,
        "pathway_id": enrolment.pathway_id,
        "start_date": enrolment.start_date,
        "end_date": enrolment.end_date,
        "length_days": enrolment.length_days,
        "preferred_staff_ids": list(enrolment.preferred_staff_ids),
        "excluded_staff_ids": list(enrolment.excluded_staff_ids),
        "spo2_target_88_92": enrolment.spo2_target_88_92,
        "episode_id": enrolment.episode_id,
        "status": enrolment.status.value,
        "pauses": [[a.isoformat(), b.isoformat()] for a, b in enrolment.pauses],
        "visit_plans": [
            {
                "from": p.from_date.isoformat(),
                "per_day": p.per_day,
                "every_days": p.every_days,
                "windows": [[w.start_min, w.end_min] for w in p.windows],
            }
            for p in enrolment.visit_plans
        ],
    }


def _enrolment(record: EnrolmentRecord) -> Enrolment:
    return Enrolment(
        id=record.id,
        patient_id=record.patient_id,
        pathway_id=record.pathway_id,
        start_date=record.start_date,
        length_days=record.length_days,
        preferred_staff_ids=tuple(record.preferred_staff_ids),
        excluded_staff_ids=tuple(record.excluded_staff_ids),
        spo2_target_88_92=record.spo2_target_88_92,
        episode_id=record.episode_id,
        status=EnrolmentStatus(record.status),
        pauses=tuple((dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in record.pauses or ()),
        visit_plans=tuple(
            VisitPlan(
                dt.date.fromisoformat(p["from"]),
                p.get("per_day"),
                p.get("every_days"),
                tuple(TimeWindow(a, b) for a, b in p.get("windows") or ()),
            )
            for p in record.visit_plans or ()
        ),
    )


def add_enrolments(session: Session, enrolments: Iterable[Enrolment]) -> int:
    """Insert enrolments in bulk (their patients must exist); returns how many."""
    return _insert(session, EnrolmentRecord, [_enrolment_row(e) for e in enrolments])


def list_enrolments(
    session: Session,
    active_on: dt.date | None = None,
    patient_id: str | None = None,
    episode_id: str | None = None,
) -> list[Enrolment]:
    """Enrolments sorted by id; ``active_on`` keeps admitted stays that include that date and are
    not paused on it (referred and cancelled stages never count as active)."""
    query = select(EnrolmentRecord).order_by(EnrolmentRecord.id)
    if active_on is not None:
        query = query.where(
            EnrolmentRecord.start_date <= active_on,
            EnrolmentRecord.end_date >= active_on,
            EnrolmentRecord.status.in_([s.value for s in WORKING_STATUSES]),
        )
    if episode_id is not None:
        query = query.where(
            (EnrolmentRecord.episode_id == episode_id)
            | ((EnrolmentRecord.id == episode_id) & EnrolmentRecord.episode_id.is_(None))
        )
    if patient_id is not None:
        query = query.where(EnrolmentRecord.patient_id == patient_id)
    found = [_enrolment(r) for r in session.scalars(query)]
    return [e for e in found if not e.is_paused(active_on)] if active_on is not None else found


# --- staff and vehicles -----------------------------------------------------------------------


def _staff_row(staff: Staff) -> dict[str, Any]:
    return {
        "id": staff.id,
        "name": staff.name,
        "role": staff.role.value,
        "skills": sorted(staff.skills),
        "home_base_site_id": staff.home_base_site_id,
        "shift_start_min": staff.shift.start_min,
        "shift_end_min": staff.shift.end_min,
        "break_start_min": staff.break_window.start_min if staff.break_window else None,
        "break_end_min": staff.break_window.end_min if staff.break_window else None,
        "break_min": staff.break_min,
        "max_work_min": staff.max_work_min,
        "clinic": staff.clinic,
        "qualified_carrier": staff.qualified_carrier,
        "phone": staff.phone,
        "contract_pct": staff.contract_pct,
    }


def _staff(record: StaffRecord) -> Staff:
    has_break = record.break_start_min is not None and record.break_end_min is not None
    return Staff(
        id=record.id,
        name=record.name,
        role=StaffRole(record.role),
        skills=frozenset(record.skills),
        home_base_site_id=record.home_base_site_id,
        shift=TimeWindow(record.shift_start_min, record.shift_end_min),
        break_window=(
            TimeWindow(record.break_start_min, record.break_end_min)  # type: ignore[arg-type]
            if has_break
            else None
        ),
        break_min=record.break_min,
        max_work_min=record.max_work_min,
        clinic=record.clinic,
        qualified_carrier=record.qualified_carrier,
        phone=record.phone,
        contract_pct=record.contract_pct,
    )


def add_staff(session: Session, staff: Iterable[Staff]) -> int:
    return _insert(session, StaffRecord, [_staff_row(s) for s in staff])


def get_staff(session: Session, staff_id: str) -> Staff:
    """The member of staff with ``staff_id``; raises :class:`NotFoundError` when there is none."""
    record = session.get(StaffRecord, staff_id)
    if record is None:
        raise NotFoundError("staff", staff_id)
    return _staff(record)


def list_staff(session: Session, *, role: StaffRole | None = None) -> list[Staff]:
    query = select(StaffRecord).order_by(StaffRecord.id)
    if role is not None:
        query = query.where(StaffRecord.role == role.value)
    return [_staff(r) for r in session.scalars(query)]


def _vehicle_row(vehicle: Vehicle) -> dict[str, Any]:
    return {
        "id": vehicle.id,
        "name": vehicle.name,
        "kind": vehicle.kind.value,
        "volume_l": vehicle.volume_l,
        "weight_kg": vehicle.weight_kg,
        "cold_chain": vehicle.cold_chain,
        "qualified_carrier": vehicle.qualified_carrier,
        "electric": vehicle.electric,
        "co2_g_per_km": vehicle.co2_g_per_km,
        "cost_nok_per_km": vehicle.cost_nok_per_km,
        "home_site_id": vehicle.home_site_id,
        "last_service_date": vehicle.last_service_date,
        "next_service_date": vehicle.next_service_date,
    }


def _vehicle(record: VehicleRecord) -> Vehicle:
    return Vehicle(
        id=record.id,
        name=record.name,
        kind=VehicleKind(record.kind),
        volume_l=record.volume_l,
        weight_kg=record.weight_kg,
        cold_chain=record.cold_chain,
        qualified_carrier=record.qualified_carrier,
        electric=record.electric,
        co2_g_per_km=record.co2_g_per_km,
        cost_nok_per_km=record.cost_nok_per_km,
        home_site_id=record.home_site_id,
        last_service_date=record.last_service_date,
        next_service_date=record.next_service_date,
    )


def add_vehicles(session: Session, vehicles: Iterable[Vehicle]) -> int:
    return _insert(session, VehicleRecord, [_vehicle_row(v) for v in vehicles])


def list_vehicles(session: Session, *, kind: VehicleKind | None = None) -> list[Vehicle]:
    query = select(VehicleRecord).order_by(VehicleRecord.id)
    if kind is not None:
        query = query.where(VehicleRecord.kind == kind.value)
    return [_vehicle(r) for r in session.scalars(query)]


def clear_population(session: Session) -> None:
    """Delete patients, enrolments, staff, vehicles and the plans (and pins) made for them.

    Users and the access log stay (accounts outlive a re-seed; the audit trail is never deleted);
    the database sets users' patient and staff links to NULL.
    """
    tables = (
        TaskPinRecord,
        PlanRecord,
        *REALDATA_TABLES,
        *ROTA_TABLES,
        EnrolmentRecord,
        PatientRecord,
        StaffRecord,
    )
    for table in (*tables, VehicleRecord):
        session.execute(delete(table))


# --- plans ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredPlan:
    """A saved plan in its JSON form (``docs/plan.schema.json``), as the planner wrote it."""

    date: dt.date
    version: int
    created_at: dt.datetime
    json: str
    problem_json: str | None = None  # the planning input, for re-planning and re-checking


def _stored_plan(record: PlanRecord) -> StoredPlan:
    return StoredPlan(record.date, record.version, record.created_at, record.json, record.problem_json)


def save_plan(
    session: Session,
    *,
    date: dt.date,
    plan_json: str,
    created_at: dt.datetime,
    problem_json: str | None = None,
) -> StoredPlan:
    """Store a new version of the plan for ``date`` (1 for the first); earlier versions stay."""
    latest = session.scalar(select(func.max(PlanRecord.version)).where(PlanRecord.date == date))
    record = PlanRecord(
        date=date,
        version=(latest or 0) + 1,
        created_at=created_at,
        json=plan_json,
        problem_json=problem_json,
    )
    session.add(record)
    session.flush()
    return _stored_plan(record)


def latest_plan_key(session: Session, date: dt.date) -> tuple[int, dt.datetime] | None:
    """The version and creation time of the latest plan of ``date`` (without its JSON), or None."""
    row = session.execute(
        select(PlanRecord.version, PlanRecord.created_at)
        .where(PlanRecord.date == date)
        .order_by(PlanRecord.version.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else None


def latest_plan(session: Session, date: dt.date) -> StoredPlan | None:
    """The most recent plan saved for ``date``, or ``None`` when none was made."""
    record = session.scalar(
        select(PlanRecord).where(PlanRecord.date == date).order_by(PlanRecord.version.desc())
    )
    return _stored_plan(record) if record is not None else None


def get_plan(session: Session, date: dt.date, version: int) -> StoredPlan | None:
    """Version ``version`` of the plan of ``date``, or ``None``."""
    record = session.scalar(select(PlanRecord).where(PlanRecord.date == date, PlanRecord.version == version))
    return _stored_plan(record) if record is not None else None


def plan_versions(session: Session, date: dt.date) -> list[tuple[int, dt.datetime]]:
    """Every stored version of the plan of ``date`` with when it was made, oldest first."""
    rows = session.execute(
        select(PlanRecord.version, PlanRecord.created_at)
        .where(PlanRecord.date == date)
        .order_by(PlanRecord.version)
    )
    return [(v, at) for v, at in rows]


def pin_task(
    session: Session, *, date: dt.date, task_id: str, status: str, username: str, at: dt.datetime
) -> None:
    """Record that a task is confirmed, started or done; the latest status wins."""
    record = session.scalar(
        select(TaskPinRecord).where(TaskPinRecord.date == date, TaskPinRecord.task_id == task_id)
    )
    if record is None:
        session.add(TaskPinRecord(date=date, task_id=task_id, status=status, username=username, at=at))
    else:
        record.status, record.username, record.at = status, username, at
    session.flush()


def unpin_task(session: Session, *, date: dt.date, task_id: str) -> None:
    """Forget a task's status (its only mark was taken back): re-planning may move it again."""
    session.execute(delete(TaskPinRecord).where(TaskPinRecord.date == date, TaskPinRecord.task_id == task_id))
    session.flush()


def pinned_tasks(session: Session, date: dt.date) -> dict[str, str]:
    """Task id → status of every pinned task of ``date``."""
    rows = session.execute(
        select(TaskPinRecord.task_id, TaskPinRecord.status).where(TaskPinRecord.date == date)
    )
    return {task_id: status for task_id, status in rows}


# --- users ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UserAccount:
    """A log-in as the store knows it; ``password_hash`` is an argon2 hash, never a password."""

    id: int
    username: str
    password_hash: str
    role: Role
    staff_id: str | None
    patient_id: str | None
    active: bool
    created_at: dt.datetime
    token_epoch: int = 0
    password_changed_at: dt.datetime | None = None


def _user(record: UserRecord) -> UserAccount:
    return UserAccount(
        id=record.id,
        username=record.username,
        password_hash=record.password_hash,
        role=Role(record.role),
        staff_id=record.staff_id,
        patient_id=record.patient_id,
        active=record.active,
        created_at=record.created_at,
        token_epoch=record.token_epoch or 0,
        password_changed_at=record.password_changed_at,
    )


def add_user(
    session: Session,
    *,
    username: str,
    password_hash: str,
    role: Role,
    created_at: dt.datetime,
    staff_id: str | None = None,
    patient_id: str | None = None,
) -> UserAccount:
    """Insert a user; the unique username is enforced by the database (IntegrityError)."""
    record = UserRecord(
        username=username,
        password_hash=password_hash,
        role=role.value,
        staff_id=staff_id,
        patient_id=patient_id,
        active=True,
        created_at=created_at,
    )
    session.add(record)
    session.flush()
    return _user(record)


def get_user(session: Session, username: str) -> UserAccount | None:
    """The user called ``username``, or ``None``; callers decide whether that is a 401 or 404."""
    record = session.scalar(select(UserRecord).where(UserRecord.username == username))
    return _user(record) if record is not None else None


def link_user_to_staff(session: Session, username: str, staff_id: str) -> None:
    """Point a clinician's log-in at the member of staff whose route they see."""
    record = session.scalar(select(UserRecord).where(UserRecord.username == username))
    if record is None:
        raise NotFoundError("user", username)
    record.staff_id = staff_id
    session.flush()


def list_users(session: Session) -> list[UserAccount]:
    return [_user(r) for r in session.scalars(select(UserRecord).order_by(UserRecord.username))]


USER_FIELDS = frozenset({"password_hash", "role", "staff_id", "patient_id", "active", "password_changed_at"})
"""The columns :func:`update_user` may change (the name and the creation time never change)."""


def update_user(session: Session, username: str, *, end_sessions: bool = False, **values: Any) -> UserAccount:
    """Change ``values`` of the user called ``username`` (:data:`USER_FIELDS` only); with
    ``end_sessions`` also bump ``token_epoch``, which invalidates every token and session cookie
    issued before. ``NotFoundError`` for an unknown user."""
    unknown = set(values) - USER_FIELDS
    if unknown:
        raise ValueError(f"update_user cannot change {sorted(unknown)}")
    record = session.scalar(select(UserRecord).where(UserRecord.username == username).with_for_update())
    if record is None:
        raise NotFoundError("user", username)
    for name, value in values.items():
        setattr(record, name, value.value if isinstance(value, Role) else value)
    if end_sessions:
        record.token_epoch = (record.token_epoch or 0) + 1
    session.flush()
    return _user(record)


# --- helpers ----------------------------------------------------------------------------------


def _insert(session: Session, table: type[Any], rows: list[dict[str, Any]]) -> int:
    if rows:
        session.execute(insert(table), rows)
    return len(rows)
