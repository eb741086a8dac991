"""TEMPORARY (replaced by the engine branch): repair = solve with pins."""

from __future__ import annotations

from collections.abc import Mapping

from hjemme.domain.plans import Plan
from hjemme.planning.params import PlannerParams
from hjemme.planning.problem import Problem
from hjemme.planning.solve import solve

Pins = Mapping[str, tuple[str, int]]


def frozen_pins(
    plan: Plan, *, now_min: int | None, horizon_min: int, statuses: Mapping[str, str]
) -> dict[str, tuple[str, int]]:
    pins: dict[str, tuple[str, int]] = {}
    for route in plan.routes:
        for stop in route.stops:
            if stop.task_id is None:
                continue
            if stop.task_id in statuses or (now_min is not None and stop.start_min <= now_min + horizon_min):
                pins[stop.task_id] = (route.resource_id, stop.start_min)
    return pins


def repair(problem: Problem, previous: Plan, pins: Pins, params: PlannerParams) -> Plan:
    kept = {k: v for k, v in pins.items() if k in problem.tasks_by_id and v[0] in problem.resources_by_id}
    return solve(problem, params, pins=kept)


def reoptimise(problem: Problem, previous: Plan, pins: Pins, params: PlannerParams) -> Plan:
    return repair(problem, previous, pins, params)
