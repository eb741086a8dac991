"""Re-planning during the day as a pure function (issue 3, item 5).

A change (an urgent visit, a cancelled task, a clinician off sick) makes a new problem; the stops
already started or confirmed keep their resource and start minute (and so their order), and
everything else is planned again around them. Pins on an absent person's route cannot be kept
and are released.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hjemme.domain.plans import Plan
from hjemme.domain.tasks import Task, TaskKind
from hjemme.planning.params import PlannerParams
from hjemme.planning.problem import Problem, build_problem
from hjemme.planning.solve import solve


@dataclass(frozen=True, slots=True)
class AddUrgentVisit:
    """A new task (usually an urgent visit, ``mandatory=True``) to fit into today's plan."""

    task: Task


@dataclass(frozen=True, slots=True)
class CancelTask:
    """A task that will not happen; samples taken at a cancelled visit go with it."""

    task_id: str


@dataclass(frozen=True, slots=True)
class AbsentStaff:
    """A member of staff who will not work today; their routes disappear."""

    staff_id: str


Change = AddUrgentVisit | CancelTask | AbsentStaff


def apply_change(problem: Problem, change: Change) -> Problem:
    """The problem after ``change``; the travel matrix is recomputed only for a new place."""
    tasks = list(problem.tasks)
    resources = list(problem.resources)
    if isinstance(change, AddUrgentVisit):
        tasks.append(change.task)
    elif isinstance(change, CancelTask):
        gone = {change.task_id} | {
            t.id for t in tasks if t.kind is TaskKind.SAMPLE and t.taken_at == change.task_id
        }
        tasks = [
            replace(t, before=tuple(b for b in t.before if b not in gone)) for t in tasks if t.id not in gone
        ]
    else:
        resources = [r for r in resources if r.staff_id != change.staff_id]
    return build_problem(problem.date, tasks, resources, problem.lab, problem.provider)


def replan(
    problem: Problem,
    previous_plan: Plan,
    change: Change,
    pinned_task_ids: frozenset[str] | set[str],
    params: PlannerParams | None = None,
) -> tuple[Problem, Plan]:
    """Apply ``change`` and plan again, keeping each pinned task on its resource at its start.

    Returns the new problem with the plan, because the plan must be validated (and shown) against
    the changed tasks and resources.
    """
    changed = apply_change(problem, change)
    pins: dict[str, tuple[str, int]] = {}
    for route in previous_plan.routes:
        if route.resource_id not in changed.resources_by_id:
            continue
        for stop in route.stops:
            if stop.task_id in pinned_task_ids and stop.task_id in changed.tasks_by_id:
                pins[stop.task_id] = (route.resource_id, stop.start_min)
    return changed, solve(changed, params, pins=pins)
