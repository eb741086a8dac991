"""Stage 1: clinicians' routes (skills, windows, shifts, breaks, continuity), and the ejection-chain
repair that places the mandatory visits the routing engine left out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from hjemme.domain.resources import Resource, ResourceKind
from hjemme.domain.tasks import TRANSPORT_KINDS, Task, TaskKind
from hjemme.planning import reasons as why
from hjemme.planning.day import DayState, Pins, timed_tasks
from hjemme.planning.params import PlannerParams
from hjemme.planning.problem import Problem
from hjemme.planning.solvers.spec import RoutingSpec
from hjemme.planning.stages.routing import (
    cost_matrix,
    depots,
    finish_routes,
    run_engine,
    unplanned_penalty,
    vehicle_spec,
)
from hjemme.planning.timeline import TASK, VIDEO, Item, Timing, schedule, with_break


def delivery_lower_bounds(problem: Problem) -> dict[str, int]:
    """Earliest start of each visit that needs a delivery first: a van's fastest arrival + unloading."""
    lower: dict[str, int] = {}
    tmin = problem.travel_min
    by_goods: dict[object, list[Resource]] = {}  # eligibility depends on the goods only
    for task in problem.tasks:
        if task.kind not in TRANSPORT_KINDS or not task.before:
            continue
        g = task.goods
        key = None if g is None else (g.cold_chain, g.qualified_carrier, g.volume_l, g.weight_kg)
        if key not in by_goods:
            by_goods[key] = why.eligible_carriers(task, problem.resources_by_id)
        carriers = by_goods[key]
        if not carriers:
            continue
        loc = problem.loc(task.location)
        arrive = min(r.shift.start_min + int(tmin[problem.loc(r.start), loc]) for r in carriers)
        ready = max(arrive, task.window.start_min) + task.duration_min
        for visit_id in task.before:
            lower[visit_id] = max(lower.get(visit_id, 0), ready)
    return lower


def route_clinicians(
    problem: Problem, params: PlannerParams, lower: Mapping[str, int], pins: Pins, day: DayState
) -> None:
    clinicians = [r for r in problem.resources if r.kind is ResourceKind.CLINICIAN]
    # a two-person visit's second half joins later (stages/together.py), at its partner's minute
    visits = [
        t
        for t in problem.tasks
        if t.kind is TaskKind.VISIT
        and t.id not in day.reasons
        and not (t.together is not None and not t.together.first)
    ]
    if not clinicians or not visits:
        for v in visits:
            day.reasons[v.id] = why.no_clinician_with_skill(v.skill)
        return
    locs, depot = depots(problem, clinicians)
    windows: list[tuple[int, int]] = [(0, 24 * 60)] * len(locs)
    service = [0] * len(locs)
    penalty: list[int | None] = [None] * len(locs)
    allowed: list[tuple[int, ...]] = [()] * len(locs)
    node_task: dict[int, Task] = {}
    for visit in visits:
        eligible = why.eligible_clinicians(visit, problem.resources_by_id)
        vehicles = tuple(i for i, r in enumerate(clinicians) if r in eligible)
        lo = min(max(visit.window.start_min, lower.get(visit.id, 0)), visit.window.end_min)
        hi = visit.window.end_min
        if visit.fixed_time:
            lo = hi = visit.window.start_min
        if visit.id in pins:
            rid, at = pins[visit.id]
            vehicles = tuple(i for i, r in enumerate(clinicians) if r.id == rid)
            lo = hi = at
        if not vehicles:
            day.reasons[visit.id] = why.no_room(visit)
            continue
        node_task[len(locs)] = visit
        locs.append(problem.loc(visit.location))
        windows.append((lo, hi))
        service.append(visit.duration_min)
        penalty.append(unplanned_penalty(visit, params, visit.id in pins))
        allowed.append(vehicles)
    matrices: list[np.ndarray] = []
    keys: dict[tuple[float, tuple[int, ...]], int] = {}
    vehicles_spec = []
    wanted = {
        r.id: tuple(
            n
            for n, t in node_task.items()
            if t.preferred_staff_ids and r.staff_id not in t.preferred_staff_ids
        )
        for r in clinicians
    }
    distinct = len({(r.co2_g_per_km, wanted[r.id]) for r in clinicians})
    if distinct * len(locs) ** 2 > params.max_cost_matrix_entries:
        wanted = {r.id: () for r in clinicians}  # continuity would need too many matrices: dropped
    for resource in clinicians:
        non_preferred = wanted[resource.id]
        key = (resource.co2_g_per_km, non_preferred)
        if key not in keys:
            m = cost_matrix(problem, locs, resource, params, clinician=True)
            if non_preferred:
                m = m.copy()
                m[:, list(non_preferred)] += params.non_preferred_clinician_cost
            keys[key] = len(matrices)
            matrices.append(m)
        vehicles_spec.append(vehicle_spec(resource, depot, problem, keys[key], params))
    idx = np.array(locs, dtype=np.int64)
    spec = RoutingSpec(
        travel_min=problem.travel_min[np.ix_(idx, idx)],
        service_min=tuple(service),
        windows=tuple(windows),
        penalty=tuple(penalty),
        allowed=tuple(allowed),
        demands=(),
        vehicles=tuple(vehicles_spec),
        cost_matrices=tuple(matrices),
        span_cost=params.span_cost_per_min,
        soft_ends=tuple(
            (node, t.soft_end_min, t.late_cost_per_min)
            for node, t in node_task.items()
            if t.soft_end_min is not None and t.late_cost_per_min > 0
        ),
    )
    result = run_engine(spec, params.time_limit_s * params.clinician_share, params)
    routes: dict[str, list[Item]] = {}
    for resource, route in zip(clinicians, result.routes, strict=True):
        items = []
        for node, start in route:
            task = node_task[node]
            items.append(Item(TASK, task.id, locs[node], task.duration_min, windows[node], start))
        routes[resource.id] = items
    finish_routes(problem, clinicians, routes, day)
    served = timed_tasks(day)  # not: left out by the engine, or by the timing (break)
    left = [(node, t) for node, t in node_task.items() if t.id not in served and t.mandatory]
    if left:
        items = {n: Item(TASK, t.id, locs[n], t.duration_min, windows[n]) for n, t in left}
        served |= repair_clinicians(problem, clinicians, [items[n] for n, _ in left], pins, day)
    for node, task in node_task.items():
        if task.id in served:
            day.reasons.pop(task.id, None)
        else:
            day.reasons[task.id] = clinician_reason(problem, task, windows[node])


def cheapest_insertion(
    problem: Problem, resource: Resource, items: list[Item], new: Item
) -> tuple[int, list[Item], Timing] | None:
    """The least-driving feasible position of ``new`` in ``items`` (tasks may be re-timed)."""
    start, end = problem.loc(resource.start), problem.loc(resource.end)
    tmin = problem.travel_min
    assert new.window is not None and new.loc is not None
    # earliest ends without the break: a lower bound on every timing, to skip hopeless positions
    early = schedule(resource, start, end, items, tmin) if items else None
    ends = [x.end_min for x in early.stops] if early else None
    best: tuple[int, list[Item], Timing] | None = None
    for i in range(len(items) + 1):
        if ends is not None:
            prev_end = resource.shift.start_min if i == 0 else ends[i - 1]
            prev_loc = start if i == 0 else items[i - 1].loc
            if prev_loc is not None and prev_end + int(tmin[prev_loc, new.loc]) > new.window[1]:
                continue
        trial = items[:i] + [new] + items[i:]
        placed = with_break(resource, start, end, trial, tmin)
        if placed is not None and (best is None or placed[1].travel_min < best[0]):
            best = (placed[1].travel_min, trial, placed[1])
    return best


def repair_clinicians(
    problem: Problem,
    clinicians: list[Resource],
    new_items: list[Item],
    pins: Pins,
    day: DayState,
    depth: int = 2,
    budget: int = 4_000,
    total_budget: int = 20_000,
    keep_release: bool = False,
) -> set[str]:
    """Put mandatory visits the routing engine left out into clinicians' routes: directly where one
    fits (re-timing that route; no later stage depends on visit times yet), else by moving a visit
    of an eligible clinician to a colleague to make room, that colleague again moving one of theirs
    (an ejection chain of at most ``depth`` moves, each route changed once). Returns the visits
    placed. ``budget`` caps the insertion trials per visit and ``total_budget`` those of the whole
    repair (about 0.3 ms each on a 1,500-patient day), so the work is bounded and repeatable.

    It also takes the visits the timing removed where PyVRP (which keeps room for a break but
    not its window) left no break in the window. OR-Tools' break model is conservative (the break
    node is left with the longest drive), so a visit it could not fit often fits the real
    timeline; a short search also leaves scarce-skill clinicians busy with visits others could
    do, which the ejections repair.

    ``keep_release`` keeps each stop's release time (a repair during the day: stops may be pushed
    later, never pulled earlier than planned); only visits are ever moved to a colleague.
    """
    by_id = {r.id: r for r in clinicians}
    tasks_of = {
        r.id: [
            x.item if keep_release else replace(x.item, release_min=0)
            for x in day.timings[r.id].stops
            if x.item.kind in (TASK, VIDEO)
        ]
        if r.id in day.timings
        else []
        for r in clinicians
    }
    travel_of = {rid: (day.timings[rid].travel_min if rid in day.timings else 0) for rid in tasks_of}
    placed: set[str] = set()
    hopeless: set[tuple[str, str]] = set()  # (task, clinician) pairs that did not fit
    Move = tuple[str, list[Item], Timing]
    trials = [0]
    spent = 0

    def eligible(task_id: str) -> list[Resource]:
        found = why.eligible_clinicians(problem.task(task_id), problem.resources_by_id)
        return [r for r in found if r.id in by_id]

    def insert(r: Resource, items: list[Item], new: Item) -> tuple[int, list[Item], Timing] | None:
        trials[0] += 1
        return cheapest_insertion(problem, r, items, new)

    def place(new: Item, moves_left: int, avoid: frozenset[str]) -> list[Move] | None:
        assert new.task_id is not None
        candidates = [r for r in eligible(new.task_id) if r.id not in avoid]
        direct: tuple[int, Move] | None = None
        for r in candidates:
            if (new.task_id, r.id) in hopeless:
                continue
            found = insert(r, tasks_of[r.id], new)
            if found is None:
                hopeless.add((new.task_id, r.id))
            elif direct is None or found[0] - travel_of[r.id] < direct[0]:
                direct = (found[0] - travel_of[r.id], (r.id, found[1], found[2]))
        if direct is not None:
            return [direct[1]]
        if moves_left == 0:
            return None
        for r in candidates:
            items = tasks_of[r.id]
            for j, out in enumerate(items):
                if trials[0] > budget:
                    return None
                if out.task_id is None or out.task_id in pins or out.kind != TASK:
                    continue
                here = insert(r, items[:j] + items[j + 1 :], new)
                if here is None:
                    continue
                chain = place(out, moves_left - 1, avoid | {r.id})
                if chain is not None:
                    return [(r.id, here[1], here[2]), *chain]
        return None

    for new in sorted(new_items, key=lambda x: (x.window[1] if x.window else 0, x.task_id or "")):
        assert new.task_id is not None
        if spent > total_budget:
            break
        trials[0] = 0
        moves = place(new, depth, frozenset())
        spent += trials[0]
        if moves is None:
            continue
        for rid, items, timing in moves:
            tasks_of[rid] = items
            travel_of[rid] = timing.travel_min
            day.timings[rid] = timing
            hopeless.difference_update({k for k in hopeless if k[1] == rid})
        placed.add(new.task_id)
    return placed


def clinician_reason(problem: Problem, task: Task, window: tuple[int, int]) -> why.Reason:
    tmin = problem.travel_min
    loc = problem.loc(task.location)
    for r in why.eligible_clinicians(task, problem.resources_by_id):
        out = r.shift.start_min + int(tmin[problem.loc(r.start), loc])
        start = max(out, window[0])
        if start <= window[1] and start + task.duration_min + int(tmin[loc, problem.loc(r.end)]) <= (
            r.shift.end_min
        ):
            return why.no_room(task)
    return why.window_unreachable(task)
