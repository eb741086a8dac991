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
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from hjemme.domain.plans import Plan, Route, SampleJourney, Stop, Unplanned
from hjemme.domain.resources import Resource, ResourceKind
from hjemme.domain.tasks import TRANSPORT_KINDS, Task, TaskKind
from hjemme.planning import reasons as why
from hjemme.planning.kpis import plan_kpis
from hjemme.planning.params import PlannerParams
from hjemme.planning.problem import Problem
from hjemme.planning.solvers.ortools import solve_routing
from hjemme.planning.solvers.pyvrp import solve_routes
from hjemme.planning.solvers.spec import RoutingResult, RoutingSpec, VehicleSpec
from hjemme.planning.timeline import LAB, TASK, VIDEO, Item, Timing, insert_best, schedule, with_break

Pins = Mapping[str, tuple[str, int]]  # task id -> (resource id, start minute)


@dataclass
class _Day:
    """Working state of one round (local to :func:`solve`, never returned)."""

    timings: dict[str, Timing] = field(default_factory=dict)
    reasons: dict[str, why.Reason] = field(default_factory=dict)
    carrier: dict[str, str] = field(default_factory=dict)  # sample id -> resource id

    def task_times(self) -> dict[str, tuple[int, int]]:
        return {
            x.item.task_id: (x.start_min, x.end_min)
            for t in self.timings.values()
            for x in t.stops
            if x.item.task_id is not None and x.item.kind in (TASK, VIDEO)
        }

    def route_of(self, task_id: str) -> str | None:
        for rid, t in self.timings.items():
            if any(x.item.task_id == task_id for x in t.stops):
                return rid
        return None


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
    lower = _delivery_lower_bounds(problem)
    for task_id, (_resource_id, start) in pins.items():
        # A pinned delivery keeps its start, so its visits may begin only after it really ends.
        task = problem.task(task_id)
        if task.kind in TRANSPORT_KINDS:
            for visit_id in task.before:
                lower[visit_id] = max(lower.get(visit_id, 0), start + task.duration_min)
    best: _Day | None = None
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
    return _to_plan(problem, best, clock() - began)


def _score(problem: Problem, day: _Day) -> tuple[int, int]:
    mandatory = sum(1 for tid in day.reasons if problem.task(tid).mandatory)
    return mandatory, len(day.reasons)


def _plan_round(problem: Problem, params: PlannerParams, lower: dict[str, int], pins: Pins) -> _Day:
    day = _Day()
    for task in problem.tasks:
        reason = why.static_reason(task, problem.resources_by_id)
        if reason is not None:
            day.reasons[task.id] = reason
    _route_clinicians(problem, params, lower, pins, day)
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
        if not _clinician_drop(problem, sample, day, limit):
            deferred.append(sample)
    _route_transport(problem, params, pins, deferred, day)
    for sample in deferred:
        if sample.id in day.carrier or _clinician_drop(problem, sample, day, None):
            continue
        if not _carrier_pair(problem, sample, day):
            day.reasons[sample.id] = why.sample_too_late(sample)
    _place_videos(problem, pins, day)
    return day


def _delivery_lower_bounds(problem: Problem) -> dict[str, int]:
    """Earliest start of each visit that needs a delivery first: a van's fastest arrival + unloading."""
    lower: dict[str, int] = {}
    tmin = problem.travel_min
    for task in problem.tasks:
        if task.kind not in TRANSPORT_KINDS or not task.before:
            continue
        carriers = why.eligible_carriers(task, problem.resources_by_id)
        if not carriers:
            continue
        loc = problem.loc(task.location)
        arrive = min(r.shift.start_min + int(tmin[problem.loc(r.start), loc]) for r in carriers)
        ready = max(arrive, task.window.start_min) + task.duration_min
        for visit_id in task.before:
            lower[visit_id] = max(lower.get(visit_id, 0), ready)
    return lower


def _cost_matrix(
    problem: Problem, locs: list[int], resource: Resource, params: PlannerParams, clinician: bool
) -> np.ndarray:
    idx = np.array(locs, dtype=np.int64)
    minutes = problem.travel_min[np.ix_(idx, idx)]
    km = problem.travel.distance_m[np.ix_(idx, idx)] / 1000.0
    per_min = params.drive_cost_per_min + (params.clinician_drive_cost_per_min if clinician else 0)
    cost = (
        per_min * minutes
        + params.cost_per_km * km
        + params.cost_per_kg_co2 * km * resource.co2_g_per_km / 1000.0
    )
    return np.rint(cost).astype(np.int64)


def _vehicle(
    resource: Resource,
    depot: dict[int, int],
    problem: Problem,
    matrix: int,
    params: PlannerParams,
    capacity: tuple[int, ...] = (),
) -> VehicleSpec:
    has_break = resource.break_window is not None and resource.break_min > 0
    return VehicleSpec(
        start_node=depot[problem.loc(resource.start)],
        end_node=depot[problem.loc(resource.end)],
        shift=(resource.shift.start_min, resource.shift.end_min),
        max_span_min=resource.max_work_min + (resource.break_min if has_break else 0),
        break_=(
            (resource.break_window.start_min, resource.break_window.end_min, resource.break_min)
            if has_break and resource.break_window is not None
            else None
        ),
        cost_matrix=matrix,
        fixed_cost=params.vehicle_used_cost,
        capacity=capacity,
    )


def _depots(problem: Problem, resources: list[Resource]) -> tuple[list[int], dict[int, int]]:
    locs: list[int] = []
    depot: dict[int, int] = {}
    for r in resources:
        for place in (r.start, r.end):
            loc = problem.loc(place)
            if loc not in depot:
                depot[loc] = len(locs)
                locs.append(loc)
    return locs, depot


def _penalty(task: Task, params: PlannerParams, pinned: bool) -> int:
    if pinned:
        return params.unplanned_mandatory_cost * 10
    return params.unplanned_mandatory_cost if task.mandatory else params.unplanned_optional_cost


def _route(spec: RoutingSpec, seconds: float, params: PlannerParams) -> RoutingResult:
    """The configured engine's routes; OR-Tools when PyVRP found nothing feasible in time
    (OR-Tools always completes a first solution)."""
    result = None
    if params.engine == "pyvrp":
        result = solve_routes(spec, seconds, params.seed, workers=params.search_workers)
    first_s = params.first_solution_limit_s
    return result or solve_routing(spec, seconds, params.seed, first_solution_limit_s=first_s)


def _timed_tasks(day: _Day) -> set[str]:
    return {x.item.task_id for t in day.timings.values() for x in t.stops if x.item.task_id}


def _finish_routes(
    problem: Problem, resources: list[Resource], routes: dict[str, list[Item]], day: _Day
) -> None:
    """Time each route with its break; a route the timing rejects loses its last tasks (rare)."""
    tmin = problem.travel_min
    for resource in resources:
        items = routes.get(resource.id, [])
        if not items:
            continue
        start, end = problem.loc(resource.start), problem.loc(resource.end)
        while items:
            placed = with_break(resource, start, end, items, tmin)
            if placed is not None:
                day.timings[resource.id] = placed[1]
                break
            items, dropped = _drop_one(problem, resource, start, end, items)
            for task_id in dropped:
                if problem.task(task_id).kind is not TaskKind.SAMPLE:
                    day.reasons[task_id] = why.no_room(problem.task(task_id))


def _drop_one(
    problem: Problem, resource: Resource, start: int, end: int, items: list[Item]
) -> tuple[list[Item], list[str]]:
    """Remove the one stop whose removal makes the route (with its break) fit, cheapest first:
    optional tasks, then samples (a clinician may still carry them), then mandatory tasks; if no
    single removal helps, the last stop goes. Needed when the engine could not fit the break."""

    def rank(i: int) -> tuple[int, int]:
        task_id = items[i].task_id
        if task_id is None:
            return (1, -i)
        task = problem.task(task_id)
        return (0 if not task.mandatory else 1 if task.kind is TaskKind.SAMPLE else 2, -i)

    ids = lambda xs: {x.task_id for x in xs if x.task_id is not None}  # noqa: E731
    for i in sorted(range(len(items)), key=rank):
        trial = _paired(problem, items[:i] + items[i + 1 :])
        if with_break(resource, start, end, trial, problem.travel_min) is not None:
            return trial, sorted(ids(items) - ids(trial))
    trial = _paired(problem, items[:-1])
    return trial, sorted(ids(items) - ids(trial))


def _paired(problem: Problem, items: list[Item]) -> list[Item]:
    """Drop sample pickups whose lab drop is gone and lab drops whose pickup is gone."""
    picked = {x.task_id for x in items if x.kind == TASK and x.task_id is not None}
    dropped = {s for x in items if x.kind == LAB for s in x.samples}
    return [
        x
        for x in items
        if (x.kind != LAB or all(s in picked for s in x.samples))
        and not (
            x.kind == TASK
            and x.task_id is not None
            and problem.task(x.task_id).kind is TaskKind.SAMPLE
            and x.task_id not in dropped
        )
    ]


def _route_clinicians(
    problem: Problem, params: PlannerParams, lower: Mapping[str, int], pins: Pins, day: _Day
) -> None:
    clinicians = [r for r in problem.resources if r.kind is ResourceKind.CLINICIAN]
    visits = [t for t in problem.tasks if t.kind is TaskKind.VISIT and t.id not in day.reasons]
    if not clinicians or not visits:
        for v in visits:
            day.reasons[v.id] = why.no_clinician_with_skill(v.skill)
        return
    locs, depot = _depots(problem, clinicians)
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
        penalty.append(_penalty(visit, params, visit.id in pins))
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
            m = _cost_matrix(problem, locs, resource, params, clinician=True)
            if non_preferred:
                m = m.copy()
                m[:, list(non_preferred)] += params.non_preferred_clinician_cost
            keys[key] = len(matrices)
            matrices.append(m)
        vehicles_spec.append(_vehicle(resource, depot, problem, keys[key], params))
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
    )
    result = _route(spec, params.time_limit_s * params.clinician_share, params)
    routes: dict[str, list[Item]] = {}
    for resource, route in zip(clinicians, result.routes, strict=True):
        items = []
        for node, start in route:
            task = node_task[node]
            items.append(Item(TASK, task.id, locs[node], task.duration_min, windows[node], start))
        routes[resource.id] = items
    _finish_routes(problem, clinicians, routes, day)
    served = _timed_tasks(day)  # not: left out by the engine, or by the timing (break)
    left = [(node, t) for node, t in node_task.items() if t.id not in served and t.mandatory]
    if left:
        items = {n: Item(TASK, t.id, locs[n], t.duration_min, windows[n]) for n, t in left}
        served |= _repair_clinicians(problem, clinicians, [items[n] for n, _ in left], pins, day)
    for node, task in node_task.items():
        if task.id in served:
            day.reasons.pop(task.id, None)
        else:
            day.reasons[task.id] = _clinician_reason(problem, task, windows[node])


def _cheapest_insertion(
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


def _repair_clinicians(
    problem: Problem,
    clinicians: list[Resource],
    new_items: list[Item],
    pins: Pins,
    day: _Day,
    depth: int = 2,
    budget: int = 4_000,
    total_budget: int = 20_000,
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
    """
    by_id = {r.id: r for r in clinicians}
    tasks_of = {
        r.id: [replace(x.item, release_min=0) for x in day.timings[r.id].stops if x.item.kind == TASK]
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
        return _cheapest_insertion(problem, r, items, new)

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
                if out.task_id is None or out.task_id in pins:
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


def _clinician_reason(problem: Problem, task: Task, window: tuple[int, int]) -> why.Reason:
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


def _clinician_drop(problem: Problem, sample: Task, day: _Day, max_detour: int | None) -> bool:
    """Add a lab drop after the sample's visit on that clinician's route, if it fits (and is cheap)."""
    assert sample.taken_at is not None and sample.sample_stability_min is not None
    rid = day.route_of(sample.taken_at)
    if rid is None:
        return False
    resource = problem.resource(rid)
    timing = day.timings[rid]
    taken = day.task_times()[sample.taken_at][1]
    lab = Item(
        LAB,
        None,
        problem.loc(problem.lab),
        sample.duration_min,
        None,
        deadline_min=taken + sample.sample_stability_min,
        samples=(sample.id,),
    )
    result = insert_best(
        resource,
        problem.loc(resource.start),
        problem.loc(resource.end),
        timing,
        lab,
        problem.travel_min,
        after_task=sample.taken_at,
    )
    if result is None:
        return False
    if max_detour is not None and result.travel_min - timing.travel_min > max_detour:
        return False
    day.timings[rid] = result
    day.carrier[sample.id] = rid
    return True


def _carrier_pair(problem: Problem, sample: Task, day: _Day) -> bool:
    """Add a sample the transport search left out to a van's or courier's route: a pickup at the
    visit after it ends and a lab drop within the stability time, in the route's slack only."""
    assert sample.taken_at is not None and sample.sample_stability_min is not None
    taken = day.task_times()[sample.taken_at][1]
    window = (taken, taken + sample.sample_stability_min)
    visit_loc = problem.loc(problem.task(sample.taken_at).location)
    pickup = Item(TASK, sample.id, visit_loc, sample.duration_min, window)
    lab_loc = problem.loc(problem.lab)
    lab = Item(LAB, None, lab_loc, sample.duration_min, None, deadline_min=window[1], samples=(sample.id,))
    tmin = problem.travel_min
    best: tuple[int, str, Timing] | None = None
    for resource in problem.resources:
        if resource.kind is ResourceKind.CLINICIAN:
            continue
        start, end = problem.loc(resource.start), problem.loc(resource.end)
        timing = day.timings.get(resource.id)
        if timing is None:
            placed = with_break(resource, start, end, [pickup, lab], tmin)
            result = placed[1] if placed else None
        else:
            first = insert_best(resource, start, end, timing, pickup, tmin)
            result = None if first is None else insert_best(resource, start, end, first, lab, tmin, sample.id)
        if result is None:
            continue
        added = result.travel_min - (timing.travel_min if timing else 0)
        if best is None or added < best[0]:
            best = (added, resource.id, result)
    if best is None:
        return False
    day.timings[best[1]] = best[2]
    day.carrier[sample.id] = best[1]
    return True


def _route_transport(
    problem: Problem, params: PlannerParams, pins: Pins, samples: list[Task], day: _Day
) -> None:
    carriers = [r for r in problem.resources if r.kind is not ResourceKind.CLINICIAN]
    jobs = [t for t in problem.tasks if t.kind in TRANSPORT_KINDS and t.id not in day.reasons]
    if not carriers or (not jobs and not samples):
        return
    times = day.task_times()
    locs, depot = _depots(problem, carriers)
    windows: list[tuple[int, int]] = [(0, 24 * 60)] * len(locs)
    service = [0] * len(locs)
    penalty: list[int | None] = [None] * len(locs)
    allowed: list[tuple[int, ...]] = [()] * len(locs)
    volume = [0] * len(locs)
    weight = [0] * len(locs)
    node_task: dict[int, Task] = {}
    lab_nodes: dict[int, Task] = {}
    pairs: list[tuple[int, int]] = []
    by_patient: dict[str, list[int]] = {}

    def add(task: Task, loc: int, window: tuple[int, int], vehicles: tuple[int, ...], pen: int) -> int:
        node = len(locs)
        locs.append(loc)
        windows.append(window)
        service.append(task.duration_min)
        penalty.append(pen)
        allowed.append(vehicles)
        goods = task.goods if task.kind in TRANSPORT_KINDS else None
        volume.append(int(np.ceil(goods.volume_l * 10)) if goods else 0)
        weight.append(int(np.ceil(goods.weight_kg * 10)) if goods else 0)
        return node

    for job in jobs:
        lo, hi = job.window.start_min, job.window.end_min
        firsts = [times[v][0] for v in job.before if v in times]
        if firsts:
            hi = min(hi, min(firsts) - job.duration_min)
        eligible = why.eligible_carriers(job, problem.resources_by_id)
        vehicles = tuple(i for i, r in enumerate(carriers) if r in eligible)
        if job.id in pins:
            rid, at = pins[job.id]
            vehicles = tuple(i for i, r in enumerate(carriers) if r.id == rid)
            lo = hi = at
        if lo > hi:
            day.reasons[job.id] = why.precedence(min(firsts)) if firsts else why.window_unreachable(job)
            continue
        if not vehicles:
            day.reasons[job.id] = why.no_room(job)
            continue
        node = add(job, problem.loc(job.location), (lo, hi), vehicles, _penalty(job, params, job.id in pins))
        node_task[node] = job
        by_patient.setdefault(job.patient_id, []).append(node)
    everyone = tuple(range(len(carriers)))
    lab_loc = problem.loc(problem.lab)
    for sample in samples:
        assert sample.taken_at is not None and sample.sample_stability_min is not None
        taken = times[sample.taken_at][1]
        window = (taken, taken + sample.sample_stability_min)
        visit_loc = problem.loc(problem.task(sample.taken_at).location)
        p = add(sample, visit_loc, window, everyone, _penalty(sample, params, False))
        d = add(sample, lab_loc, window, everyone, 0)
        node_task[p] = sample
        lab_nodes[d] = sample
        pairs.append((p, d))
    matrices: list[np.ndarray] = []
    keys: dict[float, int] = {}
    vehicles_spec = []
    for resource in carriers:
        if resource.co2_g_per_km not in keys:
            keys[resource.co2_g_per_km] = len(matrices)
            matrices.append(_cost_matrix(problem, locs, resource, params, clinician=False))
        capacity = (int(resource.volume_l * 10), int(resource.weight_kg * 10))
        vehicles_spec.append(
            _vehicle(resource, depot, problem, keys[resource.co2_g_per_km], params, capacity)
        )
    idx = np.array(locs, dtype=np.int64)
    spec = RoutingSpec(
        travel_min=problem.travel_min[np.ix_(idx, idx)],
        service_min=tuple(service),
        windows=tuple(windows),
        penalty=tuple(penalty),
        allowed=tuple(allowed),
        demands=(tuple(volume), tuple(weight)),
        vehicles=tuple(vehicles_spec),
        cost_matrices=tuple(matrices),
        pairs=tuple(pairs),
        groups=tuple(
            (tuple(nodes), params.split_patient_cost) for nodes in by_patient.values() if len(nodes) > 1
        ),
        span_cost=params.span_cost_per_min,
    )
    result = _route(spec, params.time_limit_s * (1 - params.clinician_share), params)
    routes: dict[str, list[Item]] = {}
    for resource, route in zip(carriers, result.routes, strict=True):
        items = []
        for node, start in route:
            if node in lab_nodes:
                sample = lab_nodes[node]
                items.append(
                    Item(
                        LAB,
                        None,
                        lab_loc,
                        sample.duration_min,
                        None,
                        start,
                        deadline_min=windows[node][1],
                        samples=(sample.id,),
                    )
                )
            else:
                task = node_task[node]
                items.append(Item(TASK, task.id, locs[node], task.duration_min, windows[node], start))
        routes[resource.id] = items
    _finish_routes(problem, carriers, routes, day)
    for rid, timing in day.timings.items():
        if problem.resource(rid).kind is ResourceKind.CLINICIAN:
            continue
        for x in timing.stops:
            for sid in x.item.samples:
                day.carrier[sid] = rid
    timed = _timed_tasks(day)  # not: left out by the engine, or by the timing (break)
    left = sorted(
        (
            (node, task)
            for node, task in node_task.items()
            if task.id not in timed and task.kind is not TaskKind.SAMPLE
        ),
        key=lambda x: (not x[1].mandatory, x[1].id),
    )
    for node, task in left:
        day.reasons.pop(task.id, None)
        if task.id in pins or not _carrier_insert(problem, task, windows[node], day):
            firsts = [times[v][0] for v in task.before if v in times]
            day.reasons[task.id] = _transport_reason(problem, task, windows[node], firsts)


def _carrier_insert(problem: Problem, task: Task, window: tuple[int, int], day: _Day) -> bool:
    """Add a job the transport search left out to an eligible vehicle's route, in its slack only
    and only where all the route's goods together (a bound on the load at any time) still fit."""
    assert task.goods is not None
    item = Item(TASK, task.id, problem.loc(task.location), task.duration_min, window)
    tmin = problem.travel_min
    best: tuple[int, str, Timing] | None = None
    for resource in why.eligible_carriers(task, problem.resources_by_id):
        timing = day.timings.get(resource.id)
        on_board = [task.goods]
        for x in timing.stops if timing else ():
            job = problem.task(x.item.task_id) if x.item.kind == TASK and x.item.task_id else None
            if job is not None and job.kind in TRANSPORT_KINDS and job.goods is not None:
                on_board.append(job.goods)
        if sum(g.volume_l for g in on_board) > resource.volume_l or sum(g.weight_kg for g in on_board) > (
            resource.weight_kg
        ):
            continue
        start, end = problem.loc(resource.start), problem.loc(resource.end)
        if timing is None:
            placed = with_break(resource, start, end, [item], tmin)
            result = placed[1] if placed else None
        else:
            result = insert_best(resource, start, end, timing, item, tmin)
        if result is None:
            continue
        added = result.travel_min - (timing.travel_min if timing else 0)
        if best is None or added < best[0]:
            best = (added, resource.id, result)
    if best is None:
        return False
    day.timings[best[1]] = best[2]
    return True


def _transport_reason(
    problem: Problem, task: Task, window: tuple[int, int], visit_starts: list[int]
) -> why.Reason:
    tmin = problem.travel_min
    loc = problem.loc(task.location)
    for r in why.eligible_carriers(task, problem.resources_by_id):
        start = max(r.shift.start_min + int(tmin[problem.loc(r.start), loc]), window[0])
        if start <= window[1] and start + task.duration_min + int(tmin[loc, problem.loc(r.end)]) <= (
            r.shift.end_min
        ):
            return why.no_room(task)
    if visit_starts:
        return why.precedence(min(visit_starts))
    return why.window_unreachable(task)


def _place_videos(problem: Problem, pins: Pins, day: _Day) -> None:
    videos = sorted(
        (t for t in problem.tasks if t.kind is TaskKind.VIDEO and t.id not in day.reasons),
        key=lambda t: (t.id not in pins, t.window.end_min, t.id),
    )
    tmin = problem.travel_min
    for video in videos:
        item = Item(VIDEO, video.id, None, video.duration_min, (video.window.start_min, video.window.end_min))
        candidates = why.eligible_clinicians(video, problem.resources_by_id)
        if video.id in pins:
            rid, at = pins[video.id]
            candidates = [r for r in candidates if r.id == rid]
            item = replace(item, window=(at, at))
        candidates.sort(
            key=lambda r: (
                r.staff_id not in video.preferred_staff_ids,
                day.timings[r.id].work_min if r.id in day.timings else 0,
                r.id,
            )
        )
        for resource in candidates:
            start, end = problem.loc(resource.start), problem.loc(resource.end)
            if resource.id in day.timings:
                result = insert_best(resource, start, end, day.timings[resource.id], item, tmin)
            else:
                placed = with_break(resource, start, end, [item], tmin)
                result = placed[1] if placed else None
            if result is not None:
                day.timings[resource.id] = result
                break
        else:
            day.reasons[video.id] = why.video_no_slot(video)


def _to_plan(problem: Problem, day: _Day, seconds: float) -> Plan:
    routes = []
    samples = []
    times = day.task_times()
    for resource in problem.resources:
        timing = day.timings.get(resource.id)
        if timing is None or not timing.stops:
            continue
        stops = []
        for x in timing.stops:
            stops.append(_stop(problem, resource, x.item, x.arrive_min, x.start_min, x.end_min))
            for sid in x.item.samples:
                sample = problem.task(sid)
                assert sample.taken_at is not None and sample.sample_stability_min is not None
                samples.append(
                    SampleJourney(
                        task_id=sid,
                        taken_min=times[sample.taken_at][1],
                        at_lab_min=x.arrive_min,
                        stability_min=sample.sample_stability_min,
                        carried_by=resource.id,
                    )
                )
        routes.append(Route(resource.id, resource.kind, resource.vehicle_id, tuple(stops)))
    unplanned = tuple(Unplanned(tid, day.reasons[tid].nb, day.reasons[tid].en) for tid in sorted(day.reasons))
    samples.sort(key=lambda s: s.task_id)
    return Plan(
        date=problem.date,
        routes=tuple(routes),
        samples=tuple(samples),
        unplanned=unplanned,
        kpis=plan_kpis(problem, tuple(routes), tuple(samples), len(unplanned), seconds),
    )


def _stop(problem: Problem, resource: Resource, item: Item, arrive: int, start: int, end: int) -> Stop:
    if item.kind == LAB:
        return Stop(None, "lab", None, problem.lab, arrive, start, end, None)
    if item.task_id is None:
        return Stop(None, "break", None, None, arrive, start, end, resource.break_window)
    task = problem.task(item.task_id)
    return Stop(
        task.id,
        task.kind.value,
        task.patient_id,
        task.location,
        arrive,
        start,
        end,
        task.window,
        interpreter=task.interpreter,
    )
