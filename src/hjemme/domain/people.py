"""Patients, enrolments, staff and vehicles: the people and things a day is planned for and with."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace

from hjemme.domain.geo import Location
from hjemme.domain.time import TimeWindow


@dataclass(frozen=True, slots=True)
class Patient:
    id: str
    name: str
    birth_year: int
    address: str
    location: Location
    district_id: str
    phone: str
    language: str  # ISO 639-1, "nb" for Norwegian bokmål
    needs_interpreter: bool
    lives_alone: bool
    clinic: str
    delivery_notes: str = ""
    access_notes: str = ""  # key box, door code, dog: what a visitor needs to get in
    next_of_kin: str = ""  # name, relation and phone, as the clinic wrote it
    national_id: str | None = None  # fødselsnummer/D-nummer (urn:oid:2.16.578.1.12.4.1.4.1)
    hospital_id: str | None = None  # the hospital's own patient id (EHR)


@dataclass(frozen=True, slots=True)
class Address:
    """Where a patient lives from ``valid_from`` on (a move is a new address from its date)."""

    valid_from: dt.date
    address: str
    location: Location
    district_id: str
    access_notes: str = ""
    delivery_notes: str = ""


def patient_on(patient: Patient, addresses: Iterable[Address], date: dt.date) -> Patient:
    """``patient`` with the address valid on ``date`` (as stored when none is recorded for it)."""
    valid = sorted((a for a in addresses if a.valid_from <= date), key=lambda a: a.valid_from)
    if not valid:
        return patient
    a = valid[-1]
    return replace(patient, address=a.address, location=a.location, district_id=a.district_id,
                   access_notes=a.access_notes, delivery_notes=a.delivery_notes)


class EnrolmentStatus(enum.StrEnum):
    """Where a stay is in its life (issue 13): only admitted, discharged and deceased stays cause work."""

    REFERRED = "referred"  # referred, not yet admitted: no tasks
    ADMITTED = "admitted"
    DISCHARGED = "discharged"  # the stay ended early or on time; the last day is ``end_date``
    DECEASED = "deceased"
    CANCELLED = "cancelled"  # a stage that never began (discharged before its first day)


WORKING_STATUSES = frozenset({EnrolmentStatus.ADMITTED, EnrolmentStatus.DISCHARGED, EnrolmentStatus.DECEASED})

MAX_VISITS_PER_DAY = 6
MAX_VISIT_EVERY_DAYS = 28


@dataclass(frozen=True, slots=True)
class VisitPlan:
    """The patient's own visit frequency and windows from ``from_date`` on (issue 13).

    It replaces the pathway's *regular* visits — those with the skill of the pathway's first visit
    (a doctor's visit every third day in palliative care keeps its own schedule): ``per_day``
    visits on each visit day (``None``: as many as the pathway has), a visit day every
    ``every_days`` days counted from ``from_date`` (``None``: the pathway's days), and ``windows``
    (minutes after Oslo midnight within which a visit starts) either one for every visit or one
    per visit in order (empty: the pathway's). A plan with none of them set is the pathway's own
    visits again from ``from_date``.
    """

    from_date: dt.date
    per_day: int | None = None
    every_days: int | None = None
    windows: tuple[TimeWindow, ...] = ()

    def __post_init__(self) -> None:
        if self.per_day is not None and not 1 <= self.per_day <= MAX_VISITS_PER_DAY:
            raise ValueError(f"visits per day must be 1–{MAX_VISITS_PER_DAY}")
        if self.every_days is not None and not 1 <= self.every_days <= MAX_VISIT_EVERY_DAYS:
            raise ValueError(f"a visit day every 1–{MAX_VISIT_EVERY_DAYS} days")
        if any(w.end_min <= w.start_min for w in self.windows):
            raise ValueError("a visit window must end after it starts")

    @property
    def is_pathway(self) -> bool:
        """True when this plan hands the visits back to the pathway."""
        return self.per_day is None and self.every_days is None and not self.windows

    def same_visits(self, other: VisitPlan) -> bool:
        mine = (self.per_day, self.every_days, self.windows)
        return mine == (other.per_day, other.every_days, other.windows)


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A patient's stay in one pathway, from ``start_date`` for ``length_days`` days.

    A stay whose pathway stage changes is stored as consecutive enrolments of one ``episode_id``
    (each stage counts its pathway days from its own start). ``pauses`` are inclusive date ranges
    (readmitted to hospital) on which the stay causes no work; the stay's days count on.
    ``visit_plans`` are the patient's own visit frequency and windows from their dates
    (:class:`VisitPlan`); like the pauses, every stage of the stay carries all of them.
    """

    id: str
    patient_id: str
    pathway_id: str
    start_date: dt.date
    length_days: int
    preferred_staff_ids: tuple[str, ...] = ()
    excluded_staff_ids: tuple[str, ...] = ()
    spo2_target_88_92: bool = False  # a clinician recorded the hypercapnic target: NEWS2 scale 2
    episode_id: str | None = None  # the stay this stage belongs to (None: its own id)
    status: EnrolmentStatus = EnrolmentStatus.ADMITTED
    pauses: tuple[tuple[dt.date, dt.date], ...] = ()
    visit_plans: tuple[VisitPlan, ...] = ()  # the patient's own visits, by date (every stage has all)

    def __post_init__(self) -> None:
        if self.length_days < 1:
            raise ValueError("an enrolment lasts at least one day")

    @property
    def episode(self) -> str:
        return self.episode_id or self.id

    def visit_plan_on(self, date: dt.date) -> VisitPlan | None:
        """The patient's own visit plan in force on ``date`` (``None``: the pathway's visits)."""
        plan = None
        for candidate in self.visit_plans:
            if candidate.from_date <= date and (plan is None or candidate.from_date >= plan.from_date):
                plan = candidate
        return None if plan is None or plan.is_pathway else plan

    def is_paused(self, date: dt.date) -> bool:
        return any(start <= date <= end for start, end in self.pauses)

    @property
    def end_date(self) -> dt.date:
        """The last day of the stay (inclusive)."""
        return self.start_date + dt.timedelta(days=self.length_days - 1)

    def day_of(self, date: dt.date) -> int:
        """0-based day of the stay that ``date`` is (may be negative or past the end)."""
        return (date - self.start_date).days

    def is_active(self, date: dt.date) -> bool:
        """True on the days the stay causes work: admitted, within the stay and not paused."""
        return (
            self.status in WORKING_STATUSES
            and self.start_date <= date <= self.end_date
            and not self.is_paused(date)
        )


class StaffRole(enum.StrEnum):
    NURSE = "nurse"
    DOCTOR = "doctor"
    PHYSIOTHERAPIST = "physiotherapist"
    PSYCHOLOGIST = "psychologist"
    PARAMEDIC = "paramedic"
    DRIVER = "driver"
    COURIER = "courier"


CLINICAL_ROLES = frozenset(
    {StaffRole.NURSE, StaffRole.DOCTOR, StaffRole.PHYSIOTHERAPIST, StaffRole.PSYCHOLOGIST,
     StaffRole.PARAMEDIC}
)


@dataclass(frozen=True, slots=True)
class Staff:
    """A member of staff on the roster, with skills, a home base and a shift for a normal day."""

    id: str
    name: str
    role: StaffRole
    skills: frozenset[str]
    home_base_site_id: str
    shift: TimeWindow
    break_window: TimeWindow | None
    break_min: int
    max_work_min: int
    clinic: str
    qualified_carrier: bool = False  # couriers trained for cytostatics
    phone: str = ""
    contract_pct: int = 100  # stillingsprosent; the rota (staff-rota issue) turns it into shifts


class VehicleKind(enum.StrEnum):
    CAR = "car"  # electric pool car lent to clinicians
    VAN = "van"
    COLD_VAN = "cold_van"
    COURIER = "courier"  # courier car for samples and qualified goods


@dataclass(frozen=True, slots=True)
class Vehicle:
    id: str
    name: str
    kind: VehicleKind
    volume_l: float
    weight_kg: float
    cold_chain: bool
    qualified_carrier: bool
    electric: bool
    co2_g_per_km: float
    cost_nok_per_km: float
    home_site_id: str
    last_service_date: dt.date | None = None
    next_service_date: dt.date | None = None  # the vehicle is out of service on this day
