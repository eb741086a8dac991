"""The plan objective used to compare plans of one problem (bench day's reference run)."""

from __future__ import annotations

from dataclasses import replace

from hjemme.domain.plans import Unplanned
from hjemme.planning.kpis import plan_objective
from hjemme.planning.params import PlannerParams
from hjemme.planning.solve import solve
from tests.planning import factories as f

PARAMS = PlannerParams(time_limit_s=0.5)


def test_an_unplanned_mandatory_task_outweighs_all_driving() -> None:
    """Dropping one mandatory visit costs more than the whole day's driving of the full plan."""
    problem = f.oslo_small()
    plan = solve(problem, PARAMS)
    assert plan.unplanned == ()
    full = plan_objective(problem, plan, PARAMS)
    visit = next(t for t in problem.tasks if t.mandatory)
    dropped = replace(plan, unplanned=(Unplanned(visit.id, "test"),))
    assert plan_objective(problem, dropped, PARAMS) - full == PARAMS.unplanned_mandatory_cost
    assert full < PARAMS.unplanned_mandatory_cost


def test_more_driving_costs_more() -> None:
    """With everything planned, a plan driving more kilometres has the higher objective."""
    problem = f.oslo_small()
    plan = solve(problem, PARAMS)
    longer = replace(plan, kpis=replace(plan.kpis, km=plan.kpis.km + 10, drive_hours=plan.kpis.drive_hours + 0.2))
    assert plan_objective(problem, longer, PARAMS) > plan_objective(problem, plan, PARAMS)
