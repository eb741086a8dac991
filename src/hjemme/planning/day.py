"""The working state the planning stages share: which route each task is on, and at what minutes.

:class:`DayState` is built up stage by stage by :func:`hjemme.planning.solve.solve` and re-used by
:mod:`hjemme.planning.repair`; :func:`to_plan` turns it into the :class:`~hjemme.domain.plans.Plan`
the rest of the system reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from hjemme.domain.plans import Partner, Plan, Route, SampleJourney, Stop, Unplanned
from hjemme.domain.resources import Resource
from hjemme.planning import reasons as why
from hjemme.planning.kpis import plan_kpis
from hjemme.planning.problem import Problem
from hjemme.planning.timeline import LAB, TASK, VIDEO, Item, Timing

Pins = Mapping[str, tuple[str, int]]  # task id -> (resource id, start minute)


class RouteTimings(dict[str, Timing]):
    """Each route's timing by resource id, with an index task id -> resource id kept up to date
    (``route_of`` is asked for every sample; scanning all routes each time was the slow part of a
    repair on a 1,500-patient day). Assign and delete routes with ``[]``/``del`` only."""

    def __init__(self) -> None:
        super().__init__()
        self.index: dict[str, str] = {}

    def __setitem__(self, rid: str, timing: Timing) -> None:
        if rid in self:
            self._forget(rid)
        super().__setitem__(rid, timing)
        for x in timing.stops:
            if x.item.task_id is not None:
                self.index[x.item.task_id] = rid

    def __delitem__(self, rid: str) -> None:
        self._forget(rid)
        super().__delitem__(rid)

    def _forget(self, rid: str) -> None:
        for x in self[rid].stops:
            if x.item.task_id is not None and self.index.get(x.item.task_id) == rid:
                del self.index[x.item.task_id]


@dataclass
class DayState:
    """Working state of one planning round or repair: each route's timing, why tasks are left out,
    and who carries each sample to the lab."""

    timings: RouteTimings = field(default_factory=RouteTimings)
    reasons: dict[str, why.Reason] = field(default_factory=dict)
    carrier: dict[str, str] = field(default_factory=dict)  # sample id -> resource id

    def task_times(self) -> dict[str, tuple[int, int]]:
        return {
            x.item.task_id: (x.start_min, x.end_min)
            for t in self.timings.values()
            for x in t.stops
            if x.item.task_id is not None and x.item.kind in (TASK, VIDEO)
        }

    def end_of(self, task_id: str) -> int:
        """The end minute of a timed task (what ``task_times()[task_id][1]`` gives, without the rest)."""
        rid = self.route_of(task_id)
        assert rid is not None
        return next(x.end_min for x in self.timings[rid].stops if x.item.task_id == task_id)

    def route_of(self, task_id: str) -> str | None:
        return self.timings.index.get(task_id)


def timed_tasks(day: DayState) -> set[str]:
    return {x.item.task_id for t in day.timings.values() for x in t.stops if x.item.task_id}


def to_plan(problem: Problem, day: DayState, seconds: float) -> Plan:
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
    routes = with_partners(routes, problem)
    unplanned = tuple(Unplanned(tid, day.reasons[tid].nb, day.reasons[tid].en) for tid in sorted(day.reasons))
    samples.sort(key=lambda s: s.task_id)
    return Plan(
        date=problem.date,
        routes=tuple(routes),
        samples=tuple(samples),
        unplanned=unplanned,
        kpis=plan_kpis(problem, tuple(routes), tuple(samples), len(unplanned), seconds),
    )


def with_partners(routes: list[Route], problem: Problem) -> list[Route]:
    """Each stop of a two-person visit names its partner's resource, task and start."""
    where = {s.task_id: (r.resource_id, s.start_min) for r in routes for s in r.stops if s.task_id}
    out = []
    for route in routes:
        stops = []
        for stop in route.stops:
            task = problem.task(stop.task_id) if stop.task_id else None
            other = task.together.partner_task_id if task is not None and task.together else None
            if other is not None and other in where:
                rid, start = where[other]
                stop = replace(stop, partner=Partner(rid, other, start))
            stops.append(stop)
        out.append(replace(route, stops=tuple(stops)))
    return out


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
