"""``hjemme rota plan|check|edit|publish|replan|export|list|shifts|wish|withdraw-wish``: the staff
rota (issue 17), thin commands over :mod:`hjemme.services.rota`. A sick call is an absence
(``hjemme staff absent``) followed by ``hjemme rota replan``. Planning shows a Rich progress bar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from hjemme.cli._common import CLI_PRINCIPAL, cli_errors, database, parse_date_option
from hjemme.domain.rota import StaffWish
from hjemme.domain.time import local_date
from hjemme.errors import InputError
from hjemme.rota.problem import RotaParams
from hjemme.services import rota as service
from hjemme.services import rota_team as team_service

app = typer.Typer(
    name="rota", help="Staff rota: plan, check, edit, publish, re-plan, export.", no_args_is_help=True
)
LANG = typer.Option("nb", "--lang", help="nb or en (breach messages).")
COLOURS = {"D": "yellow", "E": "cyan", "N": "magenta"}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _monday_after(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=(7 - today.weekday()) % 7 or 7)


STAGES = {
    "demand": ("forecasting the demand", 10),
    "search": ("searching for the best rota", None),  # as long as the solver needs: a pulsing bar
    "store": ("checking and storing the draft", 95),
}


@contextmanager
def _progress(title: str) -> Iterator[Callable[[str], None]]:
    """A Rich progress bar on stderr that follows the service's stages."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(title, total=100)

        def step(stage: str) -> None:
            text, done = STAGES.get(stage, (stage, None))
            bar.update(
                task, description=f"{title}: {text}", total=None if done is None else 100, completed=done or 0
            )

        yield step
        bar.update(task, total=100, completed=100)


def _show(view: service.RotaView, language: str) -> None:
    """The grid a week at a time (a week fits an 80-column terminal; four did not), then the breaches."""
    rota = view.rota
    console = Console()
    console.print(
        f"[bold]{rota.team} · {rota.first_day} · v{rota.version} · {rota.status.value}[/]"
        + (f" · {rota.changed} changed" if rota.changed else "")
    )
    cover = view.cover()
    for week in range(0, rota.days, 7):
        days = range(week, min(week + 7, rota.days))
        dates = [rota.first_day + dt.timedelta(days=d) for d in days]
        table = Table()
        table.add_column("", no_wrap=True)
        for date in dates:
            table.add_column(date.strftime("%d.%m"), justify="center", no_wrap=True)
        for person in view.staff:
            cells = []
            for date in dates:
                code = rota.cells.get((person.id, date), "")
                cells.append(f"[{COLOURS.get(code, 'white')}]{code}[/]" if code else "·")
            table.add_row(person.name, *cells)
        for code in ("D", "E", "N"):
            row = []
            for d in days:
                have, cell = cover.get((d, code), (0, None))
                need = cell.total if cell else 0
                row.append(f"[{'red' if have < need else 'green'}]{have}/{need}[/]")
            table.add_row(f"{code} cover", *row)
        console.print(table)
    loads = view.loads()
    tolerance = view.problem.rules.contract_tolerance_pct
    table = Table("")
    for heading in ("hours", "contract", "nights", "weekends"):
        table.add_column(heading, justify="right")
    for person in view.staff:
        load = loads[person.id]
        colour = "red" if load.off_contract(tolerance) else "green"
        hours = f"[{colour}]{load.minutes / 60:.1f}[/]"
        contract = f"{load.target_minutes / 60:.1f}"
        table.add_row(person.name, hours, contract, str(load.nights), str(load.weekends))
    console.print(table)
    if view.previous is not None:
        changes = view.changes()
        console.print(f"{len(changes)} cell(s) differ from version {view.previous.version}")
        names = {s.id: s.name for s in view.staff}
        for (sid, date), (before, after) in changes.items():
            console.print(f"  {names.get(sid, sid)} {date}: {before or 'off'} → {after or 'off'}")
    times = (f"{s.code} {_hhmm(s.start_min)}–{_hhmm(s.end_min)}" for s in view.problem.shifts)
    console.print(" · ".join(times))
    hard = len(view.hard_breaches)
    console.print(f"{hard} broken rule(s), {len(view.breaches) - hard} warning(s)")
    for message, breach in zip(view.messages(language), view.breaches, strict=True):
        console.print(("[red]✗[/] " if breach.hard else "[yellow]![/] ") + message)


@app.command("plan")
def plan_command(
    team: str = typer.Option(..., "--team", help="The team (clinic id)."),
    first: str | None = typer.Option(
        None, "--from", callback=parse_date_option, help="First day (default next Monday)."
    ),
    weeks: int = typer.Option(4, "--weeks", help="2–8 weeks is usual (1–8 accepted)."),
    time_limit: float = typer.Option(20.0, "--time-limit", min=1, max=600, help="Solver seconds."),
    language: str = LANG,
) -> None:
    """Forecast the team's demand and plan a draft rota."""
    first_day = first if isinstance(first, dt.date) else _monday_after(local_date(_now()))
    with cli_errors(), database() as engine, _progress("Planning the rota") as step:
        view = service.plan_rota(
            engine=engine,
            principal=CLI_PRINCIPAL,
            team=team,
            first_day=first_day,
            weeks=weeks,
            now=_now(),
            params=RotaParams(time_limit_s=time_limit),
            progress=step,
        )
    typer.echo(f"Planned rota #{view.rota.id} (draft).")
    _show(view, language)


@app.command("check")
def check_command(rota_id: int = typer.Argument(...), language: str = LANG) -> None:
    """Show a rota with its cover and every breach; exit 1 when a rule is broken."""
    with cli_errors(), database() as engine:
        view = service.read_rota(engine=engine, principal=CLI_PRINCIPAL, rota_id=rota_id)
    _show(view, language)
    if view.hard_breaches:
        raise typer.Exit(1)


@app.command("edit")
def edit_command(
    rota_id: int = typer.Argument(...),
    staff_id: str = typer.Option(..., "--staff"),
    date: str = typer.Option(..., "--date", callback=parse_date_option),
    shift: str = typer.Option(..., "--shift", help="D, E, N or off."),
    lock: bool = typer.Option(False, "--lock", help="Lock the cell against re-planning."),
    language: str = LANG,
) -> None:
    """Set one cell (a published rota is copied into a new draft) and check at once."""
    edit = service.CellEdit(staff_id, date, None if shift.lower() == "off" else shift.upper(), lock)  # type: ignore[arg-type]
    with cli_errors(), database() as engine:
        view = service.edit_rota(
            engine=engine, principal=CLI_PRINCIPAL, rota_id=rota_id, edits=[edit], now=_now()
        )
    typer.echo(f"Rota #{view.rota.id} edited.")
    _show(view, language)


@app.command("publish")
def publish_command(rota_id: int = typer.Argument(...)) -> None:
    """Publish a draft that breaks no rule (it becomes what the day planner and the staff see)."""
    with cli_errors(), database() as engine:
        view = service.publish_rota(engine=engine, principal=CLI_PRINCIPAL, rota_id=rota_id, now=_now())
    typer.echo(f"Published rota #{view.rota.id} ({view.rota.team}, from {view.rota.first_day}).")


@app.command("replan")
def replan_command(
    rota_id: int = typer.Argument(...),
    time_limit: float = typer.Option(20.0, "--time-limit", min=1, max=600),
    language: str = LANG,
) -> None:
    """Re-plan after a sick call or new absence with as few changes to the others as possible."""
    with cli_errors(), database() as engine, _progress("Re-planning the rota") as step:
        view = service.replan_rota(
            engine=engine,
            principal=CLI_PRINCIPAL,
            rota_id=rota_id,
            now=_now(),
            params=RotaParams(time_limit_s=time_limit),
            progress=step,
        )
    typer.echo(f"Re-planned as draft #{view.rota.id}: {view.rota.changed} cell(s) changed.")
    _show(view, language)


@app.command("export")
def export_command(
    rota_id: int = typer.Argument(...),
    out: Path = typer.Option(..., "--out", help="The .xlsx file to write."),
    language: str = LANG,
) -> None:
    """Write the rota as an Excel workbook (formatted headers, coloured shifts, cover, breaches)."""
    with cli_errors(), database() as engine:
        data = service.export_rota_xlsx(
            engine=engine, principal=CLI_PRINCIPAL, rota_id=rota_id, language=language
        )
    out.write_bytes(data)
    typer.echo(f"Wrote {out}.")


@app.command("list")
def list_command(team: str | None = typer.Option(None, "--team")) -> None:
    """Every rota version, newest first."""
    with cli_errors(), database() as engine:
        rotas = service.list_rotas(engine=engine, principal=CLI_PRINCIPAL, team=team)
    for r in rotas:
        typer.echo(
            f"#{r.id}  {r.team}  {r.first_day}  {r.days} days  v{r.version}  {r.status.value}"
            + (f"  ({r.changed} changed)" if r.changed else "")
        )


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def _times(option: str, text: str) -> tuple[int, int]:
    start, sep, end = text.partition("-")
    try:
        if not sep:
            raise InputError(option, f"START-END as HH:MM-HH:MM, not {text!r}")
        return team_service.shift_times(option, start, end)
    except InputError as error:
        raise InputError(option, error.problem) from None


@app.command("shifts")
def shifts_command(
    team: str = typer.Option(..., "--team", help="The team (clinic id)."),
    day: str | None = typer.Option(None, "--day", help="Day shift as HH:MM-HH:MM."),
    evening: str | None = typer.Option(None, "--evening", help="Evening shift as HH:MM-HH:MM."),
    night: str | None = typer.Option(None, "--night", help="Night shift (ends next morning), HH:MM-HH:MM."),
    reset: bool = typer.Option(False, "--reset", help="Back to the default times."),
) -> None:
    """Show a team's shift times, or set them (the team's next rota uses them)."""
    given = {"D": ("day", day), "E": ("evening", evening), "N": ("night", night)}
    with cli_errors(), database() as engine:
        current = team_service.read_team_shifts(engine=engine, principal=CLI_PRINCIPAL, team=team)
        if reset or any(text for _, text in given.values()):
            times = {} if reset else {s.code: (s.start_min, s.end_min) for s in current}
            for code, (option, text) in given.items():
                if text:
                    times[code] = _times(option, text)
            current = team_service.set_team_shifts(
                engine=engine, principal=CLI_PRINCIPAL, team=team, times=times, now=_now()
            )
    for s in current:
        typer.echo(f"{s.code}  {_hhmm(s.start_min)}–{_hhmm(s.end_min)}  {s.minutes / 60:g} h")


@app.command("wish")
def wish_command(
    staff_id: str = typer.Option(..., "--staff"),
    date: str = typer.Option(..., "--date", callback=parse_date_option),
    kind: str = typer.Option(..., "--kind", help="day_off, shift_wanted or shift_not_wanted."),
    shift: str | None = typer.Option(None, "--shift", help="D, E or N (for a shift wish)."),
    weight: int = typer.Option(3, "--weight", help="1 (low) to 5 (high)."),
) -> None:
    """Record a staff wish; the team's next plan or re-plan weighs it."""
    wish = StaffWish(staff_id, date, kind, shift.upper() if shift else None, weight)  # type: ignore[arg-type]
    with cli_errors(), database() as engine:
        try:
            wish_id = team_service.add_wish(engine=engine, principal=CLI_PRINCIPAL, wish=wish, now=_now())
        except InputError as error:
            raise InputError("staff" if error.field == "staff_id" else error.field, error.problem) from None
    typer.echo(f"Wish #{wish_id} recorded.")


@app.command("withdraw-wish")
def withdraw_wish_command(wish_id: int = typer.Argument(...)) -> None:
    """Withdraw a staff wish."""
    with cli_errors(), database() as engine:
        wish = team_service.remove_wish(engine=engine, principal=CLI_PRINCIPAL, wish_id=wish_id, now=_now())
    typer.echo(f"Wish #{wish_id} of {wish.staff_id} for {wish.date} withdrawn.")
