"""``hjemme demo``: a ready-to-click installation — migrate, seed today, demo log-ins, order
suggestions, serve, with synthetic patients' devices sending measurements while the server runs."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from hjemme.cli._common import CLI_PRINCIPAL, at_least, cli_errors, database
from hjemme.cli.serve import require_keys, run_server, server_settings
from hjemme.domain.time import local_date
from hjemme.errors import HjemmeError
from hjemme.planning.params import PlannerParams
from hjemme.services.demo_stream import open_demo_stream
from hjemme.services.journal import plan_day
from hjemme.services.seeding import link_demo_clinician, prepare_demo
from hjemme.settings import Settings, with_demo_keys

if TYPE_CHECKING:
    from sqlalchemy import Engine


def demo_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    patients: int = typer.Option(300, "--patients", callback=at_least(1), help="Patients to seed if empty."),
    seed: int = typer.Option(
        2026, "--seed", callback=at_least(0), help="Random seed of the demo population."
    ),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Start the server afterwards."),
    plan_seconds: float = typer.Option(
        2.0, "--plan-seconds", min=0.1, max=600, help="Routing search seconds for today's plan."
    ),
    stream: bool | None = typer.Option(
        None,
        "--stream/--no-stream",
        help="Synthetic patients' devices send measurements while the server runs "
        "(default: HJEMME_DEMO_STREAM, on).",
    ),
) -> None:
    """Set up a demo database (var/hjemme.db by default) with log-ins for every role and serve it.

    "Today" is the date in Oslo, the same day the web pages open on. Keys not set in the
    environment are made once and kept in ``var/demo-keys.json`` (mode 0600).
    """
    console = Console()
    base = server_settings()
    settings = with_demo_keys(base, base.var_dir)
    require_keys(settings)
    today = local_date(dt.datetime.now(dt.UTC))
    with (
        cli_errors(),
        database() as engine,
        Progress(
            TextColumn("[bold]Seeding"),
            BarColumn(),
            MofNCompleteColumn(),
            console=Console(stderr=True),
            transient=True,
        ) as progress,
    ):
        task = progress.add_task("seed", total=None)
        result = prepare_demo(
            engine=engine,
            date=today,
            now=dt.datetime.now(dt.UTC),
            n_patients=patients,
            seed=seed,
            on_progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    if result.seeded is not None:
        # A fresh demo gets today's plan too, so every role has a page to see.
        with cli_errors(), database() as engine, Console(stderr=True).status("Planlegger dagen …"):
            outcome = plan_day(
                engine=engine,
                date=today,
                now=dt.datetime.now(dt.UTC),
                params=PlannerParams(time_limit_s=plan_seconds, seed=seed),
                principal=CLI_PRINCIPAL,
            )
            link_demo_clinician(engine=engine, plan=outcome.plan)
        console.print(
            f"Seeded {result.seeded.patients} patients, {result.seeded.staff} staff and "
            f"{result.seeded.vehicles} vehicles for {result.seeded.date.isoformat()}; "
            f"planned {outcome.plan.kpis.tasks_planned} of {outcome.plan.kpis.tasks_total} tasks."
        )
    else:
        console.print("The database already holds a population; left as it is.")
    table = Table(title="Demo log-ins")
    for column in ("user", "role", "password"):
        table.add_column(column)
    for login in result.logins:
        table.add_row(login.username, login.role.value, login.password or "(unchanged)")
    console.print(table)
    console.print(
        f"{result.order_suggestions} order suggestions for the coming week wait for the logistics role "
        "(/logistics/orders)."
    )
    console.print(f"Open http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    if not serve:
        return
    if not (settings.demo_stream if stream is None else stream):
        run_server(host, port, settings)
        return
    with database() as engine:
        run_with_device_stream(engine, host, port, settings, seed=seed, console=console)


def run_with_device_stream(
    engine: Engine, host: str, port: int, settings: Settings, *, seed: int, console: Console
) -> None:
    """Serve while the demo's synthetic devices send measurements; the stream stops with the server."""
    now = dt.datetime.now(dt.UTC)
    try:
        device_stream = open_demo_stream(
            engine=engine,
            mqtt_url=settings.mqtt_url,
            work_dir=settings.var_dir,
            date=local_date(now),
            origin=now,
            seed=seed,
        )
    except (HjemmeError, OSError) as error:  # the demo still serves; it just has no devices
        console.print(f"Device stream not started: {error}")
        run_server(host, port, settings)
        return
    mode = device_stream.start()
    patients = len(device_stream.stream.patient_ids)
    if mode == "mqtt":
        console.print(
            f"Device stream: {patients} patients' devices publish to {settings.mqtt_url}; "
            "hjemme's MQTT ingest stores them (alarms within a minute). --no-stream to turn off."
        )
    else:
        console.print(
            f"Device stream: no MQTT broker at {settings.mqtt_url}; {patients} patients' "
            "measurements go in through the CSV ingest (alarms within a minute). --no-stream to turn off."
        )
    try:
        run_server(host, port, settings)
    finally:
        device_stream.stop()
