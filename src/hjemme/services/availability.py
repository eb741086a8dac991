"""Staff and vehicles as registers (issue 13, items 2 and 3): register, absences, out of service.

The planner takes who works and what drives from here (:func:`working_on`), instead of the whole
roster: absent staff are not among the day's resources, part-day absences trim the shift, vehicles
out of service stay home. An absence or a period out of service that touches a day already planned
goes through that day's journal (``absent`` / ``vehicle_out``), see :mod:`hjemme.services.day_sync`.
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass, replace

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain.availability import (
    Absence,
    AbsenceKind,
    OutOfService,
    OutOfServiceReason,
)
from hjemme.domain.journal import EntryKind
from hjemme.domain.people import Staff, StaffRole, Vehicle, VehicleKind
from hjemme.domain.security import Role
from hjemme.domain.time import MINUTES_PER_DAY, TimeWindow
from hjemme.errors import InputError, NotFoundError
from hjemme.services.access import log_access, require_role
from hjemme.services.auth import Principal
from hjemme.services.day_sync import DayEffect, planned_dates, stored_problem, write_through_journal
from hjemme.services.journal import DayChange
from hjemme.services.roster import working_on
from hjemme.store import realdata as store
from hjemme.store import repositories as repo
from hjemme.store.database import serialised_scope, session_scope

REGISTRARS = frozenset({Role.COORDINATOR, Role.ADMIN})
"""Who keeps the staff and vehicle registers."""
MAX_DAYS = 366


@dataclass(frozen=True, slots=True)
class RegisterResult:
    id: str | int
    created: bool
    days: tuple[DayEffect, ...] = ()


def _audit(
    session: Session, principal: Principal, resource: str, at: dt.datetime, client: str | None
) -> None:
    """A register write without patient data: one access-log row with no patient."""
    log_access(
        session=session,
        principal=principal,
        patient_ids=[None],
        resource=resource,  # type: ignore[list-item]
        client=client,
        at=at,
        action="write",
    )


def register_staff(
    *,
    engine: Engine,
    principal: Principal,
    staff: Staff,
    now: dt.datetime,
    client: str | None = None,
    catalogue: Catalogue | None = None,
) -> RegisterResult:
    """Add a member of staff, or update them when the id exists (a new shift applies to days
    planned from now on)."""
    require_role(principal, REGISTRARS)
    check_staff(staff, catalogue or load_catalogue())
    with session_scope(engine) as session:
        created = store.find_staff(session, staff.id) is None
        store.save_staff(session, staff)
        _audit(session, principal, f"staff {staff.id} {'registered' if created else 'updated'}", now, client)
    return RegisterResult(staff.id, created)


def register_in(
    session: Session,
    *,
    principal: Principal,
    staff: list[Staff],
    vehicles: list[Vehicle],
    now: dt.datetime,
    catalogue: Catalogue,
    client: str | None = None,
) -> None:
    """Add new staff and vehicles in bulk inside the caller's transaction (importer, seeder)."""
    require_role(principal, REGISTRARS)
    for person in staff:
        check_staff(person, catalogue)
    for vehicle in vehicles:
        check_vehicle(vehicle, catalogue)
    repo.add_staff(session, staff)
    repo.add_vehicles(session, vehicles)
    if staff or vehicles:
        _audit(session, principal, f"registered {len(staff)} staff, {len(vehicles)} vehicles", now, client)


def check_staff(staff: Staff, catalogue: Catalogue) -> None:
    """Bad values → :class:`InputError` naming the field."""
    if not staff.id.strip() or len(staff.id) > 64:
        raise InputError("id", "give an id of 1–64 characters")
    if not staff.name.strip():
        raise InputError("name", "give the name")
    if staff.home_base_site_id not in catalogue.sites:
        raise InputError(
            "home_base",
            f"unknown site {staff.home_base_site_id!r}; one of {', '.join(sorted(catalogue.sites))}",
        )
    unknown = sorted(staff.skills - set(catalogue.skills))
    if unknown:
        raise InputError("skills", f"unknown skill(s) {', '.join(unknown)}")
    if not 1 <= staff.contract_pct <= 100:
        raise InputError("contract_pct", "a percentage between 1 and 100")
    if staff.max_work_min > staff.shift.end_min - staff.shift.start_min:
        raise InputError("shift", "the shift is shorter than the working time")


def new_staff(
    *,
    id: str,
    name: str,
    role: str,
    skills: list[str],
    home_base: str,
    phone: str = "",
    contract_pct: int = 100,
    shift: tuple[int, int] = (8 * 60, 16 * 60),
    clinic: str = "",
    qualified_carrier: bool = False,
) -> Staff:
    """A :class:`Staff` from plain values, with the default day (08:00–16:00, 30 min lunch)."""
    try:
        staff_role = StaffRole(role)
    except ValueError:
        raise InputError(
            "profession", f"{role!r} is not one of {', '.join(r.value for r in StaffRole)}"
        ) from None
    if not 0 <= shift[0] < shift[1] <= MINUTES_PER_DAY:
        raise InputError("shift", "the shift must run forwards within the day")
    start, end = shift
    lunch = TimeWindow(min(end - 30, max(start, 11 * 60)), min(end, max(start + 30, 13 * 60)))
    return Staff(
        id=id.strip(),
        name=name.strip(),
        role=staff_role,
        skills=frozenset(s.strip() for s in skills if s.strip()),
        home_base_site_id=home_base.strip(),
        shift=TimeWindow(start, end),
        break_window=lunch if end - start >= 6 * 60 else None,
        break_min=30 if end - start >= 6 * 60 else 0,
        max_work_min=end - start - (30 if end - start >= 6 * 60 else 0),
        clinic=clinic,
        qualified_carrier=qualified_carrier,
        phone=phone.strip(),
        contract_pct=contract_pct,
    )


def record_absence(
    *,
    engine: Engine,
    principal: Principal,
    staff_id: str,
    kind: str,
    from_date: dt.date,
    to_date: dt.date | None = None,
    from_min: int = 0,
    to_min: int = MINUTES_PER_DAY,
    note: str = "",
    now: dt.datetime,
    client: str | None = None,
) -> RegisterResult:
    """Record an absence; days already planned within it get an ``absent`` journal change. The same
    absence sent again (a double click, a retry) is the one already recorded (``created`` False)."""
    require_role(principal, REGISTRARS)
    absence = make_absence(staff_id, kind, from_date, to_date, from_min, to_min, note)
    with session_scope(engine) as session:
        if store.find_staff(session, staff_id) is None:
            raise NotFoundError("staff", staff_id)
        if (known := _recorded(session, absence)) is not None:
            return RegisterResult(known, False)
    changes = []
    for date in planned_dates(engine, start=absence.from_date, end=absence.to_date, now=now):
        stored = stored_problem(engine, date)
        if stored is not None and any(r.staff_id == staff_id for r in stored[0].resources):
            changes.append(
                (
                    date,
                    DayChange(
                        EntryKind.ABSENT,
                        staff_id=staff_id,
                        from_min=from_min,
                        to_min=to_min,
                        reason=f"{absence.kind}: {note}".strip(": "),
                    ),
                )
            )
    ids: list[int] = []

    def write(session: Session) -> None:
        # Looked for again inside the write lock, so two requests at once (a double click) cannot
        # both miss the other: the second finds the first and is undone.
        if (known := _recorded(session, absence)) is not None:
            raise _RecordedAlready(known)
        ids.append(store.add_absence(session, absence, username=principal.username, at=now))
        _audit(
            session, principal, f"staff {staff_id} absent {absence.from_date}–{absence.to_date}", now, client
        )

    try:
        if changes:  # serialised by the first day's lock
            effects = write_through_journal(
                engine=engine, principal=principal, changes=changes, write=write, now=now, client=client
            )
        else:  # no planned day to change: serialised per member
            with serialised_scope(engine, _absence_lock(staff_id)) as session:
                write(session)
            effects = []
    except _RecordedAlready as already:
        return RegisterResult(already.absence_id, False)
    except NotFoundError:
        # the same absence, recorded meanwhile by a request sent at once, took the member off the plan
        with session_scope(engine) as session:
            if (known_id := _recorded(session, absence)) is None:
                raise
        return RegisterResult(known_id, False)
    return RegisterResult(ids[0], True, tuple(effects))


def _absence_lock(staff_id: str) -> int:
    """The write lock for a member's absences: negative, so never a day's (a date's ordinal)."""
    return -1 - zlib.crc32(staff_id.encode())


def _recorded(session: Session, absence: Absence) -> int | None:
    """The id of an absence in the register equal to ``absence`` in every field, if there is one."""
    same = (a for a in store.absences(session, staff_id=absence.staff_id) if replace(a, id=None) == absence)
    return next((a.id or 0 for a in same), None)


class _RecordedAlready(Exception):
    """The same absence is in the register: this write (and its first day's change) is rolled back."""

    def __init__(self, absence_id: int) -> None:
        super().__init__(absence_id)
        self.absence_id = absence_id


def make_absence(
    staff_id: str,
    kind: str,
    from_date: dt.date,
    to_date: dt.date | None,
    from_min: int,
    to_min: int,
    note: str,
) -> Absence:
    try:
        absence_kind = AbsenceKind(kind)
    except ValueError:
        raise InputError(
            "kind", f"{kind!r} is not one of {', '.join(k.value for k in AbsenceKind)}"
        ) from None
    to_date = to_date or from_date
    if to_date < from_date:
        raise InputError("to", "the absence must end on or after its first day")
    if (to_date - from_date).days > MAX_DAYS:
        raise InputError("to", f"at most {MAX_DAYS} days at a time")
    if not 0 <= from_min < to_min <= MINUTES_PER_DAY:
        raise InputError("from_time", "the part of the day must run forwards within the day (from before to)")
    if len(note) > 500:
        raise InputError("note", "at most 500 characters")
    return Absence(staff_id, absence_kind, from_date, to_date, from_min, to_min, note)


def register_vehicle(
    *,
    engine: Engine,
    principal: Principal,
    vehicle: Vehicle,
    now: dt.datetime,
    client: str | None = None,
    catalogue: Catalogue | None = None,
) -> RegisterResult:
    """Add a vehicle, or update it when the id exists."""
    require_role(principal, REGISTRARS)
    check_vehicle(vehicle, catalogue or load_catalogue())
    with session_scope(engine) as session:
        created = store.get_vehicle(session, vehicle.id) is None
        store.save_vehicle(session, vehicle)
        _audit(
            session, principal, f"vehicle {vehicle.id} {'registered' if created else 'updated'}", now, client
        )
    return RegisterResult(vehicle.id, created)


def check_vehicle(vehicle: Vehicle, catalogue: Catalogue) -> None:
    if not vehicle.id.strip() or len(vehicle.id) > 64:
        raise InputError("id", "give an id of 1–64 characters")
    if vehicle.home_site_id not in catalogue.sites:
        raise InputError(
            "home_site", f"unknown site {vehicle.home_site_id!r}; one of {', '.join(sorted(catalogue.sites))}"
        )
    if vehicle.volume_l <= 0:
        raise InputError("volume_l", "the load volume must be positive")
    if vehicle.weight_kg <= 0:
        raise InputError("weight_kg", "the load weight must be positive")


def new_vehicle(
    *,
    id: str,
    name: str,
    kind: str,
    home_site: str,
    volume_l: float,
    weight_kg: float,
    cold_chain: bool = False,
    qualified_carrier: bool = False,
    electric: bool = True,
    last_service_date: dt.date | None = None,
    next_service_date: dt.date | None = None,
) -> Vehicle:
    try:
        vehicle_kind = VehicleKind(kind)
    except ValueError:
        raise InputError(
            "kind", f"{kind!r} is not one of {', '.join(k.value for k in VehicleKind)}"
        ) from None
    return Vehicle(
        id=id.strip(),
        name=name.strip() or id.strip(),
        kind=vehicle_kind,
        volume_l=volume_l,
        weight_kg=weight_kg,
        cold_chain=cold_chain,
        qualified_carrier=qualified_carrier,
        electric=electric,
        co2_g_per_km=0.0 if electric else 180.0,  # assumption: diesel van ≈ 180 g/km
        cost_nok_per_km=3.0 if electric else 5.0,  # assumption
        home_site_id=home_site.strip(),
        last_service_date=last_service_date,
        next_service_date=next_service_date,
    )


def record_out_of_service(
    *,
    engine: Engine,
    principal: Principal,
    vehicle_id: str,
    from_date: dt.date,
    to_date: dt.date | None = None,
    reason: str = "service",
    note: str = "",
    now: dt.datetime,
    client: str | None = None,
) -> RegisterResult:
    """A vehicle off the road; days already planned within the period get a ``vehicle_out`` change."""
    require_role(principal, REGISTRARS)
    try:
        why = OutOfServiceReason(reason)
    except ValueError:
        raise InputError(
            "reason", f"{reason!r} is not one of {', '.join(r.value for r in OutOfServiceReason)}"
        ) from None
    to_date = to_date or from_date
    if to_date < from_date:
        raise InputError("to", "the period must end on or after its first day")
    period = OutOfService(vehicle_id, from_date, to_date, why, note)
    with session_scope(engine) as session:
        if store.get_vehicle(session, vehicle_id) is None:
            raise NotFoundError("vehicle", vehicle_id)
    changes = []
    for date in planned_dates(engine, start=from_date, end=to_date, now=now):
        stored = stored_problem(engine, date)
        if stored is not None and any(r.vehicle_id == vehicle_id for r in stored[0].resources):
            changes.append(
                (
                    date,
                    DayChange(
                        EntryKind.VEHICLE_OUT, vehicle_id=vehicle_id, reason=f"{why}: {note}".strip(": ")
                    ),
                )
            )
    ids: list[int] = []

    def write(session: Session) -> None:
        ids.append(store.add_out_of_service(session, period, username=principal.username, at=now))
        _audit(session, principal, f"vehicle {vehicle_id} out of service {from_date}–{to_date}", now, client)

    effects = write_through_journal(
        engine=engine, principal=principal, changes=changes, write=write, now=now, client=client
    )
    return RegisterResult(ids[0], True, tuple(effects))


@dataclass(frozen=True, slots=True)
class Registers:
    """The staff and vehicle registers with who and what is away on a date (the coordinator's page)."""

    staff: list[Staff]
    vehicles: list[Vehicle]
    absences: list[Absence]
    out_of_service: list[OutOfService]
    working: frozenset[str]
    on_road: frozenset[str]

    def staff_name(self, staff_id: str) -> str:
        """The member's name (the id of someone no longer in the register)."""
        return next((s.name for s in self.staff if s.id == staff_id), staff_id)


def read_registers(*, engine: Engine, principal: Principal, date: dt.date) -> Registers:
    require_role(principal, REGISTRARS)
    with session_scope(engine) as session:
        staff, vehicles = repo.list_staff(session), repo.list_vehicles(session)
        working, on_road = working_on(session, date)
        return Registers(
            staff,
            vehicles,
            [a for a in store.absences(session) if a.to_date >= date],
            [p for p in store.out_of_service(session) if p.to_date >= date],
            frozenset(s.id for s in working),
            frozenset(v.id for v in on_road),
        )
