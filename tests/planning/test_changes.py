"""Changes to a day (urgent visit, cancellation, absence, vehicle out of service) as pure data."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hjemme.domain.geo import Location
from hjemme.errors import InputError, NotFoundError
from hjemme.planning.changes import AddTask, CancelTask, StaffAbsent, VehicleOutOfService, apply_changes
from tests.planning.factories import HOMES, oslo_small, visit

TEN, NOON = 10 * 60, 12 * 60


def test_urgent_visit_at_a_known_address_keeps_the_travel_matrix():
    """An urgent visit at a patient's known address is added without asking for travel times again."""
    day = oslo_small()
    changed = apply_changes(day, [AddTask(visit("p9-V0", 0, ("10:00", "14:00")))])
    assert "p9-V0" in changed.tasks_by_id
    assert changed.travel is day.travel


def test_urgent_visit_at_a_new_address_extends_the_matrix():
    """A new place gets travel times: the changed day can route to it."""
    new = replace(visit("p9-V0", 0, ("10:00", "14:00")), location=Location(59.91, 10.75))
    changed = apply_changes(oslo_small(), [AddTask(new)])
    assert changed.travel_min[changed.loc(new.location), changed.loc(HOMES[1])] > 0


def test_cancel_removes_the_task_its_samples_and_precedences():
    """Cancelling a visit removes its sample and the delivery no longer has to precede it."""
    changed = apply_changes(oslo_small(), [CancelTask("p1-V0")])
    assert "p1-V0" not in changed.tasks_by_id and "p1-S0" not in changed.tasks_by_id
    assert changed.task("p1-D").before == ()


def test_cancelling_twice_is_cancelling_once():
    """The same cancellation twice in one sequence, or replayed onto the changed day, changes nothing more."""
    day = oslo_small()
    once = apply_changes(day, [CancelTask("p3-V0")])
    twice = apply_changes(day, [CancelTask("p3-V0"), CancelTask("p3-V0")])
    replayed = apply_changes(once, [CancelTask("p3-V0")], strict=False)
    assert {t.id for t in once.tasks} == {t.id for t in twice.tasks} == {t.id for t in replayed.tasks}


def test_unknown_ids_are_refused():
    """A change naming a task, member of staff or vehicle the day does not have is refused."""
    day = oslo_small()
    for change in (CancelTask("nope"), StaffAbsent("nobody"), VehicleOutOfService("no-car")):
        with pytest.raises(NotFoundError):
            apply_changes(day, [change])


def test_bad_interval_and_taken_id_are_input_errors():
    """An empty absence and a new task reusing another task's id are input errors."""
    day = oslo_small()
    with pytest.raises(InputError):
        apply_changes(day, [StaffAbsent("n1", NOON, TEN)])
    with pytest.raises(InputError):
        apply_changes(day, [AddTask(visit("p1-V0", 3, ("13:00", "14:00")))])


def test_absence_from_ten_ends_the_shift_and_clips_the_break():
    """Absent from 10:00 to the end of the day: the shift ends at 10:00 and no break is left in it."""
    n1 = apply_changes(oslo_small(), [StaffAbsent("n1", TEN)]).resource("n1")
    assert n1.shift.end_min == TEN
    assert n1.break_window is None and n1.break_min == 0


def test_absence_in_the_morning_moves_the_start():
    """Absent until 12:00: the shift starts at 12:00 and the break window starts there too."""
    n1 = apply_changes(oslo_small(), [StaffAbsent("n1", 0, NOON)]).resource("n1")
    assert n1.shift.start_min == NOON
    assert n1.break_window is not None and n1.break_window.start_min == NOON


def test_mid_shift_absence_ends_the_day_at_its_start():
    """A mid-shift absence (10:00–11:00) ends the working day at 10:00."""
    n1 = apply_changes(oslo_small(), [StaffAbsent("n1", TEN, TEN + 60)]).resource("n1")
    assert n1.shift.end_min == TEN


def test_whole_day_absence_and_vehicle_out_of_service_remove_the_route():
    """A whole-day absence removes the clinician; a van out of service all day removes its route."""
    changed = apply_changes(oslo_small(), [StaffAbsent("n2"), VehicleOutOfService("veh-v1")])
    assert "n2" not in changed.resources_by_id and "v1" not in changed.resources_by_id
    assert "n1" in changed.resources_by_id


def test_absence_outside_the_shift_changes_nothing():
    """An absence in the evening leaves a day shift as it was."""
    day = oslo_small()
    changed = apply_changes(day, [StaffAbsent("n1", 20 * 60)])
    assert changed.resource("n1") == day.resource("n1")


def test_a_resource_removed_by_one_change_is_not_unknown_to_the_next():
    """A car out of service all day removes its clinician; her absence entered afterwards is no error."""
    changed = apply_changes(oslo_small(), [VehicleOutOfService("car-n1"), StaffAbsent("n1")])
    assert "n1" not in changed.resources_by_id
