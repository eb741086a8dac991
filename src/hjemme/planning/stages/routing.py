"""What the clinician and transport stages share: cost matrices, vehicle specs, the engine call,
and timing the engine's routes with their breaks."""

from __future__ import annotations

import numpy as np

from hjemme.domain.resources import Resource
from hjemme.domain.tasks import Task, TaskKind
from hjemme.planning import reasons as why
from hjemme.planning.day import DayState
from hjemme.planning.params import PlannerParams
from hjemme.planning.problem import Problem
from hjemme.planning.solvers.ortools import solve_routing
from hjemme.planning.solvers.pyvrp import solve_routes
from hjemme.planning.solvers.spec import RoutingResult, RoutingSpec, VehicleSpec
from hjemme.planning.timeline import LAB, TASK, Item, with_break


def cost_matrix(
    problem: Problem, locs: list[int], resource: Resource, params: PlannerParams, clinician: bool
) -> np.ndarray:
    idx = np.array(locs, dtype=np.int64)
    minutes = problem.travel_min[np.ix_(idx, idx)]
    km = problem.travel.distance_m[np.ix_(idx, idx)] / 1000.0
    per_min = params.drive_cost_per_min + (params.clinician_drive_cost_per_min if clinician else 0)
    cost = (
        per_min * minutes
        + params.cost_per_km * km
        + params.cost_per_kg_co2 * km * resource.co2_g_per_km / 1000.0
    )
    return np.rint(cost).astype(np.int64)


def vehicle_spec(
    resource: Resource,
    depot: dict[int, int],
    problem: Problem,
    matrix: int,
    params: PlannerParams,
    capacity: tuple[int, ...] = (),
) -> VehicleSpec:
    has_break = resource.break_window is not None and resource.break_min > 0
    return VehicleSpec(
        start_node=depot[problem.loc(resource.start)],
        end_node=depot[problem.loc(resource.end)],
        shift=(resource.shift.start_min, resource.shift.end_min),
        max_span_min=resource.max_work_min + (resource.break_min if has_break else 0),
        break_=(
            (resource.break_window.start_min, resource.break_window.end_min, resource.break_min)
            if has_break and resource.break_window is not None
            else None
        ),
        cost_matrix=matrix,
        fixed_cost=params.vehicle_used_cost,
        capacity=capacity,
    )


def depots(problem: Problem, resources: list[Resource]) -> tuple[list[int], dict[int, int]]:
    locs: list[int] = []
    depot: dict[int, int] = {}
    for r in resources:
        for place in (r.start, r.end):
            loc = problem.loc(place)
            if loc not in depot:
                depot[loc] = len(locs)
                locs.append(loc)
    return locs, depot


def unplanned_penalty(task: Task, params: PlannerParams, pinned: bool) -> int:
    if pinned:
        return params.unplanned_mandatory_cost * 10
    return params.unplanned_mandatory_cost if task.mandatory else params.unplanned_optional_cost


def run_engine(spec: RoutingSpec, seconds: float, params: PlannerParams) -> RoutingResult:
    """The configured engine's routes; OR-Tools when PyVRP found nothing feasible in time
    (OR-Tools always completes a first solution) or the day has soft latest starts."""
    result = None
    # PyVRP has no soft windows: a day with soft latest starts (issue 16) is routed by OR-Tools
    if params.engine == "pyvrp" and not spec.soft_ends:
        result = solve_routes(spec, seconds, params.seed, workers=params.search_workers)
    first_s = params.first_solution_limit_s
    return result or solve_routing(spec, seconds, params.seed, first_solution_limit_s=first_s)


def finish_routes(
    problem: Problem, resources: list[Resource], routes: dict[str, list[Item]], day: DayState
) -> None:
    """Time each route with its break; a route the timing rejects loses its last tasks (rare)."""
    tmin = problem.travel_min
    for resource in resources:
        items = routes.get(resource.id, [])
        if not items:
            continue
        start, end = problem.loc(resource.start), problem.loc(resource.end)
        while items:
            placed = with_break(resource, start, end, items, tmin)
            if placed is not None:
                day.timings[resource.id] = placed[1]
                break
            items, dropped = drop_one(problem, resource, start, end, items)
            for task_id in dropped:
                if problem.task(task_id).kind is not TaskKind.SAMPLE:
                    day.reasons[task_id] = why.no_room(problem.task(task_id))


def drop_one(
    problem: Problem, resource: Resource, start: int, end: int, items: list[Item]
) -> tuple[list[Item], list[str]]:
    """Remove the one stop whose removal makes the route (with its break) fit, cheapest first:
    optional tasks, then samples (a clinician may still carry them), then mandatory tasks; if no
    single removal helps, the last stop goes. Needed when the engine could not fit the break."""

    def rank(i: int) -> tuple[int, int]:
        task_id = items[i].task_id
        if task_id is None:
            return (1, -i)
        task = problem.task(task_id)
        return (0 if not task.mandatory else 1 if task.kind is TaskKind.SAMPLE else 2, -i)

    ids = lambda xs: {x.task_id for x in xs if x.task_id is not None}  # noqa: E731
    for i in sorted(range(len(items)), key=rank):
        trial = paired(problem, items[:i] + items[i + 1 :])
        if with_break(resource, start, end, trial, problem.travel_min) is not None:
            return trial, sorted(ids(items) - ids(trial))
    trial = paired(problem, items[:-1])
    return trial, sorted(ids(items) - ids(trial))


def paired(problem: Problem, items: list[Item]) -> list[Item]:
    """Drop sample pickups whose lab drop is gone and lab drops whose pickup is gone."""
    picked = {x.task_id for x in items if x.kind == TASK and x.task_id is not None}
    dropped = {s for x in items if x.kind == LAB for s in x.samples}
    return [
        x
        for x in items
        if (x.kind != LAB or all(s in picked for s in x.samples))
        and not (
            x.kind == TASK
            and x.task_id is not None
            and problem.task(x.task_id).kind is TaskKind.SAMPLE
            and x.task_id not in dropped
        )
    ]
