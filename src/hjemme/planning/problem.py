"""The immutable planning problem: tasks, resources, the lab and one travel matrix over all places.

Built once by :func:`build_problem` (the builder in front) and then only read by ``solve``,
``replan`` and the validator, so the matrix is computed once per problem (issue 3, item 1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from hjemme.domain.geo import Location
from hjemme.domain.resources import Resource
from hjemme.domain.tasks import Task, TaskKind
from hjemme.errors import InputError
from hjemme.geo.provider import IntMatrix, TravelMatrix, TravelTimeProvider


@dataclass(frozen=True, slots=True, eq=False)
class Problem:
    """One day to plan. ``locations`` indexes ``travel``; use :meth:`loc` to find a place's row."""

    date: dt.date
    tasks: tuple[Task, ...]
    resources: tuple[Resource, ...]
    lab: Location
    locations: tuple[Location, ...]
    travel: TravelMatrix
    provider: TravelTimeProvider
    _loc_index: Mapping[Location, int] = field(repr=False)
    _tasks_by_id: Mapping[str, Task] = field(repr=False)
    _resources_by_id: Mapping[str, Resource] = field(repr=False)
    _travel_min: IntMatrix = field(repr=False)

    @property
    def travel_min(self) -> IntMatrix:
        """Travel minutes (rounded up), computed once per problem: every stage and repair reads it."""
        return self._travel_min

    def loc(self, location: Location) -> int:
        return self._loc_index[location]

    def task(self, task_id: str) -> Task:
        return self._tasks_by_id[task_id]

    def resource(self, resource_id: str) -> Resource:
        return self._resources_by_id[resource_id]

    @property
    def tasks_by_id(self) -> Mapping[str, Task]:
        return self._tasks_by_id

    @property
    def resources_by_id(self) -> Mapping[str, Resource]:
        return self._resources_by_id


def build_problem(
    date: dt.date,
    tasks: Iterable[Task],
    resources: Iterable[Resource],
    lab: Location,
    provider: TravelTimeProvider,
) -> Problem:
    """Check the references between tasks and compute the travel matrix once.

    Raises :class:`InputError` on duplicate ids, a sample whose ``taken_at`` is not a visit of the
    day, or a ``before`` naming an unknown task: those are data errors, not planning failures.
    """
    task_tuple, resource_tuple, by_id, res_by_id = _checked(tasks, resources)
    places: dict[Location, int] = {}
    for location in (
        lab,
        *(r.start for r in resource_tuple),
        *(r.end for r in resource_tuple),
        *(t.location for t in task_tuple),
    ):
        places.setdefault(location, len(places))
    locations = tuple(places)
    travel = provider.matrix(locations)
    return Problem(
        date=date,
        tasks=task_tuple,
        resources=resource_tuple,
        lab=lab,
        locations=locations,
        travel=travel,
        provider=provider,
        _loc_index=MappingProxyType(places),
        _tasks_by_id=MappingProxyType(by_id),
        _resources_by_id=MappingProxyType(res_by_id),
        _travel_min=_read_only(travel.minutes()),
    )


def rebuild_problem(problem: Problem, tasks: Iterable[Task], resources: Iterable[Resource]) -> Problem:
    """``problem`` with other tasks and resources, checked like :func:`build_problem`.

    The travel matrix is kept when every place is already in it (a cancellation, an absence, an
    urgent visit at a known address); only a new place asks ``problem.provider`` again.
    """
    task_tuple, resource_tuple, by_id, res_by_id = _checked(tasks, resources)
    known = problem._loc_index
    places = (
        *(r.start for r in resource_tuple),
        *(r.end for r in resource_tuple),
        *(t.location for t in task_tuple),
    )
    if any(place not in known for place in places):
        return build_problem(problem.date, task_tuple, resource_tuple, problem.lab, problem.provider)
    return Problem(
        date=problem.date,
        tasks=task_tuple,
        resources=resource_tuple,
        lab=problem.lab,
        locations=problem.locations,
        travel=problem.travel,
        provider=problem.provider,
        _loc_index=known,
        _tasks_by_id=MappingProxyType(by_id),
        _resources_by_id=MappingProxyType(res_by_id),
        _travel_min=problem._travel_min,
    )


def _read_only(matrix: IntMatrix) -> IntMatrix:
    matrix.setflags(write=False)
    return matrix


def _checked(
    tasks: Iterable[Task], resources: Iterable[Resource]
) -> tuple[tuple[Task, ...], tuple[Resource, ...], dict[str, Task], dict[str, Resource]]:
    task_tuple = tuple(sorted(tasks, key=lambda t: t.id))
    resource_tuple = tuple(sorted(resources, key=lambda r: r.id))
    by_id: dict[str, Task] = {}
    for task in task_tuple:
        if task.id in by_id:
            raise InputError("tasks", f"task id {task.id!r} appears twice")
        by_id[task.id] = task
    res_by_id: dict[str, Resource] = {}
    for resource in resource_tuple:
        if resource.id in res_by_id:
            raise InputError("resources", f"resource id {resource.id!r} appears twice")
        res_by_id[resource.id] = resource
    for task in task_tuple:
        if task.kind is TaskKind.SAMPLE:
            visit = by_id.get(task.taken_at or "")
            if visit is None or visit.kind is not TaskKind.VISIT:
                raise InputError("tasks", f"sample {task.id!r} is not taken at a visit of the day")
            if task.sample_stability_min is None or task.sample_stability_min <= 0:
                raise InputError("tasks", f"sample {task.id!r} has no stability time")
        for other in task.before:
            if other not in by_id:
                raise InputError("tasks", f"task {task.id!r} must precede unknown task {other!r}")
    return task_tuple, resource_tuple, by_id, res_by_id
