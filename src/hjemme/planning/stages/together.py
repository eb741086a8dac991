"""Two-person visits (issue 16): the second person is added after the clinicians' routes are made.

The routing engine plans each visit's *first* half like any visit. This pass then puts each second
half on another eligible clinician's route at the time the pair needs — the same minute
(simultaneous) or ``min``–``max`` minutes after the first half (sequential) — at the least extra
driving. Halves already paired are held at their minute while other routes are re-timed, so a later
insertion cannot pull a pair apart; later stages only use slack and never move a visit. A second
half that fits nowhere takes its first half out too, so a pair is planned whole or not at all.
"""

from __future__ import annotations

from dataclasses import replace

from hjemme.domain.resources import Resource
from hjemme.domain.tasks import SyncKind, Task
from hjemme.planning import reasons as why
from hjemme.planning.day import DayState
from hjemme.planning.problem import Problem
from hjemme.planning.stages.clinicians import cheapest_insertion
from hjemme.planning.timeline import TASK, VIDEO, Item, with_break


def is_second_half(task: Task) -> bool:
    return task.together is not None and not task.together.first


def _held(items: list[Item], fixed: dict[str, int], keep_release: bool) -> list[Item]:
    """The route's items with every paired half pinned to its minute (and, re-planning during the
    day, every stop kept no earlier than planned)."""
    out = []
    for x in items:
        release = x.release_min if keep_release else 0
        if x.task_id in fixed:
            out.append(replace(x, window=(fixed[x.task_id], fixed[x.task_id]), release_min=release))
        else:
            out.append(replace(x, release_min=release))
    return out


def pair_second_halves(
    problem: Problem,
    clinicians: list[Resource],
    day: DayState,
    *,
    keep_release: bool = False,
    not_before: int = 0,
) -> None:
    """Place every second half next to its planned first half, or unplan both with a reason.

    Re-planning during the day (``repair``) passes ``keep_release`` (no stop pulled earlier than
    planned) and ``not_before`` (no second half before now)."""
    by_id = {r.id: r for r in clinicians}
    seconds = [t for t in problem.tasks if is_second_half(t)]
    if not seconds:
        return
    where: dict[str, tuple[str, int]] = {}
    for rid, timing in day.timings.items():
        for x in timing.stops:
            if x.item.task_id:
                where[x.item.task_id] = (rid, x.start_min)
    fixed = {
        t.together.partner_task_id: where[t.together.partner_task_id][1]
        for t in seconds
        if t.together and t.together.partner_task_id in where
    }
    tmin = problem.travel_min
    for second in sorted(
        seconds, key=lambda t: (fixed.get(t.together.partner_task_id, 0) if t.together else 0, t.id)
    ):
        pair = second.together
        assert pair is not None
        first_id = pair.partner_task_id
        if second.id in where:  # already placed (a pinned stop when re-planning): it stays
            fixed[second.id] = where[second.id][1]
            continue
        if first_id not in where:
            day.reasons[second.id] = why.no_partner(second)
            continue
        first_rid, first_start = where[first_id]
        if pair.kind is SyncKind.SIMULTANEOUS:
            lo = hi = first_start
        else:
            lo, hi = first_start + pair.min_gap_min, first_start + pair.max_gap_min
        lo, hi = max(lo, second.window.start_min, not_before), min(hi, second.window.end_min)
        if second.fixed_time:
            lo, hi = max(lo, second.window.start_min), min(hi, second.window.start_min)
        best = None
        if lo <= hi:
            new = Item(TASK, second.id, problem.loc(second.location), second.duration_min, (lo, hi))
            for resource in why.eligible_clinicians(second, problem.resources_by_id):
                if resource.id == first_rid or resource.id not in by_id:
                    continue
                timing = day.timings.get(resource.id)
                items = [x.item for x in timing.stops if x.item.kind in (TASK, VIDEO)] if timing else []
                found = cheapest_insertion(problem, resource, _held(items, fixed, keep_release), new)
                if found is None:
                    continue
                extra = found[0] - (timing.travel_min if timing else 0)
                if best is None or extra < best[0]:
                    best = (extra, resource.id, found[2])
        if best is not None:
            _, rid, timing = best
            day.timings[rid] = timing
            start = next(x.start_min for x in timing.stops if x.item.task_id == second.id)
            fixed[second.id] = start
            where[second.id] = (rid, start)
            day.reasons.pop(second.id, None)
            continue
        # nobody can join: the first half goes too
        day.reasons[second.id] = why.no_partner(second)
        day.reasons[first_id] = why.no_partner(problem.task(first_id))
        fixed.pop(first_id, None)
        resource = by_id[first_rid]
        timing = day.timings[first_rid]
        items = [x.item for x in timing.stops if x.item.kind in (TASK, VIDEO) and x.item.task_id != first_id]
        if not items:
            del day.timings[first_rid]
        else:
            start, end = problem.loc(resource.start), problem.loc(resource.end)
            placed = with_break(resource, start, end, _held(items, fixed, keep_release), tmin)
            if placed is not None:
                day.timings[first_rid] = placed[1]
        del where[first_id]
