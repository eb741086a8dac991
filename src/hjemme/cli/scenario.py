"""``hjemme scenario run|sweep|assumptions|sensitivity``: projections of the three delivery models
(issue 4) and what drives their ranking (issue 15).

Registered in ``cli/main.py`` with one ``app.add_typer(scenario.app)`` line. A projection reads
only files and writes only files (no stored data, nothing to audit), so the commands call the
scenario engine directly, as ``news2`` does. Bad files exit with status 2 and name the key path.
"""

from __future__ import annotations

import os
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
    processes: int = typer.Option(0, "--processes", min=0,
                                  help="Prosesser for rask modus (0 = én per kjerne)."),
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
                           on_replication=lambda _r: progress.advance(task),
                           processes=processes or os.cpu_count() or 1)
        deep = None
        if deep_days:
            from hjemme.scenario.deep import DeepParams, run_deep

            dtask = progress.add_task("Dyp modus", total=deep_days * len(cfg.delivery_models))
            deep_params = DeepParams(time_limit_s=deep_time_limit, census_scale=deep_scale)
            deep = run_deep(model, days=deep_days, seed=the_seed, year=cfg.years[-1], workers=workers,
                            params=deep_params, alternatives=sorted(cfg.delivery_models),
                            on_day=lambda: progress.advance(dtask))
        result = None
        if sensitivity or sobol:
            result = _sensitivity(progress, model, cfg, cfg.years[-1], sobol, the_seed)
        paths = write_outputs(out, cfg, samples, replications=reps, seed=the_seed, deep=deep,
                              sensitivity=result)
    typer.echo(f"Skrev {paths['json']}, {paths['csv']}, {paths['xlsx']}, {paths['xlsx_en']}, {paths['html']}")
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


CALIBRATION_SECTION = "## Scenario calibration (fast vs deep mode)"


def bench_scenario_calibration(
    config: Path = typer.Option(Path("scenarios/default.yaml"), "--config", help="Scenario file (YAML)."),
    years: str = typer.Option("2027,2030", "--years", help="Comma-separated projection years."),
    days: int = typer.Option(2, "--days", min=1, help="Deep-mode days per year and alternative."),
    seed: int = typer.Option(13, "--seed", help="Seed of the deep-mode days (the fit used 7 and 11)."),
    deep_time_limit: float = typer.Option(1.0, "--deep-time-limit", min=0.1, help="Search s per origin."),
    clinician_patients: int = typer.Option(
        1500, "--clinician-patients", min=0, help="Patients of the planned day for km per visit (0: skip)."
    ),
    clinician_time_limit: float = typer.Option(20.0, "--clinician-time-limit", min=0.1),
    report: Path = typer.Option(Path("docs/benchmarks.md"), "--report", help="Markdown file to append to."),
) -> None:
    """Fast mode's km and vans against deep mode (the planner) on the same stops, per alternative and
    year, and clinicians' km and driving minutes per visit from a planned day; print and append."""
    import datetime as dt

    from rich.console import Console
    from rich.table import Table

    from hjemme.bench_report import append_report, run_heading
    from hjemme.scenario.calibration import clinician_travel, fast_deep_table, within
    from hjemme.scenario.deep import DeepParams

    cfg, model = _load(config)
    year_list = [int(y) for y in years.split(",") if y.strip()]
    alternatives = sorted(cfg.delivery_models)
    console = Console()
    with _progress() as progress:
        task = progress.add_task("Dyp modus", total=len(year_list) * days * len(alternatives))
        rows = fast_deep_table(model, years=year_list, days=days, seed=seed,
                               params=DeepParams(time_limit_s=deep_time_limit), alternatives=alternatives,
                               on_day=lambda: progress.advance(task))
    table = Table(title="Fast / deep mode on the same stops (±10 % target)")
    for col in ("year", "alternative", "stops/day", "km fast", "km deep", "km fast/deep", "vans fast",
                "vans deep", "vans fast/deep", "violations"):
        table.add_column(col, justify="right")
    lines = ["| year | alternative | stops/day | km fast | km deep | km fast/deep | vans fast | vans deep "
             "| vans fast/deep | unplanned/day | validator violations |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        cells = [str(r["year"]), r["alternative"], f"{r['stops_per_day']:.0f}", f"{r['fast_km']:.0f}",
                 f"{r['deep_km']:.0f}", f"{r['km_ratio']:.3f}", f"{r['fast_vans']:.1f}",
                 f"{r['deep_vans']:.1f}", f"{r['vans_ratio']:.3f}"]
        table.add_row(*cells, str(r["violations"]))
        extra = [f"{r['unplanned_per_day']:.1f}", str(r["violations"])]
        lines.append("| " + " | ".join(cells + extra) + " |")
    console.print(table)
    verdict = "all within ±10 %" if within(rows) else "NOT all within ±10 %"
    console.print(verdict)
    clinician_lines: list[str] = []
    if clinician_patients:
        with console.status(f"Planning a day of {clinician_patients} patients for clinicians' travel …"):
            travel, violations = clinician_travel(load_catalogue(), patients=clinician_patients, seed=1,
                                                  time_limit_s=clinician_time_limit)
        ctable = Table(title=f"Clinicians' travel per home visit ({clinician_patients} patients, "
                             f"{'valid' if not violations else f'{violations} violations'})")
        for col in ("kind", "visits", "km", "km/visit", "drive min/visit"):
            ctable.add_column(col, justify="right")
        clinician_lines = ["", f"Clinicians' travel on a planned day of {clinician_patients} patients "
                           f"(seed 1, {clinician_time_limit:g} s search, "
                           f"{'valid' if not violations else f'{violations} violations'}):", "",
                           "| service kind | visits | km | km per visit | drive min per visit |",
                           "|---|---:|---:|---:|---:|"]
        for t in travel:
            cells = [t.kind, str(t.visits), f"{t.km:.0f}", f"{t.km_per_visit:.2f}", f"{t.min_per_visit:.1f}"]
            ctable.add_row(*cells)
            clinician_lines.append("| " + " | ".join(cells) + " |")
        console.print(ctable)
    block = "\n".join([
        run_heading(dt.datetime.now(dt.UTC), "hjemme bench scenario-calibration"),
        "",
        f"{config}: deep mode {days} day(s) per year and alternative at the full census, seed {seed}, "
        f"{deep_time_limit:g} s search per origin; fast mode's route model on the same stops "
        f"(window_factor, km_calibration, trip_km from the scenario file). Result: {verdict}.",
        "",
        *lines,
        *clinician_lines,
    ])
    append_report(report, block, section=CALIBRATION_SECTION)
    console.print(f"appended to {report}")
