"""The transitional replan() adapter (changes + repair) keeps pinned stops and yields valid plans."""

from __future__ import annotations

from hjemme.domain.plans import Plan
from hjemme.planning.params import PlannerParams
from hjemme.planning.problem import Problem
from hjemme.planning.replan import AbsentStaff, AddUrgentVisit, CancelTask, replan
from hjemme.planning.solve import solve
from hjemme.planning.validate import validate_plan
from tests.planning.factories import oslo_small, visit

FAST = PlannerParams(time_limit_s=0.3, rounds=1)


def stops(plan: Plan) -> dict[str, tuple[str, int]]:
    return {s.task_id: (r.resource_id, s.start_min) for r in plan.routes for s in r.stops if s.task_id}


def assert_valid(problem: Problem, plan: Plan) -> None:
    assert validate_plan(plan, problem.tasks, problem.resources, problem.provider, problem.lab) == []


def first_visit(plan: Plan) -> str:
    return next(s.task_id for r in plan.routes for s in r.stops if s.type == "visit")


def test_urgent_visit_is_added_and_pinned_stop_stays():
    """An urgent visit is planned and a started visit keeps its clinician and time."""
    problem = oslo_small()
    before = solve(problem, FAST)
    pinned = first_visit(before)
    urgent = visit("p9-V0", 5, ("11:00", "14:00"))
    changed, after = replan(problem, before, AddUrgentVisit(urgent), {pinned}, FAST)
    assert_valid(changed, after)
    assert stops(after)[pinned] == stops(before)[pinned]
    assert "p9-V0" in stops(after)


def test_cancelled_task_and_its_samples_disappear():
    """Cancelling a visit removes it and the samples taken at it from the plan."""
    problem = oslo_small()
    before = solve(problem, FAST)
    changed, after = replan(problem, before, CancelTask("p3-V0"), set(), FAST)
    assert_valid(changed, after)
    assert "p3-V0" not in stops(after)
    assert "p3-S0" not in {s.task_id for s in after.samples}


def test_absent_clinician_has_no_route_and_the_day_still_validates():
    """A clinician off sick gets no route; their work moves to others or is listed unplanned."""
    problem = oslo_small()
    before = solve(problem, FAST)
    changed, after = replan(problem, before, AbsentStaff("n2"), set(stops(before)), FAST)
    assert_valid(changed, after)
    assert "n2" not in {r.resource_id for r in after.routes}
