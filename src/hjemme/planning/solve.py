"""``solve(problem, params) -> Plan``: the day planner as a pure function (issue 3, item 2).

Decomposition (each stage leaves earlier stages' task times untouched, so every cross-route rule
is decided on fixed times and is exact):

1. **Clinicians** (PyVRP, or OR-Tools: skills as allowed vehicles, windows, shifts, break, max
   working time, non-preferred clinicians cost extra, excluded ones are not allowed). Visits that
   use goods get an earliest start: the earliest a van could have delivered them. Each route is
   then timed with its break; a visit that does not fit (PyVRP only keeps room for the break, not
   its window) or that the engine left out is repaired into a colleague's route.
2. **Cheap lab drops**: a sample goes with its clinician when the lab detour is at most
   ``clinician_sample_detour_min`` (the clinician passes the lab on the way home anyway).
3. **Transport** (PyVRP, or OR-Tools: vans and couriers, volume/weight, cold chain, qualified
   carrier; with OR-Tools also one patient's goods on one vehicle where possible). A delivery
   must end before its visits start (the window is cut at the visit's start); a courier sample is
   a pickup at the visit's place after its end and a drop at the lab before ``end + stability``.
4. **Remaining samples** go with the clinician if the lab fits anywhere later in the route.
5. **Video consultations** are put into clinicians' time off the road: before leaving, between
   stops where they wait, or after returning (the clinician stays where they are).

If a mandatory delivery is left out while its visit cut its window short, the visit's earliest
start moves later by
``precedence_step_min`` and the stages run again (``rounds`` times); the plan with the fewest
unplanned mandatory tasks wins.

Each stage is a module of :mod:`hjemme.planning.stages` (``clinicians``, ``samples``, ``transport``,
``videos``; ``routing`` is what the two routing stages share); they work on one
:class:`~hjemme.planning.day.DayState`. Changes during the day are not re-solved here but
repaired on the affected routes (:mod:`hjemme.planning.repair`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from hjemme.domain.plans import Plan
from hjemme.domain.resources import ResourceKind
from hjemme.domain.tasks import TRANSPORT_KINDS, Task, TaskKind
from hjemme.planning import reasons as why
from hjemme.planning.day import DayState, Pins, to_plan
from hjemme.planning.params import PlannerParams
from hjemme.planning.problem import Problem
from hjemme.planning.stages.clinicians import delivery_lower_bounds, route_clinicians
from hjemme.planning.stages.samples import carrier_pair, clinician_drop
from hjemme.planning.stages.together import pair_second_halves
from hjemme.planning.stages.transport import route_transport
from hjemme.planning.stages.videos import place_videos

__all__ = ["Pins", "solve"]


def solve(
    problem: Problem,
    params: PlannerParams | None = None,
    *,
    pins: Pins | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Plan:
    """Plan the day. ``pins`` fixes tasks to a resource and start minute (re-planning keeps them).

    ``clock`` only measures ``kpis.solve_seconds``; the search itself is bounded by
    ``params.time_limit_s`` per round (shared by the stages) and seeded by ``params.seed``.
    """
    params = params or PlannerParams()
    pins = pins or {}
    began = clock()
    lower = delivery_lower_bounds(problem)
    for task_id, (_resource_id, start) in pins.items():
        # A pinned delivery keeps its start, so its visits may begin only after it really ends.
        task = problem.task(task_id)
        if task.kind in TRANSPORT_KINDS:
            for visit_id in task.before:
                lower[visit_id] = max(lower.get(visit_id, 0), start + task.duration_min)
    best: DayState | None = None
    for attempt in range(params.rounds):
        # a repair round only has to beat the first on unplanned tasks: a quarter of the search
        # time keeps the whole solve near one round's time (a 40-s day: ~55 s, not ~85 s)
        round_params = params if attempt == 0 else replace(params, time_limit_s=params.time_limit_s / 4)
        day = _plan_round(problem, round_params, lower, pins)
        if best is None or _score(problem, day) < _score(problem, best):
            best = day
        times = day.task_times()
        late = [
            t
            for t in problem.tasks
            if t.kind in TRANSPORT_KINDS
            and t.id in day.reasons
            and t.mandatory
            and any(times[v][0] - t.duration_min < t.window.end_min for v in t.before if v in times)
        ]
        if not late:
            break
        for delivery in late:
            for visit_id in delivery.before:
                if visit_id in times:
                    lower[visit_id] = times[visit_id][0] + params.precedence_step_min
    assert best is not None
    return to_plan(problem, best, clock() - began)


def _score(problem: Problem, day: DayState) -> tuple[int, int]:
    mandatory = sum(1 for tid in day.reasons if problem.task(tid).mandatory)
    return mandatory, len(day.reasons)


def _plan_round(problem: Problem, params: PlannerParams, lower: dict[str, int], pins: Pins) -> DayState:
    day = DayState()
    for task in problem.tasks:
        reason = why.static_reason(task, problem.resources_by_id)
        if reason is not None:
            day.reasons[task.id] = reason
    route_clinicians(problem, params, lower, pins, day)
    pair_second_halves(problem, [r for r in problem.resources if r.kind is ResourceKind.CLINICIAN], day)
    samples = [t for t in problem.tasks if t.kind is TaskKind.SAMPLE]
    times = day.task_times()
    has_carriers = any(r.kind is not ResourceKind.CLINICIAN for r in problem.resources)
    deferred: list[Task] = []
    for sample in samples:
        assert sample.taken_at is not None
        if sample.taken_at not in times:
            day.reasons[sample.id] = why.visit_not_planned(sample.taken_at)
            continue
        limit = None if not has_carriers else params.clinician_sample_detour_min
        if not clinician_drop(problem, sample, day, limit):
            deferred.append(sample)
    route_transport(problem, params, pins, deferred, day)
    for sample in deferred:
        if sample.id in day.carrier or clinician_drop(problem, sample, day, None):
            continue
        if not carrier_pair(problem, sample, day):
            day.reasons[sample.id] = why.sample_too_late(sample)
    place_videos(problem, pins, day)
    return day
