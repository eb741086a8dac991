"""The reconciliation behind :func:`hjemme.planning.repair.repair`: the previous plan fitted to the
changed day, stage by stage (this module: clinicians; :mod:`hjemme.planning.reconcile_others`:
vans and couriers, samples, video consultations).

A kept stop keeps its route and order with its previous start as a release time; a route that no
longer fits gives up stops; given-up and new visits are inserted at their cheapest place by routing
plus stability cost (:meth:`Reconciler.route_cost`), then a bounded relocate pass runs over the
routes this repair changed. The planner's ejection chain (on a small budget, pushing stops later
only) takes the mandatory visits still left, except those the previous plan could not place either
(they were chained then, with a larger budget; now they are only tried by direct insertion).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hjemme.domain.plans import Plan
from hjemme.domain.resources import Resource, ResourceKind
from hjemme.domain.tasks import TRANSPORT_KINDS, Task, TaskKind
from hjemme.geo.provider import IntMatrix
from hjemme.planning import reasons as why
from hjemme.planning.day import DayState
from hjemme.planning.params import PlannerParams
from hjemme.planning.problem import Problem
from hjemme.planning.stages.clinicians import clinician_reason, delivery_lower_bounds, repair_clinicians
from hjemme.planning.stages.routing import paired
from hjemme.planning.timeline import BREAK, LAB, TASK, VIDEO, Item, Timing, schedule

_CANDIDATES = 12  # insertion places per task timed in full, cheapest estimate first
_CHAIN_TRIALS = 500  # ejection-chain insertion trials per visit (~0.3 ms each at 1,500 patients)


def with_break_kept(
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


def may_do(task: Task, resource: Resource) -> bool:
    """``resource`` may do ``task`` (samples go with whoever did the visit or picks them up)."""
    if task.kind in (TaskKind.VISIT, TaskKind.VIDEO):
        return why.may_visit(task, resource)
    if task.kind is TaskKind.SAMPLE:
        return True
    return why.may_carry(task, resource)


@dataclass
class Reconciler:
    """The working state of one repair and its clinician stage."""

    problem: Problem
    params: PlannerParams
    before: dict[str, tuple[str, int]]  # task id -> previous (resource, start)
    pins: dict[str, tuple[str, int]]
    previous: Plan
    now: int = 0  # no stop that is not pinned starts earlier

    def __post_init__(self) -> None:
        self.day = DayState()
        self.tmin = self.problem.travel_min
        self.touched: set[str] = set()  # routes this repair changed (the local search's scope)
        self.inserted: list[str] = []  # visits this repair placed
        self.windows: dict[str, tuple[int, int]] = {}  # visits' start windows (deliveries, now)
        self.job_windows: dict[str, tuple[int, int]] = {}  # transport jobs' start windows

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
        items: dict[str, list[Item]] = {r.id: [] for r in clinicians}
        pending: list[Task] = []
        for task in problem.tasks:  # a kept video holds its minute (the patient was told it)
            if task.kind is TaskKind.VIDEO and task.id not in day.reasons:
                window = (max(task.window.start_min, self.now), task.window.end_min)
                if task.id in self.before and task.id not in self.pins:
                    at = self.before[task.id][1]
                    window = (at, at) if window[0] <= at <= window[1] else window
                kept = self.kept_item(task, window, items)
                if kept is not None:
                    items[kept[0]].append(kept[1])
        for task in problem.tasks:
            if task.kind is not TaskKind.VISIT or task.id in day.reasons:
                continue
            if task.together is not None and not task.together.first and task.id not in self.pins:
                continue  # a two-person visit's second half joins its first half afterwards (stages/together)
            lo = min(max(task.window.start_min, lower.get(task.id, 0), self.now), task.window.end_min)
            hi = task.window.end_min
            if task.fixed_time:
                lo = hi = task.window.start_min
            self.windows[task.id] = (lo, hi)
            placed = self.kept_item(task, (lo, hi), items)
            if placed is None:
                pending.append(task)
            else:
                items[placed[0]].append(placed[1])
        for resource in clinicians:
            given_up = self.fit(resource, items[resource.id])
            if given_up:
                self.touched.add(resource.id)
            pending += given_up
        pending = [t for t in pending if t.kind is TaskKind.VISIT]  # a pinned video left out: stage 4
        pending.sort(key=lambda t: (not t.mandatory, self.windows[t.id][1], t.id))
        left: list[Item] = []
        failed_before = {u.task_id for u in self.previous.unplanned}
        for task in pending:
            item = self.item(task, self.windows[task.id])
            placed = self.insert_clinician(task, item, clinicians)
            if not placed and task.mandatory and task.id not in failed_before:
                left.append(item)
        self.relocate()
        if left:  # the planner's ejection chain, pushing stops later only, on a small budget
            repair_clinicians(
                problem,
                clinicians,
                left,
                self.pins,
                day,
                budget=_CHAIN_TRIALS,
                total_budget=3 * _CHAIN_TRIALS,
                keep_release=True,
            )
        served = {x.item.task_id for t in day.timings.values() for x in t.stops if x.item.kind == TASK}
        for task_id, window in self.windows.items():
            if task_id not in served:
                day.reasons[task_id] = clinician_reason(problem, problem.task(task_id), window)

    def item(self, task: Task, window: tuple[int, int], release: int = 0) -> Item:
        kind = VIDEO if task.kind is TaskKind.VIDEO else TASK
        loc = None if kind == VIDEO else self.problem.loc(task.location)
        return Item(kind, task.id, loc, task.duration_min, window, release_min=min(release, window[1]))

    def kept_item(
        self, task: Task, window: tuple[int, int], routes: Mapping[str, list[Item]]
    ) -> tuple[str, Item] | None:
        """Where the task stays: its pin, else its previous route (released no earlier), else nowhere."""
        if task.id in self.pins:
            rid, at = self.pins[task.id]
            if rid in routes:
                return rid, self.item(task, (at, at))
            return None
        if task.id in self.before:
            rid, start = self.before[task.id]
            if rid in routes and may_do(task, self.problem.resource(rid)):
                return rid, self.item(task, window, release=max(start, window[0]))
        return None

    def fit(self, resource: Resource, items: list[Item]) -> list[Task]:
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
        timing, given_up = self.fit_items(resource, self.paired(inside))
        if timing is not None:
            self.day.timings[resource.id] = timing
            for x in timing.stops:
                for sid in x.item.samples:
                    self.day.carrier[sid] = resource.id
        return [problem.task(x.task_id) for x in out + given_up if x.task_id is not None]

    def fit_items(self, resource: Resource, items: list[Item]) -> tuple[Timing | None, list[Item]]:
        start, end = self.problem.loc(resource.start), self.problem.loc(resource.end)
        given_up: list[Item] = []
        while items:
            placed = with_break_kept(resource, start, end, items, self.tmin)
            if placed is not None:
                return placed[1], given_up
            free = [i for i, x in enumerate(items) if x.task_id not in self.pins]
            if not free:
                free = list(range(len(items)))  # pins that conflict: the latest goes
            drop = free[-1]
            for i in reversed(free):
                trial = self.paired(items[:i] + items[i + 1 :])
                if with_break_kept(resource, start, end, trial, self.tmin) is not None:
                    drop = i
                    break
            kept = self.paired(items[:drop] + items[drop + 1 :])
            given_up += [x for x in items if x not in kept and x.kind != LAB]
            items = kept
        return None, given_up

    def paired(self, items: list[Item]) -> list[Item]:
        return paired(self.problem, items)

    def insert_clinician(self, task: Task, item: Item, clinicians: list[Resource]) -> bool:
        """Put a visit at its cheapest place (routing + stability cost); ``False`` if none fits."""
        best = self.best_insertion(task, item, [r.id for r in clinicians])
        if best is None:
            return False
        self.day.timings[best[1]] = best[2]
        self.touched.add(best[1])
        self.inserted.append(task.id)
        return True

    def best_insertion(
        self, task: Task, item: Item, resource_ids: list[str]
    ) -> tuple[float, str, Timing] | None:
        """The cheapest place of ``item`` on one of ``resource_ids``: (added cost, resource, timing).

        Every position is estimated by its detour (positions the window excludes are skipped); the
        ``_CANDIDATES`` cheapest are timed in full and priced by :meth:`route_cost`.
        """
        problem, day, tmin = self.problem, self.day, self.tmin
        assert item.window is not None and item.loc is not None
        eligible = {r.id for r in why.eligible_clinicians(task, problem.resources_by_id)}
        estimates: list[tuple[int, str, int]] = []
        for rid in resource_ids:
            if rid not in eligible:
                continue
            resource = problem.resource(rid)
            timing = day.timings.get(rid)
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
                estimates.append((detour, rid, i))
        estimates.sort()
        best: tuple[float, str, Timing] | None = None
        for _, rid, i in estimates[:_CANDIDATES]:
            resource = problem.resource(rid)
            timing = day.timings.get(rid)
            kept = [x.item for x in timing.stops if x.item.kind != BREAK] if timing else []
            trial = kept[:i] + [item] + kept[i:]
            placed = with_break_kept(
                resource, problem.loc(resource.start), problem.loc(resource.end), trial, tmin
            )
            if placed is None:
                continue
            cost = self.route_cost(rid, placed[1]) - self.route_cost(rid, timing)
            if best is None or cost < best[0]:
                best = (cost, rid, placed[1])
        return best

    def route_cost(self, rid: str, timing: Timing | None) -> float:
        """A clinician route's driving plus its stability cost against the previous plan."""
        if timing is None:
            return 0.0
        p = self.params
        cost = float((p.drive_cost_per_min + p.clinician_drive_cost_per_min) * timing.travel_min)
        for x in timing.stops:
            if x.item.task_id in self.before:
                prev_rid, prev_start = self.before[x.item.task_id]
                cost += p.reassign_cost * (prev_rid != rid) + p.moved_cost_per_min * abs(
                    x.start_min - prev_start
                )
        return cost

    def relocate(self) -> None:
        """Bounded local search on the affected routes only: each visit inserted by this repair is
        taken out once and put back at its cheapest place among those routes, if that costs less."""
        problem, day = self.problem, self.day
        for task_id in list(self.inserted):
            if task_id in self.pins:
                continue
            rid = day.route_of(task_id)
            if rid is None:
                continue
            resource = problem.resource(rid)
            timing = day.timings[rid]
            items = [x.item for x in timing.stops if x.item.kind != BREAK]
            item = next(x for x in items if x.task_id == task_id)
            rest = [x for x in items if x.task_id != task_id]
            base, home = problem.loc(resource.start), problem.loc(resource.end)
            without = with_break_kept(resource, base, home, rest, self.tmin) if rest else None
            if rest and without is None:
                continue
            without_timing = without[1] if without else None
            saving = self.route_cost(rid, timing) - self.route_cost(rid, without_timing)
            day.timings[rid] = without_timing if without_timing else Timing((), 0, 0, 0)
            best = self.best_insertion(problem.task(task_id), item, sorted(self.touched))
            if best is not None and best[0] < saving and best[1] != rid:
                day.timings[best[1]] = best[2]
                self.touched.add(best[1])
                if without_timing is None:
                    del day.timings[rid]
            else:
                day.timings[rid] = timing
