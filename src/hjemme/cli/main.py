"""The ``hjemme`` command line: one Typer app, one module per command group."""

from __future__ import annotations

import typer

from hjemme import __version__
from hjemme.cli import (
    backup,
    care,
    day_plan,
    demo,
    export,
    logistics,
    monitoring,
    registers,
    rota,
    scenario,
    seed,
    serve,
    tasks,
    users,
)
from hjemme.cli.plan import register as register_plan_commands

app = typer.Typer(
    name="hjemme",
    help="Planning and decision support for hospital at home (OUS Hjemme).",
    no_args_is_help=True,
    add_completion=False,
)


@app.callback()
def _root() -> None:
    """Planning and decision support for hospital at home (OUS Hjemme)."""


@app.command()
def version() -> None:
    """Print the installed version."""
    typer.echo(__version__)


app.add_typer(monitoring.app)
app.add_typer(logistics.app)
app.command("seed")(seed.seed_command)
app.command("tasks")(tasks.tasks_command)
app.add_typer(users.app, name="user")
app.command("serve")(serve.serve_command)
app.command("demo")(demo.demo_command)
app.add_typer(scenario.app)
app.add_typer(care.app)
app.add_typer(export.app)
register_plan_commands(app)
app.add_typer(day_plan.app)
app.add_typer(rota.app)
app.command("replan")(day_plan.replan_command)
app.command("backup")(backup.backup_command)
app.command("restore")(backup.restore_command)
app.add_typer(registers.patient_app, name="patient")
app.add_typer(registers.staff_app, name="staff")
app.add_typer(registers.vehicle_app, name="vehicle")
app.add_typer(registers.import_app, name="import")
users.app.command("link")(registers.user_link_command)


def main() -> None:
    app()
