"""Clock times inside one planning day, and moments as people read them.

Inside hjemme a time of day is an ``int`` number of minutes after local midnight of the plan date;
``HH:MM`` strings exist only at the edges (files, JSON, screens). Moments (alarm opened, access-log
row, plan version made) are stored as aware UTC datetimes and shown to people only through
:func:`format_local` / :func:`format_local_date`: Oslo wall clock, always with the date (issue 11).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
HOSPITAL_TZ = ZoneInfo("Europe/Oslo")
"""Plans, shifts and windows are in the hospital's local time; timestamps elsewhere are aware UTC."""


def in_oslo(at: dt.datetime) -> dt.datetime:
    """The moment ``at`` (timezone-aware) on the hospital's wall clock.

    Goes through UTC: ``astimezone`` leaves a datetime already in Europe/Oslo as it is, so a clock
    time the spring change skips (02:30) would otherwise be shown as if it existed.
    """
    return at.astimezone(dt.UTC).astimezone(HOSPITAL_TZ)


def local_date(at: dt.datetime) -> dt.date:
    """The hospital's calendar date at the moment ``at`` (timezone-aware)."""
    return in_oslo(at).date()


def local_minute(at: dt.datetime) -> int:
    """Minutes after the hospital's local midnight at the moment ``at`` (timezone-aware)."""
    local = in_oslo(at)
    return local.hour * 60 + local.minute


def at_local(date: dt.date, minute_of_day: int) -> dt.datetime:
    """The aware moment of ``minute_of_day`` on ``date`` in the hospital's local time.

    Minutes count the wall clock. A clock time that does not exist (02:00–03:00 on the last Sunday
    of March) is read with the winter offset, so 02:30 is the moment the clock shows 03:30; one that
    exists twice (02:00–03:00 on the last Sunday of October) is its first, summer-time occurrence.
    """
    naive = dt.datetime.combine(date, dt.time()) + dt.timedelta(minutes=minute_of_day)
    return naive.replace(tzinfo=HOSPITAL_TZ)


MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_local_date(date: dt.date, language: str = "nb") -> str:
    """A calendar date as people read it: ``29.11.2026`` (bokmål), ``29 Nov 2026`` (English)."""
    if language == "en":
        return f"{date.day} {MONTHS_EN[date.month - 1]} {date.year}"
    return f"{date.day:02d}.{date.month:02d}.{date.year}"


def format_local(at: dt.datetime, language: str = "nb", *, seconds: bool = False) -> str:
    """An aware moment as Oslo wall-clock time with its date: ``29.11.2026 10:05`` (bokmål),
    ``29 Nov 2026 10:05`` (English), 24-hour clock in both.

    In the hour that repeats when summer time ends (last Sunday of October, 02:00–03:00 twice) the
    zone is added (``02:30 CEST``, then ``02:30 CET``) so the two moments stay apart. A naive
    datetime raises ``ValueError``: hjemme never guesses which zone a moment was in.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{at!r} has no time zone; hjemme shows only aware moments")
    local = in_oslo(at)
    clock = f"{local.hour:02d}:{local.minute:02d}" + (f":{local.second:02d}" if seconds else "")
    text = f"{format_local_date(local.date(), language)} {clock}"
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        text += f" {local.tzname()}"
    return text


def parse_hhmm(text: str) -> int:
    """``"07:30"`` → 450. Raises ``ValueError`` with the offending text on anything else."""
    try:
        hours_text, minutes_text = text.strip().split(":")
        hours, minutes = int(hours_text), int(minutes_text)
    except (AttributeError, ValueError):
        raise ValueError(f"{text!r} is not a time of day HH:MM") from None
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or hours * 60 + minutes > MINUTES_PER_DAY:
        raise ValueError(f"{text!r} is not a time of day HH:MM")
    return hours * 60 + minutes


def format_hhmm(minute_of_day: int | float) -> str:
    """450 → ``"07:30"``; seconds are rounded to the nearest minute."""
    total = round(minute_of_day)
    return f"{total // 60:02d}:{total % 60:02d}"


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A closed interval of minutes after midnight within which something must start."""

    start_min: int
    end_min: int

    def __post_init__(self) -> None:
        if not 0 <= self.start_min <= self.end_min <= MINUTES_PER_DAY:
            raise ValueError(f"time window {self.start_min}-{self.end_min} is not within one day")

    @classmethod
    def parse(cls, start: str, end: str) -> TimeWindow:
        return cls(parse_hhmm(start), parse_hhmm(end))

    def contains(self, minute: float) -> bool:
        return self.start_min <= minute <= self.end_min

    @property
    def width_min(self) -> int:
        return self.end_min - self.start_min

    def __str__(self) -> str:
        return f"{format_hhmm(self.start_min)}–{format_hhmm(self.end_min)}"


FIRST_SERVICE_DAY = dt.date(2000, 1, 1)
LAST_SERVICE_DAY = dt.date(2099, 12, 31)
"""The dates a user may ask about: 0001-01-01 or 9999-12-31 would overflow date arithmetic (the day
before, a week after) deep inside a service, a 500 instead of a clear refusal (#12)."""


def check_service_date(day: dt.date) -> dt.date:
    """``day`` if it lies in 2000–2099; a ``ValueError`` naming the range otherwise."""
    if not FIRST_SERVICE_DAY <= day <= LAST_SERVICE_DAY:
        raise ValueError(
            f"must be a date from {FIRST_SERVICE_DAY.isoformat()} to {LAST_SERVICE_DAY.isoformat()}"
        )
    return day
