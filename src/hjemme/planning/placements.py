"""Where else a task could go: the feasible placements of one task, best first (issue 11, item 6).

A coordinator picks a task; :func:`placements` lists (resource, start) places that
:func:`~hjemme.planning.repair.repair` can really apply — the same person earlier or later, an idle
colleague, a colleague with free time later — each with its cost change (planner objective plus
stability cost) and how many other tasks it moves. Every listed place has been applied once with
:func:`repair` and checked by the independent validator, so choosing one always works.
:func:`refusal` says why a place the coordinator asks for is refused, as the validator's rule codes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from hjemme.domain.plans import BREAK_STOP, Plan, Route, Stop
from hjemme.domain.resources import Resource
from hjemme.domain.tasks import TRANSPORT_KINDS, Task, TaskKind
from hjemme.errors import InputError, NotFoundError
from hjemme.planning import reasons as why
from hjemme.planning.kpis import plan_objective
from hjemme.planning.params import PlannerParams
from hjemme.planning.problem import Problem
from hjemme.planning.repair import Pins, repair, stability_cost
from hjemme.planning.validate import Violation, validate_plan

SHIFTS_MIN = (-30, -15, 15, 30)
"""Same-person time shifts always offered (when the window allows)."""
APART_MIN = 10
"""Two placements on one resource are at least this far apart (no 10:04 next to 10:06)."""


@dataclass(frozen=True, slots=True)
class Placement:
    """A feasible place for a task: ``cost_delta`` in planner cost units, ``moved_tasks`` others moved."""

    resource_id: str
    start_min: int
    cost_delta: int
    moved_tasks: int


def placements(
    problem: Problem,
    plan: Plan,
    task_id: str,
    pins: Pins,
    params: PlannerParams,
    limit: int = 20,
    *,
    now_min: int | None = None,
) -> list[Placement]:
    """Up to ``limit`` feasible places for ``task_id``, cheapest first; ``[]`` when it has none.

    Candidates are the gaps of every eligible resource's route (earliest start in the gap), the
    task's own minute on another resource, and shifts of ±15 and ±30 minutes on its own resource;
    the cheapest by estimate are applied with :func:`repair` (at most ``3 * limit`` of them) and
    kept when the validator accepts the result with the task exactly there; places on one resource
    are ``APART_MIN`` apart. Each check is one repair and one validation (about 0.35 s on a
    1,500-patient day), so an interactive caller asks for a handful. Samples follow their
    visit and have no placements of their own. With ``now_min`` no place starts before it (and
    the repair is told the time, see :func:`repair`).
    """
    task = problem.tasks_by_id.get(task_id)
    if task is None:
        raise NotFoundError("task", task_id)
    if limit < 1:
        raise InputError("limit", "must be at least 1")
    if task.kind is TaskKind.SAMPLE:
        return []
    current = _where(plan).get(task_id)
    base = plan_objective(problem, plan, params)
    found: list[Placement] = []
    candidates = [c for c in _candidates(problem, plan, task, current) if now_min is None or c[1] >= now_min]
    for checked, (rid, start) in enumerate(candidates):
        if checked >= 3 * limit or len(found) >= limit:
            break
        if any(p.resource_id == rid and abs(p.start_min - start) < APART_MIN for p in found):
            continue
        moved = repair(problem, plan, {**pins, task_id: (rid, start)}, params, now_min=now_min)
        now = _where(moved)
        if now.get(task_id) != (rid, start) or _violations(problem, moved):
            continue
        before = _where(plan)
        others = sum(1 for t, at in now.items() if t != task_id and t in before and before[t] != at)
        cost = plan_objective(problem, moved, params) + stability_cost(plan, moved, params) - base
        found.append(Placement(rid, start, round(cost), others))
    found.sort(key=lambda p: (p.cost_delta, p.moved_tasks, p.resource_id, p.start_min))
    return found


def refusal(
    problem: Problem,
    plan: Plan,
    task_id: str,
    resource_id: str,
    start_min: int,
    pins: Pins,
    params: PlannerParams,
    *,
    now_min: int | None = None,
) -> list[Violation]:
    """Why ``task_id`` cannot go to ``resource_id`` at ``start_min``; ``[]`` if it can.

    The place is first applied with :func:`repair`; if that fails, the violations are those of the
    plan with only this task moved (:func:`moved_plan`), by the independent validator, so they
    carry its rule codes (``window``, ``skill``, ``travel``, ``break``, ...). When that plan breaks
    no rule but the rest of the day cannot be fitted around it, the one violation is ``pin``.
    """
    moved = repair(problem, plan, {**pins, task_id: (resource_id, start_min)}, params, now_min=now_min)
    if _where(moved).get(task_id) == (resource_id, start_min) and not _violations(problem, moved):
        return []
    alone = moved_plan(plan, problem, task_id, resource_id, start_min)
    violations = [v for v in _violations(problem, alone) if v.rule != "kpi"]
    return violations or [
        Violation("pin", f"task {task_id}: the rest of the day cannot be fitted around {resource_id} then")
    ]


def moved_plan(plan: Plan, problem: Problem, task_id: str, resource_id: str, start_min: int) -> Plan:
    """``plan`` with ``task_id`` taken off its route and put on ``resource_id`` starting at ``start_min``.

    Nothing else moves: the other stops keep their times, so the validator says whether the new
    place really fits. Samples taken at a moved visit are taken when it now ends, and travel with
    the new clinician when the old one carried them.
    """
    task = problem.tasks_by_id.get(task_id)
    if task is None:
        raise NotFoundError("task", task_id)
    source = next((r for r in plan.routes for s in r.stops if s.task_id == task_id), None)
    if source is None:
        raise InputError("task", f"oppgaven {task_id} står ikke i planen")
    if resource_id not in problem.resources_by_id:
        raise NotFoundError("resource", resource_id)
    old = next(s for s in source.stops if s.task_id == task_id)
    end_min = start_min + task.duration_min
    new_stop = replace(old, arrive_min=start_min, start_min=start_min, end_min=end_min)
    routes: list[Route] = []
    placed = False
    for route in plan.routes:
        stops = [s for s in route.stops if s.task_id != task_id]
        if route.resource_id == resource_id:
            stops = _insert(stops, new_stop)
            placed = True
        if stops or route.resource_id == resource_id:
            routes.append(replace(route, stops=tuple(stops)))
    if not placed:
        resource = problem.resource(resource_id)
        routes.append(Route(resource_id, resource.kind, resource.vehicle_id, _with_break(resource, new_stop)))
    samples = tuple(
        replace(
            journey,
            taken_min=end_min,
            carried_by=resource_id if journey.carried_by == source.resource_id else journey.carried_by,
        )
        if task.kind is TaskKind.VISIT and problem.tasks_by_id[journey.task_id].taken_at == task_id
        else journey
        for journey in plan.samples
    )
    return replace(plan, routes=tuple(routes), samples=samples)


def _with_break(resource: Resource, stop: Stop) -> tuple[Stop, ...]:
    """A new route of one stop, with the resource's break after it (or before, if it ends too late):
    a route without its break would be refused for the break, not for the move (issue 11)."""
    window = resource.break_window
    if window is None or resource.break_min <= 0:
        return (stop,)
    after = max(stop.end_min, window.start_min)
    at = after if after <= window.end_min else window.start_min
    brk = Stop(None, BREAK_STOP, None, None, at, at, at + resource.break_min, window)
    return (stop, brk) if at >= stop.end_min else (brk, stop)


def _insert(stops: list[Stop], new: Stop) -> list[Stop]:
    """``new`` among ``stops`` by start minute (before a break starting at the same minute)."""
    at = next(
        (
            i
            for i, s in enumerate(stops)
            if s.start_min > new.start_min or (s.start_min == new.start_min and s.type == BREAK_STOP)
        ),
        len(stops),
    )
    return [*stops[:at], new, *stops[at:]]


def _where(plan: Plan) -> dict[str, tuple[str, int]]:
    return {s.task_id: (r.resource_id, s.start_min) for r in plan.routes for s in r.stops if s.task_id}


def _violations(problem: Problem, plan: Plan) -> list[Violation]:
    return validate_plan(plan, problem.tasks, problem.resources, problem.provider, problem.lab)


def _eligible(problem: Problem, task: Task) -> list[Resource]:
    if task.kind in (TaskKind.VISIT, TaskKind.VIDEO):
        return why.eligible_clinicians(task, problem.resources_by_id)
    if task.kind in TRANSPORT_KINDS:
        return why.eligible_carriers(task, problem.resources_by_id)
    return []


def _candidates(
    problem: Problem, plan: Plan, task: Task, current: tuple[str, int] | None
) -> Iterator[tuple[str, int]]:
    """(resource, start) candidates, cheapest estimate first: travel detour, reassignment, minutes."""
    tmin = problem.travel_min
    lo, hi = task.window.start_min, task.window.end_min
    stationary = task.kind is TaskKind.VIDEO
    loc = problem.loc(task.location)
    routes = {r.resource_id: r for r in plan.routes}
    scored: dict[tuple[str, int], int] = {}

    def offer(rid: str, start: int, detour: int) -> None:
        if not lo <= start <= hi or (task.fixed_time and start != lo) or (rid, start) == current:
            return
        cost = detour * 150
        if current is not None:
            cost += 20_000 * (rid != current[0]) + 200 * abs(start - current[1])
        scored[(rid, start)] = min(cost, scored.get((rid, start), cost))

    for resource in _eligible(problem, task):
        stops = (
            [s for s in routes[resource.id].stops if s.task_id != task.id and s.type != BREAK_STOP]
            if resource.id in routes
            else []
        )
        prev_loc, prev_end = problem.loc(resource.start), resource.shift.start_min
        for i in range(len(stops) + 1):
            if i > 0:
                prev_end = stops[i - 1].end_min
                if stops[i - 1].location is not None and stops[i - 1].type != TaskKind.VIDEO.value:
                    prev_loc = problem.loc(stops[i - 1].location)  # type: ignore[arg-type]
            later = [s for s in stops[i:] if s.location is not None and s.type != TaskKind.VIDEO.value]
            next_loc = problem.loc(later[0].location) if later else problem.loc(resource.end)  # type: ignore[arg-type]
            drive = 0 if stationary else int(tmin[prev_loc, loc])
            detour = (
                0 if stationary else int(tmin[prev_loc, loc] + tmin[loc, next_loc] - tmin[prev_loc, next_loc])
            )
            offer(resource.id, max(prev_end + drive, lo), detour)
            if i < len(stops):  # as late as the gap allows: just before the next stop
                back = 0 if stationary else int(tmin[loc, next_loc])
                offer(resource.id, min(stops[i].start_min - back - task.duration_min, hi), detour)
        if current is not None and resource.id != current[0]:
            offer(resource.id, current[1], 0)
    if current is not None:
        for shift in SHIFTS_MIN:
            offer(current[0], current[1] + shift, 0)
    yield from sorted(scored, key=lambda k: (scored[k], k))
