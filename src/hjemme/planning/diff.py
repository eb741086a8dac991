"""What changed between two versions of a day plan, per person and vehicle (issue 11, item 4).

Every new version of a day has a diff: for each resource the stops added (new to the plan),
removed (cancelled or now unplanned), reassigned in or out (from or to which resource) and moved
(same resource, another start minute), plus totals a coordinator or a benchmark reads: the share
of tasks planned in both versions that changed hands, and the median shift of the stops that moved.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from hjemme.domain.plans import Plan


@dataclass(frozen=True, slots=True)
class Reassigned:
    """A task that changed resource: ``other`` is where it came from (in) or went to (out)."""

    task_id: str
    other: str
    old_start_min: int
    new_start_min: int


@dataclass(frozen=True, slots=True)
class Moved:
    """A task on the same resource with another start minute."""

    task_id: str
    old_start_min: int
    new_start_min: int


@dataclass(frozen=True, slots=True)
class ResourceDiff:
    resource_id: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    reassigned_in: tuple[Reassigned, ...]
    reassigned_out: tuple[Reassigned, ...]
    moved: tuple[Moved, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.reassigned_in or self.reassigned_out or self.moved)


@dataclass(frozen=True, slots=True)
class PlanDiff:
    """Per-resource changes (only resources with any) and the totals."""

    resources: tuple[ResourceDiff, ...]
    tasks_in_both: int
    reassigned: int
    moved: int  # tasks in both versions whose start minute changed, on any resource
    median_shift_min: float

    @property
    def reassigned_share(self) -> float:
        return self.reassigned / self.tasks_in_both if self.tasks_in_both else 0.0

    def to_json(self) -> dict[str, Any]:
        """Plain lists and numbers (the API and the CLI print this)."""
        return {
            "resources": [
                {
                    "resource_id": r.resource_id,
                    "added": list(r.added),
                    "removed": list(r.removed),
                    "reassigned_in": [
                        {
                            "task_id": x.task_id,
                            "from": x.other,
                            "old_start_min": x.old_start_min,
                            "new_start_min": x.new_start_min,
                        }
                        for x in r.reassigned_in
                    ],
                    "reassigned_out": [
                        {
                            "task_id": x.task_id,
                            "to": x.other,
                            "old_start_min": x.old_start_min,
                            "new_start_min": x.new_start_min,
                        }
                        for x in r.reassigned_out
                    ],
                    "moved": [
                        {
                            "task_id": x.task_id,
                            "old_start_min": x.old_start_min,
                            "new_start_min": x.new_start_min,
                        }
                        for x in r.moved
                    ],
                }
                for r in self.resources
            ],
            "totals": {
                "tasks_in_both": self.tasks_in_both,
                "reassigned": self.reassigned,
                "reassigned_share": round(self.reassigned_share, 4),
                "moved": self.moved,
                "median_shift_min": self.median_shift_min,
            },
        }


def diff_plans(old: Plan, new: Plan) -> PlanDiff:
    """The changes from ``old`` to ``new`` (stops with a task; breaks and lab drops follow them)."""
    before = _where(old)
    after = _where(new)
    ids = sorted({r.resource_id for r in old.routes} | {r.resource_id for r in new.routes})
    added: dict[str, list[str]] = {rid: [] for rid in ids}
    removed: dict[str, list[str]] = {rid: [] for rid in ids}
    ins: dict[str, list[Reassigned]] = {rid: [] for rid in ids}
    outs: dict[str, list[Reassigned]] = {rid: [] for rid in ids}
    moved: dict[str, list[Moved]] = {rid: [] for rid in ids}
    shifts: list[int] = []
    reassigned = 0
    for tid in sorted(set(before) | set(after)):
        if tid not in before:
            added[after[tid][0]].append(tid)
            continue
        if tid not in after:
            removed[before[tid][0]].append(tid)
            continue
        (old_rid, old_start), (new_rid, new_start) = before[tid], after[tid]
        if old_start != new_start:
            shifts.append(abs(new_start - old_start))
        if old_rid != new_rid:
            reassigned += 1
            ins[new_rid].append(Reassigned(tid, old_rid, old_start, new_start))
            outs[old_rid].append(Reassigned(tid, new_rid, old_start, new_start))
        elif old_start != new_start:
            moved[old_rid].append(Moved(tid, old_start, new_start))
    resources = tuple(
        d
        for d in (
            ResourceDiff(
                rid,
                tuple(added[rid]),
                tuple(removed[rid]),
                tuple(ins[rid]),
                tuple(outs[rid]),
                tuple(moved[rid]),
            )
            for rid in ids
        )
        if not d.empty
    )
    return PlanDiff(
        resources=resources,
        tasks_in_both=len(set(before) & set(after)),
        reassigned=reassigned,
        moved=len(shifts),
        median_shift_min=float(statistics.median(shifts)) if shifts else 0.0,
    )


def _where(plan: Plan) -> dict[str, tuple[str, int]]:
    return {s.task_id: (r.resource_id, s.start_min) for r in plan.routes for s in r.stops if s.task_id}
