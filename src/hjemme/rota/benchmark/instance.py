"""Reader for the text format of the Employee Shift Scheduling Benchmark (Curtois & Qu).

The format is documented in each instance file's own comments: ``SECTION_HORIZON`` (days, starting on
a Monday), ``SECTION_SHIFTS`` (id, minutes, shifts that may not follow on the next day),
``SECTION_STAFF`` (per employee: max shifts per type, max/min total minutes, max/min consecutive
shifts, min consecutive days off, max weekends), ``SECTION_DAYS_OFF``, ``SECTION_SHIFT_ON_REQUESTS`` /
``SECTION_SHIFT_OFF_REQUESTS`` (with weights) and ``SECTION_COVER`` (requirement, under/over weights).
Lines starting with ``#`` are comments. The reader is pure: text in, frozen values out.
"""

from __future__ import annotations

from dataclasses import dataclass

from hjemme.errors import InputError

SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)


@dataclass(frozen=True, slots=True)
class ShiftType:
    id: str
    minutes: int
    not_followed_by: frozenset[str]


@dataclass(frozen=True, slots=True)
class Employee:
    id: str
    max_shifts: dict[str, int]  # per shift type; a type not listed may not be worked at all
    max_total_minutes: int
    min_total_minutes: int
    max_consecutive_shifts: int
    min_consecutive_shifts: int
    min_consecutive_days_off: int
    max_weekends: int


@dataclass(frozen=True, slots=True)
class ShiftRequest:
    employee: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True, slots=True)
class Cover:
    day: int
    shift: str
    requirement: int
    under_weight: int
    over_weight: int


@dataclass(frozen=True, slots=True)
class BenchmarkInstance:
    name: str
    horizon_days: int
    shifts: tuple[ShiftType, ...]
    employees: tuple[Employee, ...]
    days_off: dict[str, frozenset[int]]
    on_requests: tuple[ShiftRequest, ...]
    off_requests: tuple[ShiftRequest, ...]
    cover: tuple[Cover, ...]

    @property
    def weekends(self) -> int:
        """Whole or partial weekends in the horizon (it starts on a Monday: Saturday is day 5)."""
        return (self.horizon_days + 1) // 7


def _sections(text: str, name: str) -> dict[str, list[tuple[int, str]]]:
    found: dict[str, list[tuple[int, str]]] = {}
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise InputError("instance", f"{name}:{number}: unknown section {line}")
            current = line
            found.setdefault(current, [])
            continue
        if current is None:
            raise InputError("instance", f"{name}:{number}: data before the first section")
        found[current].append((number, line))
    missing = [
        s for s in ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_COVER") if s not in found
    ]
    if missing:
        raise InputError("instance", f"{name}: missing {', '.join(missing)}")
    return found


def _fields(name: str, number: int, line: str, count: int) -> list[str]:
    parts = [p.strip() for p in line.split(",")]
    if len(parts) < count:
        raise InputError("instance", f"{name}:{number}: expected {count} fields, found {len(parts)}")
    return parts


def _int(name: str, number: int, value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InputError("instance", f"{name}:{number}: {value!r} is not a whole number") from None


def read_instance(text: str, name: str = "instance") -> BenchmarkInstance:
    """Parse one instance; a malformed line raises ``InputError`` naming the file and line."""
    sections = _sections(text, name)
    number, line = sections["SECTION_HORIZON"][0]
    horizon = _int(name, number, line)
    shifts = []
    for number, line in sections["SECTION_SHIFTS"]:
        sid, minutes, *rest = _fields(name, number, line, 2)
        successors = "|".join(rest)
        shifts.append(
            ShiftType(sid, _int(name, number, minutes), frozenset(s for s in successors.split("|") if s))
        )
    shift_ids = {s.id for s in shifts}
    employees = []
    for number, line in sections["SECTION_STAFF"]:
        eid, limits, *numbers = _fields(name, number, line, 8)
        max_shifts: dict[str, int] = {}
        for item in limits.split("|"):
            if not item:
                continue
            sid, _, value = item.partition("=")
            if sid not in shift_ids:
                raise InputError("instance", f"{name}:{number}: unknown shift {sid!r}")
            max_shifts[sid] = _int(name, number, value)
        values = [_int(name, number, v) for v in numbers[:6]]
        employees.append(Employee(eid, max_shifts, *values))
    employee_ids = {e.id for e in employees}
    days_off: dict[str, set[int]] = {e: set() for e in employee_ids}
    for number, line in sections.get("SECTION_DAYS_OFF", []):
        eid, *days = _fields(name, number, line, 1)
        if eid not in employee_ids:
            raise InputError("instance", f"{name}:{number}: unknown employee {eid!r}")
        days_off[eid].update(_int(name, number, d) for d in days if d)

    def requests(section: str) -> tuple[ShiftRequest, ...]:
        out = []
        for number, line in sections.get(section, []):
            eid, day, sid, weight = _fields(name, number, line, 4)[:4]
            if eid not in employee_ids or sid not in shift_ids:
                raise InputError("instance", f"{name}:{number}: unknown employee or shift")
            out.append(ShiftRequest(eid, _int(name, number, day), sid, _int(name, number, weight)))
        return tuple(out)

    cover = []
    for number, line in sections["SECTION_COVER"]:
        day, sid, req, under, over = _fields(name, number, line, 5)[:5]
        if sid not in shift_ids:
            raise InputError("instance", f"{name}:{number}: unknown shift {sid!r}")
        cover.append(
            Cover(
                _int(name, number, day),
                sid,
                _int(name, number, req),
                _int(name, number, under),
                _int(name, number, over),
            )
        )
    return BenchmarkInstance(
        name=name,
        horizon_days=horizon,
        shifts=tuple(shifts),
        employees=tuple(employees),
        days_off={e: frozenset(d) for e, d in days_off.items()},
        on_requests=requests("SECTION_SHIFT_ON_REQUESTS"),
        off_requests=requests("SECTION_SHIFT_OFF_REQUESTS"),
        cover=tuple(cover),
    )
