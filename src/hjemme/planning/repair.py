"""Stable re-planning during the day: repair the latest plan after changes (issue 11, items 4 and 5).

:func:`repair` never re-solves the day. It reconciles the previous plan with the changed problem
in the planner's stage order, so each cross-route rule is again decided on fixed times:

1. **Clinicians.** Every visit still in the day stays on its clinician, in its order, no earlier
   than its previous start (the previous start is a release time, so a kept stop moves only when
   something before it pushes it). A pinned visit sits exactly at its pin; the route's unpinned
   stops are re-timed around it. A route that no longer fits (a trimmed shift, a pin in the way)
   gives up stops: those outside the shift first, then the single stop whose removal makes the
   rest fit, else the last. New visits, given-up visits, visits whose clinician is gone and
   previously unplanned ones are then inserted at their cheapest place: routing cost plus
   ``reassign_cost`` for another clinician plus ``moved_cost_per_min`` for every minute any
   stop's start moves. A mandatory visit with no place is tried once more with the planner's
   bounded ejection chain (:func:`~hjemme.planning.stages.clinicians.repair_clinicians`), which
   moves at most two unpinned visits of the affected routes.
2. **Vans and couriers** keep their jobs and their samples' pickup-and-drop pairs the same way;
   a delivery's window still ends when its visit starts, a courier's sample pair is kept only if
   the visit still ends when it did. Given-up and new jobs go into a route's slack.
3. **Samples** go with their clinician (as before) or into a courier's slack.
4. **Video consultations** keep their clinician and minute where that slack is still free.

A pin the changed day cannot keep (its resource is gone or absent at that minute, or another pin
holds the slot) is released: the task is placed again like any other. Whatever finds no place is
listed unplanned with the planner's reasons. :func:`reoptimise` is the
explicit "optimise the whole day again".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from hjemme.domain.plans import LAB_STOP, Plan
from hjemme.domain.resources import Resource, ResourceKind
from hjemme.domain.tasks import TRANSPORT_KINDS, Task, TaskKind
from hjemme.geo.provider import IntMatrix
from hjemme.planning import reasons as why
from hjemme.planning.day import DayState, Pins, to_plan
from hjemme.planning.kpis import plan_objective
from hjemme.planning.params import PlannerParams
from hjemme.planning.problem import Problem
from hjemme.planning.stages.clinicians import clinician_reason, delivery_lower_bounds, repair_clinicians
from hjemme.planning.stages.routing import paired
from hjemme.planning.stages.samples import carrier_pair, clinician_drop
from hjemme.planning.stages.transport import carrier_insert, transport_reason
from hjemme.planning.timeline import BREAK, LAB, TASK, VIDEO, Item, Timing, insert_best, schedule, with_break

__all__ = ["PIN_STATUSES", "Pins", "frozen_pins", "reoptimise", "repair", "stability_cost"]

PIN_STATUSES = frozenset({"confirmed", "started", "done"})
"""Task statuses that freeze a stop where it is (a coordinator confirmed it, or it has begun)."""

_CANDIDATES = 12  # insertion places per task timed in full, cheapest estimate first


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
    ctx = _Repair(problem, params, _where(previous), _valid_pins(problem, pins), previous, now_min or 0)
    for task in problem.tasks:
        reason = why.static_reason(task, problem.resources_by_id)
        if reason is not None:
            ctx.day.reasons[task.id] = reason
    ctx.clinicians()
    ctx.carriers()
    ctx.samples()
    ctx.videos()
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


def _with_break_kept(
    resource: Resource, start: int, end: int, items: list[Item], travel: IntMatrix
) -> tuple[list[Item], Timing] | None:
    """Like :func:`~hjemme.planning.timeline.with_break`, but the break goes where the kept stops
    move least past their release (their previous start), then where the work is shortest.

    ``with_break`` alone would take the break first thing (a short working day when every stop has
    a release time) and push the whole morning into the afternoon.
    """
    if resource.break_window is None or resource.break_min <= 0 or not items:
        timing = schedule(resource, start, end, items, travel)
        return (items, timing) if timing else None
    window = (resource.break_window.start_min, resource.break_window.end_min)
    brk = Item(BREAK, None, None, resource.break_min, window)
    best: tuple[tuple[int, int], list[Item], Timing] | None = None
    for i in range(len(items) + 1):
        candidate = items[:i] + [brk] + items[i:]
        timing = schedule(resource, start, end, candidate, travel)
        if timing is None:
            continue
        late = sum(x.start_min - x.item.release_min for x in timing.stops if x.item.release_min > 0)
        score = (late, timing.work_min)
        if best is None or score < best[0]:
            best = (score, candidate, timing)
    return (best[1], best[2]) if best else None


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
        if task is None or resource is None or not _may_do(problem, task, resource):
            continue
        if task.kind is not TaskKind.SAMPLE and not task.window.contains(start):
            continue
        out[tid] = (rid, start)
    return out


def _may_do(problem: Problem, task: Task, resource: Resource) -> bool:
    if task.kind in (TaskKind.VISIT, TaskKind.VIDEO):
        return resource in why.eligible_clinicians(task, problem.resources_by_id)
    if task.kind is TaskKind.SAMPLE:
        return True
    return resource in why.eligible_carriers(task, problem.resources_by_id)


@dataclass
class _Repair:
    problem: Problem
    params: PlannerParams
    before: dict[str, tuple[str, int]]  # task id -> previous (resource, start)
    pins: dict[str, tuple[str, int]]
    previous: Plan
    now: int = 0  # no stop that is not pinned starts earlier

    def __post_init__(self) -> None:
        self.day = DayState()
        self.tmin = self.problem.travel_min

    # -- stage 1: clinicians -------------------------------------------------------------------

    def clinicians(self) -> None:
        problem, day = self.problem, self.day
        clinicians = [r for r in problem.resources if r.kind is ResourceKind.CLINICIAN]
        lower = delivery_lower_bounds(problem)
        for task in problem.tasks:  # a kept delivery keeps its end: the visit may not start before it
            if task.kind in TRANSPORT_KINDS and task.id in self.before:
                end = self.before[task.id][1] + task.duration_min
                for vid in task.before:
                    lower[vid] = max(lower.get(vid, 0), end)
        self.windows: dict[str, tuple[int, int]] = {}
        items: dict[str, list[Item]] = {r.id: [] for r in clinicians}
        pending: list[Task] = []
        for task in problem.tasks:  # a kept video holds its minute before anything is inserted
            if task.kind is TaskKind.VIDEO and task.id not in day.reasons:
                kept = self._kept_item(
                    task, (max(task.window.start_min, self.now), task.window.end_min), items
                )
                if kept is not None:
                    items[kept[0]].append(kept[1])
        for task in problem.tasks:
            if task.kind is not TaskKind.VISIT or task.id in day.reasons:
                continue
            lo = min(max(task.window.start_min, lower.get(task.id, 0), self.now), task.window.end_min)
            hi = task.window.end_min
            if task.fixed_time:
                lo = hi = task.window.start_min
            self.windows[task.id] = (lo, hi)
            placed = self._kept_item(task, (lo, hi), items)
            if placed is None:
                pending.append(task)
            else:
                items[placed[0]].append(placed[1])
        for resource in clinicians:
            pending += self._fit(resource, items[resource.id])
        pending = [t for t in pending if t.kind is TaskKind.VISIT]  # a pinned video left out: stage 4
        pending.sort(key=lambda t: (not t.mandatory, self.windows[t.id][1], t.id))
        left: list[Item] = []
        for task in pending:
            item = self._item(task, self.windows[task.id])
            if not self._insert_clinician(task, item, clinicians) and task.mandatory:
                left.append(item)
        if left:  # the planner's ejection chain: first pushing stops later only, then freely
            placed = repair_clinicians(problem, clinicians, left, self.pins, day, keep_release=True)
            rest = [x for x in left if x.task_id not in placed]
            if rest:
                repair_clinicians(problem, clinicians, rest, self.pins, day)
        served = {x.item.task_id for t in day.timings.values() for x in t.stops if x.item.kind == TASK}
        for task_id, window in self.windows.items():
            if task_id not in served:
                day.reasons[task_id] = clinician_reason(problem, problem.task(task_id), window)

    def _item(self, task: Task, window: tuple[int, int], release: int = 0) -> Item:
        kind = VIDEO if task.kind is TaskKind.VIDEO else TASK
        loc = None if kind == VIDEO else self.problem.loc(task.location)
        return Item(kind, task.id, loc, task.duration_min, window, release_min=min(release, window[1]))

    def _kept_item(
        self, task: Task, window: tuple[int, int], routes: Mapping[str, list[Item]]
    ) -> tuple[str, Item] | None:
        """Where the task stays: its pin, else its previous route (released no earlier), else nowhere."""
        if task.id in self.pins:
            rid, at = self.pins[task.id]
            if rid in routes:
                return rid, self._item(task, (at, at))
            return None
        if task.id in self.before:
            rid, start = self.before[task.id]
            if rid in routes and _may_do(self.problem, task, self.problem.resource(rid)):
                return rid, self._item(task, window, release=max(start, window[0]))
        return None

    def _fit(self, resource: Resource, items: list[Item]) -> list[Task]:
        """Time ``resource``'s kept items; the ones given up to make the rest fit are returned."""
        problem = self.problem
        if not items:
            return []

        def at(x: Item) -> int:
            return x.window[0] if x.task_id in self.pins and x.window else x.release_min

        items = sorted(items, key=lambda x: (at(x), x.task_id or ""))
        shift = resource.shift
        inside = [
            x
            for x in items
            if x.task_id in self.pins or shift.start_min <= at(x) and at(x) + x.duration_min <= shift.end_min
        ]
        out = [x for x in items if x not in inside]
        timing, given_up = self._fit_items(resource, self._paired(inside))
        if timing is not None:
            self.day.timings[resource.id] = timing
            for x in timing.stops:
                for sid in x.item.samples:
                    self.day.carrier[sid] = resource.id
        return [problem.task(x.task_id) for x in out + given_up if x.task_id is not None]

    def _fit_items(self, resource: Resource, items: list[Item]) -> tuple[Timing | None, list[Item]]:
        start, end = self.problem.loc(resource.start), self.problem.loc(resource.end)
        given_up: list[Item] = []
        while items:
            placed = _with_break_kept(resource, start, end, items, self.tmin)
            if placed is not None:
                return placed[1], given_up
            free = [i for i, x in enumerate(items) if x.task_id not in self.pins]
            if not free:
                free = list(range(len(items)))  # pins that conflict: the latest goes
            drop = free[-1]
            for i in reversed(free):
                trial = self._paired(items[:i] + items[i + 1 :])
                if _with_break_kept(resource, start, end, trial, self.tmin) is not None:
                    drop = i
                    break
            kept = self._paired(items[:drop] + items[drop + 1 :])
            given_up += [x for x in items if x not in kept and x.kind != LAB]
            items = kept
        return None, given_up

    def _paired(self, items: list[Item]) -> list[Item]:
        return paired(self.problem, items)

    def _insert_clinician(self, task: Task, item: Item, clinicians: list[Resource]) -> bool:
        """Put a visit at its cheapest place (routing + stability cost); ``False`` if none fits."""
        problem, day, tmin = self.problem, self.day, self.tmin
        assert item.window is not None and item.loc is not None
        eligible = {r.id for r in why.eligible_clinicians(task, problem.resources_by_id)}
        estimates: list[tuple[int, str, int]] = []
        for resource in clinicians:
            if resource.id not in eligible:
                continue
            timing = day.timings.get(resource.id)
            stops = [x for x in timing.stops if x.item.kind != BREAK] if timing else []
            prev_loc, prev_end = problem.loc(resource.start), resource.shift.start_min
            for i in range(len(stops) + 1):
                if i > 0:
                    prev_end = stops[i - 1].end_min
                    prev_loc = stops[i - 1].item.loc if stops[i - 1].item.loc is not None else prev_loc
                later = [x.item.loc for x in stops[i:] if x.item.loc is not None]
                next_loc = later[0] if later else problem.loc(resource.end)
                if prev_end + int(tmin[prev_loc, item.loc]) > item.window[1]:
                    continue
                detour = int(tmin[prev_loc, item.loc] + tmin[item.loc, next_loc] - tmin[prev_loc, next_loc])
                estimates.append((detour, resource.id, i))
        estimates.sort()
        best: tuple[float, str, Timing] | None = None
        per_min = self.params.drive_cost_per_min + self.params.clinician_drive_cost_per_min
        for _, rid, i in estimates[:_CANDIDATES]:
            resource = problem.resource(rid)
            timing = day.timings.get(rid)
            kept = [x.item for x in timing.stops if x.item.kind != BREAK] if timing else []
            trial = kept[:i] + [item] + kept[i:]
            placed = _with_break_kept(
                resource, problem.loc(resource.start), problem.loc(resource.end), trial, tmin
            )
            if placed is None:
                continue
            new = placed[1]
            cost = per_min * (new.travel_min - (timing.travel_min if timing else 0))
            cost += self._moved_cost(timing, new, task.id, rid)
            if best is None or cost < best[0]:
                best = (cost, rid, new)
        if best is None:
            return False
        day.timings[best[1]] = best[2]
        return True

    def _moved_cost(self, old: Timing | None, new: Timing, task_id: str, rid: str) -> int:
        p = self.params
        old_starts = {x.item.task_id: x.start_min for x in old.stops} if old else {}
        cost = 0
        for x in new.stops:
            if x.item.task_id is None:
                continue
            if x.item.task_id in old_starts:
                cost += p.moved_cost_per_min * abs(x.start_min - old_starts[x.item.task_id])
            elif x.item.task_id == task_id and task_id in self.before:
                prev_rid, prev_start = self.before[task_id]
                cost += p.reassign_cost * (prev_rid != rid) + p.moved_cost_per_min * abs(
                    x.start_min - prev_start
                )
        return cost

    # -- stage 2: vans and couriers -----------------------------------------------------------

    def carriers(self) -> None:
        problem, day = self.problem, self.day
        times = day.task_times()
        lab = problem.loc(problem.lab)
        journeys = {s.task_id: s for s in self.previous.samples}
        at_lab: dict[tuple[str, int], list[str]] = {}
        for s in self.previous.samples:
            at_lab.setdefault((s.carried_by, s.at_lab_min), []).append(s.task_id)
        carriers = [r for r in problem.resources if r.kind is not ResourceKind.CLINICIAN]
        self.job_windows: dict[str, tuple[int, int]] = {}
        for task in problem.tasks:
            if task.kind in TRANSPORT_KINDS and task.id not in day.reasons:
                lo, hi = task.window.start_min, task.window.end_min
                if task.id not in self.pins:
                    lo = max(lo, self.now)
                firsts = [times[v][0] for v in task.before if v in times]
                if firsts:
                    hi = min(hi, min(firsts) - task.duration_min)
                self.job_windows[task.id] = (lo, hi)
        routes = {r.resource_id: r for r in self.previous.routes}
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
                if task.id in self.pins and self.pins[task.id][0] != resource.id:
                    continue
                item = self._carrier_item(task, stop.start_min, resource.id, times, journeys)
                if item is not None:
                    items[resource.id].append(item)
        for tid, (rid, at) in self.pins.items():
            task = problem.task(tid)
            if rid in items and tid in self.job_windows and all(x.task_id != tid for x in items[rid]):
                item = self._carrier_item(task, at, rid, times, journeys)
                if item is not None:
                    items[rid].append(item)
        pending: list[Task] = []
        for resource in carriers:
            pending += self._fit(resource, items[resource.id])
        placed = {x.item.task_id for r in carriers if r.id in day.timings for x in day.timings[r.id].stops}
        for tid in self.job_windows:
            if tid not in placed and problem.task(tid) not in pending:
                pending.append(problem.task(tid))
        pending.sort(key=lambda t: (not t.mandatory, t.id))
        for task in pending:
            if task.kind is TaskKind.SAMPLE:
                continue  # placed again with the samples
            window = self.job_windows[task.id]
            if (
                window[0] > window[1]
                or task.id in self.pins
                or not carrier_insert(problem, task, window, day)
            ):
                firsts = [times[v][0] for v in task.before if v in times]
                day.reasons[task.id] = transport_reason(problem, task, window, firsts)

    def _carrier_item(
        self, task: Task, start: int, rid: str, times: Mapping[str, tuple[int, int]], journeys: Mapping
    ) -> Item | None:
        loc = self.problem.loc(task.location)
        if task.kind is TaskKind.SAMPLE:
            assert task.taken_at is not None and task.sample_stability_min is not None
            journey = journeys.get(task.id)
            visit = times.get(task.taken_at)
            if journey is None or visit is None or visit[1] != journey.taken_min or journey.carried_by != rid:
                return None
            window = (visit[1], visit[1] + task.sample_stability_min)
            if task.id in self.pins and self.pins[task.id][0] == rid:
                pin = self.pins[task.id][1]
                window = (pin, pin) if window[0] <= pin <= window[1] else window
            return Item(TASK, task.id, loc, task.duration_min, window, min(start, window[1]))
        lo, hi = self.job_windows[task.id]
        if task.id in self.pins:
            pin_rid, pin = self.pins[task.id]
            if pin_rid != rid or not lo <= pin <= hi:
                return None
            return Item(TASK, task.id, loc, task.duration_min, (pin, pin))
        if lo > hi or not _may_do(self.problem, task, self.problem.resource(rid)):
            return None
        return Item(TASK, task.id, loc, task.duration_min, (lo, hi), min(max(start, lo), hi))

    # -- stage 3: samples; stage 4: videos ----------------------------------------------------

    def samples(self) -> None:
        problem, day = self.problem, self.day
        has_carriers = any(r.kind is not ResourceKind.CLINICIAN for r in problem.resources)
        by_clinician = {
            s.task_id
            for s in self.previous.samples
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
                None
                if not has_carriers or sample.id in by_clinician
                else self.params.clinician_sample_detour_min
            )
            if clinician_drop(problem, sample, day, limit):
                continue
            if not carrier_pair(problem, sample, day, self.now) and not clinician_drop(
                problem, sample, day, None
            ):
                day.reasons[sample.id] = why.sample_too_late(sample)

    def videos(self) -> None:
        problem, day = self.problem, self.day
        timed = day.task_times()
        videos = sorted(
            (t for t in problem.tasks if t.kind is TaskKind.VIDEO and t.id not in day.reasons | timed.keys()),
            key=lambda t: (t.id not in self.pins, t.id not in self.before, t.window.end_min, t.id),
        )
        for video in videos:
            eligible = why.eligible_clinicians(video, problem.resources_by_id)
            window = (video.window.start_min, video.window.end_min)
            tries: list[tuple[Resource, tuple[int, int]]] = []
            if video.id in self.pins:
                rid, at = self.pins[video.id]
                tries = [(r, (at, at)) for r in eligible if r.id == rid]
            else:
                window = (max(window[0], self.now), window[1])
                if video.id in self.before:  # near its minute with its clinician first
                    rid, at = self.before[video.id]
                    for r in (r for r in eligible if r.id == rid):
                        for slack in (0, 15, 60):
                            lo, hi = max(at - slack, window[0]), min(at + slack, window[1])
                            if lo <= hi:
                                tries.append((r, (lo, hi)))
                eligible.sort(
                    key=lambda r: (
                        r.staff_id not in video.preferred_staff_ids,
                        r.id != self.before.get(video.id, ("", 0))[0],
                        day.timings[r.id].work_min if r.id in day.timings else 0,
                        r.id,
                    )
                )
                tries += [(r, window) for r in eligible]
            for resource, win in tries:
                item = Item(VIDEO, video.id, None, video.duration_min, win)
                start, end = problem.loc(resource.start), problem.loc(resource.end)
                if resource.id in day.timings:
                    result = insert_best(resource, start, end, day.timings[resource.id], item, self.tmin)
                else:
                    placed = with_break(resource, start, end, [item], self.tmin)
                    result = placed[1] if placed else None
                if result is not None:
                    day.timings[resource.id] = result
                    break
            else:
                day.reasons[video.id] = (
                    why.pinned_slot_unavailable() if video.id in self.pins else why.video_no_slot(video)
                )
