"""``hjemme tasks``: the day's work as JSON (for tools) or a table (for people)."""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections import Counter
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from hjemme.cli._common import CLI_PRINCIPAL, cli_errors, database, parse_date_option
from hjemme.domain.tasks import Task
from hjemme.domain.time import format_hhmm, local_date
from hjemme.services.patients import read_tasks, task_view


class OutputFormat(enum.StrEnum):
    JSON = "json"
    TABLE = "table"


def task_json(task: Task) -> dict[str, Any]:
    """The JSON object of one task: the API's full task view plus the staff preferences.

    The CLI is an operator's tool, so no need-to-know projection applies here.
    """
    return {
        **task_view(task),
        "preferred_staff": list(task.preferred_staff_ids),
        "excluded_staff": list(task.excluded_staff_ids),
    }


def tasks_command(
    date: str | None = typer.Option(
        None, "--date", callback=parse_date_option, help="Day to list (YYYY-MM-DD; default today)."
    ),
    output_format: OutputFormat = typer.Option(
        OutputFormat.TABLE, "--format", case_sensitive=False, help="json or table."
    ),
) -> None:
    """List the day's tasks: visits, video consultations, deliveries, pick-ups, samples, swaps."""
    on = date if isinstance(date, dt.date) else local_date(dt.datetime.now(dt.UTC))
    with cli_errors(), database() as engine:
        now = dt.datetime.now(dt.UTC)
        tasks = read_tasks(engine=engine, principal=CLI_PRINCIPAL, date=on, client=None, at=now)
    if output_format is OutputFormat.JSON:
        typer.echo(json.dumps([task_json(t) for t in tasks], ensure_ascii=False, indent=1))
        return
    table = Table(title=f"Tasks {on.isoformat()}")
    for column in ("id", "kind", "patient", "window", "min", "skill", "goods / sample"):
        table.add_column(column)
    for task in tasks:
        detail = ""
        if task.goods is not None:
            detail = f"{task.goods.volume_l:g} l, {task.goods.weight_kg:g} kg"
            detail += " cold" if task.goods.cold_chain else ""
            detail += " qualified" if task.goods.qualified_carrier else ""
        elif task.sample_type:
            detail = f"{task.sample_type} ({task.sample_stability_min} min)"
        table.add_row(
            task.id,
            task.kind.value,
            task.patient_id,
            f"{format_hhmm(task.window.start_min)}–{format_hhmm(task.window.end_min)}",
            str(task.duration_min),
            task.skill or "",
            detail,
        )
    console = Console()
    console.print(table)
    counts = Counter(t.kind.value for t in tasks)
    console.print(", ".join(f"{kind}: {n}" for kind, n in sorted(counts.items())) or "no tasks")
