"""``hjemme seed``: fill the database with a synthetic Oslo population."""

from __future__ import annotations

import datetime as dt

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from hjemme.cli._common import at_least, cli_errors, database, parse_date_option
from hjemme.domain.time import local_date
from hjemme.services.seeding import seed_population


def seed_command(
    patients: int = typer.Option(
        ..., "--patients", callback=at_least(1), help="Number of patients to create."
    ),
    seed: int = typer.Option(
        1, "--seed", callback=at_least(0), help="Random seed: the same seed gives the same data."
    ),
    date: str | None = typer.Option(
        None,
        "--date",
        callback=parse_date_option,
        help="Day the enrolments are active (YYYY-MM-DD; default today).",
    ),
    reset: bool = typer.Option(False, "--reset", help="Replace an existing population."),
) -> None:
    """Seed a synthetic population: patients, enrolments, staff roster and vehicles."""
    on = date if isinstance(date, dt.date) else local_date(dt.datetime.now(dt.UTC))
    console = Console(stderr=True)
    with (
        cli_errors(),
        database() as engine,
        Progress(
            TextColumn("[bold]Seeding"), BarColumn(), MofNCompleteColumn(), console=console, transient=True
        ) as progress,
    ):
        task = progress.add_task("seed", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = seed_population(
            engine=engine, n_patients=patients, seed=seed, date=on, reset=reset, on_progress=on_progress
        )
    typer.echo(
        f"Seeded {result.patients} patients ({result.enrolments} enrolments active on "
        f"{result.date.isoformat()}), {result.staff} staff, {result.vehicles} vehicles, "
        f"{result.stock_lots} stock lots and {result.devices} devices with seed {result.seed}."
    )
