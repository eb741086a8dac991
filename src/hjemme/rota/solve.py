"""CP-SAT rota for a team: cover per shift and skill, Norwegian working-time rules, contracts,
wishes, fairness of nights and weekends, locked cells kept; and the re-plan after a sick call that
changes as few of the others' cells as it can (issue 17).

Every rota it returns is checked by :mod:`hjemme.rota.check`, which shares none of this code.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import product

from ortools.sat.python import cp_model

from hjemme.errors import InfeasibleError
from hjemme.rota.problem import (
    MINUTES_PER_DAY,
    Cells,
    RotaParams,
    RotaProblem,
    RotaResult,
    ShiftDef,
    WishKind,
)


def _gap_min(problem: RotaProblem, first: str, second: str, days_between: int) -> int:
    """Minutes from the end of ``first`` to the start of ``second`` ``days_between`` days later."""
    shifts = {s.code: s for s in problem.shifts}
    return days_between * MINUTES_PER_DAY + shifts[second].start_min - shifts[first].end_min


def weekends_in(problem: RotaProblem) -> list[int]:
    """The first day (Saturday, or a Sunday on day 0) of each weekend in the period."""
    return [
        d
        for d in range(problem.days)
        if problem.date_of(d).weekday() == 5 or (d == 0 and problem.date_of(d).weekday() == 6)
    ]


def _shares(problem: RotaProblem) -> dict[str, int]:
    """Each person's share of the team in per cent of the contracts (who can take nights aside)."""
    total = sum(p.contract_pct for p in problem.staff) or 1
    return {p.id: 100 * p.contract_pct // total for p in problem.staff}


def _minutes_of(shift: Mapping[str, ShiftDef], cells: Mapping[tuple[str, int], str | None], sid: str) -> int:
    """Minutes of ``sid``'s shifts in ``cells``."""
    return sum(shift[c].minutes for (who, _), c in cells.items() if who == sid and c in shift)


def solve_rota(
    problem: RotaProblem,
    params: RotaParams = RotaParams(),
    previous: Cells | None = None,
    keep_before: int = 0,
) -> RotaResult:
    """The best rota found in the time limit. With ``previous``, days before ``keep_before`` stay as
    they were and each other cell that differs from ``previous`` costs ``params.change_weight``."""
    rules = problem.rules
    model = cp_model.CpModel()
    codes = [s.code for s in problem.shifts]
    shift = {s.code: s for s in problem.shifts}
    days = range(problem.days)
    x: dict[tuple[str, int, str], cp_model.IntVar] = {}
    for person, day, code in product(problem.staff, days, codes):
        x[person.id, day, code] = model.new_bool_var(f"x_{person.id}_{day}_{code}")
        if (person.id, day) in problem.unavailable or (shift[code].night and not person.can_work_nights):
            model.add(x[person.id, day, code] == 0)
        if shift[code].minutes > rules.max_hours_day * 60:
            model.add(x[person.id, day, code] == 0)
    fixed: dict[tuple[str, int], str | None] = dict(problem.locks)
    if previous is not None:
        for person, day in product(problem.staff, range(min(keep_before, problem.days))):
            fixed.setdefault((person.id, day), previous.get((person.id, day)))
    for (sid, day), code in fixed.items():
        if not 0 <= day < problem.days or all((sid, day, c) not in x for c in codes):
            continue
        for c in codes:
            model.add(x[sid, day, c] == int(c == code))

    penalties: list[cp_model.LinearExprT] = []
    min_rest, weekly_rest = rules.min_rest_h * 60, rules.min_weekly_rest_h * 60
    night_counts, weekend_counts = [], []
    for person in problem.staff:
        works = []
        for day in days:
            model.add_at_most_one(x[person.id, day, c] for c in codes)
            works.append(sum(x[person.id, day, c] for c in codes))
        # daily rest between shifts on consecutive days
        for day in days[:-1]:
            for a, b in product(codes, codes):
                if _gap_min(problem, a, b, 1) < min_rest:
                    model.add_bool_or([x[person.id, day, a].Not(), x[person.id, day + 1, b].Not()])
        # weekly rest: each calendar week has a free day whose free period lasts min_weekly_rest_h
        for monday in {d - problem.date_of(d).weekday() for d in days}:
            week = [d for d in range(monday, monday + 7) if 0 <= d < problem.days]
            if len(week) < 7:
                continue
            rests = []
            for day in week:
                rest = model.new_bool_var(f"rest_{person.id}_{day}")
                model.add(works[day] == 0).only_enforce_if(rest)
                for a, b in product(codes, codes):
                    if 0 < day < problem.days - 1 and _gap_min(problem, a, b, 2) < weekly_rest:
                        model.add_bool_or(
                            [rest.Not(), x[person.id, day - 1, a].Not(), x[person.id, day + 1, b].Not()]
                        )
                rests.append(rest)
            model.add_bool_or(rests)
            minutes = sum(shift[c].minutes * x[person.id, d, c] for d in week for c in codes)
            model.add(minutes <= round(rules.max_hours_week * 60))
        for start in range(problem.days - rules.max_consecutive_days):
            model.add(
                sum(works[start : start + rules.max_consecutive_days + 1]) <= rules.max_consecutive_days
            )
        # weekends: at most one worked in any `weekend_cycle` in a row
        worked = []
        for saturday in weekends_in(problem):
            flag = model.new_bool_var(f"wk_{person.id}_{saturday}")
            for d in (saturday, saturday + 1):
                if d < problem.days and problem.is_weekend(d):
                    model.add(flag >= works[d])
            worked.append(flag)
        for start in range(len(worked) - rules.weekend_cycle + 1):
            model.add(sum(worked[start : start + rules.weekend_cycle]) <= 1)
        weekend_counts.append(sum(worked))
        # contract over the period, less the days the person is away
        present = sum(1 for d in days if (person.id, d) not in problem.unavailable)
        exact_target = rules.full_time_week_min * person.contract_pct / 100 * present / 7
        target = round(exact_target)
        planned = sum(shift[c].minutes * x[person.id, d, c] for d in days for c in codes)
        slack = round(target * rules.contract_tolerance_pct / 100)
        # Never past the tolerance: a gap the team cannot cover stays open for extra staff, as
        # overtime may not be planned (AML § 10-6: only for a passing need). Locked cells, or what the
        # published rota gave the person (a planner's hand-added hours) when re-planning, may go past.
        most = int(exact_target * (1 + rules.contract_tolerance_pct / 100))  # the checker's limit
        given = [_minutes_of(shift, cells, person.id) for cells in (fixed, previous or {})]
        model.add(planned <= max(most, *given))
        deviation = model.new_int_var(0, 10 * MINUTES_PER_DAY * problem.days, f"dev_{person.id}")
        model.add(deviation >= planned - target)
        model.add(deviation >= target - planned)
        over_tolerance = model.new_int_var(0, 10 * MINUTES_PER_DAY * problem.days, f"tol_{person.id}")
        model.add(over_tolerance >= deviation - slack)
        penalties.append(params.contract_weight_per_min * over_tolerance)
        penalties.append(deviation)  # a minute off the contract costs 1; past the tolerance much more
        night_counts.append(sum(x[person.id, d, c] for d in days for c in codes if shift[c].night))
    # cover per shift (under dear, over cheap) and per skill (under). A re-plan restores the cover the
    # previous rota had, not more: the absence's gaps are filled, while the gaps the planner published
    # (known, and left for extra staff) do not move anyone's shifts.
    skills_of = {p.id: p.skills for p in problem.staff}
    had: dict[tuple[int, str], list[str]] = {}
    for (sid, day), code in (previous or {}).items():
        had.setdefault((day, code), []).append(sid)
    for cell in problem.demand:
        before = had.get((cell.day, cell.shift), [])
        total = cell.total if previous is None else min(cell.total, len(before))
        staffed = sum(x[p.id, cell.day, cell.shift] for p in problem.staff)
        # the k-th person missing on one shift costs k times the first, so gaps the team cannot cover
        # are spread over the period: one short day shift a day, not a day with nobody on
        missing = [model.new_bool_var(f"miss_{cell.day}_{cell.shift}_{k}") for k in range(total)]
        for fewer, more in zip(missing, missing[1:], strict=False):
            model.add_implication(more, fewer)  # in order: the search skips dearer-first assignments
        over = model.new_int_var(0, len(problem.staff), f"over_{cell.day}_{cell.shift}")
        model.add(staffed + sum(missing) - over == total)
        # an extra hand on a shift with work absorbs the forecast's spread; on one with none it idles
        over_weight = params.over_cover_weight if cell.total else params.idle_shift_weight
        penalties += [params.under_cover_weight * (k + 1) * m for k, m in enumerate(missing)]
        penalties.append(over_weight * over)
        for skill, need in cell.by_skill.items():
            if previous is not None:
                need = min(need, sum(1 for sid in before if skill in skills_of.get(sid, ())))
            with_skill = sum(x[p.id, cell.day, cell.shift] for p in problem.staff if skill in p.skills)
            short = model.new_int_var(0, need, f"short_{cell.day}_{cell.shift}_{skill}")
            model.add(with_skill + short >= need)
            penalties.append(params.skill_under_weight * short)
    # wishes
    for wish in problem.wishes:
        if not 0 <= wish.day < problem.days or not any(p.id == wish.staff_id for p in problem.staff):
            continue
        if wish.kind is WishKind.DAY_OFF:
            penalties.append(
                wish.weight * params.wish_unit * sum(x[wish.staff_id, wish.day, c] for c in codes)
            )
        elif wish.shift in shift and wish.kind is WishKind.SHIFT_WANTED:
            penalties.append(wish.weight * params.wish_unit * (1 - x[wish.staff_id, wish.day, wish.shift]))
        elif wish.shift in shift:
            penalties.append(wish.weight * params.wish_unit * x[wish.staff_id, wish.day, wish.shift])
    # fairness: each person's nights and worked weekends above their fair share (by contract) cost
    night_need = sum(c.total for c in problem.demand if shift.get(c.shift) and shift[c.shift].night)
    per_day = {d: sum(c.total for c in problem.demand if c.day == d) for d in days}
    weekend_need = sum(
        max(per_day[d] for d in (sat, sat + 1) if d < problem.days) for sat in weekends_in(problem)
    )
    shares = _shares(problem)
    for counts, need, label in ((night_counts, night_need, "n"), (weekend_counts, weekend_need, "w")):
        for person, count in zip(problem.staff, counts, strict=True):
            fair = -(-need * shares[person.id] // 100)  # ceiling of the person's share
            excess = model.new_int_var(0, problem.days, f"fair_{label}_{person.id}")
            model.add(excess >= count - fair)
            penalties.append(params.fairness_weight * excess)
    # re-plan: changed cells of the others cost
    changes: list[tuple[tuple[str, int], cp_model.IntVar]] = []
    if previous is not None:
        for person, day in product(problem.staff, days):
            was = previous.get((person.id, day))
            if (person.id, day) in problem.unavailable:
                continue
            same = x[person.id, day, was] if was in shift else 1 - sum(x[person.id, day, c] for c in codes)
            differs = model.new_bool_var(f"chg_{person.id}_{day}")
            model.add(differs == 1 - same)
            changes.append(((person.id, day), differs))
            penalties.append(params.change_weight * differs)
    model.minimize(sum(penalties))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = params.time_limit_s
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise InfeasibleError(
            f"no rota keeps the rules for team {problem.team} ({solver.status_name(status).lower()}): "
            "check locked cells, absences and the rules"
        )
    cells: Cells = {(sid, day): code for (sid, day, code), var in x.items() if solver.boolean_value(var)}
    changed = tuple(sorted(key for key, var in changes if solver.boolean_value(var)))
    if previous is not None:  # the absent person's own lost shifts count as changes too
        changed = tuple(sorted(set(changed) | {k for k in previous if k in problem.unavailable}))
    return RotaResult(cells, solver.status_name(status), round(solver.objective_value), changed)
