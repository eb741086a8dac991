"""Synthetic instances in the benchmark's text format, with the published instances' dimensions.

Only instance 1 is on the development machine; the others are checked from outside. To test the
solver at every published size, this writes instances of the same staff × days × shift types as
instances 1–24 (the sizes in Curtois & Qu's table) with the same kinds of rules: shift types with
start times and lengths whose successions that leave under 11 h rest are forbidden, per-type maxima
(skills: on many shift types each person may work only a few), contract minutes as max/min totals,
max/min consecutive shifts, min consecutive days off, max weekends, single days off and leave
blocks, weighted shift on/off requests, and cover per day and shift (under 100, over 1).

The numbers are this module's own choices, not the published files': an instance written here is a
test of scale and rules, never a stand-in for the published objective values. Pure: seed in, text out.
"""

from __future__ import annotations

import random
import string

# instance number -> (staff, days, shift types), as in the benchmark's table of instances 1–24
PUBLISHED_SIZES: dict[int, tuple[int, int, int]] = {
    1: (8, 14, 1),
    2: (14, 14, 2),
    3: (20, 14, 3),
    4: (10, 28, 2),
    5: (16, 28, 2),
    6: (18, 28, 3),
    7: (20, 28, 3),
    8: (30, 28, 4),
    9: (36, 28, 4),
    10: (40, 28, 5),
    11: (50, 28, 6),
    12: (60, 28, 10),
    13: (120, 28, 18),
    14: (32, 42, 4),
    15: (45, 42, 6),
    16: (20, 56, 3),
    17: (32, 56, 4),
    18: (22, 84, 3),
    19: (40, 84, 5),
    20: (50, 182, 6),
    21: (100, 182, 8),
    22: (50, 364, 10),
    23: (100, 364, 16),
    24: (150, 364, 32),
}

MIN_REST_MINUTES = 11 * 60  # a shift may not follow one that leaves less rest than this
WEEK_MINUTES = 2160  # a full-time week's most (36 h), as in instance 1 (4320 over two weeks)
WEEK_MIN_MINUTES = 1680  # and its least (28 h)


def _shift_ids(count: int) -> list[str]:
    letters = string.ascii_uppercase
    return [letters[k] if k < 26 else letters[k // 26 - 1] + letters[k % 26] for k in range(count)]


def _blocks(rng: random.Random, horizon: int, count: int, longest: int) -> list[list[int]]:
    out = []
    for _ in range(count):
        size = rng.randint(1, longest)
        first = rng.randrange(0, max(1, horizon - size))
        out.append(list(range(first, min(horizon, first + size))))
    return out


def generate_instance(
    staff: int,
    days: int,
    shift_types: int,
    seed: int = 0,
    skills_above: int = 4,
    shift_minutes: int | None = None,
) -> str:
    """An instance of ``staff`` people over ``days`` days (a whole number of weeks, from a Monday)
    with ``shift_types`` shift types, in the benchmark's text format. With more than ``skills_above``
    shift types each person may work only a few of them (skills); else nearly all.

    ``shift_minutes`` makes every shift that long, as in published instances 1 and 2 (480), and changes
    nothing else: forbidden successors, contracts and cover are those of the 8, 10 and 12 h lengths
    drawn, so the instance is the same one with its lengths evened out (mixed lengths keep CP-SAT's
    bound from closing, docs/rota.md)."""
    if staff < 1 or shift_types < 1 or days < 7 or days % 7:
        raise ValueError("staff and shift types at least 1; days a positive multiple of 7")
    if shift_minutes is not None and not 60 <= shift_minutes <= 24 * 60:
        raise ValueError("shift minutes from 60 to 1440")
    rng = random.Random(seed)
    weeks = days // 7
    ids = _shift_ids(shift_types)
    # starts spread over the day (day, evening, night-like); lengths 8, 10 or 12 h
    start = {
        sid: (6 * 60 + (k * 17 * 60) // max(1, shift_types) + rng.choice((0, 30, 60))) % (24 * 60)
        for k, sid in enumerate(ids)
    }
    length = {sid: rng.choices((480, 600, 720), weights=(6, 2, 1))[0] for sid in ids}
    banned = {
        s: [u for u in ids if 24 * 60 + start[u] - (start[s] + length[s]) < MIN_REST_MINUTES] for s in ids
    }
    lines = [
        "# Synthetic instance written by hjemme (rota/benchmark/generate.py); not a published one.",
        f"# {staff} staff x {days} days x {shift_types} shift types, seed {seed}"
        + (f", every shift {shift_minutes} min." if shift_minutes else "."),
        "SECTION_HORIZON",
        "# All instances start on a Monday",
        str(days),
        "",
        "SECTION_SHIFTS",
        "# ShiftID, Length in mins, Shifts which cannot follow this shift | separated",
    ]
    lines += [f"{s},{shift_minutes or length[s]},{'|'.join(banned[s])}" for s in ids]
    lines += [
        "",
        "SECTION_STAFF",
        "# ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts, "
        "MinConsecutiveShifts, MinConsecutiveDaysOff, MaxWeekends",
    ]
    names = [f"E{i}" for i in range(staff)]
    skills: dict[str, list[str]] = {}
    days_off: dict[str, set[int]] = {}
    capacity = 0.0  # the most shifts the staff can work per day, summed over them
    for i, name in enumerate(names):
        if shift_types <= skills_above:
            allowed = list(ids)
            if shift_types > 1 and rng.random() < 0.2:  # some work no night-like shift
                allowed = [s for s in ids if not banned[s]] or list(ids)
        else:  # skills: a few types each, every type someone's
            allowed = sorted({ids[i % shift_types], *rng.sample(ids, rng.randint(1, min(5, shift_types)))})
        skills[name] = allowed
        pct = rng.choices((1.0, 0.8, 0.6), weights=(6, 3, 1))[0]
        off = {d for block in _blocks(rng, days, max(1, weeks // 2), 1) for d in block}
        leave_days = 0
        if weeks >= 8:  # a leave block every half year or so
            for block in _blocks(rng, days, max(1, weeks // 26), 10):
                off |= set(block)
                leave_days += len(block)
        days_off[name] = off
        most = int(pct * WEEK_MINUTES * weeks)
        least = max(0, int(pct * WEEK_MIN_MINUTES * weeks) - leave_days * 480 * 5 // 7)
        least -= least % 60
        mean_len = sum(length[s] for s in allowed) / len(allowed)
        capacity += most / mean_len / days
        max_run = rng.choice((5, 5, 6))
        min_run = rng.choice((1, 2, 2, 3)) if max_run > 3 else 1
        min_rest = rng.choice((1, 2, 2))
        max_weekends = max(1, (weeks + 1) // 2 if rng.random() < 0.7 else (weeks + 2) // 3)
        per_type = "|".join(
            f"{s}={days if s in allowed and k == 0 else (rng.randint(weeks, days) if s in allowed else 0)}"
            for k, s in enumerate(sorted(ids, key=lambda s: s not in allowed))
        )
        lines.append(f"{name},{per_type},{most},{least},{max_run},{min_run},{min_rest},{max_weekends}")
    lines += ["", "SECTION_DAYS_OFF", "# EmployeeID, DayIndexes (start at zero)"]
    lines += [f"{n},{','.join(str(d) for d in sorted(days_off[n]))}" for n in names if days_off[n]]
    on_lines, off_lines = [], []
    for name in names:
        for block in _blocks(rng, days, max(1, days // 14), 5):
            shift, weight = rng.choice(skills[name]), rng.randint(1, 3)
            on_lines += [f"{name},{d},{shift},{weight}" for d in block if d not in days_off[name]]
        for block in _blocks(rng, days, max(1, days // 14), 5):
            shift, weight = rng.choice(skills[name]), rng.randint(1, 3)
            off_lines += [f"{name},{d},{shift},{weight}" for d in block if d not in days_off[name]]
    lines += ["", "SECTION_SHIFT_ON_REQUESTS", "# EmployeeID, Day, ShiftID, Weight", *on_lines]
    lines += ["", "SECTION_SHIFT_OFF_REQUESTS", "# EmployeeID, Day, ShiftID, Weight", *off_lines]
    lines += ["", "SECTION_COVER", "# Day, ShiftID, Requirement, Weight for under, Weight for over"]
    # As tight as the published instances 1 and 2: their cover asks for about as many shifts as the
    # staff's maximum minutes allow (71 of 72 and 107 of 106), weekends no lighter than weekdays, so
    # some under-cover cannot be avoided and it dominates the objective.
    share = {s: rng.uniform(0.5, 1.5) for s in ids}
    total = sum(share.values())
    for day in range(days):
        for s in ids:
            mean = capacity * share[s] / total
            need = max(0, round(rng.gauss(mean, max(0.5, 0.2 * mean))))
            lines.append(f"{day},{s},{need},100,1")
    return "\n".join(lines) + "\n"


def generate_published_sizes(
    numbers: list[int], seed: int = 0, shift_minutes: int | None = None
) -> dict[str, str]:
    """``Gen<N>`` -> text for each instance number, at that published instance's size."""
    out = {}
    for number in numbers:
        if number not in PUBLISHED_SIZES:
            raise ValueError(f"no published instance {number} (1–24)")
        staff, days, shifts = PUBLISHED_SIZES[number]
        out[f"Gen{number}"] = generate_instance(
            staff, days, shifts, seed=seed + number, shift_minutes=shift_minutes
        )
    return out
