"""The rota problem as plain values: shifts, working-time rules, staff, demand, wishes, locks.

Days are 0-based from ``first_day`` (a date); a cell is (staff id, day) and holds a shift code or
nothing (off). Times of a shift are minutes after Oslo midnight of the day it starts; a night shift
ends after midnight (``end_min`` > 1440).
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

MINUTES_PER_DAY = 1440
FULL_TIME_WEEK_MIN = 35 * 60 + 30  # 35.5 h: full time for staff on rotating shifts (assumption, configurable)


@dataclass(frozen=True, slots=True)
class ShiftDef:
    code: str  # "D", "E", "N"
    start_min: int
    end_min: int
    night: bool = False

    @property
    def minutes(self) -> int:
        return self.end_min - self.start_min


DEFAULT_SHIFTS = (
    ShiftDef("D", 7 * 60 + 30, 15 * 60 + 30),  # day 07:30–15:30
    ShiftDef("E", 15 * 60, 22 * 60 + 30),  # evening 15:00–22:30
    ShiftDef("N", 22 * 60 + 15, 31 * 60 + 45, night=True),  # night 22:15–07:45
)


@dataclass(frozen=True, slots=True)
class RotaRules:
    """Working-time rules as configuration; defaults from arbeidsmiljøloven (AML) where it sets them.

    * ``min_rest_h`` 11: daily rest between two shifts (AML § 10-8 (1));
    * ``min_weekly_rest_h`` 35: a continuous rest each calendar week (AML § 10-8 (2)), here one that
      contains a whole free day of that week;
    * ``max_hours_day`` 10 / ``max_hours_week`` 48: the limits when working hours are averaged
      (AML § 10-5 (1)); each shift and each calendar week must stay within them;
    * ``max_consecutive_days`` 6: a local rule (assumption), not set by AML;
    * ``weekend_cycle`` 2: at most one worked weekend in any ``weekend_cycle`` weekends in a row
      (2 = every other weekend off, AML § 10-10 (2) on average; 3 = every third worked);
    * ``contract_tolerance_pct`` 10: planned hours within this share of the contract's over the period.
    """

    min_rest_h: float = 11.0
    min_weekly_rest_h: float = 35.0
    max_hours_day: float = 10.0
    max_hours_week: float = 48.0
    max_consecutive_days: int = 6
    weekend_cycle: int = 2
    contract_tolerance_pct: float = 10.0
    full_time_week_min: int = FULL_TIME_WEEK_MIN

    def __post_init__(self) -> None:
        if self.weekend_cycle < 1 or self.max_consecutive_days < 1:
            raise ValueError("weekend_cycle and max_consecutive_days are at least 1")


class WishKind(enum.StrEnum):
    DAY_OFF = "day_off"
    SHIFT_WANTED = "shift_wanted"
    SHIFT_NOT_WANTED = "shift_not_wanted"


@dataclass(frozen=True, slots=True)
class Wish:
    staff_id: str
    day: int
    kind: WishKind
    shift: str | None = None  # for SHIFT_WANTED / SHIFT_NOT_WANTED
    weight: int = 3


@dataclass(frozen=True, slots=True)
class RotaStaff:
    id: str
    name: str
    skills: frozenset[str]
    contract_pct: int = 100
    can_work_nights: bool = True


@dataclass(frozen=True, slots=True)
class DemandCell:
    """Staff needed on ``day`` in ``shift``: ``total`` people, of whom ``by_skill[s]`` have skill s."""

    day: int
    shift: str
    total: int
    by_skill: dict[str, int] = field(default_factory=dict)
    low: float = 0.0  # uncertainty band of the forecast (people), shown with the demand
    high: float = 0.0


@dataclass(frozen=True, slots=True)
class RotaProblem:
    team: str
    first_day: dt.date
    days: int
    staff: tuple[RotaStaff, ...]
    demand: tuple[DemandCell, ...]
    shifts: tuple[ShiftDef, ...] = DEFAULT_SHIFTS
    rules: RotaRules = RotaRules()
    wishes: tuple[Wish, ...] = ()
    locks: dict[tuple[str, int], str | None] = field(default_factory=dict)  # cell -> shift or off
    unavailable: frozenset[tuple[str, int]] = frozenset()  # absences: (staff id, day)

    def date_of(self, day: int) -> dt.date:
        return self.first_day + dt.timedelta(days=day)

    def is_weekend(self, day: int) -> bool:
        return self.date_of(day).weekday() >= 5


Cells = dict[tuple[str, int], str]  # (staff id, day) -> shift code; a missing cell is a day off


@dataclass(frozen=True, slots=True)
class RotaParams:
    """Solver limits and the objective's weights; a minute off the contract costs 1."""

    time_limit_s: float = 20.0
    workers: int = 4
    seed: int = 0
    under_cover_weight: int = 10_000  # the first person missing on a shift; the k-th costs k times it
    skill_under_weight: int = 5_000  # per person with a needed skill missing
    over_cover_weight: int = 50  # per person more than needed
    idle_shift_weight: int = 500  # per person on a shift the forecast needs nobody on (no work at all)
    contract_weight_per_min: int = 20  # per minute short of the contract past its tolerance
    wish_unit: int = 100  # a wish of weight 3 weighs 300, five hours off the contract
    fairness_weight: int = 600  # per night or worked weekend above the person's fair share
    change_weight: int = 2_000  # re-plan: each changed cell of someone else


@dataclass(frozen=True, slots=True)
class RotaResult:
    cells: Cells
    status: str
    objective: int | None
    changed: tuple[tuple[str, int], ...] = ()  # re-plan: the cells that differ from the previous rota
