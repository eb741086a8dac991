"""The day's work: turn the active enrolments on a date into that day's tasks.

A pure function of domain objects, so the same code feeds the CLI, the API, the planner and the
scenario engine's simulated days.

Consolidation starts here: all goods one patient needs on one day become one delivery task (two
when some of them need a qualified carrier, since those travel only with qualified couriers), and
that delivery must end before the day's first visit that uses the goods.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from hjemme.domain.catalogue import DeviceType, Product
from hjemme.domain.pathways import DaySchedule, DeliverySpec, GoodsLine, Pathway, SecondPerson, VisitSpec
from hjemme.domain.people import Enrolment, Patient, VisitPlan
from hjemme.domain.tasks import Goods, SyncKind, Task, TaskKind, Together
from hjemme.domain.time import MINUTES_PER_DAY, TimeWindow


@dataclass(frozen=True, slots=True)
class WorkloadParams:
    """Handling times at a stop; assumptions to calibrate against OSS Transport's records."""

    delivery_base_min: int = 5
    delivery_min_per_10_l: float = 1.0
    pickup_min: int = 5
    device_swap_min: int = 15
    sample_handover_min: int = 2
    sampling_visit_min: int = 15
    sampling_window: TimeWindow = TimeWindow(7 * 60 + 30, 11 * 60)


def tasks_for_day(
    date: dt.date,
    enrolments: Iterable[Enrolment],
    patients: Mapping[str, Patient],
    pathways: Mapping[str, Pathway],
    products: Mapping[str, Product],
    device_types: Mapping[str, DeviceType],
    params: WorkloadParams | None = None,
) -> list[Task]:
    """All tasks that the enrolments active on ``date`` cause that day, sorted by id."""
    params = params or WorkloadParams()
    tasks: list[Task] = []
    for enrolment in enrolments:
        if enrolment.is_active(date):
            tasks.extend(
                _tasks_of_enrolment(
                    date,
                    enrolment,
                    patients[enrolment.patient_id],
                    pathways[enrolment.pathway_id],
                    products,
                    device_types,
                    params,
                )
            )
    return sorted(tasks, key=lambda t: t.id)


def _tasks_of_enrolment(
    date: dt.date,
    enrolment: Enrolment,
    patient: Patient,
    pathway: Pathway,
    products: Mapping[str, Product],
    device_types: Mapping[str, DeviceType],
    params: WorkloadParams,
) -> list[Task]:
    day = enrolment.day_of(date)
    length = enrolment.length_days
    prefix = f"{enrolment.id}-{date:%Y%m%d}"
    common = {
        "patient_id": patient.id,
        "enrolment_id": enrolment.id,
        "pathway_id": pathway.id,
        "location": patient.location,
    }
    people = {
        "interpreter": patient.needs_interpreter,
        "preferred_staff_ids": enrolment.preferred_staff_ids,
        "excluded_staff_ids": enrolment.excluded_staff_ids,
    }

    todays_visits = visits_of_day(pathway, enrolment.visit_plan_on(date), date, day, length)
    visits = [
        Task(
            id=f"{prefix}-V{i}",
            kind=TaskKind.VISIT,
            duration_min=spec.duration_min,
            window=spec.window,
            skill=spec.skill,
            fixed_time=spec.fixed_time,
            **common,
            **people,
        )
        for i, spec in todays_visits
    ]
    goods_visits = [v for v, (_, spec) in zip(visits, todays_visits, strict=True) if spec.uses_goods]

    tasks: list[Task] = []
    for index, (visit, (_, spec)) in enumerate(zip(visits, todays_visits, strict=True)):
        if spec.second_person is not None:
            visits[index], second = _two_person(visit, spec.second_person)
            tasks.append(second)
    samples = [s for s in pathway.samples if s.schedule.applies(day, length) and not s.self_sampled]
    if samples and not visits:
        visits.append(
            Task(
                id=f"{prefix}-V{len(pathway.visits)}",
                kind=TaskKind.VISIT,
                duration_min=params.sampling_visit_min,
                window=params.sampling_window,
                skill="sampling",
                **common,
                **people,
            )
        )
    for i, sample in enumerate(samples):
        visit = visits[0]
        stability_min = round(sample.stability_hours * 60)
        latest = min(MINUTES_PER_DAY, visit.window.end_min + visit.duration_min + stability_min)
        tasks.append(
            Task(
                id=f"{prefix}-S{i}",
                kind=TaskKind.SAMPLE,
                duration_min=params.sample_handover_min,
                window=TimeWindow(visit.window.start_min, latest),
                sample_type=sample.sample_type,
                sample_stability_min=stability_min,
                taken_at=visit.id,
                **common,
            )
        )

    for i, spec in enumerate(pathway.videos):
        if spec.schedule.applies(day, length):
            tasks.append(
                Task(
                    id=f"{prefix}-C{i}",
                    kind=TaskKind.VIDEO,
                    duration_min=spec.duration_min,
                    window=spec.window,
                    skill=spec.skill,
                    **common,
                    **people,
                )
            )

    device_lines = tuple(
        GoodsLine(device_types[d.device_type_id].product_id, d.quantity) for d in pathway.devices
    )
    deliveries = list(_applying(pathway.deliveries, day, length))
    delivery_lines = [line for spec in deliveries for line in spec.lines]
    if day == 0:
        delivery_lines.extend(device_lines)
    first_goods_visit = goods_visits[0].id if goods_visits else None
    for suffix, group in _split_by_carrier(delivery_lines, products):
        goods = Goods.of(group, products)
        tasks.append(
            Task(
                id=f"{prefix}-D{suffix}",
                kind=TaskKind.DELIVERY,
                duration_min=params.delivery_base_min
                + round(goods.volume_l / 10.0 * params.delivery_min_per_10_l),
                window=_joint_window(deliveries, default=params.sampling_window),
                goods=goods,
                before=(first_goods_visit,) if first_goods_visit else (),
                **common,
            )
        )

    pickups = list(_applying(pathway.pickups, day, length))
    pickup_lines = [line for spec in pickups for line in spec.lines]
    if day == length - 1:
        pickup_lines.extend(device_lines)
    if pickup_lines:
        tasks.append(
            Task(
                id=f"{prefix}-P",
                kind=TaskKind.PICKUP,
                duration_min=params.pickup_min,
                window=_joint_window(pickups, default=TimeWindow(9 * 60, 16 * 60)),
                goods=Goods.of(tuple(pickup_lines), products),
                mandatory=False,
                **common,
            )
        )

    for i, device in enumerate(pathway.devices):
        interval = device_types[device.device_type_id].service_interval_days
        if 0 < day < length - 1 and day % interval == 0:
            line = GoodsLine(device_types[device.device_type_id].product_id, device.quantity)
            tasks.append(
                Task(
                    id=f"{prefix}-W{i}",
                    kind=TaskKind.DEVICE_SWAP,
                    duration_min=params.device_swap_min,
                    window=TimeWindow(9 * 60, 15 * 60),
                    goods=Goods.of((line,), products),
                    mandatory=False,
                    **common,
                )
            )
    return visits + tasks


def visits_of_day(
    pathway: Pathway, plan: VisitPlan | None, date: dt.date, day: int, length: int
) -> list[tuple[int, VisitSpec]]:
    """The visits of ``day`` (0-based day of a stage of ``length`` days) as (number, spec).

    Without a :class:`VisitPlan` these are the pathway's visits that apply that day, numbered by
    their place in the pathway. A plan replaces the regular visits (the skill of the first one):
    they keep their numbers, extra visits are numbered after the pathway's own (after the number
    a sampling-only visit takes), so a changed window keeps the task's id.
    """
    applying = [(i, s) for i, s in enumerate(pathway.visits) if s.schedule.applies(day, length)]
    if plan is None or not pathway.visits:
        return applying
    regular = [i for i, s in enumerate(pathway.visits) if s.skill == pathway.visits[0].skill]
    others = [(i, s) for i, s in applying if i not in regular]
    if plan.per_day is None and plan.every_days is None:
        own = [(i, s) for i, s in applying if i in regular]
    else:
        if plan.every_days is not None:
            visit_day = (date - plan.from_date).days % plan.every_days == 0
        else:
            visit_day = any(pathway.visits[i].schedule.applies(day, length) for i in regular)
        count = plan.per_day or len(regular)
        first = pathway.visits[regular[0]]
        own = [
            (regular[k], pathway.visits[regular[k]])
            if k < len(regular)
            else (len(pathway.visits) + 1 + k - len(regular), replace(first, uses_goods=False))
            for k in range(count if visit_day else 0)
        ]
    if plan.windows:
        last = len(plan.windows) - 1
        own = [
            (i, replace(s, window=plan.windows[min(regular.index(i) if i in regular else k, last)]))
            for k, (i, s) in enumerate(own)
        ]
    return sorted([*others, *own], key=lambda v: v[0])


class _Scheduled(Protocol):
    @property
    def schedule(self) -> DaySchedule: ...


_S = TypeVar("_S", bound=_Scheduled)


def _applying(specs: Iterable[_S], day: int, length: int) -> list[_S]:
    return [s for s in specs if s.schedule.applies(day, length)]


def _two_person(visit: Task, second: SecondPerson) -> tuple[Task, Task]:
    """A visit that needs a second person (issue 16): the visit as the pair's first half, and the
    second half (``<visit id>B``) with the second person's skill; a sequential second half's window
    is the first's shifted by the gap."""
    kind = SyncKind(second.together)
    low, high = (second.min_gap_min, second.max_gap_min) if kind is SyncKind.SEQUENTIAL else (0, 0)
    window = visit.window
    if kind is SyncKind.SEQUENTIAL:
        window = TimeWindow(
            min(window.start_min + low, MINUTES_PER_DAY), min(window.end_min + high, MINUTES_PER_DAY)
        )
    partner_id = f"{visit.id}B"
    first = replace(visit, together=Together(partner_id, kind, True, low, high))
    other = replace(
        visit,
        id=partner_id,
        skill=second.skill,
        duration_min=second.duration_min or visit.duration_min,
        window=window,
        fixed_time=visit.fixed_time and kind is SyncKind.SIMULTANEOUS,
        together=Together(visit.id, kind, False, low, high),
    )
    return first, other


def _split_by_carrier(
    lines: list[GoodsLine], products: Mapping[str, Product]
) -> list[tuple[str, tuple[GoodsLine, ...]]]:
    """Goods that need a qualified carrier travel apart from the rest; empty groups vanish."""
    merged: dict[str, int] = {}
    for line in lines:
        merged[line.product_id] = merged.get(line.product_id, 0) + line.quantity
    qualified = tuple(
        GoodsLine(p, q) for p, q in merged.items() if products[p].qualified_carrier
    )
    ordinary = tuple(
        GoodsLine(p, q) for p, q in merged.items() if not products[p].qualified_carrier
    )
    return [(s, g) for s, g in (("", ordinary), ("Q", qualified)) if g]


def _joint_window(specs: list[DeliverySpec], default: TimeWindow) -> TimeWindow:
    """The intersection of the specs' windows, or the first one when they do not overlap."""
    if not specs:
        return default
    start = max(s.window.start_min for s in specs)
    end = min(s.window.end_min for s in specs)
    return TimeWindow(start, end) if start <= end else specs[0].window
