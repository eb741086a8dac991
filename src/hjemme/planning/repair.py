"""Stable re-planning during the day: repair the latest plan after changes (issue 11, items 4 and 5).

:func:`repair` never re-solves the day. It reconciles the previous plan with the changed problem
in the planner's stage order, so each cross-route rule is again decided on fixed times:

1. **Clinicians.** Every visit still in the day stays on its clinician, in its order, no earlier
   than its previous start (the previous start is a release time, so a kept stop moves only when
   something before it pushes it); a video keeps its exact minute. A pinned visit sits exactly at
   its pin; the route's unpinned stops are re-timed around it. A route that no longer fits (a
   trimmed shift, a pin in the way) gives up stops: those outside the shift first, then the single
   stop whose removal makes the rest fit, else the last. New visits, given-up visits, visits whose
   clinician is gone and previously unplanned ones are then inserted at their cheapest place:
   routing cost plus ``reassign_cost`` for another clinician plus ``moved_cost_per_min`` for every
   minute any stop's start moves against the previous plan. A relocate pass over the routes this
   repair changed, and the planner's ejection chain on a small budget
   (:func:`~hjemme.planning.stages.clinicians.repair_clinicians`), are the bounded local search
   (details in :mod:`hjemme.planning.reconcile`).
2. **Vans and couriers** keep their jobs and their samples' pickup-and-drop pairs the same way;
   a delivery's window still ends when its visit starts, a courier's sample pair is kept only if
   the visit still ends when it did. Given-up and new jobs go into a route's slack.
3. **Samples** go with their clinician (as before) or into a courier's slack.
4. **Video consultations** that lost their minute go near it with their clinician, else anywhere.

A pin the changed day cannot keep (its resource is gone or absent at that minute, or another pin
holds the slot) is released: the task is placed again like any other. Whatever finds no place is
listed unplanned with the planner's reasons. :func:`reoptimise` is the explicit "optimise the
whole day again".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from hjemme.domain.journal import STATUS_MARKS
from hjemme.domain.plans import Plan
from hjemme.domain.resources import ResourceKind
from hjemme.domain.tasks import TaskKind
from hjemme.planning import reasons as why
from hjemme.planning.day import Pins, to_plan
from hjemme.planning.kpis import plan_objective
from hjemme.planning.params import PlannerParams
from hjemme.planning.problem import Problem
from hjemme.planning.reconcile import Reconciler, may_do
from hjemme.planning.reconcile_others import reconcile_carriers, reconcile_samples, reconcile_videos
from hjemme.planning.stages.together import pair_second_halves

__all__ = ["PIN_STATUSES", "Pins", "frozen_pins", "reoptimise", "repair", "stability_cost"]

PIN_STATUSES = frozenset(mark.value for mark in STATUS_MARKS)
"""The status marks that fix a task where it is (confirmed, started, done, not done, delivered, …)."""
"""Task statuses that freeze a stop where it is (a coordinator confirmed it, or it has begun)."""


def frozen_pins(
    plan: Plan, *, now_min: int | None, horizon_min: int, statuses: Mapping[str, str]
) -> dict[str, tuple[str, int]]:
    """The stops a re-plan must keep on their resource at their start minute.

    Those are tasks confirmed, started or done (``statuses``), and — when ``now_min`` is given
    (the plan's date is today) — every stop that has begun (start <= now) or starts within
    ``horizon_min`` of now: the clinician or driver is on the way or has been told.
    """
    pins: dict[str, tuple[str, int]] = {}
    for route in plan.routes:
        for stop in route.stops:
            if stop.task_id is None:
                continue
            frozen = statuses.get(stop.task_id) in PIN_STATUSES
            if now_min is not None and stop.start_min <= now_min + horizon_min:
                frozen = True
            if frozen:
                pins[stop.task_id] = (route.resource_id, stop.start_min)
    return pins


def stability_cost(previous: Plan, plan: Plan, params: PlannerParams) -> int:
    """What ``plan`` costs in changes against ``previous``: reassigned tasks and minutes moved."""
    before = _where(previous)
    cost = 0
    for tid, (rid, start) in _where(plan).items():
        if tid in before:
            old_rid, old_start = before[tid]
            cost += params.reassign_cost * (rid != old_rid)
            cost += params.moved_cost_per_min * abs(start - old_start)
    return cost


def repair(
    problem: Problem,
    previous: Plan,
    pins: Pins,
    params: PlannerParams,
    *,
    now_min: int | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Plan:
    """``previous`` fitted to the changed ``problem``, moving as little as it can (module docstring).

    ``pins`` put their task exactly on (resource, start) — frozen stops and hand moves. A pin on a
    resource that is no longer in the day, that may not do the task, outside the task's window or
    that no longer fits the resource's shift is released (placed again like any other task).
    With ``now_min`` (the day is today) no stop that is not pinned is put before that minute:
    pass the pins of :func:`frozen_pins` with it, so the stops already begun stay where they are.
    """
    began = clock()
    ctx = Reconciler(problem, params, _where(previous), _valid_pins(problem, pins), previous, now_min or 0)
    static: dict[tuple[object, ...], why.Reason | None] = {}  # it depends on these fields only
    for task in problem.tasks:
        key = (task.kind, task.skill, task.excluded_staff_ids, task.goods)
        if key not in static:
            static[key] = why.static_reason(task, problem.resources_by_id)
        if static[key] is not None:
            ctx.day.reasons[task.id] = static[key]
    ctx.clinicians()
    clinicians = [r for r in problem.resources if r.kind is ResourceKind.CLINICIAN]
    pair_second_halves(problem, clinicians, ctx.day, keep_release=True, not_before=now_min or 0)
    reconcile_carriers(ctx)
    reconcile_samples(ctx)
    reconcile_videos(ctx)
    return to_plan(problem, ctx.day, clock() - began)


def reoptimise(
    problem: Problem,
    previous: Plan,
    pins: Pins,
    params: PlannerParams,
    *,
    now_min: int | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Plan:
    """The explicit "optimise the whole day again", keeping pins and never dropping a repaired task.

    The repaired plan competes with a full search (:func:`~hjemme.planning.solve.solve`, bounded
    by ``params.time_limit_s`` per round) that keeps the same pins. The search's plan wins only if
    it plans every task the repair planned, keeps every pin, and costs less by the planner's
    objective *plus* :func:`stability_cost` against ``previous`` — so work changes hands only
    when the day really gets better.
    """
    from hjemme.planning.solve import solve  # the whole-day search, only on request

    repaired = repair(problem, previous, pins, params, now_min=now_min, clock=clock)
    valid = _valid_pins(problem, pins)
    searched = solve(problem, params, pins=valid, clock=clock)
    kept = _where(searched)
    if not _planned(repaired) <= _planned(searched):
        return repaired
    if any(kept.get(tid) != pin for tid, pin in valid.items() if tid in _where(repaired)):
        return repaired
    if now_min is not None and any(at < now_min for tid, (_, at) in kept.items() if tid not in valid):
        return repaired  # the search knows no "now": it may not move anything into the past

    def cost(plan: Plan) -> float:
        return plan_objective(problem, plan, params) + stability_cost(previous, plan, params)

    return searched if cost(searched) < cost(repaired) else repaired


def _where(plan: Plan) -> dict[str, tuple[str, int]]:
    return {s.task_id: (r.resource_id, s.start_min) for r in plan.routes for s in r.stops if s.task_id}


def _planned(plan: Plan) -> set[str]:
    return set(_where(plan)) | {s.task_id for s in plan.samples}


def _valid_pins(problem: Problem, pins: Pins) -> dict[str, tuple[str, int]]:
    """Pins whose task and resource are in the day and whose resource may do the task."""
    out = {}
    for tid, (rid, start) in pins.items():
        task = problem.tasks_by_id.get(tid)
        resource = problem.resources_by_id.get(rid)
        if task is None or resource is None or not may_do(task, resource):
            continue
        if task.kind is not TaskKind.SAMPLE and not task.window.contains(start):
            continue
        out[tid] = (rid, start)
    return out
