"""Medical devices (MTU): a pooled register, assignment from the pathway, service and cleaning.

Devices are pooled across clinics (roadmap ch. 6, Alt 1: the MTU workshop in the logistics
centre), so the register knows every serial, where it is and when it is next due: by calendar
interval since its last service, or by usage hours while it runs at a patient's home, whichever
comes first. After a stay a device goes through cleaning/sterilisation for its type's turnaround
before it can be lent again. A device that comes due while the patient still needs it must be
swapped *before* the due date; that becomes a DEVICE_SWAP task for the planner, and a device left
at a patient whose stay has ended becomes a PICKUP task.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from hjemme.domain.catalogue import DeviceType, Product
from hjemme.domain.pathways import GoodsLine, Pathway
from hjemme.domain.people import Enrolment, Patient
from hjemme.domain.tasks import Goods, Task, TaskKind
from hjemme.domain.time import TimeWindow
from hjemme.domain.workload import WorkloadParams
from hjemme.errors import InputError


class DeviceStatus(enum.StrEnum):
    AVAILABLE = "available"
    ASSIGNED = "assigned"
    IN_TRANSIT = "in_transit"
    CLEANING = "cleaning"
    SERVICE = "service"
    RETIRED = "retired"


class DeviceLocationKind(enum.StrEnum):
    WAREHOUSE = "warehouse"
    PATIENT = "patient"
    VAN = "van"
    WORKSHOP = "workshop"


@dataclass(frozen=True, slots=True)
class Device:
    """One serial-numbered device in the pool. ``location_id`` is a site, patient or vehicle id."""

    serial: str
    device_type_id: str
    status: DeviceStatus
    location_kind: DeviceLocationKind
    location_id: str
    last_service_date: dt.date
    usage_hours_since_service: float = 0.0
    patient_id: str | None = None
    enrolment_id: str | None = None
    available_from: dt.datetime | None = None  # end of cleaning


# Hours a day each device type runs at a patient's home: assumptions to calibrate with MTA.
DEFAULT_USAGE_HOURS_PER_DAY: Mapping[str, float] = {
    "oxygen_concentrator": 16.0,
    "infusion_pump": 12.0,
    "syringe_driver": 24.0,
    "dialysis_cycler": 10.0,
}


@dataclass(frozen=True, slots=True)
class DeviceParams:
    """Usage assumptions, how early before the due date to swap, and where devices live."""

    usage_hours_per_day: Mapping[str, float] = field(
        default_factory=lambda: dict(DEFAULT_USAGE_HOURS_PER_DAY)
    )
    default_usage_hours_per_day: float = 2.0
    swap_lead_days: int = 1
    warehouse_id: str = "logistics_centre"
    workshop_id: str = "mhb"
    task_window: TimeWindow = TimeWindow(9 * 60, 15 * 60)

    def __post_init__(self) -> None:
        if self.swap_lead_days < 0:
            raise ValueError("swap_lead_days cannot be negative")

    def hours_per_day(self, device_type_id: str) -> float:
        return self.usage_hours_per_day.get(device_type_id, self.default_usage_hours_per_day)


@dataclass(frozen=True, slots=True)
class DeviceDue:
    """A device whose next service falls within the look-ahead, with why and where it is."""

    serial: str
    device_type_id: str
    status: DeviceStatus
    location_kind: DeviceLocationKind
    location_id: str
    patient_id: str | None
    enrolment_id: str | None
    due_date: dt.date
    reason: str  # "calendar" | "usage"
    days_left: int


def service_due(
    device: Device, device_type: DeviceType, today: dt.date, params: DeviceParams
) -> tuple[dt.date, str]:
    """The next service date and whether the calendar or the usage hours set it."""
    calendar = device.last_service_date + dt.timedelta(days=device_type.service_interval_days)
    limit = device_type.service_interval_usage_hours
    if limit is None or device.location_kind is not DeviceLocationKind.PATIENT:
        return calendar, "calendar"
    rate = params.hours_per_day(device.device_type_id)
    remaining = max(0.0, limit - device.usage_hours_since_service)
    by_usage = today + dt.timedelta(days=math.floor(remaining / rate)) if rate > 0 else dt.date.max
    return (by_usage, "usage") if by_usage < calendar else (calendar, "calendar")


def devices_due(
    devices: Iterable[Device],
    device_types: Mapping[str, DeviceType],
    today: dt.date,
    within_days: int,
    params: DeviceParams | None = None,
) -> list[DeviceDue]:
    """Devices (not retired) due for service within ``within_days`` of ``today`` or overdue, soonest first."""
    if within_days < 0:
        raise InputError("within", "antall dager kan ikke være negativt")
    params = params or DeviceParams()
    limit = today + dt.timedelta(days=within_days)
    found = []
    for device in devices:
        if device.status in (DeviceStatus.RETIRED, DeviceStatus.SERVICE):
            continue
        due, reason = service_due(device, device_types[device.device_type_id], today, params)
        if due <= limit:
            found.append(
                DeviceDue(
                    device.serial,
                    device.device_type_id,
                    device.status,
                    device.location_kind,
                    device.location_id,
                    device.patient_id,
                    device.enrolment_id,
                    due,
                    reason,
                    (due - today).days,
                )
            )
    return sorted(found, key=lambda d: (d.due_date, d.serial))


@dataclass(frozen=True, slots=True)
class DatedTask:
    """A task for the planner and the day it belongs to (tasks themselves carry no date)."""

    date: dt.date
    task: Task


def maintenance_tasks(
    dues: Iterable[DeviceDue],
    today: dt.date,
    enrolments: Mapping[str, Enrolment],
    patients: Mapping[str, Patient],
    products: Mapping[str, Product],
    device_types: Mapping[str, DeviceType],
    params: DeviceParams | None = None,
    workload: WorkloadParams | None = None,
) -> list[DatedTask]:
    """Swap or pick-up tasks for due devices at patients' homes, dated before the due date.

    A device whose patient stays past its due date is swapped ``swap_lead_days`` before it (today
    if that has passed); one whose stay ends before the due date needs nothing extra (the
    end-of-stay pick-up collects it); one at a patient whose stay is over is picked up today.
    Devices in the warehouse or workshop are the workshop's work, not the planner's.
    """
    params = params or DeviceParams()
    workload = workload or WorkloadParams()
    tasks: list[DatedTask] = []
    for due in dues:
        if due.location_kind is not DeviceLocationKind.PATIENT or due.patient_id is None:
            continue
        patient = patients.get(due.patient_id)
        if patient is None:
            continue
        enrolment = enrolments.get(due.enrolment_id or "")
        if enrolment is not None and enrolment.end_date < due.due_date and enrolment.end_date >= today:
            continue
        stay_over = enrolment is None or enrolment.end_date < today
        kind = TaskKind.PICKUP if stay_over else TaskKind.DEVICE_SWAP
        date = today if stay_over else max(today, due.due_date - dt.timedelta(days=params.swap_lead_days))
        product_id = device_types[due.device_type_id].product_id
        enrolment_id = enrolment.id if enrolment else (due.enrolment_id or "")
        tasks.append(
            DatedTask(
                date,
                Task(
                    id=f"{enrolment_id or patient.id}-{date:%Y%m%d}-M-{due.serial}",
                    kind=kind,
                    patient_id=patient.id,
                    enrolment_id=enrolment_id,
                    pathway_id=enrolment.pathway_id if enrolment else "",
                    location=patient.location,
                    duration_min=workload.device_swap_min
                    if kind is TaskKind.DEVICE_SWAP
                    else workload.pickup_min,
                    window=params.task_window,
                    goods=Goods.of((GoodsLine(product_id, 1),), products),
                ),
            )
        )
    return sorted(tasks, key=lambda t: (t.date, t.task.id))


@dataclass(frozen=True, slots=True)
class Assignment:
    enrolment_id: str
    patient_id: str
    device_type_id: str
    serial: str


@dataclass(frozen=True, slots=True)
class DeviceShortage:
    enrolment_id: str
    device_type_id: str
    missing: int


@dataclass(frozen=True, slots=True)
class AssignmentResult:
    devices: tuple[Device, ...]
    assignments: tuple[Assignment, ...]
    shortages: tuple[DeviceShortage, ...]


def assign_devices(
    devices: Iterable[Device],
    enrolments: Iterable[Enrolment],
    pathways: Mapping[str, Pathway],
    device_types: Mapping[str, DeviceType],
    date: dt.date,
    params: DeviceParams | None = None,
) -> AssignmentResult:
    """Give each enrolment active on ``date`` the devices its pathway lists, from the shared pool.

    Among available devices of a type, one whose next calendar service falls after the stay is
    preferred (no swap needed), the soonest-due such one (long-lasting devices stay for long
    stays); otherwise the one due latest. Missing devices are reported, not invented.
    """
    params = params or DeviceParams()
    register = {d.serial: d for d in devices}
    assignments: list[Assignment] = []
    shortages: list[DeviceShortage] = []
    start_of_day = dt.datetime.combine(date, dt.time(23, 59), tzinfo=dt.UTC)
    for enrolment in sorted(enrolments, key=lambda e: (e.start_date, e.id)):
        if not enrolment.is_active(date):
            continue
        for spec in pathways[enrolment.pathway_id].devices:
            have = sum(
                1
                for d in register.values()
                if d.enrolment_id == enrolment.id
                and d.device_type_id == spec.device_type_id
                and d.status is not DeviceStatus.RETIRED
            )
            for _ in range(spec.quantity - have):
                device_type = device_types[spec.device_type_id]
                pool = [
                    d
                    for d in register.values()
                    if d.device_type_id == spec.device_type_id
                    and d.status is DeviceStatus.AVAILABLE
                    and (d.available_from is None or d.available_from <= start_of_day)
                ]
                if not pool:
                    shortages.append(DeviceShortage(enrolment.id, spec.device_type_id, 1))
                    continue

                def due_of(d: Device, device_type: DeviceType = device_type) -> dt.date:
                    return d.last_service_date + dt.timedelta(days=device_type.service_interval_days)

                lasting = [d for d in pool if due_of(d) > enrolment.end_date]
                chosen = (
                    min(lasting, key=lambda d: (due_of(d), d.serial))
                    if lasting
                    else max(pool, key=lambda d: (due_of(d), d.serial))
                )
                register[chosen.serial] = replace(
                    chosen,
                    status=DeviceStatus.ASSIGNED,
                    location_kind=DeviceLocationKind.PATIENT,
                    location_id=enrolment.patient_id,
                    patient_id=enrolment.patient_id,
                    enrolment_id=enrolment.id,
                )
                assignments.append(
                    Assignment(enrolment.id, enrolment.patient_id, spec.device_type_id, chosen.serial)
                )
    return AssignmentResult(tuple(register.values()), tuple(assignments), tuple(shortages))


def return_device(
    device: Device, at: dt.datetime, device_type: DeviceType, params: DeviceParams | None = None
) -> Device:
    """A device back from a patient: to the workshop for cleaning until its turnaround has passed."""
    params = params or DeviceParams()
    return replace(
        device,
        status=DeviceStatus.CLEANING,
        location_kind=DeviceLocationKind.WORKSHOP,
        location_id=params.workshop_id,
        patient_id=None,
        enrolment_id=None,
        available_from=at + dt.timedelta(hours=device_type.cleaning_turnaround_hours),
    )


def release_cleaned(
    devices: Iterable[Device], now: dt.datetime, params: DeviceParams | None = None
) -> list[Device]:
    """Devices whose cleaning turnaround has passed become available in the warehouse."""
    params = params or DeviceParams()
    return [
        replace(
            d,
            status=DeviceStatus.AVAILABLE,
            location_kind=DeviceLocationKind.WAREHOUSE,
            location_id=params.warehouse_id,
        )
        if d.status is DeviceStatus.CLEANING and d.available_from is not None and d.available_from <= now
        else d
        for d in devices
    ]


def record_service(device: Device, date: dt.date) -> Device:
    """A device serviced on ``date``: calendar and usage counters restart."""
    return replace(device, last_service_date=date, usage_hours_since_service=0.0)


def accrue_usage(devices: Iterable[Device], days: int, params: DeviceParams | None = None) -> list[Device]:
    """Devices at patients after ``days`` more days of use at their type's hours per day."""
    params = params or DeviceParams()
    return [
        replace(
            d,
            usage_hours_since_service=d.usage_hours_since_service
            + days * params.hours_per_day(d.device_type_id),
        )
        if d.location_kind is DeviceLocationKind.PATIENT
        else d
        for d in devices
    ]
