"""TEMPORARY (replaced by the engine branch): changes to a day as pure data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from hjemme.domain.tasks import Task, TaskKind
from hjemme.errors import NotFoundError
from hjemme.planning.problem import Problem, build_problem


@dataclass(frozen=True, slots=True)
class AddTask:
    task: Task


@dataclass(frozen=True, slots=True)
class CancelTask:
    task_id: str


@dataclass(frozen=True, slots=True)
class StaffAbsent:
    staff_id: str
    from_min: int = 0
    to_min: int = 24 * 60


@dataclass(frozen=True, slots=True)
class VehicleOutOfService:
    vehicle_id: str
    from_min: int = 0
    to_min: int = 24 * 60


Change = AddTask | CancelTask | StaffAbsent | VehicleOutOfService


def apply_changes(problem: Problem, changes: Sequence[Change]) -> Problem:
    tasks = list(problem.tasks)
    resources = list(problem.resources)
    for change in changes:
        if isinstance(change, AddTask):
            if all(t.id != change.task.id for t in tasks):
                tasks.append(change.task)
        elif isinstance(change, CancelTask):
            gone = {change.task_id} | {
                t.id for t in tasks if t.kind is TaskKind.SAMPLE and t.taken_at == change.task_id
            }
            tasks = [
                replace(t, before=tuple(b for b in t.before if b not in gone))
                for t in tasks
                if t.id not in gone
            ]
        elif isinstance(change, StaffAbsent):
            if not any(r.staff_id == change.staff_id for r in problem.resources):
                raise NotFoundError("staff", change.staff_id)
            resources = [r for r in resources if r.staff_id != change.staff_id]
        else:
            resources = [r for r in resources if r.vehicle_id != change.vehicle_id]
    return build_problem(problem.date, tasks, resources, problem.lab, problem.provider)
