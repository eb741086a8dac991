"""Pathways (forløp): what a patient's enrolment causes, day by day.

A pathway is data (``catalogue/data/pathways/*.yaml``); this module is its typed form. Every
activity carries a :class:`DaySchedule` saying on which days of the stay it happens (day 0 is the
first day at home).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from hjemme.domain.time import TimeWindow


class ServiceKind(enum.StrEnum):
    AHS = "ahs"  # advanced hospital at home: admitted, daily visits
    AMBULANT = "ambulant"  # outpatient visited at home
    DHO = "dho"  # digital home follow-up


@dataclass(frozen=True, slots=True)
class DaySchedule:
    """On which days of a stay an activity happens.

    ``days`` lists explicit days and wins over the recurrence; ``on_last_day`` pins the activity
    to the last day of the stay (device pick-ups); otherwise the activity recurs every
    ``every_days`` from ``first_day`` up to ``last_day`` (inclusive; ``None`` = the whole stay).
    """

    every_days: int = 1
    first_day: int = 0
    last_day: int | None = None
    days: tuple[int, ...] = ()
    on_last_day: bool = False

    def __post_init__(self) -> None:
        if self.every_days < 1:
            raise ValueError("every_days must be at least 1")
        if self.first_day < 0 or any(d < 0 for d in self.days):
            raise ValueError("days of a stay start at 0")

    def applies(self, day: int, length_days: int) -> bool:
        """True when the activity happens on ``day`` (0-based) of a stay of ``length_days`` days."""
        if not 0 <= day < length_days:
            return False
        if self.on_last_day:
            return day == length_days - 1
        if self.days:
            return day in self.days
        if day < self.first_day or (self.last_day is not None and day > self.last_day):
            return False
        return (day - self.first_day) % self.every_days == 0

    def occurrences_per_week(self, length_days: int) -> float:
        """Mean number of occurrences per 7 days over a stay; used by projections."""
        count = sum(self.applies(d, length_days) for d in range(length_days))
        return 7.0 * count / length_days if length_days else 0.0


@dataclass(frozen=True, slots=True)
class GoodsLine:
    product_id: str
    quantity: int


@dataclass(frozen=True, slots=True)
class SecondPerson:
    """The second person a visit needs (issue 16): ``together`` is ``"simultaneous"`` (same minute)
    or ``"sequential"`` (``min_gap_min``–``max_gap_min`` after the first); ``duration_min`` ``None``
    means as long as the visit."""

    skill: str
    together: str = "simultaneous"
    min_gap_min: int = 0
    max_gap_min: int = 0
    duration_min: int | None = None


@dataclass(frozen=True, slots=True)
class VisitSpec:
    """A home visit by a clinician with ``skill``; ``fixed_time`` visits start at the window start."""

    skill: str
    duration_min: int
    window: TimeWindow
    schedule: DaySchedule = field(default_factory=DaySchedule)
    fixed_time: bool = False
    uses_goods: bool = True  # deliveries of that day must arrive before this visit
    second_person: SecondPerson | None = None  # a two-person visit (issue 16)


@dataclass(frozen=True, slots=True)
class VideoSpec:
    """A video consultation held by a clinician with ``skill`` from their desk or car."""

    skill: str
    duration_min: int
    window: TimeWindow
    schedule: DaySchedule = field(default_factory=DaySchedule)


@dataclass(frozen=True, slots=True)
class SampleSpec:
    """A biological sample; taken at the day's first visit unless ``self_sampled`` (posted)."""

    sample_type: str
    stability_hours: float
    schedule: DaySchedule = field(default_factory=DaySchedule)
    self_sampled: bool = False


@dataclass(frozen=True, slots=True)
class DeliverySpec:
    """Goods brought to the patient's home (delivery) or taken back (pick-up)."""

    lines: tuple[GoodsLine, ...]
    window: TimeWindow
    schedule: DaySchedule = field(default_factory=DaySchedule)


@dataclass(frozen=True, slots=True)
class DeviceSpec:
    """An MTU device the patient keeps at home during the stay."""

    device_type_id: str
    quantity: int = 1


@dataclass(frozen=True, slots=True)
class MonitoredParameter:
    """A measurement the patient takes at home, its expected interval and its alarm limits.

    ``rise_limit`` over ``rise_days`` expresses trend rules (heart failure: +2 kg in 3 days).
    """

    code: str  # hjemme's parameter code, e.g. "weight", "spo2"
    unit: str  # UCUM
    interval_hours: float
    low: float | None = None
    high: float | None = None
    rise_limit: float | None = None
    rise_days: int | None = None


@dataclass(frozen=True, slots=True)
class PromSpec:
    """A questionnaire the patient answers every ``every_days``; ``alert_score`` raises an alarm."""

    questionnaire_id: str
    every_days: int
    alert_score: float


@dataclass(frozen=True, slots=True)
class LengthOfStay:
    """Triangular distribution of the number of days in the pathway (an assumption to calibrate)."""

    min_days: int
    mode_days: int
    max_days: int

    def __post_init__(self) -> None:
        if not 1 <= self.min_days <= self.mode_days <= self.max_days:
            raise ValueError("length of stay needs 1 <= min_days <= mode_days <= max_days")

    @property
    def mean_days(self) -> float:
        return (self.min_days + self.mode_days + self.max_days) / 3.0


@dataclass(frozen=True, slots=True)
class Pathway:
    """A default care pathway (forløp) and everything it causes."""

    id: str
    name: str
    name_nb: str
    service_kind: ServiceKind
    clinic: str
    diagnosis_code: str  # ICD-10
    diagnosis_text: str
    length_of_stay: LengthOfStay
    visits: tuple[VisitSpec, ...] = ()
    videos: tuple[VideoSpec, ...] = ()
    samples: tuple[SampleSpec, ...] = ()
    deliveries: tuple[DeliverySpec, ...] = ()
    pickups: tuple[DeliverySpec, ...] = ()
    devices: tuple[DeviceSpec, ...] = ()
    monitoring: tuple[MonitoredParameter, ...] = ()
    proms: tuple[PromSpec, ...] = ()
    unplanned_calls_per_day: float = 0.0  # palliative: expected extra visits, a capacity reserve
    share_of_kind: float = 1.0  # weight of this pathway within its service kind (synthetic mix)
