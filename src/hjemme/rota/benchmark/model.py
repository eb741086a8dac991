"""CP-SAT model of the Employee Shift Scheduling Benchmark: one Boolean per employee, day and shift.

Hard: at most one shift a day, days off, forbidden successors, max shifts per type, total minutes,
max/min consecutive shifts, min consecutive days off, max weekends. Soft (the objective): unmet
shift-on requests, met shift-off requests, under- and over-cover, each with the instance's weight.

The consecutive rules follow the benchmark's integer programme: a maximum is checked on every window
inside the horizon (days before and after it count as off), a minimum on every work or rest block that
lies wholly inside it (a block touching the first or last day is not cut short by the horizon). The
roster this returns is re-scored by :mod:`hjemme.rota.benchmark.evaluate`, which shares none of this.

Two ways to solve, by size:

* **Whole model** (up to ``FULL_MODEL_UP_TO`` shift Booleans: instances 1–10 and 16 at their
  published sizes as generated here): every variable in one CP-SAT search, which proves the optimum
  on small instances.
* **Large neighbourhood search** (above it: instances 11–15 and 17–24's sizes): the first roster,
  then repeatedly a small CP-SAT model over some cells with every other cell fixed (everyone over a
  short window, a few who share shift types over a long one, or, when it can be solved in time, the
  cells where the roster and the whole model's LP relaxation disagree, with whole lines when those
  are few), kept when no worse. The threshold is the crossover measured at 60 s on generated
  instances as tight as the published ones (docs/rota.md).

The first roster: every hard rule concerns one employee, so a line per employee that keeps them all
(a small CP-SAT model each, the best found in its share against the cover the lines before it leave)
makes a feasible roster, whatever the cover.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from hjemme.rota.benchmark.instance import BenchmarkInstance, Cover, Employee, ShiftRequest

FULL_MODEL_UP_TO = 4_000  # Boolean variables; above, large neighbourhood search (measured crossover)
NEIGHBOURHOOD_SECONDS = 1.0  # at most, per neighbourhood of the search (measured against 0.5–3 s)
# Above this many shift Booleans (instances 23 and 24's sizes) the search is limited by how many
# neighbourhoods 2 cores solve in 10 minutes, and a shorter limit, which also keeps the neighbourhoods
# smaller, ends lower (measured, docs/rota.md); on smaller instances, at 60 s, 1 s did better.
LARGE_INSTANCE_BOOLEANS = 100_000
LARGE_NEIGHBOURHOOD_SECONDS = 0.5
FIRST_ROSTER_SHARE = 0.25  # of the time limit, at most, for the first roster of the search
# After the sweep, this share of neighbourhoods frees a few employees over a long window instead of
# everyone over a short one: totals, per-type maxima and weekends span the horizon, so work can only
# move between distant weeks of the same person this way (measured, docs/rota.md).
LONG_SHARE = 0.3
LONG_FEW = 3  # employees in such a neighbourhood
# After the sweep, a share of the neighbourhoods frees the cells where the roster and the whole model's
# LP relaxation disagree: at first half, then as often as such neighbourhoods have lately improved the
# roster against the others, kept between LP_SHARE_AT_LEAST and its complement, so it fades where the
# LP misleads (measured, docs/rota.md: a large gain where the LP bound is tight). The LP gets at most
# LP_SHARE of the search's time, and is not tried when it would not be solved in it: with HiGHS its
# time, model built, grows with the shift Booleans to the power 1.5 (measured on 2 cores: 4–6 s at
# instance 13's size, 12–18 s at 20's, 47 s at 22's, 375 s at 24's), so a 60-s search tries it up to
# about 15 000 of them (instance 13's size), a 10-min one up to about 69 000 (instance 22's).
LP_SHARE_AT_LEAST = 0.1
SUCCESS_DECAY = 0.1  # weight of the newest neighbourhood in a kind's rate of success
LP_SHARE = 0.15
LP_SECONDS_PER_BOOLEAN_TO_1_5 = 5e-6  # times the shift Booleans to the power 1.5
LP_INTEGRAL = 1e-6  # an LP value this close to 0 or 1 counts as whole
LP_TOLERANCE = 1e-6  # relative: the LP's objective less this is what its bound claims
LINE_SECONDS_AT_LEAST = 0.05  # per line of the first roster, however little time is left
RETRY_SECONDS_AT_LEAST = 2.0  # for a line's retry, which stops at the first line found
# A neighbourhood's size in shift Booleans: it starts at FIRST_NEIGHBOURHOOD, grows while CP-SAT proves
# each one optimal quickly and shrinks when it cannot, between the two limits.
FIRST_NEIGHBOURHOOD = 2_500.0
SMALLEST_NEIGHBOURHOOD = 300.0
LARGEST_NEIGHBOURHOOD = 40_000.0

Roster = dict[str, dict[int, str]]  # employee -> day -> shift id (a missing day is a day off)
Line = Mapping[int, str]  # one employee's days -> shift id


@dataclass(frozen=True, slots=True)
class BenchmarkSolveParams:
    time_limit_s: float = 60.0
    workers: int = 8
    seed: int = 0
    full_model_up_to: int = FULL_MODEL_UP_TO  # Boolean variables; above it, neighbourhood search

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0 or self.workers < 1:
            raise ValueError("time_limit_s must be positive and workers at least 1")


@dataclass(frozen=True, slots=True)
class BenchmarkSolveResult:
    roster: Roster
    objective: int | None  # the model's own value; the evaluator's is the one reported
    bound: float | None  # a lower bound: CP-SAT's (whole model) or the LP relaxation's (search), if solved
    optimal: bool
    status: str
    method: str = "whole model"


def _has_var(items: list[cp_model.LinearExprT]) -> bool:
    return any(not isinstance(item, int) for item in items)


def _starts(var_days: list[int], size: int, last: int) -> Iterator[int]:
    """Each start, up to ``last``, of a window of ``size`` days that holds one of ``var_days`` (sorted),
    once and in order. A window wholly on fixed days is kept by the roster already; a neighbourhood of
    a long horizon frees a few days, and scanning every window was most of its Python time (measured)."""
    after = 0  # the starts before it have been given
    for day in var_days:
        yield from range(max(after, day - size + 1), min(day, last) + 1)
        after = max(after, day + 1)


def _window_rules(
    model: cp_model.CpModel, works: list[cp_model.LinearExprT], emp_max: int, emp_min: int, rest_min: int
) -> None:
    horizon = len(works)
    var_days = [day for day, item in enumerate(works) if not isinstance(item, int)]
    for start in _starts(var_days, emp_max + 1, horizon - emp_max - 1):
        model.add(sum(works[start : start + emp_max + 1]) <= emp_max)
    # a block of `length` working days with an off day on each side, wholly inside the horizon
    for length in range(1, emp_min):
        for before in _starts(var_days, length + 2, horizon - length - 2):
            after = before + length + 1
            model.add(works[before] + (length - sum(works[before + 1 : after])) + works[after] >= 1)
    for length in range(1, rest_min):
        for before in _starts(var_days, length + 2, horizon - length - 2):
            after = before + length + 1
            model.add((1 - works[before]) + sum(works[before + 1 : after]) + (1 - works[after]) >= 1)


def _add_employee(
    model: cp_model.CpModel,
    instance: BenchmarkInstance,
    emp: Employee,
    line: Line | None = None,
    free: Collection[int] | None = None,
) -> dict[tuple[int, str], cp_model.IntVar]:
    """One employee's variables (day, shift) -> Boolean and every hard rule that concerns them alone.

    With ``free``, only those days get variables; the others keep ``line``'s shifts as constants (a
    neighbourhood of the search). Rules wholly on fixed days are left out: ``line`` keeps them."""
    horizon = instance.horizon_days
    shifts = {s.id: s for s in instance.shifts}
    off = instance.days_off.get(emp.id, frozenset())
    allowed = [sid for sid in shifts if emp.max_shifts.get(sid, 0) > 0]
    fixed = line or {}
    x: dict[tuple[int, str], cp_model.IntVar] = {}
    works: list[cp_model.LinearExprT] = [0] * horizon  # worked or not, per day
    fixed_count: Counter[str] = Counter()
    if free is not None:
        for day, sid in fixed.items():
            if day not in free:
                works[day] = 1
                fixed_count[sid] += 1
    for day in range(horizon) if free is None else sorted(free):
        before, after = fixed.get(day - 1), fixed.get(day + 1)
        day_vars = []
        for sid in allowed if day not in off else ():
            if free is not None and (
                (day - 1 not in free and before and sid in shifts[before].not_followed_by)
                or (day + 1 not in free and after and after in shifts[sid].not_followed_by)
            ):
                continue  # the fixed neighbour forbids it
            day_vars.append(model.new_bool_var(f"x_{emp.id}_{day}_{sid}"))
            x[day, sid] = day_vars[-1]
        if len(day_vars) > 1:
            works[day] = model.new_bool_var(f"w_{emp.id}_{day}")
            model.add(sum(day_vars) == works[day])  # at most one shift a day
        elif day_vars:
            works[day] = day_vars[0]
    for (day, sid), var in x.items():
        for nxt in shifts[sid].not_followed_by:
            if (day + 1, nxt) in x:
                model.add_bool_or([var.Not(), x[day + 1, nxt].Not()])
    minutes: list[cp_model.LinearExprT] = []
    for sid in allowed:
        of_type = [v for (_, s), v in x.items() if s == sid]
        if of_type:
            model.add(sum(of_type) <= emp.max_shifts[sid] - fixed_count[sid])
            minutes.append(shifts[sid].minutes * sum(of_type))
    fixed_minutes = sum(shifts[s].minutes * n for s, n in fixed_count.items())
    if minutes:
        model.add_linear_constraint(
            sum(minutes), emp.min_total_minutes - fixed_minutes, emp.max_total_minutes - fixed_minutes
        )
    elif free is None and emp.min_total_minutes > 0:
        model.add_bool_or([])  # no day may be worked, yet minutes are required: infeasible
    _window_rules(
        model, works, emp.max_consecutive_shifts, emp.min_consecutive_shifts, emp.min_consecutive_days_off
    )
    weekend_vars: list[cp_model.LinearExprT] = []
    fixed_weekends = 0
    for weekend in range(instance.weekends):
        days = [works[d] for d in (5 + 7 * weekend, 6 + 7 * weekend) if d < horizon]
        if not _has_var(days):
            fixed_weekends += 1 if any(days) else 0
            continue
        worked = model.new_bool_var(f"wk_{emp.id}_{weekend}")
        for item in days:
            model.add(worked >= item)
        weekend_vars.append(worked)
    if weekend_vars:
        model.add(sum(weekend_vars) <= emp.max_weekends - fixed_weekends)
    return x


def staffing(roster: Roster) -> Counter[tuple[int, str]]:
    """How many employees ``roster`` puts on each (day, shift)."""
    return Counter((d, s) for line in roster.values() for d, s in line.items())


@dataclass(frozen=True, slots=True)
class _TermIndex:
    """The objective's terms by where they fall (requests by employee and day, cover by day), so that a
    neighbourhood reads and re-costs only its own: on a long horizon, scanning every term for each
    neighbourhood was a large share of the search's Python time (measured, docs/rota.md)."""

    on: dict[tuple[str, int], list[ShiftRequest]]
    off: dict[tuple[str, int], list[ShiftRequest]]
    cover: dict[int, list[Cover]]

    @classmethod
    def of(cls, instance: BenchmarkInstance) -> _TermIndex:
        on: dict[tuple[str, int], list[ShiftRequest]] = {}
        off: dict[tuple[str, int], list[ShiftRequest]] = {}
        cover: dict[int, list[Cover]] = {}
        for index, requests in ((on, instance.on_requests), (off, instance.off_requests)):
            for req in requests:
                index.setdefault((req.employee, req.day), []).append(req)
        for cov in instance.cover:
            cover.setdefault(cov.day, []).append(cov)
        return cls(on, off, cover)

    def terms_in(
        self, free: Mapping[str, Collection[int]]
    ) -> tuple[list[ShiftRequest], list[ShiftRequest], list[Cover]]:
        """The on and off requests on ``free``'s cells and the cover on their days."""
        cells = [(eid, day) for eid, days in free.items() for day in days]
        days = sorted({day for _, day in cells})
        return (
            [req for cell in cells for req in self.on.get(cell, ())],
            [req for cell in cells for req in self.off.get(cell, ())],
            [cov for day in days for cov in self.cover.get(day, ())],
        )

    def cost_in(
        self, roster: Roster, staffed: Counter[tuple[int, str]], free: Mapping[str, Collection[int]]
    ) -> int:
        """The part of ``roster``'s cost (``staffed`` its staff per day and shift) that ``free``'s cells
        can change: their requests and the cover on their days."""
        on, off, cover = self.terms_in(free)
        return _cost(roster, staffed, on, off, cover)


def _cost(
    roster: Roster,
    staffed: Counter[tuple[int, str]],
    on: Iterable[ShiftRequest],
    off: Iterable[ShiftRequest],
    cover: Iterable[Cover],
) -> int:
    cost = 0
    for req in on:
        cost += req.weight if roster.get(req.employee, {}).get(req.day) != req.shift else 0
    for req in off:
        cost += req.weight if roster.get(req.employee, {}).get(req.day) == req.shift else 0
    for cov in cover:
        have = staffed[cov.day, cov.shift]
        cost += (
            max(0, cov.requirement - have) * cov.under_weight
            + max(0, have - cov.requirement) * cov.over_weight
        )
    return cost


def roster_cost(instance: BenchmarkInstance, roster: Roster) -> int:
    """The objective of ``roster`` by the model's reading (requests and cover; hard rules not checked)."""
    return _cost(roster, staffing(roster), instance.on_requests, instance.off_requests, instance.cover)


def _objective(
    model: cp_model.CpModel,
    instance: BenchmarkInstance,
    x: dict[tuple[str, int, str], cp_model.IntVar],
    free: Mapping[str, Collection[int]] | None = None,
    others: Counter[tuple[int, str]] | None = None,
    index: _TermIndex | None = None,
) -> cp_model.LinearExprT:
    """Requests and cover as a CP-SAT expression. For a neighbourhood (``free``: each freed employee's
    free days), only the terms those cells can change, with ``others`` the staff on fixed cells per
    (day, shift) then; ``index``, when given, is the instance's terms, indexed once."""
    if free is None:
        on, off, cover = instance.on_requests, instance.off_requests, instance.cover
    else:
        on, off, cover = (index or _TermIndex.of(instance)).terms_in(free)
    terms: list[cp_model.LinearExprT] = []
    constant = 0
    for req in on:
        constant += req.weight
        if (var := x.get((req.employee, req.day, req.shift))) is not None:
            terms.append(-req.weight * var)
    for req in off:
        if (var := x.get((req.employee, req.day, req.shift))) is not None:
            terms.append(req.weight * var)
    by_cover: dict[tuple[int, str], list[cp_model.IntVar]] = {}
    for (_, day, sid), var in x.items():
        by_cover.setdefault((day, sid), []).append(var)
    for cov in cover:
        fixed = others[cov.day, cov.shift] if others is not None else 0
        staffed = sum(by_cover.get((cov.day, cov.shift), [])) + fixed
        if isinstance(staffed, int):
            constant += max(0, cov.requirement - staffed) * cov.under_weight
            constant += max(0, staffed - cov.requirement) * cov.over_weight
            continue
        under = model.new_int_var(0, max(0, cov.requirement), f"under_{cov.day}_{cov.shift}")
        over = model.new_int_var(0, len(instance.employees), f"over_{cov.day}_{cov.shift}")
        # One linear row, not max(): its LP relaxation is exact, which makes small neighbourhoods
        # prove optimal several times faster (measured, docs/rota.md). A solution may leave both
        # slacks up by the same amount; minimising never keeps that, and the roster is re-costed.
        model.add(staffed - cov.requirement == over - under)
        terms += [cov.under_weight * under, cov.over_weight * over]
    return sum(terms) + constant


def _first_line(
    instance: BenchmarkInstance,
    emp: Employee,
    seconds: float,
    workers: int,
    seed: int,
    need: Mapping[tuple[int, str], tuple[int, int, int]] | None = None,
) -> dict[int, str] | None:
    """A roster line for ``emp`` alone that keeps every hard rule, or None. Without ``need`` the first
    CP-SAT finds; with it ((day, shift) -> (people still needed, under, over weight)) the best found
    in ``seconds`` against that cover."""
    model = cp_model.CpModel()
    x = _add_employee(model, instance, emp)
    if need is not None:
        terms = []
        for (day, sid), var in x.items():
            missing, under, over = need.get((day, sid), (0, 0, 0))
            terms.append((over if missing <= 0 else -under) * var)
        model.minimize(sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    solver.parameters.stop_after_first_solution = need is None
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return {day: sid for (day, sid), var in x.items() if solver.boolean_value(var)}


def first_roster(
    instance: BenchmarkInstance,
    seconds: float,
    workers: int = 2,
    seed: int = 0,
    cover: bool = False,
    clock: Callable[[], float] = time.perf_counter,
) -> Roster | None:
    """A roster that keeps every hard rule, built a line per employee within about ``seconds`` in
    all (each line gets an equal share of the time left, so what a quick line leaves goes to the
    later ones; a line not found in its share is retried once as a pure feasibility model); None if a
    line is missing. With ``cover``, each line is the best found in its share against the cover the
    lines before it leave (a greedy start for the neighbourhood search); else the first line found."""
    roster: Roster = {}
    deadline = clock() + seconds
    need = {(c.day, c.shift): (c.requirement, c.under_weight, c.over_weight) for c in instance.cover}
    for done, emp in enumerate(instance.employees):
        share = max(LINE_SECONDS_AT_LEAST, (deadline - clock()) / (len(instance.employees) - done))
        line = _first_line(instance, emp, share, workers, seed, need if cover else None)
        if line is None:
            retry = max(share, seconds / 4, RETRY_SECONDS_AT_LEAST)
            line = _first_line(instance, emp, retry, workers, seed + 1)
        if line is None:
            return None
        roster[emp.id] = line
        for day, sid in line.items():
            if (day, sid) in need:
                missing, under, over = need[day, sid]
                need[day, sid] = (missing - 1, under, over)
    return roster


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Tells ``on_best`` the objective value of each solution CP-SAT finds."""

    def __init__(self, on_best: Callable[[int], None]) -> None:
        super().__init__()
        self._on_best = on_best

    def on_solution_callback(self) -> None:
        self._on_best(round(self.objective_value))


def _solve_whole(
    instance: BenchmarkInstance,
    params: BenchmarkSolveParams,
    seconds: float,
    on_best: Callable[[int], None] | None = None,
) -> BenchmarkSolveResult:
    model = cp_model.CpModel()
    x: dict[tuple[str, int, str], cp_model.IntVar] = {}
    for emp in instance.employees:
        for (day, sid), var in _add_employee(model, instance, emp).items():
            x[emp.id, day, sid] = var
    objective = _objective(model, instance, x)
    model.minimize(objective)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    status = solver.solve(model, _Reporter(on_best) if on_best else None)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    roster: Roster = {e.id: {} for e in instance.employees}
    if found:
        for (emp_id, day, sid), var in x.items():
            if solver.boolean_value(var):
                roster[emp_id][day] = sid
    return BenchmarkSolveResult(
        roster=roster,
        objective=roster_cost(instance, roster) if found else None,
        bound=solver.best_objective_bound if found else None,
        optimal=status == cp_model.OPTIMAL,
        status=solver.status_name(status),
    )


def _neighbourhood(
    instance: BenchmarkInstance,
    staffed: Counter[tuple[int, str]],
    rng: random.Random,
    cells: int,
    sweep_day: int | None,
    few: int | None = None,
) -> tuple[list[str], list[int]]:
    """Employees × a window of days, about ``cells`` employee-days: every employee when the window can
    be a week or more, else those sharing shift types with a random one (so shifts can move between
    them); with ``few``, that many such employees over as long a window as fits. The window is the
    sweep's next one, else centred on a day with a cover shortfall or excess."""
    horizon = instance.horizon_days
    staff = instance.employees
    width = min(horizon, max(7, cells // (few or len(staff))))
    if few is None and (width * len(staff) <= cells or width == horizon):
        people = [e.id for e in staff]
    else:
        seed = rng.choice(staff)
        skills = {s for s, n in seed.max_shifts.items() if n > 0}
        ranked = sorted(
            staff,
            key=lambda e: (-len(skills & {s for s, n in e.max_shifts.items() if n > 0}), rng.random()),
        )
        people = [e.id for e in ranked[: few or max(2, cells // width)]]
    if sweep_day is not None:
        first = min(sweep_day, horizon - width)
    else:
        off_cover = [c.day for c in instance.cover if staffed[c.day, c.shift] != c.requirement]
        centre = rng.choice(off_cover) if off_cover else rng.randrange(horizon)
        first = max(0, min(horizon - width, centre - width // 2 + rng.randint(-3, 3)))
    return people, list(range(first, first + width))


def _improve(
    instance: BenchmarkInstance,
    roster: Roster,
    params: BenchmarkSolveParams,
    deadline: float,
    clock: Callable[[], float],
    on_best: Callable[[int], None] | None = None,
) -> tuple[Roster, int, int, int | None]:
    """Large neighbourhood search from a feasible ``roster`` until ``deadline``, or until it is proved
    optimal: (roster, cost, moves, lower bound), the bound the LP relaxation's when it was solved, the
    cost itself when a neighbourhood was the whole instance and CP-SAT proved it optimal, else None;
    ``on_best`` is told each lower cost.

    First a sweep of windows from the first day to the last, then at random: neighbourhoods of the cells
    where the roster and the LP relaxation disagree (when the LP was solved; as often as they have lately
    improved the roster against the others, see ``LP_SHARE_AT_LEAST``), and of the others
    ``LONG_SHARE`` a few employees over a long window and the rest everyone over a short one; the size
    adapts (grows while CP-SAT proves each neighbourhood optimal quickly, shrinks when it cannot)."""
    rng = random.Random(params.seed)
    by_id = {e.id: e for e in instance.employees}
    index = _TermIndex.of(instance)
    cost = roster_cost(instance, roster)
    staffed = staffing(roster)
    booleans = _count_vars(instance)
    per_cell = max(1.0, booleans / (len(instance.employees) * instance.horizon_days))
    large = booleans > LARGE_INSTANCE_BOOLEANS
    per_neighbourhood = LARGE_NEIGHBOURHOOD_SECONDS if large else NEIGHBOURHOOD_SECONDS
    lp = None
    lp_seconds = LP_SHARE * (deadline - clock())
    if LP_SECONDS_PER_BOOLEAN_TO_1_5 * booleans**1.5 <= lp_seconds:
        lp = _lp_relaxation(instance, lp_seconds)
    bound = lp.bound if lp is not None else None
    # how often each kind of neighbourhood has improved the roster lately (LP-guided, the others)
    success = {True: 1.0, False: 1.0}
    target = FIRST_NEIGHBOURHOOD
    moves = 0
    sweep: int | None = 0
    while (left := deadline - clock()) > 0.5 and (bound is None or cost > bound):
        cells = int(target / per_cell)
        free: dict[str, set[int]] = {}
        share = min(1 - LP_SHARE_AT_LEAST, max(LP_SHARE_AT_LEAST, success[True] / sum(success.values())))
        guided = sweep is None and lp is not None and rng.random() < share
        if guided:
            free = _lp_guided(instance, roster, lp.values, rng, cells)
            guided = bool(free)
        if not free:
            few = LONG_FEW if sweep is None and rng.random() < LONG_SHARE else None
            employees, days = _neighbourhood(instance, staffed, rng, cells, sweep, few)
            if sweep is not None:
                sweep = days[-1] + 1 if days[-1] + 1 < instance.horizon_days else None
            free = {eid: set(days) for eid in employees}
        model = cp_model.CpModel()
        x: dict[tuple[str, int, str], cp_model.IntVar] = {}
        for eid, free_days in free.items():
            for (day, sid), var in _add_employee(model, instance, by_id[eid], roster[eid], free_days).items():
                x[eid, day, sid] = var
        # staff per (day, shift) on the cells that stay: the roster's, less the freed cells'
        others = staffed.copy()
        for eid, free_days in free.items():
            others.subtract((d, roster[eid][d]) for d in free_days if d in roster[eid])
        model.minimize(_objective(model, instance, x, free, others, index))
        for (eid, day, sid), var in x.items():
            model.add_hint(var, roster[eid].get(day) == sid)
        solver = cp_model.CpSolver()
        limit = min(left, per_neighbourhood)
        solver.parameters.max_time_in_seconds = limit
        solver.parameters.num_workers = params.workers
        solver.parameters.random_seed = rng.randrange(1 << 30)
        # one round of presolve: a neighbourhood is small and proved optimal in under a second, and
        # further rounds cost more than they save (measured on captured neighbourhoods, docs/rota.md)
        solver.parameters.max_presolve_iterations = 1
        status = solver.solve(model)
        if status == cp_model.OPTIMAL and solver.wall_time < limit / 3:
            target = min(LARGEST_NEIGHBOURHOOD, target * 1.25)
        elif status != cp_model.OPTIMAL:
            target = max(SMALLEST_NEIGHBOURHOOD, target * 0.8)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        trial = dict(roster)
        trial_staffed = others.copy()
        for eid, free_days in free.items():
            trial[eid] = {d: s for d, s in roster[eid].items() if d not in free_days}
        for (eid, day, sid), var in x.items():
            if solver.boolean_value(var):
                trial[eid][day] = sid
                trial_staffed[day, sid] += 1
        trial_cost = cost - index.cost_in(roster, staffed, free) + index.cost_in(trial, trial_staffed, free)
        if sweep is None:
            success[guided] += SUCCESS_DECAY * ((trial_cost < cost) - success[guided])
        if trial_cost < cost and on_best:
            on_best(trial_cost)
        if trial_cost <= cost:
            moves += trial_cost < cost
            roster, cost, staffed = trial, trial_cost, trial_staffed
        whole = sum(map(len, free.values())) == len(instance.employees) * instance.horizon_days
        if whole and status == cp_model.OPTIMAL and trial_cost == cost:
            bound = cost
    return roster, cost, moves, bound


@dataclass(frozen=True, slots=True)
class _Relaxation:
    values: dict[tuple[str, int, str], float]  # each shift Boolean's value
    bound: int  # its objective rounded up: a lower bound on every roster's cost


def _lp_relaxation(instance: BenchmarkInstance, seconds: float) -> _Relaxation | None:
    """The LP relaxation of the whole model, or None when it is not solved within ``seconds``. Every
    constraint of the model is linear or a clause, so the relaxation is the model read as an LP.

    Solved by HiGHS's interior point method with crossover (a vertex, as RINS wants): on these LPs
    it was 3–11 times faster than GLOP's simplex (measured, docs/rota.md)."""
    model = cp_model.CpModel()
    x: dict[tuple[str, int, str], cp_model.IntVar] = {}
    for emp in instance.employees:
        for (day, sid), var in _add_employee(model, instance, emp).items():
            x[emp.id, day, sid] = var
    model.minimize(_objective(model, instance, x))
    proto = model.proto
    lp = pywraplp.Solver.CreateSolver("HIGHS_LP")
    # (HiGHS's option file syntax; OR-Tools answers False for it even though the options apply)
    lp.SetSolverSpecificParametersAsString("solver=ipm\noutput_flag=false")
    # list(...) first: the proto's repeated fields answer a negative index with 0, not the last item
    bounds = [list(var.domain) for var in proto.variables]
    v = [lp.NumVar(float(b[0]), float(b[-1]), "") for b in bounds]

    def row(low: float, high: float, terms: Iterable[tuple[int, int]]) -> None:
        # coefficient by coefficient: summing OR-Tools' expressions first made the build a third slower
        coeffs: Counter[int] = Counter()
        for index, coeff in terms:
            coeffs[index] += coeff
        constraint = lp.Constraint(low, high)
        for index, coeff in coeffs.items():
            constraint.SetCoefficient(v[index], coeff)

    for constraint in proto.constraints:
        if constraint.has_linear():
            linear = constraint.linear
            domain = list(linear.domain)
            row(
                domain[0] if domain[0] > cp_model.INT_MIN else -lp.infinity(),
                domain[-1] if domain[-1] < cp_model.INT_MAX else lp.infinity(),
                zip(linear.vars, linear.coeffs, strict=True),
            )
        elif constraint.has_bool_or():
            # at least one literal true; a negated literal (ref < 0) is 1 - its variable
            literals = constraint.bool_or.literals
            negated = sum(1 for ref in literals if ref < 0)
            row(1 - negated, lp.infinity(), ((ref, 1) if ref >= 0 else (-ref - 1, -1) for ref in literals))
        else:  # the model states nothing else; a new kind of rule must be relaxed here first
            raise ValueError("a constraint the LP relaxation cannot read")
    goal = proto.objective
    objective = lp.Objective()
    for index, coeff in zip(goal.vars, goal.coeffs, strict=True):
        objective.SetCoefficient(v[index], objective.GetCoefficient(v[index]) + coeff)
    objective.SetOffset(goal.offset)
    objective.SetMinimization()
    lp.SetTimeLimit(max(1, int(seconds * 1000)))
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    # every cost is whole, so the optimum is at least the LP's value rounded up (less the solver's
    # tolerance, so that rounding never claims more than the LP proves)
    value = lp.Objective().Value()
    return _Relaxation(
        {key: v[var.index].solution_value() for key, var in x.items()},
        math.ceil(value - LP_TOLERANCE * max(1.0, abs(value))),
    )


def _lp_guided(
    instance: BenchmarkInstance,
    roster: Roster,
    lp: Mapping[tuple[str, int, str], float],
    rng: random.Random,
    cells: int,
) -> dict[str, set[int]]:
    """About ``cells`` employee-days, drawn from those where ``roster`` is not what the LP relaxation
    has (a shift the LP leaves fractional, or a different shift or rest): the other cells agree with
    the LP and stay (relaxation induced neighbourhood search, RINS). Empty when they all agree.

    When they are fewer than ``cells``, all of them are freed, and with them the whole lines of
    employees drawn at random up to about ``cells``: else every such neighbourhood would be the same
    one, already solved, and the search would stall (measured, docs/rota.md)."""
    lp_shift: dict[tuple[str, int], str] = {}
    fractional: set[tuple[str, int]] = set()
    for (eid, day, sid), value in lp.items():
        if value > 1 - LP_INTEGRAL:
            lp_shift[eid, day] = sid
        elif value > LP_INTEGRAL:
            fractional.add((eid, day))
    disagree = [
        (eid, day)
        for eid, line in roster.items()
        for day in range(instance.horizon_days)
        if (eid, day) in fractional or line.get(day) != lp_shift.get((eid, day))
    ]
    if not disagree:
        return {}
    free: dict[str, set[int]] = {}
    for eid, day in rng.sample(disagree, min(cells, len(disagree))):
        free.setdefault(eid, set()).add(day)
    left = cells - len(disagree)  # room for whole lines when every disagreeing cell is free
    if left > 0:
        everyone = [e.id for e in instance.employees]
        for eid in rng.sample(everyone, len(everyone)):
            days = free.setdefault(eid, set())
            left -= instance.horizon_days - len(days)
            days.update(range(instance.horizon_days))
            if left <= 0:
                break
    return free


def _count_vars(instance: BenchmarkInstance) -> int:
    """The whole model's shift Booleans: employees × days they may work × shift types they may work."""
    return sum(
        (instance.horizon_days - len(instance.days_off.get(emp.id, frozenset())))
        * sum(1 for n in emp.max_shifts.values() if n > 0)
        for emp in instance.employees
    )


def solve_benchmark(
    instance: BenchmarkInstance,
    params: BenchmarkSolveParams,
    clock: Callable[[], float] = time.perf_counter,
    on_best: Callable[[int], None] | None = None,
) -> BenchmarkSolveResult:
    """Solve within the time limit (``clock`` measures it); return the best roster found. ``on_best``
    is told the cost of each better roster as it is found (the whole model's own objective value, the
    search's roster cost), for a progress display."""
    began = clock()
    if _count_vars(instance) > params.full_model_up_to:
        seconds = FIRST_ROSTER_SHARE * params.time_limit_s
        start = first_roster(instance, seconds, params.workers, params.seed, cover=True, clock=clock)
        if start is not None:
            if on_best:
                on_best(roster_cost(instance, start))
            deadline = began + params.time_limit_s
            roster, cost, moves, bound = _improve(instance, start, params, deadline, clock, on_best)
            proven = bound is not None and cost <= bound
            return BenchmarkSolveResult(
                roster,
                cost,
                None if bound is None else float(bound),
                proven,
                "OPTIMAL" if proven else "FEASIBLE",
                f"neighbourhood search ({moves} improving moves)",
            )
    # a small instance, or no first roster: the whole model finds one or proves there is none
    return _solve_whole(instance, params, params.time_limit_s - (clock() - began), on_best)
