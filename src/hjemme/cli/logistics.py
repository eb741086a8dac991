"""Command line for logistics (issue 6): ``hjemme orders suggest``, ``hjemme stock``,
``hjemme devices due``.

Registered in ``cli/main.py`` with one ``app.add_typer(logistics.app)`` line; this Typer has no
name, so ``orders``, ``stock`` and ``devices`` appear at the top level. Everything goes through
:mod:`hjemme.services.logistics`. Bad input exits with status 2 naming the option.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from hjemme.cli._common import at_least, cli_errors, database, parse_date_option
from hjemme.domain.time import local_date
from hjemme.logistics.sourcing import DeliveryModel
from hjemme.services import logistics as service

app = typer.Typer(add_completion=False)
orders_app = typer.Typer(name="orders", help="Bestillingsforslag fra pasientforløpene.", no_args_is_help=True)
devices_app = typer.Typer(name="devices", help="Medisinsk-teknisk utstyr (MTU).", no_args_is_help=True)
app.add_typer(orders_app)
app.add_typer(devices_app)


class OutputFormat(enum.StrEnum):
    JSON = "json"
    TABLE = "table"


def _day(value: dt.date | str | None) -> dt.date:
    return value if isinstance(value, dt.date) else local_date(dt.datetime.now(dt.UTC))


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _print(rows: list[dict[str, Any]], output_format: OutputFormat, title: str) -> None:
    if output_format is OutputFormat.JSON:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    table = Table(title=title)
    columns = list(rows[0]) if rows else []
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if row[c] is None else str(row[c]) for c in columns))
    Console().print(table if rows else f"{title}: ingen rader")


@orders_app.command("suggest")
def orders_suggest(
    date: str | None = typer.Option(
        None, "--date", callback=parse_date_option, help="Første dag (YYYY-MM-DD)."
    ),
    horizon: int = typer.Option(7, "--horizon", callback=at_least(1), help="Antall dager fremover."),
    model: DeliveryModel = typer.Option(
        DeliveryModel.ALT1, "--model", case_sensitive=False, help="Leveransemodell: alt1, alt2 eller alt3."
    ),
    output_format: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", case_sensitive=False),
) -> None:
    """Foreslå bestillingslinjer for alle aktive pasienter i horisonten og lagre dem."""
    with cli_errors(), database() as engine:
        result = service.suggest_orders(engine=engine, date=_day(date), horizon_days=horizon, model=model)
    rows = [
        {
            "id": line.id,
            "patient": line.patient_id,
            "product": line.product_id,
            "quantity": line.quantity,
            "needed_by": line.needed_by.isoformat(),
            "delivery_date": line.delivery_date.isoformat(),
            "source": line.source_site_id,
            "delivery": line.delivery_id,
            "status": line.status.value,
        }
        for line in result.lines
    ]
    _print(rows, output_format, f"Bestillingsforslag {_day(date).isoformat()} + {horizon} d ({model.value})")


@app.command("stock")
def stock(
    location: str | None = typer.Option(None, "--location", help="Lagersted, f.eks. logistics_centre."),
    date: str | None = typer.Option(None, "--date", callback=parse_date_option, help="Dato for utløp."),
    output_format: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", case_sensitive=False),
) -> None:
    """Vis beholdning per lagersted og produkt (brukbar og utløpt), utledet fra bevegelsene."""
    with cli_errors(), database() as engine:
        levels = service.stock_levels(engine=engine, on=_day(date), location=location)
    rows = [
        {
            "location": s.location,
            "product": s.product_id,
            "on_hand": s.on_hand,
            "usable": s.usable,
            "expired": s.expired,
            "next_expiry": _iso(s.next_expiry),
        }
        for s in levels
    ]
    _print(rows, output_format, "Beholdning")


@devices_app.command("due")
def devices_due(
    within: int = typer.Option(14, "--within", callback=at_least(0), help="Dager frem i tid."),
    date: str | None = typer.Option(None, "--date", callback=parse_date_option, help="Dagens dato."),
    output_format: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", case_sensitive=False),
) -> None:
    """Vis utstyr som skal på service innen gitt antall dager, og hvor det er."""
    with cli_errors(), database() as engine:
        dues = service.devices_due(engine=engine, within_days=within, today=_day(date))
    rows = [
        {
            "serial": d.serial,
            "device_type": d.device_type_id,
            "status": d.status.value,
            "location_kind": d.location_kind.value,
            "location": d.location_id,
            "patient": d.patient_id,
            "due_date": d.due_date.isoformat(),
            "reason": d.reason,
            "days_left": d.days_left,
        }
        for d in dues
    ]
    _print(rows, output_format, f"Utstyr til service innen {within} dager")
