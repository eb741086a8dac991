"""Who and what can work on a date: staff absences and vehicles out of service (issue 13).

Pure functions over the registers, so the planner's day input, the coordinator's page and the
tests agree on one rule:

* a full-day absence (sick leave, holiday, course …) takes the person off the day;
* a part-day absence (``from_min``–``to_min``, minutes after Oslo midnight) trims the shift to the
  part outside it: an absence covering the start moves the start, one covering the end moves the
  end, one in the middle keeps the longer part (a shift is one piece); the break is dropped when it
  no longer fits, and the working time is capped at the shift;
* a vehicle out of service (a period of dates, or its ``next_service_date``) stays home that day.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace

from hjemme.domain.people import Staff, Vehicle
from hjemme.domain.time import MINUTES_PER_DAY, TimeWindow


class AbsenceKind(enum.StrEnum):
    SICK = "sick"  # sykemelding / egenmelding
    HOLIDAY = "holiday"  # ferie
    COURSE = "course"  # kurs
    OTHER = "other"  # permisjon, avspasering …


@dataclass(frozen=True, slots=True)
class Absence:
    """A member of staff away from ``from_date`` to ``to_date`` (inclusive), all day unless
    ``from_min``/``to_min`` name a part of each of those days."""

    staff_id: str
    kind: AbsenceKind
    from_date: dt.date
    to_date: dt.date
    from_min: int = 0
    to_min: int = MINUTES_PER_DAY
    note: str = ""
    id: int | None = None

    def __post_init__(self) -> None:
        if self.to_date < self.from_date:
            raise ValueError("an absence ends on or after its first day")
        if not 0 <= self.from_min < self.to_min <= MINUTES_PER_DAY:
            raise ValueError("the part of the day must run forwards within the day")

    @property
    def all_day(self) -> bool:
        return self.from_min == 0 and self.to_min == MINUTES_PER_DAY

    def covers(self, date: dt.date) -> bool:
        return self.from_date <= date <= self.to_date


class OutOfServiceReason(enum.StrEnum):
    SERVICE = "service"  # periodic service (EU-kontroll, tyres …)
    REPAIR = "repair"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class OutOfService:
    """A vehicle off the road from ``from_date`` to ``to_date`` (inclusive)."""

    vehicle_id: str
    from_date: dt.date
    to_date: dt.date
    reason: OutOfServiceReason = OutOfServiceReason.SERVICE
    note: str = ""
    id: int | None = None

    def __post_init__(self) -> None:
        if self.to_date < self.from_date:
            raise ValueError("a period out of service ends on or after its first day")

    def covers(self, date: dt.date) -> bool:
        return self.from_date <= date <= self.to_date


def staff_on(staff: Iterable[Staff], absences: Iterable[Absence], date: dt.date) -> list[Staff]:
    """The staff who work on ``date``, with shifts trimmed by part-day absences (sorted by id)."""
    by_staff: dict[str, list[Absence]] = {}
    for absence in absences:
        if absence.covers(date):
            by_staff.setdefault(absence.staff_id, []).append(absence)
    working = []
    for person in sorted(staff, key=lambda s: s.id):
        trimmed: Staff | None = person
        for absence in sorted(by_staff.get(person.id, ()), key=lambda a: a.from_min):
            trimmed = trim_shift(trimmed, absence.from_min, absence.to_min) if trimmed else None
        if trimmed is not None:
            working.append(trimmed)
    return working


def trim_shift(person: Staff, from_min: int, to_min: int) -> Staff | None:
    """``person`` without the time ``from_min``–``to_min``; ``None`` when no shift is left."""
    start, end = person.shift.start_min, person.shift.end_min
    if to_min <= start or from_min >= end:
        return person
    before = (start, from_min) if from_min > start else None
    after = (to_min, end) if to_min < end else None
    parts = [p for p in (before, after) if p is not None]
    if not parts:
        return None
    new_start, new_end = max(parts, key=lambda p: p[1] - p[0])
    shift = TimeWindow(new_start, new_end)
    brk = person.break_window
    keeps_break = brk is not None and new_start <= brk.start_min and brk.end_min <= new_end
    return replace(
        person,
        shift=shift,
        break_window=brk if keeps_break else None,
        break_min=person.break_min if keeps_break else 0,
        max_work_min=min(person.max_work_min, new_end - new_start),
    )


def vehicles_on(vehicles: Iterable[Vehicle], periods: Iterable[OutOfService], date: dt.date) -> list[Vehicle]:
    """The vehicles on the road on ``date`` (sorted by id)."""
    off = {p.vehicle_id for p in periods if p.covers(date)}
    return [
        v for v in sorted(vehicles, key=lambda v: v.id) if v.id not in off and v.next_service_date != date
    ]
