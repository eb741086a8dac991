"""Transitional: the pre-issue-11 ``replan`` call, now answered by changes + stable repair.

``services/planning.py`` (``replan_day``) and ``hjemme bench day`` still call it. The day's journal
service calls :func:`~hjemme.planning.changes.apply_changes`,
:func:`~hjemme.planning.repair.frozen_pins` and :func:`~hjemme.planning.repair.repair` directly;
delete this module when nothing imports it any more.
"""

from __future__ import annotations

from hjemme.domain.plans import Plan
from hjemme.planning.changes import AddTask, CancelTask, Change, StaffAbsent, apply_changes
from hjemme.planning.params import PlannerParams
from hjemme.planning.problem import Problem
from hjemme.planning.repair import repair

AddUrgentVisit = AddTask
AbsentStaff = StaffAbsent

__all__ = ["AbsentStaff", "AddUrgentVisit", "CancelTask", "Change", "replan"]


def replan(
    problem: Problem,
    previous_plan: Plan,
    change: Change,
    pinned_task_ids: frozenset[str] | set[str],
    params: PlannerParams | None = None,
) -> tuple[Problem, Plan]:
    """Apply ``change`` and repair the previous plan, keeping each pinned task on its resource at its
    start; returns the changed problem with the plan (validate the plan against that problem)."""
    changed = apply_changes(problem, [change])
    pins = {
        s.task_id: (r.resource_id, s.start_min)
        for r in previous_plan.routes
        for s in r.stops
        if s.task_id in pinned_task_ids
    }
    return changed, repair(changed, previous_plan, pins, params or PlannerParams())
