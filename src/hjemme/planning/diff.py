"""TEMPORARY (replaced by the engine branch): what changed between two plans."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hjemme.domain.plans import Plan


@dataclass(frozen=True, slots=True)
class PlanDiff:
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return self.data


def diff_plans(old: Plan, new: Plan) -> PlanDiff:
    def places(plan: Plan) -> dict[str, tuple[str, int]]:
        return {s.task_id: (r.resource_id, s.start_min) for r in plan.routes for s in r.stops if s.task_id}

    a, b = places(old), places(new)
    resources: dict[str, dict[str, list[Any]]] = {}

    def of(rid: str) -> dict[str, list[Any]]:
        return resources.setdefault(
            rid, {"added": [], "removed": [], "reassigned_in": [], "reassigned_out": [], "moved": []}
        )

    for tid, (rid, start) in b.items():
        if tid not in a:
            of(rid)["added"].append(tid)
        elif a[tid][0] != rid:
            of(rid)["reassigned_in"].append({"task": tid, "from": a[tid][0]})
            of(a[tid][0])["reassigned_out"].append({"task": tid, "to": rid})
        elif a[tid][1] != start:
            of(rid)["moved"].append({"task": tid, "from_min": a[tid][1], "to_min": start})
    for tid, (rid, _start) in a.items():
        if tid not in b:
            of(rid)["removed"].append(tid)
    return PlanDiff({"resources": resources})
