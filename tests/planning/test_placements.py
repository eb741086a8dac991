"""Placements of one task (where a coordinator may move it) and why a chosen place is refused."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hjemme.domain.tasks import TaskKind
from hjemme.planning.placements import moved_plan, placements, refusal
from hjemme.planning.problem import Problem
from hjemme.planning.repair import repair
from hjemme.planning.solve import solve
from hjemme.planning.validate import validate_plan
from tests.planning.factories import clinician, problem, visit
from tests.planning.test_repair import FAST, LAYOUT, empty, laid_out, m, where
from tests.planning.test_solve import small_days


def valid(day: Problem, plan) -> bool:
    return validate_plan(plan, day.tasks, day.resources, day.provider, day.lab) == []


def test_placements_offer_same_nurse_shifts_the_idle_nurse_and_a_later_slot():
    """p4 can move a quarter earlier or later on nurse a, to idle nurse c, and to b's free afternoon."""
    day, plan = laid_out()
    found = placements(day, plan, "p4-V0", {}, FAST, limit=40)
    places = {(p.resource_id, p.start_min) for p in found}
    assert {("a", m("13:15")), ("a", m("13:45"))} <= places
    assert any(rid == "c" for rid, _ in places)
    assert any(rid == "b" and start >= m("13:30") for rid, start in places)
    assert [p.cost_delta for p in found] == sorted(p.cost_delta for p in found)


def test_a_same_nurse_shift_is_cheaper_than_another_nurse():
    """Staying with one's nurse fifteen minutes later costs less than a reassignment."""
    day, plan = laid_out()
    found = {(p.resource_id, p.start_min): p for p in placements(day, plan, "p4-V0", {}, FAST, limit=40)}
    other = min(p.cost_delta for (rid, _), p in found.items() if rid != "a")
    assert found[("a", m("13:45"))].cost_delta < other


def test_a_fixed_visit_of_the_only_nurse_has_no_placement():
    """A fixed-time visit on a one-nurse day has nowhere else to go: the list is empty."""
    day = problem([visit("p1-V0", 0, ("09:00", "09:00"), fixed_time=True)], [clinician("a")])
    plan = repair(day, empty(day), {}, FAST)
    assert where(plan) == {"p1-V0": ("a", m("09:00"))}
    assert placements(day, plan, "p1-V0", {}, FAST) == []


def test_refusals_name_the_validator_rule():
    """Outside the window is refused as 'window'; a nurse without the skill as 'skill'; a fitting place not at all."""
    day, plan = laid_out()
    assert {v.rule for v in refusal(day, plan, "p2-V0", "a", m("15:30"), {}, FAST)} >= {"window"}
    unskilled = problem(
        list(day.tasks), [*day.resources[:2], clinician("c", skills=("physio",), shift=("08:00", "16:00"))]
    )
    plan_u = repair(unskilled, empty(unskilled), LAYOUT, FAST)
    assert {v.rule for v in refusal(unskilled, plan_u, "p4-V0", "c", m("13:00"), {}, FAST)} == {"skill"}
    assert refusal(day, plan, "p4-V0", "a", m("13:45"), {}, FAST) == []


def test_moved_plan_moves_only_the_task():
    """The hand-moved plan changes the one stop and leaves every other stop's minute alone."""
    day, plan = laid_out()
    moved = moved_plan(plan, day, "p4-V0", "c", m("13:00"))
    assert where(moved) == {**LAYOUT, "p4-V0": ("c", m("13:00"))}


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), small_days())
def test_every_listed_placement_applies_validly_and_exactly(data, day: Problem):
    """For a random small day and task, each placement listed, applied as a pin by repair, gives a valid plan
    with the task on that resource at that minute."""
    plan = solve(day, FAST)
    movable = sorted(t for t in where(plan) if day.task(t).kind is not TaskKind.SAMPLE)
    if not movable:
        return
    task_id = data.draw(st.sampled_from(movable))
    for p in placements(day, plan, task_id, {}, FAST, limit=5):
        after = repair(day, plan, {task_id: (p.resource_id, p.start_min)}, FAST)
        assert valid(day, after)
        assert where(after)[task_id] == (p.resource_id, p.start_min)
