"""The interpreter flag travels from the task to the planned stop and the plan JSON (issue 3)."""

from __future__ import annotations

from hjemme.planning.params import PlannerParams
from hjemme.planning.plan_json import plan_from_json, plan_to_json
from hjemme.planning.solve import solve
from tests.planning import factories as f


def test_interpreter_flag_is_on_the_visit_and_video_stops() -> None:
    """A patient needing an interpreter has the flag on their planned visit and video; others do not."""
    problem = f.problem(
        [
            f.visit("p1-V0", 0, ("08:00", "12:00"), interpreter=True),
            f.video("p1-C0", 0, ("09:00", "14:00"), interpreter=True),
            f.visit("p2-V0", 1, ("08:00", "12:00")),
        ],
        [f.clinician("n1")],
    )
    plan = solve(problem, PlannerParams(time_limit_s=0.5))
    flags = {s.task_id: s.interpreter for r in plan.routes for s in r.stops if s.task_id}
    assert flags == {"p1-V0": True, "p1-C0": True, "p2-V0": False}
    again = plan_from_json(plan_to_json(plan))
    assert {s.task_id: s.interpreter for r in again.routes for s in r.stops if s.task_id} == flags
