"""A stored version of a team's rota and a staff wish, as the store hands them to services (issue 17).

The rota engine (:mod:`hjemme.rota`) works with days counted from ``first_day``; a stored rota keys its
cells by date, so a version reads the same whatever period it is shown for.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any


class RotaStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"  # a later version of the same team and period was published


@dataclass(frozen=True, slots=True)
class RotaVersion:
    id: int
    team: str
    first_day: dt.date
    days: int
    status: RotaStatus
    version: int
    cells: dict[tuple[str, dt.date], str]  # (staff id, date) -> shift code
    locks: dict[tuple[str, dt.date], str | None] = field(default_factory=dict)
    based_on: int | None = None
    note: str = ""
    demand: list[dict[str, Any]] = field(default_factory=list)
    rules: dict[str, Any] = field(default_factory=dict)
    shifts: list[dict[str, Any]] = field(default_factory=list)  # the shift times planned with; [] = defaults
    changed: int = 0
    username: str = ""
    at: dt.datetime | None = None
    published_by: str | None = None
    published_at: dt.datetime | None = None

    @property
    def last_day(self) -> dt.date:
        return self.first_day + dt.timedelta(days=self.days - 1)

    def covers(self, date: dt.date) -> bool:
        return self.first_day <= date <= self.last_day


@dataclass(frozen=True, slots=True)
class StaffWish:
    staff_id: str
    date: dt.date
    kind: str  # day_off | shift_wanted | shift_not_wanted
    shift: str | None = None
    weight: int = 3
    id: int | None = None
