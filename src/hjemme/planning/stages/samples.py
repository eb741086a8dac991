"""Samples to the lab: a drop on the clinician's own route, or a courier's pickup-and-drop pair."""

from __future__ import annotations

from hjemme.domain.resources import ResourceKind
from hjemme.domain.tasks import Task
from hjemme.planning.day import DayState
from hjemme.planning.problem import Problem
from hjemme.planning.timeline import LAB, TASK, Item, Timing, insert_best, with_break


def clinician_drop(problem: Problem, sample: Task, day: DayState, max_detour: int | None) -> bool:
    """Add a lab drop after the sample's visit on that clinician's route, if it fits (and is cheap)."""
    assert sample.taken_at is not None and sample.sample_stability_min is not None
    rid = day.route_of(sample.taken_at)
    if rid is None:
        return False
    resource = problem.resource(rid)
    timing = day.timings[rid]
    taken = day.end_of(sample.taken_at)
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


def carrier_pair(problem: Problem, sample: Task, day: DayState, not_before: int = 0) -> bool:
    """Add a sample the transport search left out to a van's or courier's route: a pickup at the
    visit after it ends (and not before ``not_before``, the time of a repair during the day) and a
    lab drop within the stability time, in the route's slack only."""
    assert sample.taken_at is not None and sample.sample_stability_min is not None
    taken = day.end_of(sample.taken_at)
    window = (max(taken, not_before), taken + sample.sample_stability_min)
    if window[0] > window[1]:
        return False
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
