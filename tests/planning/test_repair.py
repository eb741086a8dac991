"""Stable repair of a day plan after changes: checked by the independent validator, never by repair."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hjemme.domain.plans import Plan, PlanKpis
from hjemme.domain.resources import ResourceKind
from hjemme.domain.tasks import TaskKind
from hjemme.planning.changes import (
    AddTask,
    CancelTask,
    Change,
    StaffAbsent,
    VehicleOutOfService,
    apply_changes,
)
from hjemme.planning.params import PlannerParams
from hjemme.planning.problem import Problem
from hjemme.planning.repair import frozen_pins, reoptimise, repair, stability_cost
from hjemme.planning.solve import solve
from hjemme.planning.validate import validate_plan
from tests.planning.factories import ULLEVAAL, clinician, problem, sample, visit
from tests.planning.test_solve import small_days

FAST = PlannerParams(time_limit_s=0.3, rounds=1)


def m(hhmm: str) -> int:
    h, mm = hhmm.split(":")
    return int(h) * 60 + int(mm)


def where(plan: Plan) -> dict[str, tuple[str, int]]:
    return {s.task_id: (r.resource_id, s.start_min) for r in plan.routes for s in r.stops if s.task_id}


def assert_valid(day: Problem, plan: Plan) -> None:
    assert validate_plan(plan, day.tasks, day.resources, day.provider, day.lab) == []


def empty(day: Problem) -> Plan:
    return Plan(day.date, (), (), (), PlanKpis(len(day.tasks), 0, 0, 0, 0, 0, 0, 0, 0))


LAYOUT = {
    "p1-V0": ("a", m("08:30")),
    "p2-V0": ("a", m("09:30")),
    "p3-V0": ("a", m("11:45")),
    "p4-V0": ("a", m("13:30")),
    "p5-V0": ("b", m("09:00")),
    "p6-V0": ("b", m("13:00")),
}


def three_nurses() -> Problem:
    """Nurses a and b with visits, nurse c idle; a blood sample at p2's visit."""
    resources = [
        clinician("a", shift=("08:00", "16:00")),
        clinician("b", shift=("08:00", "16:00"), base=ULLEVAAL),
        clinician("c", shift=("08:00", "16:00")),
    ]
    tasks = [visit(f"p{i}-V0", i - 1, ("08:00", "15:00")) for i in range(1, 7)]
    tasks.append(sample("p2-S0", "p2-V0", 1, 240))
    return problem(tasks, resources)


def laid_out() -> tuple[Problem, Plan]:
    """The three-nurse day with its visits exactly where ``LAYOUT`` puts them (a valid plan)."""
    day = three_nurses()
    plan = repair(day, empty(day), LAYOUT, FAST)
    assert where(plan) == LAYOUT
    assert_valid(day, plan)
    return day, plan


def test_urgent_visit_is_inserted_without_moving_anyone_elses_task():
    """An urgent visit is planned and every other visit keeps its nurse and its minute."""
    day, before = laid_out()
    changed = apply_changes(day, [AddTask(visit("p9-V0", 6, ("10:00", "14:00")))])
    after = repair(changed, before, {}, FAST)
    assert_valid(changed, after)
    assert "p9-V0" in where(after)
    assert {t: v for t, v in where(after).items() if t != "p9-V0"} == LAYOUT


def test_urgent_visit_nobody_may_do_is_unplanned_with_reasons_and_moves_nothing():
    """An urgent visit needing a skill nobody has is listed unplanned (bokmål and English); nothing moves."""
    day, before = laid_out()
    urgent = visit("p9-V0", 6, ("10:00", "14:00"), skill="paediatric")
    changed = apply_changes(day, [AddTask(urgent)])
    after = repair(changed, before, {}, FAST)
    assert_valid(changed, after)
    left = {u.task_id: u for u in after.unplanned}
    assert "paediatric" in left["p9-V0"].reason and "paediatric" in left["p9-V0"].reason_en
    assert where(after) == LAYOUT


def test_cancellation_removes_the_task_and_its_sample_and_nothing_else_moves():
    """Cancelling p2's visit removes it and its sample's journey; every other stop stays put."""
    day, before = laid_out()
    assert {s.task_id for s in before.samples} == {"p2-S0"}
    changed = apply_changes(day, [CancelTask("p2-V0")])
    after = repair(changed, before, {}, FAST)
    assert_valid(changed, after)
    assert after.samples == () and "p2-V0" not in where(after)
    assert where(after) == {t: v for t, v in LAYOUT.items() if t != "p2-V0"}


def test_absence_from_half_past_ten_keeps_the_morning_and_moves_the_rest_to_colleagues():
    """Nurse a absent from 10:30: her stops done by then stay, the later ones go to b or c, b keeps his."""
    day, before = laid_out()
    changed = apply_changes(day, [StaffAbsent("a", m("10:30"))])
    after = repair(changed, before, {}, FAST)
    assert_valid(changed, after)
    now = where(after)
    assert now["p1-V0"] == LAYOUT["p1-V0"] and now["p2-V0"] == LAYOUT["p2-V0"]
    assert now["p3-V0"][0] in {"b", "c"} and now["p4-V0"][0] in {"b", "c"}
    assert now["p5-V0"] == LAYOUT["p5-V0"] and now["p6-V0"] == LAYOUT["p6-V0"]
    assert after.unplanned == ()


def test_frozen_stops_never_move_when_an_urgent_visit_wants_their_slot():
    """Stops frozen at 09:10 (started or within the hour) stay while a fixed urgent visit at 09:40 is fitted."""
    day, before = laid_out()
    pins = frozen_pins(before, now_min=m("09:10"), horizon_min=60, statuses={"p6-V0": "started"})
    assert set(pins) == {"p1-V0", "p2-V0", "p5-V0", "p6-V0"}
    urgent = visit("p9-V0", 1, ("09:40", "09:40"), fixed_time=True)
    changed = apply_changes(day, [AddTask(urgent)])
    after = repair(changed, before, pins, FAST)
    assert_valid(changed, after)
    assert all(where(after)[t] == pin for t, pin in pins.items())
    assert where(after)["p9-V0"] == ("c", m("09:40"))


def test_nothing_is_moved_into_the_past():
    """Nurse a absent from 10:30, repaired at 10:30: her afternoon goes to colleagues at 10:30 or later."""
    day, before = laid_out()
    pins = frozen_pins(before, now_min=m("10:30"), horizon_min=0, statuses={})
    changed = apply_changes(day, [StaffAbsent("a", m("10:30"))])
    after = repair(changed, before, pins, FAST, now_min=m("10:30"))
    assert_valid(changed, after)
    assert all(start >= m("10:30") for tid, (_, start) in where(after).items() if tid not in pins)
    assert where(after)["p1-V0"] == LAYOUT["p1-V0"]


def test_without_now_only_statuses_freeze():
    """Before the day starts nothing is frozen by time; a confirmed task is."""
    _, before = laid_out()
    assert frozen_pins(before, now_min=None, horizon_min=60, statuses={"p3-V0": "confirmed"}) == {
        "p3-V0": LAYOUT["p3-V0"]
    }


def test_a_pin_moves_a_task_to_the_idle_nurse():
    """A hand move of p4 to idle nurse c at 13:00 puts it there; a's other stops keep their minutes."""
    day, before = laid_out()
    after = repair(day, before, {"p4-V0": ("c", m("13:00"))}, FAST)
    assert_valid(day, after)
    assert where(after) == {**LAYOUT, "p4-V0": ("c", m("13:00"))}


def test_a_pin_moves_a_task_to_a_later_free_slot_of_another_nurse():
    """A hand move of p3 to nurse b's free afternoon at 14:15 is kept and valid."""
    day, before = laid_out()
    after = repair(day, before, {"p3-V0": ("b", m("14:15"))}, FAST)
    assert_valid(day, after)
    assert where(after)["p3-V0"] == ("b", m("14:15"))


def test_a_pin_shifts_a_task_fifteen_minutes_either_way_on_the_same_nurse():
    """p2 moved 15 minutes later or earlier on nurse a lands exactly there and the plan stays valid."""
    day, before = laid_out()
    for start in (m("09:45"), m("09:15")):
        after = repair(day, before, {"p2-V0": ("a", start)}, FAST)
        assert_valid(day, after)
        assert where(after)["p2-V0"] == ("a", start)
        assert {s.task_id for s in after.samples} == {"p2-S0"}


def test_a_pin_into_an_occupied_minute_moves_the_other_stop_not_the_pin():
    """Pinning p5 onto a's 08:30 slot keeps the pin; p1 is re-timed or moved, and the plan is valid."""
    day, before = laid_out()
    after = repair(day, before, {"p5-V0": ("a", m("08:30"))}, FAST)
    assert_valid(day, after)
    assert where(after)["p5-V0"] == ("a", m("08:30"))
    assert "p1-V0" in where(after)


def test_stability_cost_counts_reassignments_and_minutes():
    """One task to another nurse and one moved 15 minutes cost one reassignment plus 15 minutes."""
    day, before = laid_out()
    after = repair(day, before, {"p4-V0": ("c", m("13:30")), "p2-V0": ("a", m("09:45"))}, FAST)
    params = PlannerParams(reassign_cost=1000, moved_cost_per_min=10)
    assert stability_cost(before, after, params) == 1000 + 15 * 10


def test_reoptimise_keeps_pins_and_every_repaired_task():
    """The whole-day optimisation keeps the pins and plans at least what repair planned."""
    day, before = laid_out()
    pins = {"p1-V0": LAYOUT["p1-V0"]}
    changed = apply_changes(day, [AddTask(visit("p9-V0", 6, ("10:00", "14:00")))])
    repaired = repair(changed, before, pins, FAST)
    again = reoptimise(changed, before, pins, FAST)
    assert_valid(changed, again)
    assert where(again)["p1-V0"] == LAYOUT["p1-V0"]
    assert set(where(repaired)) <= set(where(again))


@st.composite
def changes_for(draw: st.DrawFn, day: Problem) -> list[Change]:
    out: list[Change] = []
    ids = [t.id for t in day.tasks if t.kind is not TaskKind.SAMPLE]
    for n in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["urgent", "cancel", "absent", "vehicle"]))
        if kind == "cancel" and ids:
            out.append(CancelTask(draw(st.sampled_from(ids))))
        elif kind == "absent":
            staff = draw(st.sampled_from([r.staff_id for r in day.resources]))
            out.append(StaffAbsent(staff, draw(st.sampled_from([0, 600, 720]))))
        elif kind == "vehicle":
            vehicles = [r.vehicle_id for r in day.resources if r.vehicle_id]
            out.append(VehicleOutOfService(draw(st.sampled_from(vehicles)), draw(st.sampled_from([0, 660]))))
        else:
            start = draw(st.integers(8, 13))
            tw = (f"{start:02d}:00", f"{start + 2:02d}:00")
            out.append(AddTask(visit(f"u{n}-V0", draw(st.integers(0, 7)), tw, mandatory=True)))
    return out


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), small_days(), st.sampled_from([None, 540, 600]))
def test_any_changes_through_repair_give_a_valid_plan_that_keeps_its_pins(data, day: Problem, now):
    """Random small day, first plan, random changes, frozen pins: the repair is valid, every pin whose
    task and resource's shift survive is kept exactly, and nothing unpinned is put before now."""
    before = solve(day, FAST)
    pins = frozen_pins(before, now_min=now, horizon_min=60, statuses={})
    changed = apply_changes(day, data.draw(changes_for(day)))
    after = repair(changed, before, pins, FAST, now_min=now)
    assert_valid(changed, after)
    now_at = where(after)
    for tid, (rid, start) in pins.items():
        same = rid in changed.resources_by_id and changed.resource(rid) == day.resource(rid)
        if tid in changed.tasks_by_id and same:
            assert now_at.get(tid) == (rid, start), tid
    if now is not None:
        assert all(start >= now for tid, (_, start) in now_at.items() if tid not in pins)


def test_van_out_of_service_moves_its_jobs_or_explains_them():
    """A van out of service all day leaves no route; its deliveries are on another vehicle or unplanned."""
    from tests.planning.factories import oslo_small

    day = oslo_small()
    before = solve(day, FAST)
    changed = apply_changes(day, [VehicleOutOfService("veh-v1")])
    after = repair(changed, before, {}, FAST)
    assert_valid(changed, after)
    assert all(r.resource_id != "v1" for r in after.routes)
    assert all(r.kind is not ResourceKind.VAN for r in after.routes)


def test_stability_params_are_validated():
    """Negative stability costs and a freeze horizon outside the day are refused."""
    for bad in ({"reassign_cost": -1}, {"moved_cost_per_min": -1}, {"freeze_horizon_min": -1}):
        with pytest.raises(ValueError):
            PlannerParams(**bad)  # type: ignore[arg-type]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_days())
def test_a_repair_without_changes_moves_nothing(day: Problem):
    """Repairing a fully planned day with no change gives every task its resource and minute back."""
    before = solve(day, FAST)
    after = repair(day, before, {}, FAST)
    assert_valid(day, after)
    if not before.unplanned:
        assert where(after) == where(before)
