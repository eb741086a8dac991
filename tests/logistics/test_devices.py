"""MTU device pool: due lists, swap and pick-up tasks, assignment, cleaning turnaround."""

import datetime as dt

from hjemme.catalogue import load_catalogue
from hjemme.domain.people import Enrolment
from hjemme.domain.tasks import TaskKind
from hjemme.logistics.devices import (
    Device,
    DeviceLocationKind,
    DeviceStatus,
    accrue_usage,
    assign_devices,
    devices_due,
    maintenance_tasks,
    record_service,
    release_cleaned,
    return_device,
)
from tests.helpers import make_patient

CATALOGUE = load_catalogue()
TODAY = dt.date(2026, 11, 23)
PATIENTS = {"P1": make_patient()}


def _at_patient(serial: str, type_id: str, last_service: dt.date, usage: float = 0.0) -> Device:
    return Device(
        serial, type_id, DeviceStatus.ASSIGNED, DeviceLocationKind.PATIENT, "P1", last_service,
        usage_hours_since_service=usage, patient_id="P1", enrolment_id="E1",
    )


def _in_stock(serial: str, type_id: str, last_service: dt.date) -> Device:
    return Device(serial, type_id, DeviceStatus.AVAILABLE, DeviceLocationKind.WAREHOUSE, "logistics_centre", last_service)


def test_device_due_in_three_days_produces_a_swap_task_before_the_due_date() -> None:
    """An oxygen concentrator due in 3 days at a patient staying 10 more days gets a swap task dated 2 days from now."""
    device = _at_patient("OC-1", "oxygen_concentrator", TODAY - dt.timedelta(days=27))  # 30-day interval
    enrolment = Enrolment("E1", "P1", "ahs_lung", TODAY - dt.timedelta(days=3), 14)
    (due,) = devices_due([device], CATALOGUE.device_types, TODAY, within_days=7)
    assert (due.due_date, due.reason, due.days_left) == (TODAY + dt.timedelta(days=3), "calendar", 3)
    (dated,) = maintenance_tasks([due], TODAY, {"E1": enrolment}, PATIENTS, CATALOGUE.products, CATALOGUE.device_types)
    assert dated.task.kind is TaskKind.DEVICE_SWAP
    assert TODAY <= dated.date < due.due_date
    assert dated.task.goods is not None and dated.task.goods.lines[0].product_id == "oxygen_concentrator"


def test_usage_hours_can_make_a_device_due_before_the_calendar() -> None:
    """A concentrator with 668 of 700 hours used at 16 h/day is due in 2 days by usage."""
    device = _at_patient("OC-2", "oxygen_concentrator", TODAY - dt.timedelta(days=5), usage=668.0)
    (due,) = devices_due([device], CATALOGUE.device_types, TODAY, within_days=7)
    assert (due.due_date, due.reason) == (TODAY + dt.timedelta(days=2), "usage")


def test_stay_ending_before_due_date_needs_no_extra_task() -> None:
    """If the stay ends before the device is due, the normal end-of-stay pick-up suffices."""
    device = _at_patient("OC-1", "oxygen_concentrator", TODAY - dt.timedelta(days=27))
    enrolment = Enrolment("E1", "P1", "ahs_lung", TODAY - dt.timedelta(days=3), 5)  # ends tomorrow
    dues = devices_due([device], CATALOGUE.device_types, TODAY, within_days=7)
    assert maintenance_tasks(dues, TODAY, {"E1": enrolment}, PATIENTS, CATALOGUE.products, CATALOGUE.device_types) == []


def test_device_left_after_the_stay_is_picked_up_today() -> None:
    """A due device still at a patient whose stay has ended becomes a pick-up task today."""
    device = _at_patient("OC-1", "oxygen_concentrator", TODAY - dt.timedelta(days=29))
    enrolment = Enrolment("E1", "P1", "ahs_lung", TODAY - dt.timedelta(days=10), 5)
    dues = devices_due([device], CATALOGUE.device_types, TODAY, within_days=7)
    (dated,) = maintenance_tasks(dues, TODAY, {"E1": enrolment}, PATIENTS, CATALOGUE.products, CATALOGUE.device_types)
    assert (dated.task.kind, dated.date) == (TaskKind.PICKUP, TODAY)


def test_devices_in_the_warehouse_are_listed_but_give_no_planner_task() -> None:
    """A due pump on the shelf appears in the due list but causes no transport task."""
    device = _in_stock("IP-1", "infusion_pump", TODAY - dt.timedelta(days=179))
    dues = devices_due([device], CATALOGUE.device_types, TODAY, within_days=7)
    assert len(dues) == 1
    assert maintenance_tasks(dues, TODAY, {}, PATIENTS, CATALOGUE.products, CATALOGUE.device_types) == []


def test_assignment_prefers_a_device_that_lasts_the_stay() -> None:
    """A 14-day lung stay gets the concentrator not due within the stay, and a missing oximeter is a shortage."""
    pool = [
        _in_stock("OC-soon", "oxygen_concentrator", TODAY - dt.timedelta(days=25)),
        _in_stock("OC-fresh", "oxygen_concentrator", TODAY - dt.timedelta(days=2)),
        _in_stock("OC-fresher", "oxygen_concentrator", TODAY),
        _in_stock("TK-1", "tablet_kit", TODAY),
    ]
    enrolment = Enrolment("E1", "P1", "ahs_lung", TODAY, 14)
    result = assign_devices(pool, [enrolment], CATALOGUE.pathways, CATALOGUE.device_types, TODAY)
    assert {(a.device_type_id, a.serial) for a in result.assignments} == {
        ("oxygen_concentrator", "OC-fresh"), ("tablet_kit", "TK-1"),
    }
    assert [(s.device_type_id, s.missing) for s in result.shortages] == [("pulse_oximeter", 1)]
    again = assign_devices(result.devices, [enrolment], CATALOGUE.pathways, CATALOGUE.device_types, TODAY)
    assert again.assignments == ()


def test_returned_device_is_cleaned_before_it_is_available_again() -> None:
    """A returned concentrator (48 h turnaround) is still cleaning after a day and available after two."""
    device = _at_patient("OC-1", "oxygen_concentrator", TODAY)
    back = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
    cleaning = return_device(device, back, CATALOGUE.device_types["oxygen_concentrator"])
    assert cleaning.status is DeviceStatus.CLEANING and cleaning.patient_id is None
    (still,) = release_cleaned([cleaning], back + dt.timedelta(hours=24))
    assert still.status is DeviceStatus.CLEANING
    (ready,) = release_cleaned([cleaning], back + dt.timedelta(hours=48))
    assert ready.status is DeviceStatus.AVAILABLE and ready.location_kind is DeviceLocationKind.WAREHOUSE


def test_usage_accrues_at_patients_and_service_resets_it() -> None:
    """Ten days at a patient add 160 hours to a concentrator; a service resets hours and calendar."""
    (used,) = accrue_usage([_at_patient("OC-1", "oxygen_concentrator", TODAY)], 10)
    assert used.usage_hours_since_service == 160.0
    serviced = record_service(used, TODAY)
    assert serviced.usage_hours_since_service == 0.0 and serviced.last_service_date == TODAY
