"""Sweeps: patients × mix × delivery model × year, on Dask, resumable, deterministic per seed.

Each cell is an independent fast-mode projection whose random numbers depend only on (seed,
replication, year, census variant) — never on which worker runs it or in which order — so a sweep
on any cluster gives the numbers of a serial run. Finished cells are written by the client to
``cells/<hash>.json`` (the hash covers the scenario, the cell, replications, seed and hjemme's
version); a rerun loads them instead of recomputing. Workers receive the scenario as plain JSON
and build their model once per process, so remote schedulers need no shared file system.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from hjemme import __version__
from hjemme.catalogue import load_catalogue
from hjemme.scenario.config import Grid, ScenarioConfig
from hjemme.scenario.fast import CensusParams, run_fast
from hjemme.scenario.model import ProjectionModel, build_model
from hjemme.scenario.summary import summarise

CELL_FIELDS = ("patients", "mix", "year", "alternative", "metric", "p10", "p50", "p90")


@dataclass(frozen=True, slots=True)
class Cell:
    """One grid point. ``patients=None`` follows the trajectory; ``kind_mix=None`` the scenario mix."""

    patients: int | None
    mix: str
    kind_mix: tuple[tuple[str, float], ...] | None
    alternative: str
    year: int
    replications: int
    seed: int


def plan_cells(config: ScenarioConfig, grid: Grid) -> list[Cell]:
    """All cells of a grid in a fixed order."""
    seed = config.seed if grid.seed is None else grid.seed
    cells = []
    for patients in grid.patients:
        for name, mix in grid.mixes.items():
            kind_mix = None if mix is None else tuple(sorted(mix.model_dump().items()))
            for alt in grid.alternatives:
                for year in grid.years:
                    cells.append(Cell(patients, name, kind_mix, alt, year, grid.replications, seed))
    return cells


def cell_hash(config_json: str, cell: Cell) -> str:
    """Names a cell's result file; changes whenever anything that shapes the numbers changes."""
    text = json.dumps({"config": config_json, "cell": asdict(cell), "version": __version__}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


@lru_cache(maxsize=4)
def _model(config_json: str) -> ProjectionModel:
    return build_model(ScenarioConfig.model_validate_json(config_json), load_catalogue())


def compute_cell(config_json: str, cell: Cell) -> dict[str, Any]:
    """Run one cell (in whichever process) and return its JSON-ready result."""
    model = _model(config_json)
    census = CensusParams(cell.patients, dict(cell.kind_mix) if cell.kind_mix else None)
    samples = run_fast(model, replications=cell.replications, seed=cell.seed, years=[cell.year],
                       alternatives=[cell.alternative], census=census, economics=False)
    return {"cell": asdict(cell), "records": summarise(samples)}


def run_sweep(
    config: ScenarioConfig,
    cells: Sequence[Cell],
    cell_dir: Path,
    *,
    scheduler: str | None = None,
    workers: int = 2,
    serial: bool = False,
    on_cell: Callable[[], None] | None = None,
) -> list[dict[str, Any]]:
    """Compute the missing cells (serially, on a local cluster or on ``scheduler``) and load all."""
    config_json = config.model_dump_json()
    cell_dir.mkdir(parents=True, exist_ok=True)
    done: dict[int, dict[str, Any]] = {}
    todo: list[int] = []
    for i, cell in enumerate(cells):
        path = cell_dir / f"{cell_hash(config_json, cell)}.json"
        if path.exists():
            done[i] = json.loads(path.read_text(encoding="utf-8"))
            if on_cell:
                on_cell()
        else:
            todo.append(i)

    def keep(i: int, result: dict[str, Any]) -> None:
        path = cell_dir / f"{cell_hash(config_json, cells[i])}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(result), encoding="utf-8")
        tmp.replace(path)
        done[i] = result
        if on_cell:
            on_cell()

    if todo and serial:
        for i in todo:
            keep(i, compute_cell(config_json, cells[i]))
    elif todo:
        from dask.distributed import Client, LocalCluster, as_completed

        cluster = None
        if scheduler is None:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
        try:
            with Client(scheduler or cluster) as client:
                futures = {client.submit(compute_cell, config_json, cells[i], pure=False): i for i in todo}
                for future in as_completed(futures):
                    keep(futures[future], future.result())
        finally:
            if cluster is not None:
                cluster.close()
    return [done[i] for i in range(len(cells))]


def flatten(results: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per (cell, metric): patients, mix, year, alternative, metric, p10, p50, p90."""
    rows = []
    for result in results:
        cell = result["cell"]
        for rec in result["records"]:
            rows.append({"patients": cell["patients"], "mix": cell["mix"], **rec})
    return rows


def write_sweep_outputs(out_dir: Path, results: Sequence[Mapping[str, Any]]) -> dict[str, Path]:
    """``summary.json`` and ``summary.csv`` of a sweep (the per-cell files stay in ``cells/``)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = flatten(results)
    paths = {"json": out_dir / "summary.json", "csv": out_dir / "summary.csv"}
    paths["json"].write_text(json.dumps(rows, indent=1), encoding="utf-8")
    with paths["csv"].open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=CELL_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return paths
