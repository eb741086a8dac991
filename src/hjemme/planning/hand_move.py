"""A hand move as a plan edit: one task taken off its route and put at a chosen place, nothing else
moved. The day's journal repairs the day around a move; when it cannot keep the task there, this
plain edit, checked by the independent validator, says which rule the place breaks.
"""

from __future__ import annotations

from dataclasses import replace

from hjemme.domain.plans import BREAK_STOP, Plan, Route, Stop
from hjemme.domain.tasks import TaskKind
from hjemme.errors import InputError, NotFoundError
from hjemme.planning.problem import Problem


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
        raise InputError("task", f"task {task_id} is not on any route of the plan")
    old = next(s for s in source.stops if s.task_id == task_id)
    if not any(r.resource_id == resource_id for r in plan.routes):
        if resource_id not in problem.resources_by_id:
            raise NotFoundError("resource", resource_id)
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
        resource = problem.resources_by_id[resource_id]
        routes.append(Route(resource_id, resource.kind, resource.vehicle_id, (new_stop,)))
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
