"""Generalised quasi-identifiers and the k-anonymity check of research data (issue 12, item 3).

A pseudonym alone does not keep research data pseudonymous: a birth year, a district and an
enrolment date together can single a patient out. So research rows carry quasi-identifiers only in
generalised form (a ten-year age band, an ISO week instead of a date, the district), and an
export is refused when any combination of them is shared by fewer than *k* patients
(k-anonymity, Sweeney 2002). Pure functions: the service gathers the rows and writes the files.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

AGE_BAND_YEARS = 10
TOP_AGE = 90  # ages from here on share one band ("90+"): few people are that old


def age_band(birth_year: int, on: dt.date, width: int = AGE_BAND_YEARS) -> str:
    """The ``width``-year band (ten by default) of the age a person born in ``birth_year`` reaches in
    ``on``'s year. The band holding age 90 is open-ended (``90+``; ``80+`` for 20-year bands)."""
    if width < 1:
        raise ValueError("an age band is at least one year wide")
    age = max(0, on.year - birth_year)
    top = TOP_AGE // width * width
    if age >= top:
        return f"{top}+"
    low = age // width * width
    return f"{low}-{low + width - 1}"


def iso_week(day: dt.date) -> str:
    """``day``'s ISO week, e.g. ``2026-W48``: dates are generalised to the week they fall in."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True, slots=True)
class RareGroup:
    """A combination of quasi-identifier values shared by too few patients."""

    values: Mapping[str, Any]
    patients: int


@dataclass(frozen=True, slots=True)
class KAnonymityResult:
    """The outcome of :func:`check_k_anonymity`: ``rare`` is empty when every group has ``k``."""

    k: int
    quasi_identifiers: tuple[str, ...]
    groups: int
    smallest: int
    rare: tuple[RareGroup, ...]

    @property
    def holds(self) -> bool:
        return not self.rare


def check_k_anonymity(
    rows: Iterable[Mapping[str, Any]], quasi_identifiers: Sequence[str], k: int, *, subject: str = "subject"
) -> KAnonymityResult:
    """Group ``rows`` by their ``quasi_identifiers`` and count distinct ``subject`` values per group.

    Counting subjects, not rows, matters: fifty measurements of one patient are one person, and
    a group of them identifies that person as surely as one row would.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    members: dict[tuple[Any, ...], set[Any]] = defaultdict(set)
    for row in rows:
        members[tuple(row[q] for q in quasi_identifiers)].add(row[subject])
    rare = tuple(
        RareGroup(dict(zip(quasi_identifiers, key, strict=True)), len(people))
        for key, people in sorted(members.items(), key=lambda item: (len(item[1]), repr(item[0])))
        if len(people) < k
    )
    smallest = min((len(p) for p in members.values()), default=0)
    return KAnonymityResult(k, tuple(quasi_identifiers), len(members), smallest, rare)
