"""Stages 2 to 4 of a repair: vans and couriers, samples, video consultations (see
:mod:`hjemme.planning.reconcile` for stage 1 and :mod:`hjemme.planning.repair` for the whole)."""

from __future__ import annotations

from collections.abc import Mapping

from hjemme.domain.plans import LAB_STOP
from hjemme.domain.resources import Resource, ResourceKind
from hjemme.domain.tasks import TRANSPORT_KINDS, Task, TaskKind
from hjemme.planning import reasons as why
from hjemme.planning.reconcile import Reconciler, may_do
from hjemme.planning.stages.samples import carrier_pair, clinician_drop
from hjemme.planning.stages.transport import carrier_insert, transport_reason
from hjemme.planning.timeline import LAB, TASK, VIDEO, Item, insert_best, with_break


def reconcile_carriers(ctx: Reconciler) -> None:
    """Vans and couriers keep their jobs and their samples' pickup-and-drop pairs; the rest goes
    into a route's slack (a delivery still ends before its visit starts)."""
    problem, day = ctx.problem, ctx.day
    times = day.task_times()
    lab = problem.loc(problem.lab)
    journeys = {s.task_id: s for s in ctx.previous.samples}
    at_lab: dict[tuple[str, int], list[str]] = {}
    for s in ctx.previous.samples:
        at_lab.setdefault((s.carried_by, s.at_lab_min), []).append(s.task_id)
    carriers = [r for r in problem.resources if r.kind is not ResourceKind.CLINICIAN]
    ctx.job_windows = {}
    for task in problem.tasks:
        if task.kind in TRANSPORT_KINDS and task.id not in day.reasons:
            lo, hi = task.window.start_min, task.window.end_min
            if task.id not in ctx.pins:
                lo = max(lo, ctx.now)
            firsts = [times[v][0] for v in task.before if v in times]
            if firsts:
                hi = min(hi, min(firsts) - task.duration_min)
            ctx.job_windows[task.id] = (lo, hi)
    routes = {r.resource_id: r for r in ctx.previous.routes}
    items: dict[str, list[Item]] = {r.id: [] for r in carriers}
    for resource in carriers:
        for stop in routes[resource.id].stops if resource.id in routes else ():
            if stop.type == LAB_STOP:
                samples = tuple(at_lab.get((resource.id, stop.arrive_min), ()))
                if samples:
                    deadline = min(journeys[s].taken_min + journeys[s].stability_min for s in samples)
                    duration = stop.end_min - stop.start_min
                    lab_item = Item(LAB, None, lab, duration, None, stop.start_min, deadline, samples)
                    items[resource.id].append(lab_item)
                continue
            task = problem.tasks_by_id.get(stop.task_id or "")
            if task is None or task.id in day.reasons:
                continue
            if task.id in ctx.pins and ctx.pins[task.id][0] != resource.id:
                continue
            item = _carrier_item(ctx, task, stop.start_min, resource.id, times, journeys)
            if item is not None:
                items[resource.id].append(item)
    for tid, (rid, at) in ctx.pins.items():
        task = problem.task(tid)
        if rid in items and tid in ctx.job_windows and all(x.task_id != tid for x in items[rid]):
            item = _carrier_item(ctx, task, at, rid, times, journeys)
            if item is not None:
                items[rid].append(item)
    pending: list[Task] = []
    for resource in carriers:
        pending += ctx.fit(resource, items[resource.id])
    placed = {x.item.task_id for r in carriers if r.id in day.timings for x in day.timings[r.id].stops}
    for tid in ctx.job_windows:
        if tid not in placed and problem.task(tid) not in pending:
            pending.append(problem.task(tid))
    pending.sort(key=lambda t: (not t.mandatory, t.id))
    for task in pending:
        if task.kind is TaskKind.SAMPLE:
            continue  # placed again with the samples
        window = ctx.job_windows[task.id]
        if window[0] > window[1] or task.id in ctx.pins or not carrier_insert(problem, task, window, day):
            firsts = [times[v][0] for v in task.before if v in times]
            day.reasons[task.id] = transport_reason(problem, task, window, firsts)


def _carrier_item(
    ctx: Reconciler, task: Task, start: int, rid: str, times: Mapping[str, tuple[int, int]], journeys: Mapping
) -> Item | None:
    loc = ctx.problem.loc(task.location)
    if task.kind is TaskKind.SAMPLE:
        assert task.taken_at is not None and task.sample_stability_min is not None
        journey = journeys.get(task.id)
        visit = times.get(task.taken_at)
        if journey is None or visit is None or visit[1] != journey.taken_min or journey.carried_by != rid:
            return None
        window = (visit[1], visit[1] + task.sample_stability_min)
        if task.id in ctx.pins and ctx.pins[task.id][0] == rid:
            pin = ctx.pins[task.id][1]
            window = (pin, pin) if window[0] <= pin <= window[1] else window
        return Item(TASK, task.id, loc, task.duration_min, window, min(start, window[1]))
    lo, hi = ctx.job_windows[task.id]
    if task.id in ctx.pins:
        pin_rid, pin = ctx.pins[task.id]
        if pin_rid != rid or not lo <= pin <= hi:
            return None
        return Item(TASK, task.id, loc, task.duration_min, (pin, pin))
    if lo > hi or not may_do(task, ctx.problem.resource(rid)):
        return None
    return Item(TASK, task.id, loc, task.duration_min, (lo, hi), min(max(start, lo), hi))


# -- stage 3: samples; stage 4: videos ----------------------------------------------------


def reconcile_samples(ctx: Reconciler) -> None:
    """Samples go with their clinician (as before) or into a courier's slack."""
    problem, day = ctx.problem, ctx.day
    has_carriers = any(r.kind is not ResourceKind.CLINICIAN for r in problem.resources)
    by_clinician = {
        s.task_id
        for s in ctx.previous.samples
        if s.carried_by in problem.resources_by_id
        and problem.resource(s.carried_by).kind is ResourceKind.CLINICIAN
    }
    times = day.task_times()
    for sample in problem.tasks:
        if sample.kind is not TaskKind.SAMPLE or sample.id in day.carrier:
            continue
        assert sample.taken_at is not None
        if sample.taken_at not in times:
            day.reasons[sample.id] = why.visit_not_planned(sample.taken_at)
            continue
        limit = (
            None if not has_carriers or sample.id in by_clinician else ctx.params.clinician_sample_detour_min
        )
        if clinician_drop(problem, sample, day, limit):
            continue
        if not carrier_pair(problem, sample, day, ctx.now) and not clinician_drop(problem, sample, day, None):
            day.reasons[sample.id] = why.sample_too_late(sample)


def reconcile_videos(ctx: Reconciler) -> None:
    """Video consultations near their minute with their clinician first, else where the solver would."""
    problem, day = ctx.problem, ctx.day
    done = set(day.reasons) | day.task_times().keys()
    videos = sorted(
        (t for t in problem.tasks if t.kind is TaskKind.VIDEO and t.id not in done),
        key=lambda t: (t.id not in ctx.pins, t.id not in ctx.before, t.window.end_min, t.id),
    )
    for video in videos:
        eligible = why.eligible_clinicians(video, problem.resources_by_id)
        window = (video.window.start_min, video.window.end_min)
        tries: list[tuple[Resource, tuple[int, int]]] = []
        if video.id in ctx.pins:
            rid, at = ctx.pins[video.id]
            tries = [(r, (at, at)) for r in eligible if r.id == rid]
        else:
            window = (max(window[0], ctx.now), window[1])
            if video.id in ctx.before:  # near its minute with its clinician first
                rid, at = ctx.before[video.id]
                for r in (r for r in eligible if r.id == rid):
                    for slack in (0, 15, 60):
                        lo, hi = max(at - slack, window[0]), min(at + slack, window[1])
                        if lo <= hi:
                            tries.append((r, (lo, hi)))
            eligible.sort(
                key=lambda r: (
                    r.staff_id not in video.preferred_staff_ids,
                    r.id != ctx.before.get(video.id, ("", 0))[0],
                    day.timings[r.id].work_min if r.id in day.timings else 0,
                    r.id,
                )
            )
            tries += [(r, window) for r in eligible]
        for resource, win in tries:
            item = Item(VIDEO, video.id, None, video.duration_min, win)
            start, end = problem.loc(resource.start), problem.loc(resource.end)
            if resource.id in day.timings:
                result = insert_best(resource, start, end, day.timings[resource.id], item, ctx.tmin)
            else:
                placed = with_break(resource, start, end, [item], ctx.tmin)
                result = placed[1] if placed else None
            if result is not None:
                day.timings[resource.id] = result
                break
        else:
            day.reasons[video.id] = (
                why.pinned_slot_unavailable() if video.id in ctx.pins else why.video_no_slot(video)
            )
