"""TEMPORARY (replaced by the engine branch): feasible places for a task."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hjemme.domain.plans import Plan
from hjemme.planning.params import PlannerParams
from hjemme.planning.problem import Problem


@dataclass(frozen=True, slots=True)
class Placement:
    resource_id: str
    start_min: int
    cost_delta: int
    moved_tasks: int


def placements(
    problem: Problem, plan: Plan, task_id: str, pins: Mapping[str, tuple[str, int]], params: PlannerParams,
    limit: int = 20,
) -> list[Placement]:
    return []
