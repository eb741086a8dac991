"""Patients, enrolments, staff and vehicles: the people and things a day is planned for and with."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A patient's stay in one pathway, from ``start_date`` for ``length_days`` days."""

    id: str
    patient_id: str
    pathway_id: str
    start_date: dt.date
    length_days: int
    preferred_staff_ids: tuple[str, ...] = ()
    excluded_staff_ids: tuple[str, ...] = ()
    spo2_target_88_92: bool = False  # a clinician recorded the hypercapnic target: NEWS2 scale 2

    def __post_init__(self) -> None:
        if self.length_days < 1:
            raise ValueError("an enrolment lasts at least one day")

    @property
    def end_date(self) -> dt.date:
        """The last day of the stay (inclusive)."""
        return self.start_date + dt.timedelta(days=self.length_days - 1)

    def day_of(self, date: dt.date) -> int:
        """0-based day of the stay that ``date`` is (may be negative or past the end)."""
        return (date - self.start_date).days

    def is_active(self, date: dt.date) -> bool:
        return self.start_date <= date <= self.end_date


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
