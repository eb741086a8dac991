"""``hjemme bench vrptw|hhc|day|ingest|api`` and ``hjemme validate``: the planner's command-line
adapters.

The DB-backed ``hjemme plan`` / ``hjemme replan`` belong with the services that load a day; see
``docs/planning.md`` for the functions they call.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from hjemme.bench_report import append_report, machine_description
from hjemme.catalogue import load_catalogue
from hjemme.cli.bench_rota import (
    bench_rota_command,
    bench_rota_generate_command,
    bench_rota_teams_command,
)
from hjemme.cli.monitoring import bench_ingest_command
from hjemme.cli.scenario import bench_scenario_calibration
from hjemme.domain.workload import tasks_for_day
from hjemme.errors import InputError
from hjemme.geo import make_provider
from hjemme.planning.bench_replan import markdown_table, run_replan_bench
from hjemme.planning.bench_vrptw import markdown_report, mean_gaps, run_vrptw_bench
from hjemme.planning.params import PlannerParams
from hjemme.planning.plan_json import plan_from_json
from hjemme.planning.problem import Problem, build_problem
from hjemme.planning.problem_json import problem_from_json
from hjemme.planning.resources import build_resources
from hjemme.planning.solve import solve
from hjemme.planning.validate import Violation, validate_plan, validate_plan_alone
from hjemme.settings import get_settings
from hjemme.synthetic.population import generate_population

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
    machine = machine_description()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    append_report(report, markdown_report(rows, time_limit, when, machine), section="## VRPTW (Solomon)")
    console.print(f"appended to {report}")


@bench_app.command("hhc")
def bench_hhc(
    instances: Path = typer.Option(..., "--instances", help="Directory of HHCRSP instances (*.json)."),
    solutions: Path | None = typer.Option(
        None,
        "--solutions",
        help="Directory of published solutions (sol-<instance>-*.json); default: --instances.",
    ),
    time_limit: float = typer.Option(10.0, "--time-limit", min=0.1, help="Seconds per instance."),
    out: Path | None = typer.Option(None, "--out", help="Write hjemme's solution files here."),
    seed: int = typer.Option(0, "--seed"),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Searches side by side (CPU cores)."),
    report: Path = typer.Option(Path("docs/benchmarks.md"), "--report", help="Markdown file to append to."),
    no_append: bool = typer.Option(False, "--no-append", help="Only print the table."),
) -> None:
    """Solve home-care routing benchmark instances (Mankowska et al. 2014 and the extended variant),
    re-check every solution file independently, and report the gap to the published solutions."""
    from hjemme.bench_report import run_heading
    from hjemme.planning.hhc.bench import HEADERS, SECTION, markdown_report, mean_gaps_by_size, run_hhc_bench
    from hjemme.planning.hhc.bench import table_rows as hhc_table_rows

    console = Console()
    if not instances.is_dir():
        raise typer.BadParameter(f"{instances} is not a directory", param_hint="--instances")
    try:
        rows = run_hhc_bench(instances, time_limit, solutions, out, seed, workers, progress=console.log)
    except InputError as error:
        raise typer.BadParameter(str(error), param_hint="--instances") from None
    table = Table(title=f"HHCRSP, {time_limit:g} s per instance")
    for header in HEADERS:
        table.add_column(header, justify="left" if header in ("instance", "variant") else "right")
    for cells in hhc_table_rows(rows):
        table.add_row(*cells)
    console.print(table)
    for (variant, n), (gap, count) in mean_gaps_by_size(rows).items():
        console.print(
            f"mean gap {variant} {n} patients: " + (f"{gap:+.2f} % ({count})" if gap is not None else "–")
        )
    for row in rows:
        for violation in row.violations[:5]:
            console.print(f"{row.instance}: {violation}")
    if not no_append:
        heading = run_heading(dt.datetime.now(dt.UTC), "hjemme bench hhc")
        block = markdown_report(rows, heading, time_limit, str(instances), workers)
        append_report(report, block, section=SECTION)
        console.print(f"appended to {report}")
    if any(row.violations for row in rows):
        raise typer.Exit(1)


BENCH_DATE = dt.date(2030, 3, 4)


def synthetic_day(patients: int, seed: int) -> Problem:
    """The 2030 day the day and re-planning benchmarks plan: ``patients`` synthetic Oslo patients of the
    default catalogue, their pathways' tasks, and the roster and fleet the generator sizes for them."""
    catalogue = load_catalogue()
    population = generate_population(catalogue, patients, seed, BENCH_DATE)
    tasks = tasks_for_day(
        BENCH_DATE,
        population.enrolments,
        {p.id: p for p in population.patients},
        catalogue.pathways,
        catalogue.products,
        catalogue.device_types,
    )
    resources = build_resources(population.staff, population.vehicles, catalogue.sites)
    lab = catalogue.sites[catalogue.lab_site_id].location
    provider = make_provider(get_settings().travel_time_provider)
    return build_problem(BENCH_DATE, tasks, resources, lab, provider)


REPLAN_METHOD = (
    "Each change on its own at 10:00 (stops before 11:00 frozen); seconds = apply_changes + repair + "
    "validate_plan. Targets (issue 11): p95 ≤ 2 s at 1,500 patients; an urgent visit or a cancellation "
    "reassigns ≤ 5 % of other tasks with a median time change ≤ 15 min; an absence moves only the absent "
    "person's tasks plus ≤ 5 % of the others; every plan valid."
)


@bench_app.command("replan")
def bench_replan(
    patients: int = typer.Option(1500, "--patients", min=1, help="Synthetic patients (2030 scale: 1500)."),
    seed: int = typer.Option(1, "--seed"),
    changes: int = typer.Option(20, "--changes", min=1, max=500, help="Changes of each kind."),
    time_limit: float = typer.Option(40.0, "--time-limit", min=0.1, help="Search seconds of the first plan."),
    report: Path = typer.Option(Path("docs/benchmarks.md"), "--report", help="Markdown file to append to."),
) -> None:
    """Plan a synthetic day, then time urgent visits, cancellations, absences from 10:00 and moves, each
    repaired on its own (p50/p95 s, validity, how many other tasks moved); print and append the table."""
    console = Console()
    with console.status(f"Planning the first day ({patients} patients) …"):
        problem = synthetic_day(patients, seed)
        began = time.perf_counter()
        first = solve(problem, PlannerParams(time_limit_s=time_limit, seed=seed))
        first_s = time.perf_counter() - began
    if validate_plan(first, problem.tasks, problem.resources, problem.provider, problem.lab):
        raise typer.BadParameter("the first plan is invalid; nothing to measure", param_hint="--patients")
    with console.status(f"Re-planning {4 * changes} changes …"):
        rows = run_replan_bench(problem, first, seed=seed, changes=changes)
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    table = "\n".join([
        f"### {when} — {machine_description()} · hjemme bench replan",
        "",
        f"{patients} patients, seed {seed}: {len(problem.tasks)} tasks, {len(problem.resources)} resources; "
        f"first plan by `solve` ({time_limit:g} s search, {first_s:.0f} s), "
        f"{first.kpis.tasks_planned} planned. {REPLAN_METHOD}",
        "",
        markdown_table(rows),
    ])
    console.print(table)
    append_report(report, table, section="## Re-planning engine")
    console.print(f"appended to {report}")


@bench_app.command("day")
def bench_day(
    patients: int = typer.Option(1500, "--patients", min=1, help="Synthetic patients (2030 scale: 1500)."),
    seed: int = typer.Option(1, "--seed"),
    time_limit: float = typer.Option(
        40.0, "--time-limit", min=0.1, help="Seconds of routing search per planning round."
    ),
    replan_time_limit: float = typer.Option(1.0, "--replan-time-limit", min=0.1),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Searches side by side (CPU cores)."),
    reference_time_limit: float | None = typer.Option(
        None,
        "--reference-time-limit",
        min=0.1,
        help="Also solve with this search limit (600 for a 10-minute run) and report the objective gap.",
    ),
    report: Path = typer.Option(Path("docs/benchmarks.md"), "--report", help="Markdown file to append to."),
) -> None:
    """Plan a synthetic Oslo day, validate it, time one urgent re-plan; print and append the KPIs."""
    from dataclasses import replace

    from hjemme.domain.tasks import TaskKind
    from hjemme.planning.changes import AddTask, apply_changes
    from hjemme.planning.kpis import plan_objective
    from hjemme.planning.repair import repair

    console = Console()
    began = time.perf_counter()
    problem = synthetic_day(patients, seed)
    tasks, resources, provider, lab = problem.tasks, problem.resources, problem.provider, problem.lab
    params = PlannerParams(time_limit_s=time_limit, seed=seed, search_workers=workers)
    plan = solve(problem, params)
    solve_s = time.perf_counter() - began
    objective = plan_objective(problem, plan, params)
    violations = validate_plan(plan, problem.tasks, problem.resources, provider, lab)
    mandatory_left = sum(1 for u in plan.unplanned if problem.task(u.task_id).mandatory)
    first_visit = next(t for t in problem.tasks if t.kind is TaskKind.VISIT)
    urgent = replace(
        first_visit,
        id=f"{first_visit.id}-URGENT",
        fixed_time=False,
        mandatory=True,
        before=(),
        preferred_staff_ids=(),
        excluded_staff_ids=(),
    )
    started = {s.task_id: (r.resource_id, s.start_min) for r in plan.routes for s in r.stops[:1] if s.task_id}
    began = time.perf_counter()
    changed = apply_changes(problem, [AddTask(urgent)])
    replanned = repair(
        changed, plan, started, PlannerParams(time_limit_s=replan_time_limit, seed=seed, rounds=1)
    )
    replan_s = time.perf_counter() - began
    replan_violations = validate_plan(replanned, changed.tasks, changed.resources, provider, lab)
    k = plan.kpis
    rows = [
        ("patients / tasks / resources", f"{patients} / {len(tasks)} / {len(resources)}"),
        ("solve seconds (search limit, workers)", f"{solve_s:.1f} ({time_limit:g} s, {workers})"),
        ("valid", "yes" if not violations else f"NO ({len(violations)} violations)"),
        (
            "planned / unplanned mandatory",
            f"{k.tasks_planned}/{k.tasks_total}, {mandatory_left} mandatory left",
        ),
        (
            "km / drive h / clinician drive h / CO2 kg",
            f"{k.km} / {k.drive_hours} / {k.clinician_drive_hours} / {k.co2_kg}",
        ),
        (
            "max sample age min / deliveries per patient",
            f"{k.max_sample_age_min} / {k.deliveries_per_patient}",
        ),
        (
            "replan (urgent visit) seconds, valid",
            f"{replan_s:.1f} ({replan_time_limit:g} s), {'yes' if not replan_violations else 'NO'}",
        ),
    ]
    rows.append(("objective (planner cost units)", f"{objective:,.0f}"))
    if reference_time_limit is not None:
        began = time.perf_counter()
        reference = solve(problem, replace(params, time_limit_s=reference_time_limit))
        reference_s = time.perf_counter() - began
        reference_objective = plan_objective(problem, reference, params)
        gap = 100.0 * (objective - reference_objective) / reference_objective if reference_objective else 0.0
        rows.append(
            (
                f"reference run ({reference_s:.0f} s): objective, gap of the timed plan",
                f"{reference_objective:,.0f}, {gap:+.2f} %",
            )
        )
    table = Table(title=f"Day planner, seed {seed}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
    for violation in violations[:20]:
        console.print(str(violation))
    machine = machine_description()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = (
        "\n".join(
            [f"### {when}, {machine}", "", "| measure | value |", "|---|---|"]
            + [f"| {n} | {v} |" for n, v in rows]
        )
        + "\n"
    )
    append_report(report, block, section="## Day planner")
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


bench_app.command("ingest")(bench_ingest_command)
bench_app.command("scenario-calibration")(bench_scenario_calibration)
bench_app.command("rota")(bench_rota_command)
bench_app.command("rota-teams")(bench_rota_teams_command)
bench_app.command("rota-generate")(bench_rota_generate_command)


@bench_app.command("api")
def bench_api(
    patients: int = typer.Option(300, "--patients", min=10, help="Demo patients to seed."),
    requests: int = typer.Option(1000, "--requests", min=1, max=100_000, help="Requests per run."),
    clients: list[int] = typer.Option([10, 50], "--clients", min=1, max=500, help="Concurrent clients."),
    plan_seconds: float = typer.Option(2.0, "--plan-seconds", min=0.1, max=600, help="Planner search."),
    report: Path = typer.Option(Path("docs/benchmarks.md"), "--report", help="Markdown file to append to."),
    no_append: bool = typer.Option(False, "--no-append", help="Only print the table."),
) -> None:
    """Plan and alarm-worklist reads against a real server at 10 and 50 clients (req/s, p50, p95)."""
    from hjemme.bench_api import SECTION, ApiBenchParams, markdown_block, run_api_bench
    from hjemme.bench_report import run_heading

    params = ApiBenchParams(patients=patients, requests=requests, clients=tuple(clients),
                            plan_seconds=plan_seconds)
    rows = run_api_bench(params, progress=lambda m: typer.echo(m, err=True))
    block = markdown_block(rows, run_heading(dt.datetime.now(dt.UTC), "hjemme bench api"), params)
    typer.echo(block)
    if not no_append:
        append_report(report, block, SECTION)
        typer.echo(f"appended to {report}", err=True)


def register(app: typer.Typer) -> None:
    """Add ``bench`` and ``validate`` to the main app (one line in ``cli/main.py``)."""
    app.add_typer(bench_app)
    app.command("validate")(validate_command)
