"""``hjemme scenario run|sweep``: projections of the three delivery models (issue 4).

Registered in ``cli/main.py`` with one ``app.add_typer(scenario.app)`` line. A projection reads
only files and writes only files (no stored data, nothing to audit), so the commands call the
scenario engine directly, as ``news2`` does. Bad files exit with status 2 and name the key path.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from hjemme.catalogue import load_catalogue
from hjemme.errors import HjemmeError
from hjemme.scenario.config import ScenarioConfig, load_grid, load_scenario
from hjemme.scenario.model import ProjectionModel, build_model

app = typer.Typer(name="scenario", help="Framskrivninger 2024–2030 for leveransemodellene (alt 1–3).",
                  no_args_is_help=True, add_completion=False)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Feil: {message}", err=True)
    return typer.Exit(code=2)


def _load(config_path: Path) -> tuple[ScenarioConfig, ProjectionModel]:
    try:
        config = load_scenario(config_path)
        return config, build_model(config, load_catalogue())
    except HjemmeError as exc:
        raise _fail(str(exc)) from None
    except ValueError as exc:
        raise _fail(f"{config_path}: {exc}") from None


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())


@app.command("run")
def run(
    config: Path = typer.Option(..., "--config", help="Scenariofil (YAML)."),
    out: Path = typer.Option(..., "--out", help="Katalog for resultatene."),
    replications: int | None = typer.Option(None, "--replications", min=1, help="Monte Carlo-replikasjoner."),
    deep_days: int = typer.Option(0, "--deep-days", min=0, help="Dager i dyp modus."),
    seed: int | None = typer.Option(None, "--seed", help="Frø (standard: scenariofilens)."),
    workers: int = typer.Option(1, "--workers", min=1, help="Dask-arbeidere for dyp modus."),
    deep_scale: float = typer.Option(1.0, "--deep-scale", min=0.01, max=1.0, help="Andel av belegget (dyp)."),
    deep_time_limit: float = typer.Option(1.0, "--deep-time-limit", min=0.1, help="Sek. søk per dag (dyp)."),
) -> None:
    """Framskriv alle år og alternativer i rask modus (og dyp modus for K dager)."""
    from hjemme.scenario.fast import run_fast
    from hjemme.scenario.outputs import write_outputs

    cfg, model = _load(config)
    reps = replications or cfg.replications
    the_seed = cfg.seed if seed is None else seed
    with _progress() as progress:
        task = progress.add_task("Rask modus", total=reps)
        samples = run_fast(model, replications=reps, seed=the_seed, years=cfg.years,
                           alternatives=sorted(cfg.delivery_models),
                           on_replication=lambda _r: progress.advance(task))
        deep = None
        if deep_days:
            from hjemme.scenario.deep import DeepParams, run_deep

            dtask = progress.add_task("Dyp modus", total=deep_days * len(cfg.delivery_models))
            deep_params = DeepParams(time_limit_s=deep_time_limit, census_scale=deep_scale)
            deep = run_deep(model, days=deep_days, seed=the_seed, year=cfg.years[-1], workers=workers,
                            params=deep_params, on_day=lambda: progress.advance(dtask))
        paths = write_outputs(out, cfg, samples, replications=reps, seed=the_seed, deep=deep)
    typer.echo(f"Skrev {paths['json']}, {paths['csv']}, {paths['xlsx']}, {paths['html']}")
    typer.echo(f"Figurer i {paths['charts']}/")


@app.command("sweep")
def sweep(
    config: Path = typer.Option(..., "--config", help="Scenariofil (YAML)."),
    grid: Path = typer.Option(..., "--grid", help="Gitterfil (YAML): pasienter × miks × alternativ × år."),
    out: Path = typer.Option(..., "--out", help="Katalog for resultatene (cells/ gjenbrukes)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="Dask-planlegger, f.eks. tcp://HOST:8786."),
    workers: int = typer.Option(2, "--workers", min=1, help="Arbeidere i lokal Dask-klynge."),
) -> None:
    """Kjør et gitter av scenarioer på Dask; ferdige celler regnes ikke på nytt."""
    from hjemme.scenario.sweep import plan_cells, run_sweep, write_sweep_outputs

    cfg, _model = _load(config)
    try:
        g = load_grid(grid)
    except HjemmeError as exc:
        raise _fail(str(exc)) from None
    cells = plan_cells(cfg, g)
    with _progress() as progress:
        task = progress.add_task("Celler", total=len(cells))
        results = run_sweep(cfg, cells, out / "cells", scheduler=scheduler, workers=workers,
                            on_cell=lambda: progress.advance(task))
    paths = write_sweep_outputs(out, results)
    typer.echo(f"{len(cells)} celler; skrev {paths['json']} og {paths['csv']}")
