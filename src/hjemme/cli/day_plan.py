"""``hjemme plan`` and ``hjemme replan``: plan a day from the database, or change today's plan."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from hjemme.cli._common import CLI_PRINCIPAL, cli_errors, database, parse_date_option
from hjemme.domain.time import at_local, parse_hhmm
from hjemme.planning.params import PlannerParams
from hjemme.planning.plan_json import plan_to_json
from hjemme.services.planning import PlanOutcome, ReplanRequest, plan_day, replan_day, stored_problem
from hjemme.settings import get_settings

_err = Console(stderr=True)


def plan_command(
    date: str = typer.Option(..., "--date", callback=parse_date_option, help="The day, YYYY-MM-DD."),
    time_limit: float = typer.Option(
        10.0, "--time-limit", min=0.1, max=3600, help="Seconds of routing search per planning round."
    ),
    seed: int = typer.Option(0, "--seed", min=0, help="Seed of the search."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Searches side by side (CPU cores)."),
    out: Path | None = typer.Option(None, "--out", help="Also write the plan JSON here."),
    problem_out: Path | None = typer.Option(
        None, "--problem-out", help="Also write the planning input (for hjemme validate --problem)."
    ),
) -> None:
    """Plan the day: routes for clinicians, vans and couriers; stored as the date's next version."""
    day: dt.date = date  # type: ignore[assignment]  # converted by parse_date_option
    with cli_errors(), database() as engine, _err.status(f"Planlegger {day} …"):
        outcome = plan_day(
            engine=engine,
            date=day,
            now=dt.datetime.now(dt.UTC),
            params=PlannerParams(time_limit_s=time_limit, seed=seed, search_workers=workers),
            provider_name=get_settings().travel_time_provider,
            principal=CLI_PRINCIPAL,
        )
        if problem_out is not None:
            _, problem = stored_problem(engine=engine, date=day)
            problem_out.write_text(json.dumps(problem, ensure_ascii=False, indent=1), encoding="utf-8")
    _finish(outcome, out)


def replan_command(
    date: str = typer.Option(..., "--date", callback=parse_date_option, help="The day, YYYY-MM-DD."),
    add_urgent: str | None = typer.Option(None, "--add-urgent", help="Patient id needing an urgent visit."),
    cancel: str | None = typer.Option(None, "--cancel", help="Task id that will not happen."),
    absent: str | None = typer.Option(None, "--absent", help="Staff id off sick today."),
    pin: list[str] = typer.Option([], "--pin", help="Task id to keep where it is (repeatable)."),
    at: str | None = typer.Option(
        None, "--now", help="Oslo clock time HH:MM of the change (default: now); stops begun by then stay."
    ),
    time_limit: float = typer.Option(0.5, "--time-limit", min=0.1, max=600, help="Search seconds."),
    out: Path | None = typer.Option(None, "--out", help="Also write the new plan JSON here."),
) -> None:
    """Change the latest plan of a day and plan again, keeping confirmed and started stops pinned."""
    day: dt.date = date  # type: ignore[assignment]
    now = dt.datetime.now(dt.UTC)
    if at is not None:
        try:
            minute = parse_hhmm(at)
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--now") from None
        now = at_local(day, minute)
    with cli_errors():
        request = ReplanRequest(add_urgent_patient=add_urgent, cancel_task=cancel, absent_staff=absent)
        with database() as engine, _err.status(f"Planlegger {day} på nytt …"):
            outcome = replan_day(
                engine=engine,
                date=day,
                request=request,
                now=now,
                extra_pins=pin,
                params=PlannerParams(time_limit_s=time_limit),
                provider_name=get_settings().travel_time_provider,
                principal=CLI_PRINCIPAL,
            )
    _finish(outcome, out)


def _finish(outcome: PlanOutcome, out: Path | None) -> None:
    plan = outcome.plan
    if out is not None:
        out.write_text(json.dumps(plan_to_json(plan), ensure_ascii=False, indent=1), encoding="utf-8")
    k = plan.kpis
    table = Table(title=f"Plan {plan.date} v{outcome.version} (validated)")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    for name, value in (
        ("tasks planned", f"{k.tasks_planned} / {k.tasks_total}"),
        ("routes", str(len(plan.routes))),
        ("km", f"{k.km:.1f}"),
        ("drive hours (clinicians)", f"{k.drive_hours:.1f} ({k.clinician_drive_hours:.1f})"),
        ("CO2 kg", f"{k.co2_kg:.1f}"),
        ("max sample age min", str(k.max_sample_age_min)),
        ("deliveries per patient", f"{k.deliveries_per_patient:.2f}"),
        ("solve seconds", f"{k.solve_seconds:.1f}"),
    ):
        table.add_row(name, value)
    Console().print(table)
    for item in plan.unplanned:
        Console().print(f"[yellow]ikke planlagt[/] {item.task_id}: {item.reason}")
