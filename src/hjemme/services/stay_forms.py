"""What a stay's use cases take and give (issue 13): the admission and change forms, their checks, and
the mapping from a form to the patient and the first stage. Pure values; no database."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from hjemme.catalogue import Catalogue
from hjemme.domain.geo import Location
from hjemme.domain.pathways import Pathway
from hjemme.domain.people import (
    MAX_VISIT_EVERY_DAYS,
    MAX_VISITS_PER_DAY,
    Enrolment,
    EnrolmentStatus,
    Patient,
    VisitPlan,
)
from hjemme.domain.security import Role
from hjemme.domain.time import MINUTES_PER_DAY, TimeWindow, format_hhmm, parse_hhmm
from hjemme.errors import InputError
from hjemme.services.day_sync import DayEffect

ADMITTERS = frozenset({Role.COORDINATOR, Role.ADMIN})
"""Who admits, changes and discharges (the EHR integration logs in as admin)."""
FINISHED = frozenset({"started", "done", "not_done", "delivered", "sample_handed_in"})
NATIONAL_ID = re.compile(r"^\d{11}$")
MAX_STAY_DAYS = 366


@dataclass(frozen=True, slots=True)
class Admission:
    """Everything a referral or an admission names; ``patient_id``/``episode_id`` are generated
    when empty. ``lat``/``lon`` may be left out when ``district`` is given (its centre is used)."""

    name: str
    birth_year: int
    address: str
    pathway_id: str
    start_date: dt.date
    length_days: int
    district: str = ""
    lat: float | None = None
    lon: float | None = None
    phone: str = ""
    access_notes: str = ""
    delivery_notes: str = ""
    next_of_kin: str = ""
    language: str = "nb"
    needs_interpreter: bool = False
    lives_alone: bool = False
    clinic: str = ""
    preferred_staff_ids: tuple[str, ...] = ()
    excluded_staff_ids: tuple[str, ...] = ()
    national_id: str | None = None
    hospital_id: str | None = None
    patient_id: str = ""
    episode_id: str = ""
    referral_only: bool = False
    spo2_target_88_92: bool = False


@dataclass(frozen=True, slots=True)
class StayResult:
    patient_id: str
    episode_id: str
    stages: tuple[Enrolment, ...]
    days: tuple[DayEffect, ...] = ()
    changed: bool = True


@dataclass(frozen=True, slots=True)
class StayChangeRequest:
    """One change from ``date``: ``kind`` is pathway, pause, resume, until, address, clinicians or
    visits (the patient's own visits per day, every N days and windows, or ``pathway_visits``)."""

    kind: str
    date: dt.date
    pathway_id: str = ""
    until: dt.date | None = None
    address: str = ""
    district: str = ""
    lat: float | None = None
    lon: float | None = None
    access_notes: str | None = None
    delivery_notes: str | None = None
    preferred_staff_ids: tuple[str, ...] | None = None
    excluded_staff_ids: tuple[str, ...] | None = None
    visits_per_day: int | None = None
    visit_every_days: int | None = None
    visit_windows: tuple[tuple[int, int], ...] | None = None  # minutes after Oslo midnight
    pathway_visits: bool = False  # the pathway's own visits again from ``date``
    reason: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # fields the caller did not know: refused

    @property
    def visit_fields(self) -> list[str]:
        """The visit fields given (for kinds other than ``visits`` they are refused)."""
        given = {
            "visits_per_day": self.visits_per_day is not None,
            "visit_every_days": self.visit_every_days is not None,
            "visit_windows": self.visit_windows is not None,
            "pathway_visits": self.pathway_visits,
        }
        return [name for name, present in given.items() if present]


CHANGE_KINDS = ("pathway", "pause", "resume", "until", "address", "clinicians", "visits")


def parse_windows(texts: Sequence[str], field_name: str = "visit_windows") -> tuple[tuple[int, int], ...]:
    """``["08:00-10:00", …]`` (Oslo wall clock, ``-`` or ``–``) as minutes after midnight; an
    :class:`InputError` naming ``field_name`` for text that is not ``HH:MM-HH:MM``."""
    windows = []
    for n, text in enumerate(t for t in texts if t.strip()):
        start, sep, end = text.replace("–", "-").partition("-")
        try:
            if not sep:
                raise ValueError(text)
            windows.append((parse_hhmm(start.strip()), parse_hhmm(end.strip())))
        except ValueError:
            raise InputError(field_name, f"window {n + 1} {text!r} is not HH:MM-HH:MM") from None
    return tuple(windows)


def visit_plan_of(change: StayChangeRequest, pathway: Pathway) -> VisitPlan:
    """The :class:`VisitPlan` a ``visits`` change asks for, checked against the pathway running on
    its date; an :class:`InputError` naming the field otherwise."""
    if change.pathway_visits:
        others = [f for f in change.visit_fields if f != "pathway_visits"]
        if others:
            raise InputError(others[0], "give new visits or the pathway's visits again, not both")
        return VisitPlan(change.date)
    if not change.visit_fields:
        raise InputError(
            "visits_per_day", "give visits per day, every how many days, windows, or the pathway's visits"
        )
    if change.visits_per_day is not None and not 1 <= change.visits_per_day <= MAX_VISITS_PER_DAY:
        raise InputError("visits_per_day", f"must be 1–{MAX_VISITS_PER_DAY}")
    if change.visit_every_days is not None and not 1 <= change.visit_every_days <= MAX_VISIT_EVERY_DAYS:
        raise InputError("visit_every_days", f"must be 1–{MAX_VISIT_EVERY_DAYS} (1: every day)")
    windows = change.visit_windows or ()
    if change.visit_windows is not None and not windows:
        raise InputError("visit_windows", "give at least one window HH:MM-HH:MM")
    for n, (start, end) in enumerate(windows):
        if not (0 <= start < MINUTES_PER_DAY and 0 < end <= MINUTES_PER_DAY):
            raise InputError("visit_windows", f"window {n + 1} is not within one day")
        if end <= start:
            raise InputError(
                "visit_windows",
                f"window {n + 1} ends ({format_hhmm(end)}) before it starts ({format_hhmm(start)})",
            )
    if not pathway.visits:
        raise InputError("kind", f"the pathway {pathway.id} has no home visits to change")
    regular = sum(1 for v in pathway.visits if v.skill == pathway.visits[0].skill)
    count = change.visits_per_day or regular
    if len(windows) not in (0, 1, count):
        raise InputError(
            "visit_windows", f"give one window for every visit or one per visit ({count}), not {len(windows)}"
        )
    return VisitPlan(
        change.date,
        change.visits_per_day,
        change.visit_every_days,
        tuple(TimeWindow(a, b) for a, b in windows),
    )


# -- validation -------------------------------------------------------------------------------------


def check_admission(a: Admission, catalogue: Catalogue) -> list[tuple[str, str]]:
    """Every problem with ``a`` as (field, why); empty when it can be stored."""
    problems: list[tuple[str, str]] = []
    if not a.name.strip():
        problems.append(("name", "give the patient's name"))
    if not 1880 <= a.birth_year <= a.start_date.year + 1:
        problems.append(("birth_year", f"must be between 1880 and {a.start_date.year + 1}"))
    if not a.address.strip():
        problems.append(("address", "give the address"))
    if a.pathway_id not in catalogue.pathways:
        problems.append(("pathway", f"unknown pathway {a.pathway_id!r}"))
    if not 1 <= a.length_days <= MAX_STAY_DAYS:
        problems.append(("length_days", f"a stay lasts 1–{MAX_STAY_DAYS} days"))
    if a.national_id is not None and not NATIONAL_ID.match(a.national_id):
        problems.append(("national_id", "a national id (fødselsnummer/D-nummer) has 11 digits"))
    if a.district and a.district not in catalogue.districts:
        problems.append(("district", f"unknown district {a.district!r}"))
    if (a.lat is None) != (a.lon is None):
        problems.append(("lat", "give both lat and lon, or neither"))
    elif a.lat is None and not a.district:
        problems.append(("district", "give the district (bydel) or the coordinates lat/lon"))
    elif a.lat is not None and a.lon is not None and not (59.0 <= a.lat <= 61.0 and 9.5 <= a.lon <= 12.0):
        problems.append(("lat", "the coordinates are not in the Oslo area"))
    if len(a.language) not in (2, 3) or not a.language.isalpha():
        problems.append(("language", "an ISO 639-1 code such as nb, en, ar"))
    if set(a.preferred_staff_ids) & set(a.excluded_staff_ids):
        problems.append(("excluded_staff", "a clinician cannot be both preferred and excluded"))
    for name, value in (("patient_id", a.patient_id), ("episode_id", a.episode_id)):
        if len(value) > 40:
            problems.append((name, "at most 40 characters"))
    return problems


def _raise_first(problems: Sequence[tuple[str, str]]) -> None:
    if problems:
        raise InputError(*problems[0])


def _location(
    catalogue: Catalogue, district: str, lat: float | None, lon: float | None
) -> tuple[Location, str]:
    """The coordinates given, or the district's centre; the district given, or the nearest one."""
    if lat is not None and lon is not None:
        loc = Location(lat, lon)
        if district:
            return loc, district
        nearest = min(
            catalogue.districts.values(),
            key=lambda d: (d.centroid.lat - lat) ** 2 + ((d.centroid.lon - lon) * 0.5) ** 2,
        )
        return loc, nearest.id
    return catalogue.districts[district].centroid, district


def patient_of(a: Admission, catalogue: Catalogue, patient_id: str) -> Patient:
    location, district = _location(catalogue, a.district, a.lat, a.lon)
    return Patient(
        id=patient_id,
        name=a.name.strip(),
        birth_year=a.birth_year,
        address=a.address.strip(),
        location=location,
        district_id=district,
        phone=a.phone.strip(),
        language=a.language,
        needs_interpreter=a.needs_interpreter,
        lives_alone=a.lives_alone,
        clinic=a.clinic or catalogue.pathways[a.pathway_id].clinic,
        delivery_notes=a.delivery_notes,
        access_notes=a.access_notes,
        next_of_kin=a.next_of_kin,
        national_id=a.national_id,
        hospital_id=a.hospital_id,
    )


def stage_of(a: Admission, patient_id: str, episode_id: str) -> Enrolment:
    return Enrolment(
        id=episode_id,
        patient_id=patient_id,
        pathway_id=a.pathway_id,
        start_date=a.start_date,
        length_days=a.length_days,
        preferred_staff_ids=a.preferred_staff_ids,
        excluded_staff_ids=a.excluded_staff_ids,
        spo2_target_88_92=a.spo2_target_88_92,
        status=EnrolmentStatus.REFERRED if a.referral_only else EnrolmentStatus.ADMITTED,
    )


def admission_of(patient: Patient, stage: Enrolment) -> Admission:
    """The admission that stores ``patient`` with ``stage`` as they are (the seeder's form)."""
    return Admission(
        name=patient.name,
        birth_year=patient.birth_year,
        address=patient.address,
        pathway_id=stage.pathway_id,
        start_date=stage.start_date,
        length_days=stage.length_days,
        district=patient.district_id,
        lat=patient.location.lat,
        lon=patient.location.lon,
        phone=patient.phone,
        access_notes=patient.access_notes,
        delivery_notes=patient.delivery_notes,
        next_of_kin=patient.next_of_kin,
        language=patient.language,
        needs_interpreter=patient.needs_interpreter,
        lives_alone=patient.lives_alone,
        clinic=patient.clinic,
        preferred_staff_ids=stage.preferred_staff_ids,
        excluded_staff_ids=stage.excluded_staff_ids,
        national_id=patient.national_id,
        hospital_id=patient.hospital_id,
        patient_id=patient.id,
        episode_id=stage.id,
        spo2_target_88_92=stage.spo2_target_88_92,
    )


def new_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12].upper()}"
