"""``hjemme scenario run|sweep|assumptions|sensitivity``: projections of the three delivery models
(issue 4) and what drives their ranking (issue 15).

Registered in ``cli/main.py`` with one ``app.add_typer(scenario.app)`` line. A projection reads
only files and writes only files (no stored data, nothing to audit), so the commands call the
scenario engine directly, as ``news2`` does. Bad files exit with status 2 and name the key path.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hjemme.catalogue import load_catalogue
from hjemme.errors import HjemmeError
from hjemme.scenario.config import ScenarioConfig, load_grid, load_scenario
from hjemme.scenario.model import ProjectionModel, build_model

if TYPE_CHECKING:
    from hjemme.scenario.sensitivity import SensitivityResult

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
    sensitivity: bool = typer.Option(True, "--sensitivity/--no-sensitivity",
                                     help="Følsomhet og break-even, siste år (rapporten åpner med svaret)."),
    sobol: int = typer.Option(0, "--sobol", min=0, help="Sobol-utvalg N (0 = ingen Sobol-indekser)."),
    pdf: bool = typer.Option(True, "--pdf/--no-pdf", help="Skriv rapporten også som PDF (krever Chromium)."),
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
        result = None
        if sensitivity or sobol:
            result = _sensitivity(progress, model, cfg, cfg.years[-1], sobol, the_seed)
        paths = write_outputs(out, cfg, samples, replications=reps, seed=the_seed, deep=deep,
                              sensitivity=result)
    typer.echo(f"Skrev {paths['json']}, {paths['csv']}, {paths['xlsx']}, {paths['html']}")
    typer.echo(f"Figurer i {paths['charts']}/")
    if pdf:
        _pdf(paths["html"])


def _pdf(html: Path) -> None:
    from hjemme.scenario.pdf import write_pdf

    written = write_pdf(html, html.with_suffix(".pdf"))
    typer.echo(f"Skrev {written}" if written else "Fant ikke Chromium (eller utskriften feilet); ingen PDF.")


_PHASES = {"oat": "Én om gangen", "break_even": "Break-even", "sobol": "Sobol"}


def _sensitivity(progress: Progress, model: ProjectionModel, cfg: ScenarioConfig, year: int, sobol: int,
                 seed: int) -> SensitivityResult:
    from hjemme.scenario.sensitivity import phase_totals, run_sensitivity

    tasks = {phase: progress.add_task(_PHASES[phase], total=total)
             for phase, total in phase_totals(cfg, sobol).items()}

    def advance(phase: str, done: int, _total: int) -> None:
        progress.update(tasks[phase], completed=done)

    return run_sensitivity(model, cfg, year, sobol_n=sobol, seed=seed, on_progress=advance)


@app.command("sensitivity")
def sensitivity_command(
    config: Path = typer.Option(..., "--config", help="Scenariofil (YAML)."),
    out: Path = typer.Option(..., "--out", help="Katalog for resultatene."),
    year: int | None = typer.Option(None, "--year", help="År (standard: scenariofilens siste)."),
    sobol: int = typer.Option(128, "--sobol", min=0, help="Sobol-utvalg N, helst en toerpotens (0 = ingen)."),
    seed: int | None = typer.Option(None, "--seed", help="Frø for Sobol (standard: scenariofilens)."),
) -> None:
    """Hva driver svaret: tornado per nøkkeltall, break-even per par av alternativer, Sobol-indekser."""
    from hjemme.scenario.sensitivity_outputs import break_even_sentence, write_sensitivity
    from hjemme.scenario.summary import METRIC_LABELS_NB

    cfg, model = _load(config)
    the_year = cfg.years[-1] if year is None else year
    if the_year not in cfg.years:
        raise _fail(f"--year: {the_year} er ikke blant scenariofilens år ({cfg.years[0]}–{cfg.years[-1]})")
    with _progress() as progress:
        result = _sensitivity(progress, model, cfg, the_year, sobol, cfg.seed if seed is None else seed)
    paths = write_sensitivity(out, result)
    console = Console()
    table = Table(title=f"Break-even {the_year}: verdier som snur rangeringen")
    for column in ("Nøkkeltall", "Forutsetning", "Snur", "I spennet"):
        table.add_column(column)
    for e in result.break_evens:
        table.add_row(METRIC_LABELS_NB.get(e.metric, e.metric), break_even_sentence(e),
                      "over" if e.direction == "above" else "under", "ja" if e.within_range else "nei")
    console.print(table)
    typer.echo(f"Skrev {paths['json']}, {paths['oat']}, {paths['break_even']}"
               + (f", {paths['sobol']}" if "sobol" in paths else "") + f"; tornadoer i {paths['charts']}/")


_HEADERS = {
    "nb": ("Nøkkel", "Beskrivelse", "Verdi / lav–sannsynlig–høy", "Enhet", "Kilde", "Eier"),
    "en": ("Key", "Description", "Value / low–likely–high", "Unit", "Source", "Owner"),
}


def _number(value: float | None, language: str) -> str:
    """12 000 / 0,85 in bokmål, 12,000 / 0.85 in English."""
    if value is None:
        return ""
    text = f"{value:,.0f}" if value == int(value) else f"{value:,.4g}"
    return text.replace(",", "\u202f").replace(".", ",") if language == "nb" else text


@app.command("assumptions")
def assumptions_command(
    config: Path = typer.Option(..., "--config", help="Scenariofil (YAML)."),
    language: str = typer.Option("nb", "--language", help="nb eller en."),
    uncertain: bool = typer.Option(False, "--uncertain", help="Bare usikre tall (med lav–høy)."),
    check: bool = typer.Option(False, "--check", help="Avslutt med status 1 om et tall mangler kilde."),
) -> None:
    """Alle tall i scenariofilen med kilde og eier; --check feiler på tall uten kilde."""
    from hjemme.scenario.assumptions import describe, list_assumptions, provenance_problems

    if language not in _HEADERS:
        raise _fail(f"--language: {language!r} er verken nb eller en")
    cfg, _model = _load(config)
    rows = [r for r in list_assumptions(cfg) if r.uncertain or not uncertain]
    table = Table(title=f"{cfg.name}: {len(rows)} " + ("tall" if language == "nb" else "numbers"))
    for column in _HEADERS[language]:
        table.add_column(column, overflow="fold")
    for r in rows:
        if r.low is not None and r.likely is not None and r.high is not None:
            numbers = " – ".join(_number(v, language) for v in (r.low, r.likely, r.high))
        else:
            numbers = _number(r.value, language)
        kind = ("antakelse" if language == "nb" else "assumption") if r.kind == "assumption" else ""
        table.add_row(r.path, describe(r.path) if language == "nb" else kind, numbers, r.unit,
                      r.source, r.owner)
    Console(width=200).print(table)
    problems = provenance_problems(cfg)
    for path, problem in problems:
        typer.echo(f"{path}: {problem}", err=True)
    if check and problems:
        raise typer.Exit(code=1)


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
