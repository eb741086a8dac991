"""Benchmark reports append to their own section of docs/benchmarks.md and keep the others."""

import datetime as dt
from pathlib import Path

from hjemme.bench_report import append_report, run_heading


def test_append_keeps_other_sections_and_orders_runs(tmp_path: Path) -> None:
    """A second run lands after the first in its section; other sections are left exactly as they were."""
    report = tmp_path / "benchmarks.md"
    append_report(report, "### run 1\n\n| a |", "## Planner")
    append_report(report, "### other\n\n| b |", "## Web")
    append_report(report, "### run 2\n\n| c |", "## Planner")
    text = report.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n")
    assert text.index("### run 1") < text.index("### run 2") < text.index("## Web") < text.index("### other")
    assert text.count("## Planner") == 1


def test_heading_names_date_and_machine() -> None:
    """Each run's heading carries the UTC time and the number of cores it ran on."""
    heading = run_heading(dt.datetime(2026, 11, 23, 23, 40, tzinfo=dt.UTC), "note")
    assert heading.startswith("### 2026-11-23 23:40 UTC — ") and "cores" in heading and heading.endswith("note")
