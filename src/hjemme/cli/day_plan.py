"""``hjemme plan`` and ``hjemme replan``: plan a day, change it through its journal, and read what
changed (``hjemme plan journal|diff|restore|mark``). Every write goes through
:mod:`hjemme.services.journal`, like the API's and the web's.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from hjemme.cli._common import CLI_PRINCIPAL, cli_errors, database, parse_date_option
from hjemme.domain.journal import EntryKind
from hjemme.domain.time import HOSPITAL_TZ, MINUTES_PER_DAY, at_local, format_hhmm, format_local, parse_hhmm
from hjemme.planning.params import PlannerParams
from hjemme.planning.plan_json import plan_to_json
from hjemme.services import journal
from hjemme.services.journal import ChangeOutcome, DayChange, describe_entry
from hjemme.services.planning import plan_diff, read_journal, stored_problem
from hjemme.settings import get_settings

_err = Console(stderr=True)

app = typer.Typer(name="plan", help="Plan a day, and read and undo its changes.", invoke_without_command=True)


@app.callback()
def plan_command(
    ctx: typer.Context,
    date: str | None = typer.Option(None, "--date", callback=parse_date_option, help="The day, YYYY-MM-DD."),
    time_limit: float = typer.Option(
        10.0, "--time-limit", min=0.1, max=3600, help="Seconds of routing search per planning round."
    ),
    seed: int = typer.Option(0, "--seed", min=0, max=2**32 - 1, help="Seed of the search."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Searches side by side (CPU cores)."),
    out: Path | None = typer.Option(None, "--out", help="Also write the plan JSON here."),
    problem_out: Path | None = typer.Option(
        None, "--problem-out", help="Also write the planning input (for hjemme validate --problem)."
    ),
    reason: str = typer.Option("", "--reason", help="Why (kept in the day's journal)."),
) -> None:
    """Plan the whole day (stored as the next version). Every change in the day's journal is
    re-applied and started, done and past stops are kept; an existing plan is improved, not replaced."""
    if ctx.invoked_subcommand is not None:
        return
    if date is None:
        raise typer.BadParameter("give the day to plan", param_hint="--date")
    day: dt.date = date  # type: ignore[assignment]  # converted by parse_date_option
    with cli_errors(), database() as engine, _err.status(f"Planlegger {day} …"):
        outcome = journal.plan_day(
            engine=engine,
            principal=CLI_PRINCIPAL,
            date=day,
            now=dt.datetime.now(dt.UTC),
            params=journal.configured(
                PlannerParams(time_limit_s=time_limit, seed=seed, search_workers=workers), get_settings()
            ),
            provider_name=get_settings().travel_time_provider,
            reason=reason,
        )
        if problem_out is not None:
            _, problem = stored_problem(engine=engine, date=day)
            problem_out.write_text(json.dumps(problem, ensure_ascii=False, indent=1), encoding="utf-8")
    _finish(outcome, out)


def _day(value: str | None) -> dt.date:
    return value  # type: ignore[return-value]  # converted by parse_date_option


@app.command("journal")
def journal_command(
    date: str = typer.Option(..., "--date", callback=parse_date_option, help="The day, YYYY-MM-DD."),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of a table."),
) -> None:
    """The day's journal: who changed what, when (Oslo time), why, and which version it made."""
    with cli_errors(), database() as engine:
        entries = read_journal(engine=engine, principal=CLI_PRINCIPAL, date=_day(date))
    if as_json:
        rows = [
            {
                "seq": e.seq,
                "kind": e.kind,
                "user": e.username,
                "role": e.role,
                "at": e.at.astimezone(HOSPITAL_TZ).isoformat(timespec="seconds"),
                "reason": e.reason,
                "base_version": e.base_version,
                "result_version": e.result_version,
                "reverted_by": e.reverted_by,
                "payload": {k: v for k, v in e.payload.items() if k != "task_json"},
            }
            for e in entries
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    table = Table(title=f"Journal {_day(date)}")
    for column in ("#", "kl.", "endring", "grunn", "versjon"):
        table.add_column(column)
    for e in entries:
        undone = " (angret)" if e.reverted_by else ""
        table.add_row(
            str(e.seq),
            format_local(e.at, "nb"),
            describe_entry(e, "nb").split(" ", 2)[2] + undone,
            e.reason,
            f"v{e.base_version} → v{e.result_version}",
        )
    Console().print(table)


@app.command("diff")
def diff_command(
    date: str = typer.Option(..., "--date", callback=parse_date_option, help="The day, YYYY-MM-DD."),
    from_version: int = typer.Option(..., "--from", min=1, help="The earlier version."),
    to_version: int = typer.Option(..., "--to", min=1, help="The later version."),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of a table."),
) -> None:
    """What changed between two versions, per person and vehicle."""
    with cli_errors(), database() as engine:
        diff = plan_diff(
            engine=engine,
            principal=CLI_PRINCIPAL,
            date=_day(date),
            from_version=from_version,
            to_version=to_version,
        ).to_json()
    if as_json:
        typer.echo(json.dumps(diff, ensure_ascii=False, indent=1))
        return
    table = Table(title=f"Endringer {_day(date)} v{from_version} → v{to_version}")
    for column in ("ressurs", "endring", "oppgave", "detalj"):
        table.add_column(column, overflow="fold")
    for change in diff["resources"]:
        resource_id = change["resource_id"]
        for task in change["added"]:
            table.add_row(resource_id, "lagt til", task, "")
        for task in change["removed"]:
            table.add_row(resource_id, "fjernet", task, "")
        for x in change["reassigned_in"]:
            table.add_row(resource_id, "overtatt", x["task_id"], f"fra {x['from']}")
        for x in change["reassigned_out"]:
            table.add_row(resource_id, "gitt bort", x["task_id"], f"til {x['to']}")
        for x in change["moved"]:
            shift = f"{format_hhmm(x['old_start_min'])} → {format_hhmm(x['new_start_min'])}"
            table.add_row(resource_id, "ny tid", x["task_id"], shift)
    Console().print(table)


@app.command("restore")
def restore_command(
    date: str = typer.Option(..., "--date", callback=parse_date_option, help="The day, YYYY-MM-DD."),
    version: int = typer.Option(..., "--version", min=1, help="The earlier version to store again."),
    reason: str = typer.Option("", "--reason", help="Why (kept in the day's journal)."),
) -> None:
    """Undo: store an earlier version as the newest; the changes after it are marked as undone."""
    with cli_errors(), database() as engine:
        outcome = journal.restore_version(
            engine=engine,
            principal=CLI_PRINCIPAL,
            date=_day(date),
            version=version,
            now=dt.datetime.now(dt.UTC),
            provider_name=get_settings().travel_time_provider,
            reason=reason,
        )
    _finish(outcome, None)


@app.command("mark")
def mark_command(
    task: str = typer.Argument(..., help="The task id."),
    date: str = typer.Option(..., "--date", callback=parse_date_option, help="The day, YYYY-MM-DD."),
    status: str = typer.Option(
        ..., "--status", help="confirmed, started, done, not_done, delivered or sample_handed_in."
    ),
    reason: str = typer.Option("", "--reason", help="Why (e.g. why a visit was not done)."),
) -> None:
    """Record that a task is confirmed, started, done …; re-planning never moves it again."""
    kinds = {k.value for k in journal.STATUS_MARKS}
    if status not in kinds:
        raise typer.BadParameter(
            f"{status!r} is not one of {', '.join(sorted(kinds))}", param_hint="--status"
        )
    with cli_errors(), database() as engine:
        journal.change_day(
            engine=engine,
            principal=CLI_PRINCIPAL,
            date=_day(date),
            change=DayChange(EntryKind(status), task_id=task, reason=reason),
            now=dt.datetime.now(dt.UTC),
        )
    _err.print(f"{task}: {status}")


def replan_command(
    date: str = typer.Option(..., "--date", callback=parse_date_option, help="The day, YYYY-MM-DD."),
    add_urgent: str | None = typer.Option(None, "--add-urgent", help="Patient id needing an urgent visit."),
    cancel: str | None = typer.Option(None, "--cancel", help="Task id that will not happen."),
    absent: str | None = typer.Option(None, "--absent", help="Staff id away (see --from/--to)."),
    vehicle_out: str | None = typer.Option(None, "--vehicle-out", help="Vehicle id out of service."),
    move: str | None = typer.Option(None, "--move", help="Task id to move (with --to-resource, --start)."),
    to_resource: str | None = typer.Option(None, "--to-resource", help="Where a moved task goes."),
    start: str | None = typer.Option(None, "--start", help="New start HH:MM of a moved task."),
    away_from: str | None = typer.Option(None, "--from", help="Absence from HH:MM (default: all day)."),
    away_to: str | None = typer.Option(None, "--to", help="Absence until HH:MM (default: end of day)."),
    at: str | None = typer.Option(
        None, "--now", help="Oslo clock time HH:MM of the change (default: now); stops begun by then stay."
    ),
    expected: int | None = typer.Option(None, "--expected-version", min=1, help="The version you saw."),
    reason: str = typer.Option("", "--reason", help="Why (kept in the day's journal)."),
    time_limit: float = typer.Option(0.5, "--time-limit", min=0.1, max=600, help="Search seconds."),
    out: Path | None = typer.Option(None, "--out", help="Also write the new plan JSON here."),
) -> None:
    """Change the latest plan of a day through its journal: only the affected routes are repaired,
    started, done and soon-starting stops stay where they are."""
    day = _day(date)
    given = [
        (k, v)
        for k, v in (
            ("--add-urgent", add_urgent),
            ("--cancel", cancel),
            ("--absent", absent),
            ("--vehicle-out", vehicle_out),
            ("--move", move),
        )
        if v
    ]
    if len(given) != 1:
        raise typer.BadParameter(
            "give exactly one of --add-urgent, --cancel, --absent, --vehicle-out, --move",
            param_hint="--add-urgent",
        )
    now = dt.datetime.now(dt.UTC) if at is None else at_local(day, _hhmm(at, "--now"))
    with cli_errors():
        change = DayChange(
            kind={
                "--add-urgent": EntryKind.URGENT_VISIT,
                "--cancel": EntryKind.CANCELLED,
                "--absent": EntryKind.ABSENT,
                "--vehicle-out": EntryKind.VEHICLE_OUT,
                "--move": EntryKind.MOVED,
            }[given[0][0]],
            patient_id=add_urgent,
            task_id=cancel or move,
            staff_id=absent,
            vehicle_id=vehicle_out,
            resource_id=to_resource,
            start_min=None if start is None else _hhmm(start, "--start"),
            from_min=0 if away_from is None else _hhmm(away_from, "--from"),
            to_min=MINUTES_PER_DAY if away_to is None else _hhmm(away_to, "--to"),
            reason=reason,
        )
        with database() as engine, _err.status(f"Endrer planen for {day} …"):
            outcome = journal.change_day(
                engine=engine,
                principal=CLI_PRINCIPAL,
                date=day,
                change=change,
                now=now,
                expected_version=expected,
                params=PlannerParams(time_limit_s=time_limit, rounds=1),
                provider_name=get_settings().travel_time_provider,
            )
    _finish(outcome, out)


def _hhmm(value: str, option: str) -> int:
    try:
        return parse_hhmm(value)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint=option) from None


def _finish(outcome: ChangeOutcome, out: Path | None) -> None:
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
    if outcome.task_id is not None:
        place = next(
            (
                (r.resource_id, s.start_min)
                for r in plan.routes
                for s in r.stops
                if s.task_id == outcome.task_id
            ),
            None,
        )
        where = f"{place[0]} kl. {format_hhmm(place[1])}" if place else "ikke plassert"
        Console().print(f"akuttbesøk {outcome.task_id}: {where}")
    for item in plan.unplanned:
        Console().print(f"[yellow]ikke planlagt[/] {item.task_id}: {item.reason}")
