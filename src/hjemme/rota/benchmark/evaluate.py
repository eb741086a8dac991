"""Independent evaluator for benchmark rosters: reads the instance text and the roster itself.

It shares no code with :mod:`hjemme.rota.benchmark.model` nor with the model's reader (an import
contract keeps it so): it scans each employee's line of days as runs of work and rest, the way a person
checks a roster, where the model states windows and clauses. Its objective is the number reported.

Rules (the benchmark's): hard — one shift a day, days off, forbidden successors, max shifts per
type, min/max total minutes, max consecutive shifts (days outside the horizon are off), min
consecutive shifts and min consecutive days off (for blocks wholly inside the horizon), max weekends
(a weekend counts when Saturday or Sunday is worked). Soft — a shift-on request not granted costs its
weight, a shift-off request granted costs its weight, each missing person on a cover costs the under
weight and each extra the over weight.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Breach:
    rule: str
    employee: str
    detail: str


@dataclass(slots=True)
class Score:
    shift_on: int = 0
    shift_off: int = 0
    under_cover: int = 0
    over_cover: int = 0
    breaches: list[Breach] = field(default_factory=list)

    @property
    def objective(self) -> int:
        return self.shift_on + self.shift_off + self.under_cover + self.over_cover

    @property
    def feasible(self) -> bool:
        return not self.breaches


def _records(text: str) -> dict[str, list[list[str]]]:
    table: dict[str, list[list[str]]] = {}
    key = ""
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("SECTION_"):
            key = line.removeprefix("SECTION_")
            table[key] = []
        else:
            table[key].append([cell.strip() for cell in line.split(",")])
    return table


def read_roster_xml(text: str) -> dict[str, list[tuple[int, str]]]:
    """The assignments of a roster in the benchmark's XML roster format, per employee."""
    root = ET.fromstring(text)
    out: dict[str, list[tuple[int, str]]] = {}
    for emp in root.iter("Employee"):
        out[emp.get("ID", "")] = [
            (int(a.findtext("Day", "-1")), a.findtext("Shift", "")) for a in emp.iter("Assign")
        ]
    return out


def _runs(line: list[bool]) -> list[tuple[bool, int, int]]:
    """(working?, first day, length) for each maximal run of equal days."""
    runs: list[tuple[bool, int, int]] = []
    for day, working in enumerate(line):
        if runs and runs[-1][0] == working:
            kind, first, length = runs[-1]
            runs[-1] = (kind, first, length + 1)
        else:
            runs.append((working, day, 1))
    return runs


def score_roster(instance_text: str, assignments: dict[str, list[tuple[int, str]]]) -> Score:
    """Score ``assignments`` (employee -> [(day, shift)]) against the instance; list every breach."""
    rec = _records(instance_text)
    horizon = int(rec["HORIZON"][0][0])
    length = {row[0]: int(row[1]) for row in rec["SHIFTS"]}
    banned_next = {row[0]: {s for s in "|".join(row[2:]).split("|") if s} for row in rec["SHIFTS"]}
    score = Score()
    grid: dict[str, dict[int, str]] = {}
    for emp, items in assignments.items():
        days: dict[int, str] = {}
        for day, shift in items:
            if day in days:
                score.breaches.append(Breach("one shift a day", emp, f"day {day}"))
            if not 0 <= day < horizon or shift not in length:
                score.breaches.append(Breach("unknown day or shift", emp, f"day {day} shift {shift}"))
                continue
            days[day] = shift
        grid[emp] = days
    staff_ids = {row[0] for row in rec["STAFF"]}
    for emp in set(grid) - staff_ids:
        score.breaches.append(Breach("unknown employee", emp, ""))
    for row in rec["STAFF"]:
        emp = row[0]
        days = grid.get(emp, {})
        limits = dict(item.split("=") for item in row[1].split("|") if item)
        counts = Counter(days.values())
        for shift, n in counts.items():
            if n > int(limits.get(shift, 0)):
                score.breaches.append(Breach("max shifts", emp, f"{n} × {shift} > {limits.get(shift, 0)}"))
        minutes = sum(length[s] for s in days.values())
        max_min, min_min, max_run, min_run, min_rest, max_weekends = (int(v) for v in row[2:8])
        if not min_min <= minutes <= max_min:
            score.breaches.append(Breach("total minutes", emp, f"{minutes} not in [{min_min}, {max_min}]"))
        for day, shift in days.items():
            if days.get(day + 1) in banned_next[shift]:
                score.breaches.append(Breach("shift rotation", emp, f"{shift} then {days[day + 1]} at {day}"))
        line = [d in days for d in range(horizon)]
        for working, first, size in _runs(line):
            inside = first > 0 and first + size < horizon
            if working and size > max_run:
                score.breaches.append(Breach("max consecutive shifts", emp, f"{size} from day {first}"))
            if working and inside and size < min_run:
                score.breaches.append(Breach("min consecutive shifts", emp, f"{size} from day {first}"))
            if not working and inside and size < min_rest:
                score.breaches.append(Breach("min consecutive days off", emp, f"{size} from day {first}"))
        worked_weekends = sum(
            1 for sat in range(5, horizon, 7) if line[sat] or (sat + 1 < horizon and line[sat + 1])
        )
        if worked_weekends > max_weekends:
            score.breaches.append(Breach("max weekends", emp, f"{worked_weekends} > {max_weekends}"))
    for row in rec.get("DAYS_OFF", []):
        for day in row[1:]:
            if day and int(day) in grid.get(row[0], {}):
                score.breaches.append(Breach("day off", row[0], f"day {day}"))
    for emp, day, shift, weight in rec.get("SHIFT_ON_REQUESTS", []):
        if grid.get(emp, {}).get(int(day)) != shift:
            score.shift_on += int(weight)
    for emp, day, shift, weight in rec.get("SHIFT_OFF_REQUESTS", []):
        if grid.get(emp, {}).get(int(day)) == shift:
            score.shift_off += int(weight)
    staffed = Counter((d, s) for days in grid.values() for d, s in days.items())
    for day, shift, need, under, over in rec["COVER"]:
        have, need_n = staffed[int(day), shift], int(need)
        score.under_cover += max(0, need_n - have) * int(under)
        score.over_cover += max(0, have - need_n) * int(over)
    return score
