"""Solver-side timing of one route: earliest times for a sequence of stops, and cheap insertions.

The routing engines decide orders; this module turns an order into minutes with the same rules
the validator checks (written separately there, on purpose): breaks may be taken on the way or on
arrival, video consultations are done where the clinician already is, lab drops must arrive before
the samples' deadlines. Post-passes (lab drops, video slots) only use slack: an insertion is
refused if it would move any task already timed, because other routes depend on those times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from hjemme.domain.resources import Resource
from hjemme.geo.provider import IntMatrix

TASK, LAB, BREAK, VIDEO = "task", "lab", "break", "video"


@dataclass(frozen=True, slots=True)
class Item:
    """One entry of a route being built; ``loc`` is ``None`` for stationary items (break, video)."""

    kind: str
    task_id: str | None
    loc: int | None
    duration_min: int
    window: tuple[int, int] | None
    release_min: int = 0
    deadline_min: int | None = None  # latest arrival (lab drops: the samples' stability)
    samples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Timed:
    item: Item
    arrive_min: int
    start_min: int
    end_min: int


@dataclass(frozen=True, slots=True)
class Timing:
    stops: tuple[Timed, ...]
    return_min: int
    work_min: int
    travel_min: int


def schedule(
    resource: Resource, start_loc: int, end_loc: int, items: Sequence[Item], travel: IntMatrix
) -> Timing | None:
    """Earliest feasible times for ``items`` in this order on ``resource``'s shift, or ``None``.

    Work time runs from leaving base (or the first video or break) to returning, minus the break.
    """
    pos, t = start_loc, resource.shift.start_min
    pending: Item | None = None
    timed: list[Timed] = []
    driven = 0
    work_start: int | None = None
    for item in items:
        if item.kind == BREAK:
            if pending is not None:
                return None
            pending = item
            continue
        d = int(travel[pos, item.loc]) if item.loc is not None else 0
        if pending is not None:
            brk, arrive, ready = _break_between(pending, t, d)
            if brk is None:
                return None
            timed.append(brk)
            pending = None
        else:
            arrive = ready = t + d
        lo, hi = item.window if item.window else (0, 24 * 60)
        start = max(ready, lo, item.release_min)
        if start > hi:
            return None
        if not timed or item.loc is None:
            arrive = start  # leave base as late as possible; a video needs no arrival
        if item.deadline_min is not None and arrive > item.deadline_min:
            return None
        if work_start is None:
            work_start = timed[0].start_min if timed else arrive - d
        timed.append(Timed(item, arrive, start, start + item.duration_min))
        driven += d
        if item.loc is not None:
            pos = item.loc
        t = start + item.duration_min
    d = int(travel[pos, end_loc])
    if pending is not None:
        brk, _, back = _break_between(pending, t, d)
        if brk is None:
            return None
        timed.append(brk)
    else:
        back = t + d
    driven += d
    if back > resource.shift.end_min:
        return None
    if not timed:
        return Timing((), back, 0, 0)
    if work_start is None:
        work_start = timed[0].start_min
    break_min = sum(x.item.duration_min for x in timed if x.item.kind == BREAK)
    work = back - work_start - break_min
    if work > resource.max_work_min:
        return None
    return Timing(tuple(timed), back, work, driven)


def _break_between(brk: Item, t: int, d: int) -> tuple[Timed | None, int, int]:
    """Take the break as early as allowed: on the way if it can start before arriving, else on arrival."""
    assert brk.window is not None
    lo, hi = brk.window
    s = max(t, lo)
    if s > hi:
        return None, 0, 0
    if s < t + d:
        arrive = t + d + brk.duration_min
        return Timed(brk, s, s, s + brk.duration_min), arrive, arrive
    return Timed(brk, s, s, s + brk.duration_min), t + d, s + brk.duration_min


def with_break(
    resource: Resource, start_loc: int, end_loc: int, items: list[Item], travel: IntMatrix
) -> tuple[list[Item], Timing] | None:
    """Place the resource's break where the route works out shortest, if it has one."""
    if resource.break_window is None or resource.break_min <= 0 or not items:
        timing = schedule(resource, start_loc, end_loc, items, travel)
        return (items, timing) if timing else None
    brk = Item(
        BREAK,
        None,
        None,
        resource.break_min,
        (resource.break_window.start_min, resource.break_window.end_min),
    )
    best: tuple[list[Item], Timing] | None = None
    for i in range(len(items) + 1):
        candidate = items[:i] + [brk] + items[i:]
        timing = schedule(resource, start_loc, end_loc, candidate, travel)
        if timing and (best is None or timing.work_min < best[1].work_min):
            best = (candidate, timing)
    return best


def pinned(timing: Timing) -> list[Item]:
    """The items with their current starts as release times, so later insertions cannot pull them."""
    return [replace(x.item, release_min=x.start_min) for x in timing.stops]


def insert_best(
    resource: Resource,
    start_loc: int,
    end_loc: int,
    timing: Timing,
    new: Item,
    travel: IntMatrix,
    after_task: str | None = None,
) -> Timing | None:
    """The cheapest (least added driving) feasible insertion of ``new`` that moves no timed task.

    ``after_task`` restricts positions to after that task (a lab drop after the sample's visit).
    """
    base = pinned(timing)
    starts = {x.item.task_id: x.start_min for x in timing.stops if x.item.kind == TASK}
    first = 0
    if after_task is not None:
        ids = [x.task_id for x in base]
        if after_task not in ids:
            return None
        first = ids.index(after_task) + 1
    best: Timing | None = None
    for items in (base,):
        for i in range(first, len(items) + 1):
            trial = items[:i] + [new] + items[i:]
            if (
                resource.break_window is not None
                and resource.break_min > 0
                and not any(x.kind == BREAK for x in trial)
            ):
                placed = with_break(resource, start_loc, end_loc, trial, travel)
                result = placed[1] if placed else None
            else:
                result = schedule(resource, start_loc, end_loc, trial, travel)
            if result is None:
                continue
            moved = any(
                x.item.kind == TASK and x.item.task_id in starts and x.start_min != starts[x.item.task_id]
                for x in result.stops
            )
            if moved:
                continue
            if (
                best is None
                or result.travel_min < best.travel_min
                or (result.travel_min == best.travel_min and result.work_min < best.work_min)
            ):
                best = result
    return best
