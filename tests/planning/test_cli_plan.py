"""``hjemme validate`` exit codes (kept beside the planner: tests/cli belongs to the CLI owner)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hjemme.cli.main import app
from hjemme.planning.plan_json import plan_to_json
from hjemme.planning.problem_json import problem_to_json
from hjemme.planning.solve import solve
from tests.planning.factories import clinician, problem, visit
from tests.planning.test_solve import FAST


def _files(tmp_path: Path, late: bool) -> tuple[Path, Path]:
    p = problem([visit("p1-V0", 2)], [clinician()])
    data = plan_to_json(solve(p, FAST))
    if late:
        data["routes"][0]["stops"][0]["start"] = "13:00"
    plan_file, problem_file = tmp_path / "plan.json", tmp_path / "problem.json"
    plan_file.write_text(json.dumps(data))
    problem_file.write_text(json.dumps(problem_to_json(p.date, p.lab, p.tasks, p.resources)))
    return plan_file, problem_file


def test_validate_exits_0_for_a_valid_plan(tmp_path: Path):
    """A valid plan file with its problem file is reported valid with exit code 0."""
    plan_file, problem_file = _files(tmp_path, late=False)
    result = CliRunner().invoke(app, ["validate", str(plan_file), "--problem", str(problem_file)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_validate_exits_1_listing_violations(tmp_path: Path):
    """A plan with a visit outside its window exits 1 and names the violation."""
    plan_file, problem_file = _files(tmp_path, late=True)
    result = CliRunner().invoke(app, ["validate", str(plan_file), "--problem", str(problem_file)])
    assert result.exit_code == 1
    assert "[window]" in result.output


def test_validate_exits_2_on_a_broken_file(tmp_path: Path):
    """A file that is not a plan is an input error (exit 2)."""
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert CliRunner().invoke(app, ["validate", str(bad)]).exit_code == 2
