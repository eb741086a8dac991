"""The rota's rule checker: every breach of a working-time rule, lock or absence in a proposed or
hand-edited rota, named in the user's language (issue 17).

It shares no code with :mod:`hjemme.rota.solve` (an import contract keeps it so) and checks the way a
person would: it lays each person's shifts out as intervals of minutes and measures the rests between
them, where the model states clauses over pairs of shifts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from hjemme.rota.problem import Cells, RotaProblem

DAY = 1440
DECIMAL = re.compile(r"^\d+\.\d+$")


@dataclass(frozen=True, slots=True)
class Breach:
    code: str  # rest, weekly_rest, hours_day, hours_week, consecutive, weekends, absent, locked, ...
    staff_id: str
    day: int  # the first day it concerns
    values: dict[str, object]
    hard: bool = True  # False: a warning (cover, contract), not a broken rule


MESSAGES: dict[str, dict[str, str]] = {
    "rest": {
        "nb": "{name}: bare {hours} t hvile mellom vakter (minst {limit} t), {date}",
        "en": "{name}: only {hours} h rest between shifts (at least {limit} h), {date}",
    },
    "weekly_rest": {
        "nb": "{name}: ingen sammenhengende hvile på {limit} t i uken fra {date}",
        "en": "{name}: no continuous rest of {limit} h in the week from {date}",
    },
    "hours_day": {
        "nb": "{name}: vakt på {hours} t (høyst {limit} t), {date}",
        "en": "{name}: a {hours} h shift (at most {limit} h), {date}",
    },
    "hours_week": {
        "nb": "{name}: {hours} t i uken fra {date} (høyst {limit} t)",
        "en": "{name}: {hours} h in the week from {date} (at most {limit} h)",
    },
    "consecutive": {
        "nb": "{name}: {count} arbeidsdager på rad fra {date} (høyst {limit})",
        "en": "{name}: {count} working days in a row from {date} (at most {limit})",
    },
    "weekends": {
        "nb": "{name}: arbeider {count} av {cycle} helger på rad fra {date} (høyst én)",
        "en": "{name}: works {count} of {cycle} weekends in a row from {date} (at most one)",
    },
    "absent": {
        "nb": "{name}: satt på vakt {date}, men er borte (fravær)",
        "en": "{name}: on a shift on {date} but absent",
    },
    "locked": {
        "nb": "{name}: låst celle {date} er endret (låst: {want})",
        "en": "{name}: locked cell on {date} was changed (locked: {want})",
    },
    "nights": {
        "nb": "{name}: satt på nattevakt {date}, men går ikke natt",
        "en": "{name}: on a night shift on {date} but does not work nights",
    },
    "under_cover": {
        "nb": "{date} {shift}: {have} av {need} på vakt{short}",
        "en": "{date} {shift}: {have} of {need} on duty{short}",
    },
    "skill_cover": {
        "nb": "{date} {shift}: {have} av {need} med {skill}",
        "en": "{date} {shift}: {have} of {need} with {skill}",
    },
    "contract": {
        "nb": "{name}: {hours} t planlagt mot {target} t etter stillingsprosent",
        "en": "{name}: {hours} h planned against {target} h by contract",
    },
}


def describe(
    breach: Breach, problem: RotaProblem, language: str = "nb", skill_names: Mapping[str, str] | None = None
) -> str:
    """The breach as a sentence in ``language`` (``nb`` or ``en``), naming the person, the date and
    the skill (by ``skill_names`` when given)."""
    names = {p.id: p.name for p in problem.staff}
    values = dict(breach.values)

    def skill_name(skill: object) -> str:
        return (skill_names or {}).get(str(skill), str(skill).replace("_", " "))

    if "skill" in values:
        values["skill"] = skill_name(values["skill"])
    short = values.get("short")
    if isinstance(short, tuple):  # the skills a short-handed shift also lacks, in the same sentence
        with_word = "med" if language == "nb" else "with"
        of_word = "av" if language == "nb" else "of"
        values["short"] = "".join(
            f", {have} {of_word} {need} {with_word} {skill_name(skill)}" for skill, have, need in short
        )
    if language == "nb":  # Norwegian writes a decimal comma: 106,5 t
        values = {k: str(v).replace(".", ",") if DECIMAL.match(str(v)) else v for k, v in values.items()}
    date = problem.date_of(breach.day)
    when = date.strftime("%d.%m.%Y") if language == "nb" else date.strftime("%d %b %Y")
    template = MESSAGES[breach.code]["nb" if language == "nb" else "en"]
    return template.format(name=names.get(breach.staff_id, breach.staff_id), date=when, **values)


def _hours(minutes: float) -> str:
    return f"{minutes / 60:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True, slots=True)
class PersonLoad:
    """One person's share of a rota: what the planner weighs for the contract and for fairness."""

    minutes: int  # planned
    target_minutes: float  # by contract, over the days the person is not absent
    nights: int
    weekends: int  # weekends with at least one shift

    def off_contract(self, tolerance_pct: float) -> bool:
        """Whether the planned hours lie outside the contract's tolerance."""
        return abs(self.minutes - self.target_minutes) > self.target_minutes * tolerance_pct / 100


def _weekends_worked(problem: RotaProblem, worked_days: set[int]) -> list[tuple[int, bool]]:
    """(first day of each weekend in the period, worked); a period starting on a Sunday counts it."""
    weekends: list[tuple[int, bool]] = []
    for day in range(problem.days):
        weekday = problem.date_of(day).weekday()
        if weekday == 5 or (weekday == 6 and day == 0):
            days = [d for d in (day, day + 1) if d < problem.days and problem.date_of(d).weekday() >= 5]
            weekends.append((day, any(d in worked_days for d in days)))
    return weekends


def person_loads(problem: RotaProblem, cells: Cells) -> dict[str, PersonLoad]:
    """Per person in ``problem.staff``: planned and contracted minutes, nights and weekends worked."""
    defs = {s.code: s for s in problem.shifts}
    loads: dict[str, PersonLoad] = {}
    for person in problem.staff:
        mine = [(day, code) for (sid, day), code in cells.items() if sid == person.id and code in defs]
        present = sum(1 for d in range(problem.days) if (person.id, d) not in problem.unavailable)
        loads[person.id] = PersonLoad(
            minutes=sum(defs[c].minutes for _, c in mine),
            target_minutes=problem.rules.full_time_week_min * person.contract_pct / 100 * present / 7,
            nights=sum(1 for _, c in mine if defs[c].night),
            weekends=sum(w for _, w in _weekends_worked(problem, {day for day, _ in mine})),
        )
    return loads


def check_rota(problem: RotaProblem, cells: Cells) -> list[Breach]:
    """Every breach in ``cells``: hard rules first (per person, by day), then cover and contract warnings."""
    rules = problem.rules
    defs = {s.code: s for s in problem.shifts}
    out: list[Breach] = []
    loads = person_loads(problem, cells)
    for person in problem.staff:
        mine = sorted((day, code) for (sid, day), code in cells.items() if sid == person.id and code in defs)
        intervals = [(day * DAY + defs[c].start_min, day * DAY + defs[c].end_min, day) for day, c in mine]
        for day, code in mine:
            if (person.id, day) in problem.unavailable:
                out.append(Breach("absent", person.id, day, {}))
            if defs[code].night and not person.can_work_nights:
                out.append(Breach("nights", person.id, day, {}))
            if defs[code].minutes > rules.max_hours_day * 60:
                out.append(
                    Breach(
                        "hours_day",
                        person.id,
                        day,
                        {"hours": _hours(defs[code].minutes), "limit": _hours(rules.max_hours_day * 60)},
                    )
                )
        for (_, end, day), (start, _, _) in zip(intervals, intervals[1:], strict=False):
            if start - end < rules.min_rest_h * 60:
                out.append(
                    Breach(
                        "rest",
                        person.id,
                        day,
                        {"hours": _hours(start - end), "limit": _hours(rules.min_rest_h * 60)},
                    )
                )
        worked_days = {day for day, _ in mine}
        # weekly rest: a free day in the week whose free period (to the neighbouring shifts) is long enough
        for monday in range(-problem.first_day.weekday() % 7, problem.days - 6, 7):
            longest = 0
            for day in range(monday, monday + 7):
                if day in worked_days:
                    continue
                before = max((e for s, e, _ in intervals if s < day * DAY), default=-(10**9))
                after = min((s for s, _, _ in intervals if s >= (day + 1) * DAY), default=10**9)
                longest = max(longest, after - max(before, -(10**9)))
            if longest < rules.min_weekly_rest_h * 60:
                out.append(
                    Breach("weekly_rest", person.id, monday, {"limit": _hours(rules.min_weekly_rest_h * 60)})
                )
            week_min = sum(defs[c].minutes for day, c in mine if monday <= day < monday + 7)
            if week_min > rules.max_hours_week * 60:
                out.append(
                    Breach(
                        "hours_week",
                        person.id,
                        monday,
                        {"hours": _hours(week_min), "limit": _hours(rules.max_hours_week * 60)},
                    )
                )
        run = 0
        for day in range(problem.days + 1):
            if day < problem.days and day in worked_days:
                run += 1
                continue
            if run > rules.max_consecutive_days:
                out.append(
                    Breach(
                        "consecutive",
                        person.id,
                        day - run,
                        {"count": run, "limit": rules.max_consecutive_days},
                    )
                )
            run = 0
        weekends = _weekends_worked(problem, worked_days)
        cycle = rules.weekend_cycle
        for i in range(len(weekends) - cycle + 1):
            count = sum(w for _, w in weekends[i : i + cycle])
            if count > 1:
                out.append(Breach("weekends", person.id, weekends[i][0], {"count": count, "cycle": cycle}))
        load = loads[person.id]
        if load.off_contract(rules.contract_tolerance_pct):
            values = {"hours": _hours(load.minutes), "target": _hours(load.target_minutes)}
            out.append(Breach("contract", person.id, 0, values, hard=False))
    for (sid, day), want in problem.locks.items():
        if cells.get((sid, day)) != want:
            out.append(Breach("locked", sid, day, {"want": want or "fri/off"}))
    for cell in problem.demand:
        on = [p for p in problem.staff if cells.get((p.id, cell.day)) == cell.shift]
        short = tuple(
            (skill, have, need)
            for skill, need in cell.by_skill.items()
            if (have := sum(1 for p in on if skill in p.skills)) < need
        )
        if len(on) < cell.total:  # one warning per shift, naming the skills it lacks too
            values = {"shift": cell.shift, "have": len(on), "need": cell.total, "short": short}
            out.append(Breach("under_cover", "", cell.day, values, hard=False))
            continue
        for skill, have, need in short:  # enough people, but not with the skill
            values = {"shift": cell.shift, "skill": skill, "have": have, "need": need}
            out.append(Breach("skill_cover", "", cell.day, values, hard=False))
    return out
