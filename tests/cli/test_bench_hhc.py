"""``hjemme bench hhc``: solves, writes solution files in the benchmark's format, reports the gap."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hjemme.cli.main import app
from hjemme.planning.hhc.check import score_solution
from hjemme.planning.hhc.format import read_instance, read_solution

runner = CliRunner()
SAMPLES = Path("/work/shared/benchmarks/hhc/mankowska-small")


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="benchmark samples not on this machine")
def test_bench_hhc_writes_valid_files_and_appends_the_gap(tmp_path: Path) -> None:
    """Two 10-patient instances with separate published solutions: files written, gap +0.00 %, report."""
    instances, solutions, out = tmp_path / "inst", tmp_path / "sols", tmp_path / "out"
    instances.mkdir()
    solutions.mkdir()
    for name in ("InstanzCPLEX_HCSRP_10_1", "InstanzCPLEX_HCSRP_10_4"):
        shutil.copy(SAMPLES / f"{name}.json", instances)
        for sol in SAMPLES.glob(f"sol-{name}-*.json"):
            shutil.copy(sol, solutions)
    report = tmp_path / "benchmarks.md"
    result = runner.invoke(
        app,
        [
            "bench",
            "hhc",
            "--instances",
            str(instances),
            "--solutions",
            str(solutions),
            "--time-limit",
            "1.5",
            "--out",
            str(out),
            "--report",
            str(report),
        ],
    )
    assert result.exit_code == 0, result.output
    text = report.read_text()
    assert "## Home health care routing (HHCRSP)" in text and "218.20" in text
    assert "mankowska 10 patients +0.00 % (2)" in text
    written = out / "sol-InstanzCPLEX_HCSRP_10_1-hjemme.json"
    assert json.loads(written.read_text())["routes"]
    score = score_solution(read_instance(instances / "InstanzCPLEX_HCSRP_10_1.json"), read_solution(written))
    assert score.valid and round(score.objective, 2) == 218.20


def test_bench_hhc_refuses_a_directory_without_instances(tmp_path: Path) -> None:
    """An empty directory is a usage error naming the option, not a traceback."""
    result = runner.invoke(app, ["bench", "hhc", "--instances", str(tmp_path), "--no-append"])
    assert result.exit_code == 2
    assert "--instances" in result.output
