"""The independent validator: re-checks any plan against the tasks, resources and travel times.

It shares no code with the solvers (an import-linter contract forbids importing
``hjemme.planning.solvers``, OR-Tools, PyVRP and VROOM here) and re-derives every timing rule
from the plan's own minutes, so a solver bug cannot hide behind the solver's own arithmetic.

Timing rules (the contract a plan must meet; minutes after midnight):

- travel minutes are the provider's seconds rounded up to whole minutes;
- a route leaves its start base no earlier than the shift start and is back at its end base by the
  shift end; working time (leaving base, or the first video or break, to returning, minus the
  break) is at most ``max_work_min``;
- each stop: ``arrive <= start``, ``end - start`` is the task's duration; physical stops are reached
  no earlier than the previous stop's end plus travel; video consultations are held where the
  clinician is (no travel); a break between two stops must start after the first ends, end before
  the second starts, and leave room for the drive (``next.start - prev.end >= travel + break``);
- a route with any task has exactly one break of ``break_min`` starting inside ``break_window``
  (when the resource has one);
- a two-person visit's halves are both planned or both unplanned, by two different people, at the
  same minute (simultaneous) or the second ``min``–``max`` minutes after the first (sequential).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from hjemme.domain.geo import Location
from hjemme.domain.plans import BREAK_STOP, LAB_STOP, Plan, Route, Stop
from hjemme.domain.resources import Resource, ResourceKind
from hjemme.domain.tasks import TRANSPORT_KINDS, SyncKind, Task, TaskKind
from hjemme.geo.provider import TravelTimeProvider


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: ``rule`` is a stable code, ``message`` says where and what."""

    rule: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


@dataclass(frozen=True, slots=True)
class _Context:
    plan: Plan
    tasks: Mapping[str, Task]
    resources: Mapping[str, Resource]
    lab: Location
    index: Mapping[Location, int]
    minutes: np.ndarray


def validate_plan(
    plan: Plan,
    tasks: Iterable[Task],
    resources: Iterable[Resource],
    provider: TravelTimeProvider,
    lab: Location,
) -> list[Violation]:
    """Every violation of the rules above in ``plan``; an empty list means the plan is valid."""
    task_map = {t.id: t for t in tasks}
    resource_map = {r.id: r for r in resources}
    places: dict[Location, int] = {lab: 0}
    for r in resource_map.values():
        places.setdefault(r.start, len(places))
        places.setdefault(r.end, len(places))
    for t in task_map.values():
        places.setdefault(t.location, len(places))
    for route in plan.routes:
        for stop in route.stops:
            if stop.location is not None:
                places.setdefault(stop.location, len(places))
    matrix = provider.matrix(list(places))
    ctx = _Context(plan, task_map, resource_map, lab, places, (np.asarray(matrix.duration_s) + 59) // 60)
    violations: list[Violation] = []
    for check in CHECKS:
        violations.extend(check(ctx))
    return violations


def check_references(ctx: _Context) -> list[Violation]:
    """Routes name known resources of the right kind; stops name known tasks at their places."""
    out = []
    for route in ctx.plan.routes:
        resource = ctx.resources.get(route.resource_id)
        if resource is None:
            out.append(Violation("reference", f"route of unknown resource {route.resource_id!r}"))
            continue
        if route.kind is not resource.kind:
            out.append(
                Violation(
                    "reference",
                    f"route {route.resource_id}: kind {route.kind} but the resource is a {resource.kind}",
                )
            )
        for stop in route.stops:
            if stop.type == LAB_STOP:
                if stop.location != ctx.lab:
                    out.append(Violation("reference", f"route {route.resource_id}: lab stop not at the lab"))
                continue
            if stop.type == BREAK_STOP:
                continue
            task = ctx.tasks.get(stop.task_id or "")
            if task is None:
                out.append(
                    Violation("reference", f"route {route.resource_id}: unknown task {stop.task_id!r}")
                )
                continue
            if stop.type != task.kind.value:
                out.append(
                    Violation(
                        "reference", f"task {task.id}: stop type {stop.type!r}, task kind {task.kind.value!r}"
                    )
                )
            if stop.location != task.location:
                out.append(Violation("reference", f"task {task.id}: stop is not at the task's location"))
            if stop.patient_id != task.patient_id:
                out.append(Violation("reference", f"task {task.id}: stop names another patient"))
    return out


def check_each_task_once(ctx: _Context) -> list[Violation]:
    """Every task is planned exactly once or listed unplanned once, never both, never missing."""
    out = []
    seen: dict[str, int] = {}
    for route in ctx.plan.routes:
        for stop in route.stops:
            if stop.task_id is not None:
                seen[stop.task_id] = seen.get(stop.task_id, 0) + 1
    for tid, count in seen.items():
        if count > 1:
            out.append(Violation("once", f"task {tid} is planned {count} times"))
    journeys: dict[str, int] = {}
    for s in ctx.plan.samples:
        journeys[s.task_id] = journeys.get(s.task_id, 0) + 1
    for tid, count in journeys.items():
        if count > 1:
            out.append(Violation("once", f"sample {tid} has {count} journeys"))
    unplanned: dict[str, int] = {}
    for u in ctx.plan.unplanned:
        unplanned[u.task_id] = unplanned.get(u.task_id, 0) + 1
        if not u.reason.strip():
            out.append(Violation("once", f"unplanned task {u.task_id} has no reason"))
    for tid, count in unplanned.items():
        if count > 1:
            out.append(Violation("once", f"task {tid} is listed unplanned {count} times"))
    for tid, task in ctx.tasks.items():
        planned = tid in journeys if task.kind is TaskKind.SAMPLE else tid in seen
        if planned and tid in unplanned:
            out.append(Violation("once", f"task {tid} is both planned and unplanned"))
        elif not planned and tid not in unplanned:
            out.append(Violation("once", f"task {tid} is neither planned nor listed unplanned"))
        if task.kind is TaskKind.SAMPLE and tid in seen and tid not in journeys:
            out.append(Violation("once", f"sample {tid} is picked up but has no journey to the lab"))
    for tid in set(seen) | set(unplanned) | set(journeys):
        if tid not in ctx.tasks:
            out.append(Violation("once", f"plan mentions unknown task {tid}"))
    return out


def check_windows(ctx: _Context) -> list[Violation]:
    """Each task starts inside its window (exactly at its start if fixed) and lasts its duration."""
    out = []
    for route in ctx.plan.routes:
        for stop in route.stops:
            if not stop.arrive_min <= stop.start_min <= stop.end_min:
                out.append(
                    Violation(
                        "window",
                        f"route {route.resource_id}: stop {stop.task_id or stop.type} "
                        "has arrive > start or start > end",
                    )
                )
            task = ctx.tasks.get(stop.task_id or "")
            if task is None:
                continue
            if not task.window.contains(stop.start_min):
                out.append(
                    Violation(
                        "window", f"task {task.id} starts {_hhmm(stop.start_min)}, outside {task.window}"
                    )
                )
            if task.fixed_time and stop.start_min != task.window.start_min:
                out.append(
                    Violation(
                        "window",
                        f"fixed-time task {task.id} starts "
                        f"{_hhmm(stop.start_min)}, not {_hhmm(task.window.start_min)}",
                    )
                )
            if stop.end_min - stop.start_min != task.duration_min:
                out.append(
                    Violation(
                        "window",
                        f"task {task.id} lasts {stop.end_min - stop.start_min} min, not {task.duration_min}",
                    )
                )
    return out


def check_eligibility(ctx: _Context) -> list[Violation]:
    """Skills, excluded clinicians, cold chain and qualified carriers are respected."""
    out = []
    for route in ctx.plan.routes:
        resource = ctx.resources.get(route.resource_id)
        if resource is None:
            continue
        for stop in route.stops:
            task = ctx.tasks.get(stop.task_id or "")
            if task is None:
                continue
            clinical = task.kind in (TaskKind.VISIT, TaskKind.VIDEO)
            if clinical:
                if resource.kind is not ResourceKind.CLINICIAN:
                    out.append(Violation("skill", f"task {task.id} needs a clinician, got {resource.id}"))
                if task.skill and task.skill not in resource.skills:
                    out.append(
                        Violation(
                            "skill", f"task {task.id} needs skill {task.skill!r}, {resource.id} lacks it"
                        )
                    )
                if resource.staff_id in task.excluded_staff_ids:
                    out.append(
                        Violation("skill", f"task {task.id}: {resource.id} is excluded by the patient")
                    )
            elif resource.kind is ResourceKind.CLINICIAN:
                out.append(
                    Violation("carrier", f"task {task.id} ({task.kind.value}) is on a clinician's route")
                )
            if task.goods is not None and task.kind in TRANSPORT_KINDS:
                if task.goods.cold_chain and not resource.cold_chain:
                    out.append(
                        Violation("carrier", f"task {task.id} needs the cold chain, {resource.id} has none")
                    )
                if task.goods.qualified_carrier and not resource.qualified_carrier:
                    out.append(
                        Violation(
                            "carrier", f"task {task.id} needs a qualified carrier, {resource.id} is not"
                        )
                    )
    return out


def check_timing(ctx: _Context) -> list[Violation]:
    """Travel, shift, break and working-time rules of the module docstring, route by route."""
    out = []
    for route in ctx.plan.routes:
        resource = ctx.resources.get(route.resource_id)
        if resource is not None:
            out.extend(_route_timing(ctx, route, resource))
    return out


def _route_timing(ctx: _Context, route: Route, resource: Resource) -> list[Violation]:
    out: list[Violation] = []
    rid = route.resource_id
    pos = ctx.index[resource.start]
    t = resource.shift.start_min
    pending: Stop | None = None
    work_start: int | None = None
    breaks = [s for s in route.stops if s.type == BREAK_STOP]
    for stop in route.stops:
        if stop.type == BREAK_STOP:
            if stop.start_min < t:
                out.append(
                    Violation(
                        "travel", f"route {rid}: break at {_hhmm(stop.start_min)} overlaps the previous stop"
                    )
                )
            if work_start is None:
                work_start = stop.start_min
            pending = stop
            continue
        stationary = stop.type == TaskKind.VIDEO.value or stop.location is None
        d = 0 if stationary else int(ctx.minutes[pos, ctx.index[stop.location]])  # type: ignore[index]
        name = stop.task_id or stop.type
        if stop.arrive_min < t + d:
            out.append(
                Violation(
                    "travel",
                    f"route {rid}: {name} reached {_hhmm(stop.arrive_min)}, "
                    f"but cannot be before {_hhmm(t + d)} ({d} min travel)",
                )
            )
        if pending is not None:
            brk = pending.end_min - pending.start_min
            if stop.start_min < pending.end_min or stop.start_min - t < d + brk:
                out.append(
                    Violation("break", f"route {rid}: no room for the break and the drive before {name}")
                )
            pending = None
        if work_start is None:
            work_start = stop.arrive_min - d
        t = stop.end_min
        if not stationary:
            pos = ctx.index[stop.location]  # type: ignore[index]
    d = int(ctx.minutes[pos, ctx.index[resource.end]])
    back = t + d
    if pending is not None:
        back = max(back + pending.end_min - pending.start_min, pending.end_min)
    if back > resource.shift.end_min:
        out.append(
            Violation(
                "shift",
                f"route {rid}: back at base {_hhmm(back)}, after the shift ends "
                f"{_hhmm(resource.shift.end_min)}",
            )
        )
    if work_start is not None:
        work = back - work_start - sum(b.end_min - b.start_min for b in breaks)
        if work > resource.max_work_min:
            out.append(
                Violation("shift", f"route {rid}: {work} min of work, more than {resource.max_work_min}")
            )
    has_tasks = any(s.task_id is not None for s in route.stops)
    needs_break = resource.break_window is not None and resource.break_min > 0 and has_tasks
    if needs_break and len(breaks) != 1:
        out.append(Violation("break", f"route {rid}: {len(breaks)} breaks, expected one"))
    for b in breaks:
        if resource.break_window is not None and not resource.break_window.contains(b.start_min):
            out.append(
                Violation(
                    "break", f"route {rid}: break at {_hhmm(b.start_min)} outside {resource.break_window}"
                )
            )
        if b.end_min - b.start_min < resource.break_min:
            out.append(
                Violation(
                    "break",
                    f"route {rid}: break of {b.end_min - b.start_min} min, less than {resource.break_min}",
                )
            )
    return out


def check_capacity(ctx: _Context) -> list[Violation]:
    """The load on board (goods out, pickups back, swaps both ways) never exceeds the vehicle."""
    out = []
    for route in ctx.plan.routes:
        resource = ctx.resources.get(route.resource_id)
        if resource is None:
            continue
        jobs = [ctx.tasks[s.task_id] for s in route.stops if s.task_id in ctx.tasks]
        goods = [(t.kind, t.goods) for t in jobs if t.goods is not None and t.kind in TRANSPORT_KINDS]
        volume = sum(g.volume_l for k, g in goods if k is not TaskKind.PICKUP)
        weight = sum(g.weight_kg for k, g in goods if k is not TaskKind.PICKUP)
        peak_v, peak_w = volume, weight
        for kind, g in goods:
            if kind is TaskKind.DELIVERY:
                volume -= g.volume_l
                weight -= g.weight_kg
            elif kind is TaskKind.PICKUP:
                volume += g.volume_l
                weight += g.weight_kg
            peak_v, peak_w = max(peak_v, volume), max(peak_w, weight)
        if peak_v > resource.volume_l + 1e-9:
            out.append(
                Violation(
                    "capacity",
                    f"route {route.resource_id}: {peak_v:g} l on board, "
                    f"vehicle holds {resource.volume_l:g} l",
                )
            )
        if peak_w > resource.weight_kg + 1e-9:
            out.append(
                Violation(
                    "capacity",
                    f"route {route.resource_id}: {peak_w:g} kg on board, "
                    f"vehicle takes {resource.weight_kg:g} kg",
                )
            )
    return out


def check_precedence(ctx: _Context) -> list[Violation]:
    """A task's ``before`` tasks start only after it ends (deliveries before the visit using them)."""
    out = []
    starts: dict[str, int] = {}
    ends: dict[str, int] = {}
    for route in ctx.plan.routes:
        for stop in route.stops:
            if stop.task_id is not None:
                starts[stop.task_id] = stop.start_min
                ends[stop.task_id] = stop.end_min
    for tid, end in ends.items():
        task = ctx.tasks.get(tid)
        if task is None:
            continue
        for later in task.before:
            if later in starts and starts[later] < end:
                out.append(
                    Violation(
                        "precedence", f"{later} starts {_hhmm(starts[later])}, before {tid} ends {_hhmm(end)}"
                    )
                )
    return out


def check_together(ctx: _Context) -> list[Violation]:
    """Two-person visits (issue 16): both halves planned or neither, by two different people;
    simultaneous halves start at the same minute, a sequential second half ``min``–``max`` minutes
    after the first; a stop's ``partner`` names where the other half really is."""
    out = []
    placed: dict[str, tuple[str, int]] = {}
    for route in ctx.plan.routes:
        for stop in route.stops:
            if stop.task_id is not None:
                placed[stop.task_id] = (route.resource_id, stop.start_min)
    for tid, task in ctx.tasks.items():
        pair = task.together
        if pair is None:
            continue
        other = ctx.tasks.get(pair.partner_task_id)
        if other is None or other.together is None or other.together.partner_task_id != tid:
            out.append(
                Violation("together", f"task {tid}: partner {pair.partner_task_id} does not name it back")
            )
            continue
        if tid not in placed or pair.partner_task_id not in placed:
            if (tid in placed) != (pair.partner_task_id in placed):
                out.append(
                    Violation("together", f"task {tid} is planned without its partner {pair.partner_task_id}")
                )
            continue
        if not pair.first and pair.kind is SyncKind.SEQUENTIAL:
            continue  # checked from the first half
        (mine, start), (theirs, partner_start) = placed[tid], placed[pair.partner_task_id]
        if mine == theirs:
            out.append(Violation("together", f"task {tid} and its partner are both on {mine}'s route"))
        if pair.kind is SyncKind.SIMULTANEOUS and start != partner_start:
            out.append(
                Violation(
                    "together",
                    f"task {tid} starts {_hhmm(start)}, its partner {_hhmm(partner_start)}: not together",
                )
            )
        if (
            pair.kind is SyncKind.SEQUENTIAL
            and not pair.min_gap_min <= partner_start - start <= pair.max_gap_min
        ):
            out.append(
                Violation(
                    "together",
                    f"task {pair.partner_task_id} starts {partner_start - start} min after {tid}, "
                    f"not {pair.min_gap_min}–{pair.max_gap_min}",
                )
            )
    for route in ctx.plan.routes:
        for stop in route.stops:
            if stop.partner is None:
                continue
            if placed.get(stop.partner.task_id) != (stop.partner.resource_id, stop.partner.start_min):
                out.append(
                    Violation(
                        "together", f"task {stop.task_id}: the stop's partner is not where the plan has it"
                    )
                )
    return out


def check_samples(ctx: _Context) -> list[Violation]:
    """Each sample leaves with the visit's clinician or a courier and reaches the lab in time."""
    out = []
    where: dict[str, tuple[str, int, Stop]] = {}
    for route in ctx.plan.routes:
        for i, stop in enumerate(route.stops):
            if stop.task_id is not None:
                where[stop.task_id] = (route.resource_id, i, stop)
    routes = {r.resource_id: r for r in ctx.plan.routes}
    for journey in ctx.plan.samples:
        task = ctx.tasks.get(journey.task_id)
        if task is None or task.kind is not TaskKind.SAMPLE or task.taken_at is None:
            out.append(Violation("sample", f"journey of {journey.task_id}, which is not a sample task"))
            continue
        visit = where.get(task.taken_at)
        if visit is None:
            out.append(Violation("sample", f"sample {task.id}: its visit {task.taken_at} is not planned"))
            continue
        visit_end = visit[2].end_min
        if journey.taken_min != visit_end:
            out.append(
                Violation(
                    "sample",
                    f"sample {task.id}: taken {_hhmm(journey.taken_min)}, but the "
                    f"visit ends {_hhmm(visit_end)}",
                )
            )
        if journey.stability_min != task.sample_stability_min:
            out.append(
                Violation(
                    "sample",
                    f"sample {task.id}: stability {journey.stability_min} min, "
                    f"task says {task.sample_stability_min}",
                )
            )
        route = routes.get(journey.carried_by)
        if route is None:
            out.append(Violation("sample", f"sample {task.id}: carrier {journey.carried_by} has no route"))
            continue
        if journey.carried_by == visit[0]:
            after = visit[1]
        else:
            pickup = where.get(task.id)
            if pickup is None or pickup[0] != journey.carried_by:
                out.append(
                    Violation(
                        "sample",
                        f"sample {task.id}: {journey.carried_by} neither did the "
                        "visit nor picks the sample up",
                    )
                )
                continue
            if pickup[2].start_min < visit_end:
                out.append(
                    Violation(
                        "sample",
                        f"sample {task.id}: picked up {_hhmm(pickup[2].start_min)}, "
                        f"before the visit ends {_hhmm(visit_end)}",
                    )
                )
            after = pickup[1]
        drops = [s for s in route.stops[after + 1 :] if s.type == LAB_STOP]
        if not any(s.arrive_min == journey.at_lab_min for s in drops):
            out.append(
                Violation(
                    "sample",
                    f"sample {task.id}: no lab stop of {journey.carried_by} after "
                    f"the pickup arrives at {_hhmm(journey.at_lab_min)}",
                )
            )
        age = journey.at_lab_min - visit_end
        if age > (task.sample_stability_min or 0):
            out.append(
                Violation(
                    "sample",
                    f"sample {task.id} reaches the lab after {age} min, "
                    f"stable for {task.sample_stability_min}",
                )
            )
    return out


def check_kpi_counts(ctx: _Context) -> list[Violation]:
    """The counts in the KPIs agree with the plan."""
    k = ctx.plan.kpis
    out = []
    if k.tasks_total != len(ctx.tasks):
        out.append(Violation("kpi", f"tasks_total {k.tasks_total}, but there are {len(ctx.tasks)} tasks"))
    if k.tasks_planned != k.tasks_total - len(ctx.plan.unplanned):
        out.append(Violation("kpi", "tasks_planned + unplanned differs from tasks_total"))
    return out


CHECKS = (
    check_references,
    check_each_task_once,
    check_windows,
    check_eligibility,
    check_timing,
    check_capacity,
    check_precedence,
    check_together,
    check_samples,
    check_kpi_counts,
)


def validate_plan_alone(plan: Plan, provider: TravelTimeProvider) -> list[Violation]:
    """The checks a plan file allows without its tasks and resources.

    Stop order and times, starts inside the windows written in the stops, travel between
    consecutive physical stops (base legs are unknown here), no task twice, and each sample's
    age and lab stop. Use :func:`validate_plan` whenever the tasks and resources are at hand.
    """
    out: list[Violation] = []
    places: dict[Location, int] = {}
    for route in plan.routes:
        for stop in route.stops:
            if stop.location is not None:
                places.setdefault(stop.location, len(places))
    minutes = (np.asarray(provider.matrix(list(places)).duration_s) + 59) // 60
    seen: dict[str, int] = {}
    for route in plan.routes:
        rid = route.resource_id
        pos: int | None = None
        t: int | None = None
        brk: Stop | None = None
        for stop in route.stops:
            name = stop.task_id or stop.type
            if not stop.arrive_min <= stop.start_min <= stop.end_min:
                out.append(Violation("window", f"route {rid}: {name} has arrive > start or start > end"))
            if stop.window is not None and not stop.window.contains(stop.start_min):
                out.append(
                    Violation(
                        "window", f"route {rid}: {name} starts {_hhmm(stop.start_min)}, outside {stop.window}"
                    )
                )
            if stop.task_id is not None:
                seen[stop.task_id] = seen.get(stop.task_id, 0) + 1
            if stop.type == BREAK_STOP:
                if t is not None and stop.start_min < t:
                    out.append(Violation("travel", f"route {rid}: break overlaps the previous stop"))
                brk = stop
                continue
            stationary = stop.type == TaskKind.VIDEO.value or stop.location is None
            d = 0
            if not stationary and pos is not None:
                d = int(minutes[pos, places[stop.location]])  # type: ignore[index]
            if t is not None:
                if stop.arrive_min < t + d:
                    out.append(
                        Violation(
                            "travel",
                            f"route {rid}: {name} reached {_hhmm(stop.arrive_min)}, "
                            f"but cannot be before {_hhmm(t + d)} ({d} min travel)",
                        )
                    )
                if brk is not None and stop.start_min - t < d + brk.end_min - brk.start_min:
                    out.append(
                        Violation("break", f"route {rid}: no room for the break and the drive before {name}")
                    )
            brk = None
            t = stop.end_min
            if not stationary:
                pos = places[stop.location]  # type: ignore[index]
    for tid, count in seen.items():
        if count > 1:
            out.append(Violation("once", f"task {tid} is planned {count} times"))
    for u in plan.unplanned:
        if u.task_id in seen:
            out.append(Violation("once", f"task {u.task_id} is both planned and unplanned"))
    routes = {r.resource_id: r for r in plan.routes}
    for s in plan.samples:
        if s.at_lab_min - s.taken_min > s.stability_min:
            out.append(
                Violation(
                    "sample",
                    f"sample {s.task_id} reaches the lab after "
                    f"{s.at_lab_min - s.taken_min} min, stable for {s.stability_min}",
                )
            )
        route = routes.get(s.carried_by)
        if route is None or not any(x.type == LAB_STOP and x.arrive_min == s.at_lab_min for x in route.stops):
            out.append(
                Violation(
                    "sample", f"sample {s.task_id}: {s.carried_by} has no lab stop at {_hhmm(s.at_lab_min)}"
                )
            )
    return out


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
