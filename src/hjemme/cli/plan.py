"""``hjemme bench vrptw`` and ``hjemme validate``: the planner's command-line adapters.

The DB-backed ``hjemme plan`` / ``hjemme replan`` belong with the services that load a day; see
``docs/planning.md`` for the functions they call.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from hjemme.errors import InputError
from hjemme.geo import make_provider
from hjemme.planning.bench_vrptw import append_report, markdown_report, mean_gaps, run_vrptw_bench
from hjemme.planning.plan_json import plan_from_json
from hjemme.planning.problem_json import problem_from_json
from hjemme.planning.validate import Violation, validate_plan, validate_plan_alone
from hjemme.settings import get_settings

bench_app = typer.Typer(
    name="bench", help="Benchmarks that print a table and append it to docs/benchmarks.md."
)


@bench_app.command("vrptw")
def bench_vrptw(
    instances: Path = typer.Option(..., "--instances", help="Directory of Solomon/Homberger files."),
    time_limit: float = typer.Option(10.0, "--time-limit", min=0.1, help="Seconds per instance and solver."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only this many instances, spread out."),
    with_peers: bool = typer.Option(False, "--peers", help="Also run plain OR-Tools, PyVRP and VROOM."),
    report: Path = typer.Option(Path("docs/benchmarks.md"), "--report", help="Markdown file to append to."),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """Solve Solomon VRPTW instances, check every solution independently, report gaps to the BKS."""
    console = Console()
    if not instances.is_dir():
        raise typer.BadParameter(f"{instances} is not a directory", param_hint="--instances")
    try:
        rows = run_vrptw_bench(instances, time_limit, limit, with_peers, seed, progress=console.log)
    except InputError as error:
        raise typer.BadParameter(str(error), param_hint="--instances") from None
    table = Table(title=f"VRPTW, {time_limit:g} s per instance and solver (distance, gap, vehicles, seconds)")
    table.add_column("instance")
    table.add_column("BKS", justify="right")
    for name in [c.solver for c in rows[0].cells] if rows else []:
        table.add_column(name, justify="right")
    for row in rows:
        cells = [row.instance, f"{row.bks:.1f}" if row.bks else "–"]
        for c in row.cells:
            dist = f"{c.distance:.1f}" if c.distance is not None else "invalid"
            gap = f"{c.gap_pct:.2f} %" if c.gap_pct is not None else "–"
            cells.append(f"{dist} {gap} {c.vehicles}v {c.seconds:.1f}s")
        table.add_row(*cells)
    console.print(table)
    for name, gap in mean_gaps(rows).items():
        console.print(f"mean gap {name}: " + (f"{gap:.2f} %" if gap is not None else "–"))
    machine = f"{platform.platform()}, {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs"
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    append_report(report, markdown_report(rows, time_limit, when, machine))
    console.print(f"appended to {report}")


def validate_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Plan JSON (docs/plan.schema.json)."),
    problem: Path | None = typer.Option(
        None,
        "--problem",
        exists=True,
        dir_okay=False,
        help="Problem JSON (tasks, resources, lab) the plan was made for; without it only the checks "
        "the plan alone allows are run (windows, travel times, sample ages, duplicates).",
    ),
) -> None:
    """Re-check a plan independently; exit 0 when valid, 1 listing each violation."""
    try:
        plan = plan_from_json(json.loads(file.read_text()))
        provider = make_provider(get_settings().travel_time_provider)
        violations: list[Violation]
        if problem is not None:
            loaded = problem_from_json(json.loads(problem.read_text()))
            violations = validate_plan(plan, loaded.tasks, loaded.resources, provider, loaded.lab)
        else:
            violations = validate_plan_alone(plan, provider)
    except (InputError, json.JSONDecodeError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    if not violations:
        typer.echo(f"{file}: valid")
        return
    for violation in violations:
        typer.echo(str(violation))
    typer.echo(f"{file}: {len(violations)} violation(s)", err=True)
    raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``bench`` and ``validate`` to the main app (one line in ``cli/main.py``)."""
    app.add_typer(bench_app)
    app.command("validate")(validate_command)
