"""Sweeps: same numbers on a two-worker Dask cluster as serially, and finished cells are reused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hjemme.cli.main import app
from hjemme.scenario.config import Grid, GridMix, ScenarioConfig
from hjemme.scenario.fast import run_fast
from hjemme.scenario.model import ProjectionModel
from hjemme.scenario.summary import summarise
from hjemme.scenario.sweep import plan_cells, run_sweep
from tests.scenario.conftest import DEFAULT, GRID

TINY = Grid(patients=[None, 300], mixes={"scenario": None, "ahs": GridMix(ahs=1, ambulant=0, dho=0)},
            alternatives=["alt1", "alt2"], years=[2030], replications=2, seed=3)


def test_serial_sweep_cell_equals_the_run(default_config: ScenarioConfig, default_model: ProjectionModel,
                                          tmp_path: Path) -> None:
    """A trajectory cell of a sweep has exactly the numbers of a run with the same seed."""
    cells = [c for c in plan_cells(default_config, TINY) if c.patients is None and c.mix == "scenario"]
    results = run_sweep(default_config, cells, tmp_path, serial=True)
    run = summarise(run_fast(default_model, replications=2, seed=3, years=[2030], alternatives=["alt1", "alt2"],
                                  economics=False))
    from_sweep = [rec for r in results for rec in r["records"]]
    assert sorted(from_sweep, key=lambda r: (r["alternative"], r["metric"])) == sorted(
        run, key=lambda r: (r["alternative"], r["metric"]))


def test_finished_cells_are_not_recomputed(default_config: ScenarioConfig, tmp_path: Path) -> None:
    """A rerun loads the cell files already written instead of computing them again."""
    cells = plan_cells(default_config, TINY)[:2]
    run_sweep(default_config, cells, tmp_path, serial=True)
    files = sorted(tmp_path.glob("*.json"))
    assert len(files) == 2
    marked = json.loads(files[0].read_text())
    marked["records"][0]["p50"] = -1.0
    files[0].write_text(json.dumps(marked))
    again = run_sweep(default_config, cells, tmp_path, serial=True)
    assert any(r["records"][0]["p50"] == -1.0 for r in again)


@pytest.mark.slow
def test_two_worker_dask_sweep_equals_serial(default_config: ScenarioConfig, tmp_path: Path) -> None:
    """A sweep on a two-worker local Dask cluster gives the same numbers as a serial run with the same seed."""
    cells = plan_cells(default_config, TINY)
    serial = run_sweep(default_config, cells, tmp_path / "serial", serial=True)
    dask = run_sweep(default_config, cells, tmp_path / "dask", workers=2)
    assert dask == serial


def test_sweep_cli_writes_summary_and_rejects_bad_grid(tmp_path: Path) -> None:
    """``hjemme scenario sweep`` exits 2 naming the key path of a bad grid file."""
    bad = tmp_path / "grid.yaml"
    bad.write_text(GRID.read_text(encoding="utf-8").replace("years: [2024, 2027, 2030]", "years: [soon]"),
                   encoding="utf-8")
    result = CliRunner().invoke(app, ["scenario", "sweep", "--config", str(DEFAULT), "--grid", str(bad),
                                      "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "grid.yaml: years[0]" in result.output
