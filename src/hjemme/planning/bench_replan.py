"""Benchmark of the re-planning engine: urgent visits, cancellations, absences and moves (issue 11).

For a day and its first plan, each change is applied on its own to the first plan at 10:00 (stops
before 11:00 frozen, ``freeze_horizon_min``) and timed as a coordinator waits for it:
:func:`~hjemme.planning.changes.apply_changes` + :func:`~hjemme.planning.repair.repair` + the
independent validator. Reported per kind: p50/p95 seconds, how many plans are valid, the share of
the *other* tasks (not the one added, cancelled or moved, nor the absent person's) that changed
person or vehicle, the share whose start moved, and the median absolute start change of those.

Targets (issue 11): p95 <= 2 s at 1,500 patients; an urgent visit or a cancellation reassigns
<= 5 % of the other tasks with a median change <= 15 min; an absence moves only the absent
person's tasks plus <= 5 % of the others; every plan valid. The day itself (synthetic population,
first plan) is built by the caller: ``hjemme bench replan`` (``cli/plan.py``).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from hjemme.domain.plans import Plan
from hjemme.domain.resources import ResourceKind
from hjemme.domain.tasks import TaskKind
from hjemme.domain.time import TimeWindow
from hjemme.planning.changes import AddTask, CancelTask, Change, StaffAbsent, apply_changes
from hjemme.planning.params import PlannerParams
from hjemme.planning.placements import placements
from hjemme.planning.problem import Problem
from hjemme.planning.repair import frozen_pins, repair
from hjemme.planning.validate import validate_plan

NOW_MIN = 10 * 60
URGENT_WINDOW_MIN = 240
URGENT_DURATION_MIN = 45
KINDS = ("urgent visit", "cancellation", "absence from 10:00", "move")


@dataclass(frozen=True, slots=True)
class ChangeResult:
    """One measured change."""

    kind: str
    seconds: float
    valid: bool
    others: int
    others_reassigned: int
    others_moved: int
    shifts_min: tuple[int, ...]  # |Δstart| of the other tasks whose start changed
    target_planned: bool  # the urgent visit / moved task is where it should be (True otherwise)


@dataclass(frozen=True, slots=True)
class ReplanBenchRow:
    """One kind of change over all its runs."""

    kind: str
    runs: int
    p50_s: float
    p95_s: float
    valid: int
    reassigned_share_mean: float
    reassigned_share_max: float
    moved_share_mean: float
    median_shift_min: float
    target_planned: int


def run_replan_bench(
    problem: Problem,
    first: Plan,
    *,
    seed: int,
    changes: int = 20,
    params: PlannerParams | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> list[ReplanBenchRow]:
    """``changes`` of each kind on ``first`` (a plan of ``problem``), one row per kind (``KINDS``)."""
    params = params or PlannerParams()
    rng = random.Random(seed)
    pins = frozen_pins(first, now_min=NOW_MIN, horizon_min=params.freeze_horizon_min, statuses={})
    results = [r for kind in KINDS for r in _runs(problem, first, pins, params, kind, changes, rng, clock)]
    return [_row(kind, [r for r in results if r.kind == kind]) for kind in KINDS]


def _runs(
    problem: Problem,
    first: Plan,
    pins: dict[str, tuple[str, int]],
    params: PlannerParams,
    kind: str,
    n: int,
    rng: random.Random,
    clock: Callable[[], float],
) -> list[ChangeResult]:
    where = _where(first)
    visits = sorted(t for t in where if problem.task(t).kind is TaskKind.VISIT)
    later = [t for t in visits if t not in pins]
    clinicians = sorted(
        r.resource_id
        for r in first.routes
        if r.kind is ResourceKind.CLINICIAN and any(s.task_id and s.start_min >= NOW_MIN for s in r.stops)
    )
    out = []
    for i in range(n):
        change: list[Change] = []
        exclude: set[str] = set()
        target: tuple[str, tuple[str, int] | None] | None = None
        run_pins = pins
        if kind == "urgent visit":
            like = problem.task(rng.choice(visits))
            urgent = replace(
                like,
                id=f"URGENT-{i}",
                window=TimeWindow(NOW_MIN, NOW_MIN + URGENT_WINDOW_MIN),
                duration_min=URGENT_DURATION_MIN,
                fixed_time=False,
                mandatory=True,
                before=(),
                preferred_staff_ids=(),
                excluded_staff_ids=(),
            )
            change = [AddTask(urgent)]
            target = (urgent.id, None)
        elif kind == "cancellation":
            gone = rng.choice(later)
            change = [CancelTask(gone)]
            exclude = {gone} | {t.id for t in problem.tasks if t.taken_at == gone}
        elif kind == "absence from 10:00":
            rid = rng.choice(clinicians)
            change = [StaffAbsent(problem.resource(rid).staff_id, NOW_MIN)]
            exclude = {t for t, (r, _) in where.items() if r == rid}
        else:
            task_id = rng.choice(later)
            found = placements(problem, first, task_id, pins, params, limit=3, now_min=NOW_MIN)
            if not found:
                continue
            choice = found[0]
            run_pins = {**pins, task_id: (choice.resource_id, choice.start_min)}
            exclude = {task_id}
            target = (task_id, (choice.resource_id, choice.start_min))
        began = clock()
        changed = apply_changes(problem, change)
        plan = repair(changed, first, run_pins, params, now_min=NOW_MIN)
        violations = validate_plan(plan, changed.tasks, changed.resources, changed.provider, changed.lab)
        seconds = clock() - began
        out.append(_measure(kind, seconds, not violations, first, plan, exclude, target))
    return out


def _measure(
    kind: str,
    seconds: float,
    valid: bool,
    first: Plan,
    plan: Plan,
    exclude: set[str],
    target: tuple[str, tuple[str, int] | None] | None,
) -> ChangeResult:
    before, after = _where(first), _where(plan)
    others = [t for t in before if t not in exclude]
    reassigned = sum(1 for t in others if t in after and after[t][0] != before[t][0])
    shifts = tuple(
        abs(after[t][1] - before[t][1]) for t in others if t in after and after[t][1] != before[t][1]
    )
    changed = sum(1 for t in others if t not in after or after[t] != before[t])
    ok = True
    if target is not None:
        task_id, place = target
        ok = task_id in after if place is None else after.get(task_id) == place
    return ChangeResult(kind, seconds, valid, len(others), reassigned, changed, shifts, ok)


def _row(kind: str, results: list[ChangeResult]) -> ReplanBenchRow:
    if not results:
        return ReplanBenchRow(kind, 0, 0.0, 0.0, 0, 0.0, 0.0, 0.0, 0.0, 0)
    seconds = sorted(r.seconds for r in results)
    reassigned = [r.others_reassigned / r.others for r in results if r.others]
    moved = [r.others_moved / r.others for r in results if r.others]
    shifts = [s for r in results for s in r.shifts_min]
    return ReplanBenchRow(
        kind=kind,
        runs=len(results),
        p50_s=statistics.median(seconds),
        p95_s=seconds[min(len(seconds) - 1, round(0.95 * (len(seconds) - 1)))],
        valid=sum(r.valid for r in results),
        reassigned_share_mean=statistics.fmean(reassigned) if reassigned else 0.0,
        reassigned_share_max=max(reassigned, default=0.0),
        moved_share_mean=statistics.fmean(moved) if moved else 0.0,
        median_shift_min=float(statistics.median(shifts)) if shifts else 0.0,
        target_planned=sum(r.target_planned for r in results),
    )


def markdown_table(rows: list[ReplanBenchRow]) -> str:
    """The rows as the markdown table appended to ``docs/benchmarks.md``."""
    lines = [
        "| change | runs | p50 s | p95 s | valid | others reassigned (mean / max) "
        "| others changed | median Δstart of moved (min) | change planned |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.kind} | {r.runs} | {r.p50_s:.2f} | {r.p95_s:.2f} | {r.valid}/{r.runs} "
            f"| {100 * r.reassigned_share_mean:.1f} % / {100 * r.reassigned_share_max:.1f} % "
            f"| {100 * r.moved_share_mean:.1f} % | {r.median_shift_min:g} | {r.target_planned}/{r.runs} |"
        )
    return "\n".join(lines)


def _where(plan: Plan) -> dict[str, tuple[str, int]]:
    return {s.task_id: (r.resource_id, s.start_min) for r in plan.routes for s in r.stops if s.task_id}
