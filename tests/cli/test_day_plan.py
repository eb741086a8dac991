"""``hjemme plan``, ``hjemme replan`` and ``hjemme plan journal|diff|restore|mark`` on a real database:
every change goes through the day's journal, and the journal and diffs can be read back."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from hjemme.cli.main import app

runner = CliRunner()
DATE = "2026-11-23"


@pytest.fixture
def planned(database_env: str) -> str:
    assert runner.invoke(app, ["seed", "--patients", "15", "--seed", "5", "--date", DATE]).exit_code == 0
    result = runner.invoke(app, ["plan", "--date", DATE, "--time-limit", "0.3"])
    assert result.exit_code == 0, result.output
    return database_env



def test_replan_journal_diff_and_undo(planned, tmp_path) -> None:
    """A cancellation by ``hjemme replan`` is journalled as user cli with its reason, ``plan diff`` shows the
    task removed, ``plan restore`` brings it back as version 3 and the journal marks the change undone."""
    out = tmp_path / "v2.json"
    first = json.loads(runner.invoke(app, ["plan", "journal", "--date", DATE, "--json"]).stdout)
    assert [e["kind"] for e in first] == ["planned"]
    plan_file = tmp_path / "v1.json"
    runner.invoke(app, ["replan", "--date", DATE, "--cancel", "none-such", "--out", str(plan_file)])
    assert not plan_file.exists()
    bad = runner.invoke(app, ["replan", "--date", DATE, "--cancel", "none-such"])
    assert bad.exit_code == 2 and "none-such" in bad.output
    both = runner.invoke(app, ["replan", "--date", DATE, "--cancel", "x", "--absent", "y"])
    assert both.exit_code == 2
    stops = runner.invoke(app, ["plan", "--date", DATE, "--time-limit", "0.3", "--out", str(tmp_path / "p.json")])
    assert stops.exit_code == 0
    data = json.loads((tmp_path / "p.json").read_text())
    task = next(s["task"] for r in data["routes"] for s in reversed(r["stops"]) if s["task"])
    done = runner.invoke(app, ["replan", "--date", DATE, "--cancel", task, "--reason", "innlagt", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert task not in {s["task"] for r in json.loads(out.read_text())["routes"] for s in r["stops"]}
    journal = json.loads(runner.invoke(app, ["plan", "journal", "--date", DATE, "--json"]).stdout)
    cancel = journal[-1]
    assert (cancel["kind"], cancel["user"], cancel["reason"], cancel["result_version"]) == (
        "cancelled", "cli", "innlagt", 3)
    diff = json.loads(runner.invoke(app, ["plan", "diff", "--date", DATE, "--from", "2", "--to", "3",
                                          "--json"]).stdout)
    assert [t for c in diff["resources"] for t in c["removed"]] == [task]
    table = runner.invoke(app, ["plan", "diff", "--date", DATE, "--from", "2", "--to", "3"])
    assert table.exit_code == 0 and task in table.output
    restored = runner.invoke(app, ["plan", "restore", "--date", DATE, "--version", "2"])
    assert restored.exit_code == 0, restored.output
    journal = json.loads(runner.invoke(app, ["plan", "journal", "--date", DATE, "--json"]).stdout)
    assert journal[-2]["reverted_by"] is not None and journal[-1]["kind"] == "restored"
    text = runner.invoke(app, ["plan", "journal", "--date", DATE])
    assert text.exit_code == 0 and "angret" in text.output
    missing = runner.invoke(app, ["plan", "diff", "--date", DATE, "--from", "1", "--to", "99"])
    assert missing.exit_code == 2


def test_mark_records_a_fact_and_refuses_an_unknown_status(planned, tmp_path) -> None:
    """``plan mark`` records a visit done in the journal without a new version; a bad status exits 2."""
    runner.invoke(app, ["plan", "--date", DATE, "--time-limit", "0.3", "--out", str(tmp_path / "p.json")])
    data = json.loads((tmp_path / "p.json").read_text())
    task = next(s["task"] for r in data["routes"] for s in r["stops"] if s["type"] == "visit")
    assert runner.invoke(app, ["plan", "mark", task, "--date", DATE, "--status", "maybe"]).exit_code == 2
    done = runner.invoke(app, ["plan", "mark", task, "--date", DATE, "--status", "done"])
    assert done.exit_code == 0, done.output
    journal = json.loads(runner.invoke(app, ["plan", "journal", "--date", DATE, "--json"]).stdout)
    assert journal[-1]["kind"] == "done" and journal[-1]["result_version"] == journal[-2]["result_version"]
    again = runner.invoke(app, ["replan", "--date", DATE, "--cancel", task])
    assert again.exit_code != 0 and "done" in again.output


def test_bench_replan_prints_and_appends_its_table(tmp_path) -> None:
    """``hjemme bench replan`` on a small synthetic day times the four kinds of change, says every plan
    was valid and appends the table to the report file."""
    report = tmp_path / "benchmarks.md"
    result = runner.invoke(app, ["bench", "replan", "--patients", "40", "--seed", "2", "--changes", "2",
                                 "--time-limit", "0.5", "--report", str(report)])
    assert result.exit_code == 0, result.output
    text = report.read_text()
    assert "## Re-planning engine" in text and "hjemme bench replan" in text
    for kind in ("urgent visit", "cancellation", "absence from 10:00", "move"):
        row = next(line for line in text.splitlines() if line.startswith(f"| {kind} |"))
        assert "2/2" in row  # valid
