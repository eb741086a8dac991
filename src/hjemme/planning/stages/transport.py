"""Stage 3: vans and couriers (volume/weight, cold chain, qualified carrier, deliveries before their
visits, courier samples), and the slack-only insertion of jobs the engine left out."""

from __future__ import annotations

import numpy as np

from hjemme.domain.resources import ResourceKind
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
from hjemme.planning.timeline import LAB, TASK, Item, Timing, insert_best, with_break


def route_transport(
    problem: Problem, params: PlannerParams, pins: Pins, samples: list[Task], day: DayState
) -> None:
    carriers = [r for r in problem.resources if r.kind is not ResourceKind.CLINICIAN]
    jobs = [t for t in problem.tasks if t.kind in TRANSPORT_KINDS and t.id not in day.reasons]
    if not carriers or (not jobs and not samples):
        return
    times = day.task_times()
    locs, depot = depots(problem, carriers)
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
        pen = unplanned_penalty(job, params, job.id in pins)
        node = add(job, problem.loc(job.location), (lo, hi), vehicles, pen)
        node_task[node] = job
        by_patient.setdefault(job.patient_id, []).append(node)
    everyone = tuple(range(len(carriers)))
    lab_loc = problem.loc(problem.lab)
    for sample in samples:
        assert sample.taken_at is not None and sample.sample_stability_min is not None
        taken = times[sample.taken_at][1]
        window = (taken, taken + sample.sample_stability_min)
        visit_loc = problem.loc(problem.task(sample.taken_at).location)
        p = add(sample, visit_loc, window, everyone, unplanned_penalty(sample, params, False))
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
            matrices.append(cost_matrix(problem, locs, resource, params, clinician=False))
        capacity = (int(resource.volume_l * 10), int(resource.weight_kg * 10))
        vehicles_spec.append(
            vehicle_spec(resource, depot, problem, keys[resource.co2_g_per_km], params, capacity)
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
    result = run_engine(spec, params.time_limit_s * (1 - params.clinician_share), params)
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
    finish_routes(problem, carriers, routes, day)
    for rid, timing in day.timings.items():
        if problem.resource(rid).kind is ResourceKind.CLINICIAN:
            continue
        for x in timing.stops:
            for sid in x.item.samples:
                day.carrier[sid] = rid
    timed = timed_tasks(day)  # not: left out by the engine, or by the timing (break)
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
        if task.id in pins or not carrier_insert(problem, task, windows[node], day):
            firsts = [times[v][0] for v in task.before if v in times]
            day.reasons[task.id] = transport_reason(problem, task, windows[node], firsts)


def carrier_insert(problem: Problem, task: Task, window: tuple[int, int], day: DayState) -> bool:
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


def transport_reason(
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
