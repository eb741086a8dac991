"""``hjemme bench api`` end to end on a tiny world: a real server answers every request and the
table is appended to the report (no timing is asserted)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hjemme.bench_api import ApiBenchParams, ApiBenchRow, markdown_block
from hjemme.cli.main import app


@pytest.mark.slow
def test_bench_api_runs_against_a_real_server(tmp_path) -> None:
    """A small run reads the plan and the alarm worklist with no errors and appends its table."""
    report = tmp_path / "benchmarks.md"
    result = CliRunner().invoke(app, [
        "bench", "api", "--patients", "20", "--requests", "10", "--clients", "2", "--plan-seconds", "0.2",
        "--report", str(report),
    ])
    assert result.exit_code == 0, result.output
    text = report.read_text()
    assert "## API load" in text
    rows = [line for line in text.splitlines() if line.startswith("| GET")]
    assert [row.split("|")[1].strip() for row in rows] == ["GET /api/plans/{date}", "GET /api/alarms"]
    assert all(row.split("|")[7].strip() == "0" for row in rows)  # the errors column


def test_report_states_whether_the_target_is_met() -> None:
    """The table says "met" only when the plan at 10 clients reaches the throughput and p95 targets."""
    fast = ApiBenchRow("GET /api/plans/{date}", 10, 1000, 2.0, (10.0,) * 1000, 0, 100.0, 300)
    slow = ApiBenchRow("GET /api/plans/{date}", 10, 1000, 10.0, (150.0,) * 1000, 0, 100.0, 300)
    assert "— met" in markdown_block([fast], "### run", ApiBenchParams())
    assert "— not met" in markdown_block([slow], "### run", ApiBenchParams())
