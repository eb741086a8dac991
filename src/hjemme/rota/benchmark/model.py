"""CP-SAT model of the Employee Shift Scheduling Benchmark: one Boolean per employee, day and shift.

Hard: at most one shift a day, days off, forbidden successors, max shifts per type, total minutes,
max/min consecutive shifts, min consecutive days off, max weekends. Soft (the objective): unmet
shift-on requests, met shift-off requests, under- and over-cover, each with the instance's weight.

The consecutive rules follow the benchmark's integer programme: a maximum is checked on every window
inside the horizon (days before and after it count as off), a minimum on every work or rest block that
lies wholly inside it (a block touching the first or last day is not cut short by the horizon). The
roster this returns is re-scored by :mod:`hjemme.rota.benchmark.evaluate`, which shares none of this.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from hjemme.rota.benchmark.instance import BenchmarkInstance, Employee

WARM_START_ABOVE = 5_000  # Boolean variables; smaller instances find a first roster at once

Roster = dict[str, dict[int, str]]  # employee -> day -> shift id (a missing day is a day off)


@dataclass(frozen=True, slots=True)
class BenchmarkSolveParams:
    time_limit_s: float = 60.0
    workers: int = 8
    seed: int = 0
    warm_start: bool = True  # per-employee feasible lines as a hint, on instances above WARM_START_ABOVE

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0 or self.workers < 1:
            raise ValueError("time_limit_s must be positive and workers at least 1")


@dataclass(frozen=True, slots=True)
class BenchmarkSolveResult:
    roster: Roster
    objective: int | None  # the model's own value; the evaluator's is the one reported
    bound: float
    optimal: bool
    status: str


def _window_rules(
    model: cp_model.CpModel, works: list[cp_model.LinearExprT], emp_max: int, emp_min: int, rest_min: int
) -> None:
    horizon = len(works)
    for start in range(horizon - emp_max):
        model.add(sum(works[start : start + emp_max + 1]) <= emp_max)
    # a block of `length` working days with an off day on each side, wholly inside the horizon
    for length in range(1, emp_min):
        for before in range(horizon - length - 1):
            after = before + length + 1
            model.add(works[before] + (length - sum(works[before + 1 : after])) + works[after] >= 1)
    for length in range(1, rest_min):
        for before in range(horizon - length - 1):
            after = before + length + 1
            model.add((1 - works[before]) + sum(works[before + 1 : after]) + (1 - works[after]) >= 1)


def _add_employee(
    model: cp_model.CpModel, instance: BenchmarkInstance, emp: Employee
) -> dict[tuple[int, str], cp_model.IntVar]:
    """One employee's variables (day, shift) -> Boolean and every hard rule that concerns them alone."""
    horizon = instance.horizon_days
    shifts = {s.id: s for s in instance.shifts}
    off = instance.days_off.get(emp.id, frozenset())
    allowed = [sid for sid in shifts if emp.max_shifts.get(sid, 0) > 0]
    x: dict[tuple[int, str], cp_model.IntVar] = {}
    works: list[cp_model.LinearExprT] = []
    for day in range(horizon):
        day_vars = []
        for sid in allowed if day not in off else ():
            day_vars.append(model.new_bool_var(f"x_{emp.id}_{day}_{sid}"))
            x[day, sid] = day_vars[-1]
        model.add_at_most_one(day_vars)
        works.append(sum(day_vars) if day_vars else 0)
    for (day, sid), var in x.items():
        for nxt in shifts[sid].not_followed_by:
            if (day + 1, nxt) in x:
                model.add_bool_or([var.Not(), x[day + 1, nxt].Not()])
    minutes: list[cp_model.LinearExprT] = []
    for sid in allowed:
        of_type = [v for (_, s), v in x.items() if s == sid]
        model.add(sum(of_type) <= emp.max_shifts[sid])
        minutes.append(shifts[sid].minutes * sum(of_type))
    model.add(sum(minutes) <= emp.max_total_minutes)
    model.add(sum(minutes) >= emp.min_total_minutes)
    _window_rules(
        model, works, emp.max_consecutive_shifts, emp.min_consecutive_shifts, emp.min_consecutive_days_off
    )
    weekend_vars = []
    for weekend in range(instance.weekends):
        worked = model.new_bool_var(f"wk_{emp.id}_{weekend}")
        for day in (5 + 7 * weekend, 6 + 7 * weekend):
            if day < horizon:
                model.add(worked >= works[day])
        weekend_vars.append(worked)
    model.add(sum(weekend_vars) <= emp.max_weekends)
    return x


def _request_terms(
    instance: BenchmarkInstance, x: dict[tuple[str, int, str], cp_model.IntVar], employee: str | None = None
) -> tuple[list[cp_model.LinearExprT], int]:
    terms: list[cp_model.LinearExprT] = []
    constant = 0
    for req in instance.on_requests:
        if employee is None or req.employee == employee:
            constant += req.weight
            if (var := x.get((req.employee, req.day, req.shift))) is not None:
                terms.append(-req.weight * var)
    for req in instance.off_requests:
        if employee is None or req.employee == employee:
            if (var := x.get((req.employee, req.day, req.shift))) is not None:
                terms.append(req.weight * var)
    return terms, constant


def _warm_start(instance: BenchmarkInstance, emp: Employee, seconds: float) -> dict[tuple[int, str], bool]:
    """A roster line for ``emp`` alone that keeps every hard rule. The hard rules concern one employee
    at a time, so the lines together are a feasible roster: a start for the full search on instances
    where finding any feasible roster at once is the hard part (measured: a 60 × 182-day instance found
    none in 30 s without it). Feasibility only; an objective here made each line ten times slower."""
    model = cp_model.CpModel()
    x = _add_employee(model, instance, emp)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}
    return {key: solver.boolean_value(var) for key, var in x.items()}


def solve_benchmark(instance: BenchmarkInstance, params: BenchmarkSolveParams) -> BenchmarkSolveResult:
    """Build the model, solve within the time limit, return the best roster found."""
    model = cp_model.CpModel()
    x: dict[tuple[str, int, str], cp_model.IntVar] = {}
    by_cover: dict[tuple[int, str], list[cp_model.IntVar]] = {}
    for emp in instance.employees:
        for (day, sid), var in _add_employee(model, instance, emp).items():
            x[emp.id, day, sid] = var
            by_cover.setdefault((day, sid), []).append(var)
    terms, constant = _request_terms(instance, x)
    for cov in instance.cover:
        staffed = sum(by_cover.get((cov.day, cov.shift), []))
        under = model.new_int_var(0, cov.requirement, f"under_{cov.day}_{cov.shift}")
        over = model.new_int_var(0, len(instance.employees), f"over_{cov.day}_{cov.shift}")
        # exact, not just bounding: the model's objective equals the roster's cost at every solution
        model.add_max_equality(over, [staffed - cov.requirement, 0])
        model.add_max_equality(under, [cov.requirement - staffed, 0])
        terms += [cov.under_weight * under, cov.over_weight * over]
    objective = sum(terms) + constant
    model.minimize(objective)
    search_s = params.time_limit_s
    if params.warm_start and len(x) > WARM_START_ABOVE:
        budget = min(2.0, 0.25 * params.time_limit_s / max(1, len(instance.employees)))
        search_s -= budget * len(instance.employees)  # at most; the engine reads no clock
        for emp in instance.employees:
            for (day, sid), value in _warm_start(instance, emp, budget).items():
                model.add_hint(x[emp.id, day, sid], value)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = search_s
    solver.parameters.num_workers = params.workers
    solver.parameters.random_seed = params.seed
    status = solver.solve(model)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    roster: Roster = {e.id: {} for e in instance.employees}
    if found:
        for (emp_id, day, sid), var in x.items():
            if solver.boolean_value(var):
                roster[emp_id][day] = sid
    return BenchmarkSolveResult(
        roster=roster,
        objective=int(solver.value(objective)) if found else None,
        bound=solver.best_objective_bound if found else 0.0,
        optimal=status == cp_model.OPTIMAL,
        status=solver.status_name(status),
    )
