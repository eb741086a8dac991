"""Problem JSON round trip, and the plan-file-only validator used by ``hjemme validate`` without --problem."""

from __future__ import annotations

import json
from dataclasses import replace

from hjemme.planning.problem_json import problem_from_json, problem_to_json
from hjemme.planning.validate import validate_plan_alone
from tests.planning.factories import oslo_small
from tests.planning.handbuilt import H, m, provider, stop, valid_plan


def test_problem_round_trip_keeps_tasks_and_resources():
    """Tasks, resources, lab and date survive writing and reading the problem JSON."""
    p = oslo_small()
    back = problem_from_json(json.loads(json.dumps(problem_to_json(p.date, p.lab, p.tasks, p.resources))))
    assert back.tasks == p.tasks and back.resources == p.resources
    assert back.lab == p.lab and back.date == p.date


def test_plan_alone_holds_for_a_valid_plan():
    """A valid plan passes the checks that need only the plan file."""
    assert validate_plan_alone(valid_plan(), provider()) == []


def test_plan_alone_catches_window_travel_and_sample_age():
    """Without tasks, late starts, impossible travel and old samples are still caught."""
    plan = valid_plan()
    nurse = plan.routes[0]
    late = replace(
        nurse, stops=(stop("V", "visit", H, "10:30", "10:30", "11:00", ("09:00", "10:00")), *nurse.stops[1:])
    )
    rules = {v.rule for v in validate_plan_alone(replace(plan, routes=(late, plan.routes[1])), provider())}
    assert {"window", "travel"} <= rules
    old = replace(plan.samples[0], stability_min=5)
    assert {v.rule for v in validate_plan_alone(replace(plan, samples=(old,)), provider())} == {"sample"}
    assert m("09:40") == plan.samples[0].at_lab_min
