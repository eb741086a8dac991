"""Command line for logistics (issue 6): ``hjemme orders suggest|accept|reject``, ``hjemme stock``,
``hjemme devices due``, ``hjemme loads`` and ``hjemme purchase-orders``.

Registered in ``cli/main.py`` with one ``app.add_typer(logistics.app)`` line; this Typer has no
name, so ``orders``, ``stock``, ``devices``, ``loads`` and ``purchase-orders`` appear at the top
level. Everything goes through :mod:`hjemme.services.logistics`. Bad input exits with status 2
naming the option.

Whoever can run the command line holds the database credentials, so it acts as
:data:`CLI_PRINCIPAL` (user ``cli``, role admin): every patient shown or changed here is
access-logged as user ``cli``.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from hjemme.api.schemas.logistics import PurchaseOrdersRead
from hjemme.cli._common import CLI_PRINCIPAL, at_least, cli_errors, database, parse_date_option
from hjemme.domain.time import local_date
from hjemme.errors import InputError
from hjemme.logistics.orders import OrderLine
from hjemme.logistics.sourcing import DeliveryModel
from hjemme.services import logistics as service

"""The command line's caller in the access log."""
CLI_OPTION = {"line_ids": "LINE_ID", "delivery_date": "delivery-date", "within_days": "within"}
"""Service field names → the option (or argument) that carries them here."""

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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextmanager
def _named_options() -> Iterator[None]:
    """Re-raise a service's ``InputError`` under the option name the user typed."""
    try:
        yield
    except InputError as error:
        if error.field in CLI_OPTION:
            raise InputError(CLI_OPTION[error.field], error.problem) from None
        raise


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


def _line_row(line: OrderLine) -> dict[str, Any]:
    """An order line as printed: no enrolment or pathway (need-to-know for logistics)."""
    return {
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


def _per_line(values: list[str], option: str, parse: Any) -> dict[str, Any]:
    """``LINE=VALUE`` pairs of a repeated option, each value parsed; bad ones name the option."""
    parsed: dict[str, Any] = {}
    for item in values:
        line_id, sep, raw = item.rpartition("=")
        if not sep or not line_id or not raw:
            raise typer.BadParameter(f"{item!r} is not LINE_ID=VALUE", param_hint=option)
        try:
            parsed[line_id] = parse(raw.strip())
        except ValueError:
            raise typer.BadParameter(f"{raw!r} in {item!r} is not valid", param_hint=option) from None
    return parsed


def _quantity(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError(raw)
    return value


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
        result = service.suggest_orders(
            engine=engine,
            principal=CLI_PRINCIPAL,
            client=None,
            at=_now(),
            date=_day(date),
            horizon_days=horizon,
            model=model,
        )
    rows = [_line_row(line) for line in result.lines]
    _print(rows, output_format, f"Bestillingsforslag {_day(date).isoformat()} + {horizon} d ({model.value})")


@orders_app.command("accept")
def orders_accept(
    line_ids: list[str] = typer.Argument(..., metavar="LINE_ID", help="Ordrelinjer som godkjennes."),
    quantity: list[str] = typer.Option(
        [], "--quantity", help="Endret antall for en linje: LINE_ID=N (kan gjentas)."
    ),
    delivery_date: list[str] = typer.Option(
        [], "--delivery-date", help="Endret leveringsdato for en linje: LINE_ID=YYYY-MM-DD (kan gjentas)."
    ),
    output_format: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", case_sensitive=False),
) -> None:
    """Godkjenn foreslåtte ordrelinjer (med endret antall eller leveringsdato); alt eller ingenting."""
    quantities = _per_line(quantity, "--quantity", _quantity)
    dates = _per_line(delivery_date, "--delivery-date", dt.date.fromisoformat)
    with cli_errors(), _named_options(), database() as engine:
        lines = service.accept_order_lines(
            engine=engine,
            principal=CLI_PRINCIPAL,
            client=None,
            at=_now(),
            line_ids=line_ids,
            quantities=quantities,
            delivery_dates=dates,
        )
    _print([_line_row(line) for line in lines], output_format, "Godkjente ordrelinjer")


@orders_app.command("reject")
def orders_reject(
    line_ids: list[str] = typer.Argument(..., metavar="LINE_ID", help="Ordrelinjer som avvises."),
    output_format: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", case_sensitive=False),
) -> None:
    """Avvis ordrelinjer: de leveres ikke, og et nytt forslag gjenoppliver dem ikke."""
    with cli_errors(), _named_options(), database() as engine:
        lines = service.reject_order_lines(
            engine=engine, principal=CLI_PRINCIPAL, client=None, at=_now(), line_ids=line_ids
        )
    _print([_line_row(line) for line in lines], output_format, "Avviste ordrelinjer")


@app.command("stock")
def stock(
    location: str | None = typer.Option(None, "--location", help="Lagersted, f.eks. logistics_centre."),
    date: str | None = typer.Option(None, "--date", callback=parse_date_option, help="Dato for utløp."),
    output_format: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", case_sensitive=False),
    low: bool = typer.Option(False, "--low", help="Bare produkter under bestillingspunktet (sentrallager)."),
) -> None:
    """Vis beholdning per lagersted og produkt (brukbar og utløpt), utledet fra bevegelsene."""
    if low:
        with cli_errors(), database() as engine:
            found = service.low_stock_list(
                engine=engine, principal=CLI_PRINCIPAL, client=None, at=_now(), on=_day(date)
            )
        rows = [
            {
                "product": x.product_id,
                "usable": x.usable,
                "reorder_point": x.reorder_point,
                "shortfall": x.shortfall,
            }
            for x in found
        ]
        _print(rows, output_format, "Under bestillingspunktet")
        return
    with cli_errors(), database() as engine:
        levels = service.stock_levels(
            engine=engine, principal=CLI_PRINCIPAL, client=None, at=_now(), on=_day(date), location=location
        )
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
        dues = service.devices_due(
            engine=engine,
            principal=CLI_PRINCIPAL,
            client=None,
            at=_now(),
            within_days=within,
            today=_day(date),
        )
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


@app.command("loads")
def loads(
    date: str | None = typer.Option(None, "--date", callback=parse_date_option, help="Planens dag."),
    output_format: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", case_sensitive=False),
) -> None:
    """Vis bilenes lasting (omvendt stopprekkefølge) og plukkliste med partier (FEFO) for dagens plan."""
    with cli_errors(), database() as engine:
        result = service.pick_lists(
            engine=engine, principal=CLI_PRINCIPAL, client=None, at=_now(), date=_day(date)
        )
    data = loads_json(result)
    if output_format is OutputFormat.JSON:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    load_rows = [
        {"resource": load["resource"], "vehicle": load["vehicle"], **item, "lines": _goods(item["lines"])}
        for load in data["loads"]
        for item in load["items"]
    ]
    _print(
        load_rows, output_format, f"Lasting {data['date']} (plan v{data['version']}), posisjon 1 lastes først"
    )
    _print(data["picks"], output_format, f"Plukkliste fra {data['warehouse']}")
    if data["shortages"]:
        _print(data["shortages"], output_format, "Mangler")


def _goods(lines: list[dict[str, Any]]) -> str:
    return ", ".join(f"{line['quantity']} × {line['product']}" for line in lines)


def loads_json(result: service.PlanLoads) -> dict[str, Any]:
    """The van loads and pick list as printed by ``--format json`` (and served by the API)."""
    return {
        "date": result.date.isoformat(),
        "version": result.version,
        "warehouse": result.warehouse,
        "loads": [
            {
                "resource": load.resource_id,
                "vehicle": load.vehicle_id,
                "volume_l": load.volume_l,
                "weight_kg": load.weight_kg,
                "items": [
                    {
                        "position": item.position,
                        "stop": item.stop_index,
                        "task": item.task_id,
                        "patient": item.patient_id,
                        "lines": [{"product": g.product_id, "quantity": g.quantity} for g in item.lines],
                    }
                    for item in load.items
                ],
            }
            for load in result.loads
        ],
        "picks": [
            {
                "resource": p.resource_id,
                "task": p.task_id,
                "patient": p.patient_id,
                "product": p.product_id,
                "quantity": p.quantity,
                "lot": p.lot_id,
                "expiry_date": _iso(p.expiry_date),
            }
            for p in result.picks
        ],
        "shortages": [
            {"task": s.task_id, "product": s.product_id, "missing": s.missing} for s in result.shortages
        ],
    }


def _service_level(value: float) -> float:
    if not 0.5 <= value < 1.0:
        raise typer.BadParameter(f"{value} is not at least 0.5 and below 1")
    return value


@app.command("purchase-orders")
def purchase_orders(
    date: str | None = typer.Option(None, "--date", callback=parse_date_option, help="Bestillingsdag."),
    horizon: int = typer.Option(14, "--horizon", callback=at_least(1), help="Dager med pasientbehov."),
    service_level: float = typer.Option(
        0.95, "--service-level", callback=_service_level, help="Servicenivå (0,5 til under 1)."
    ),
    output_format: OutputFormat = typer.Option(OutputFormat.TABLE, "--format", case_sensitive=False),
) -> None:
    """Foreslå innkjøp til logistikksenteret (hele pakninger) og vis samlet mot klinikkvis sikkerhetslager."""
    with cli_errors(), database() as engine:
        result = service.suggest_purchase_orders(
            engine=engine,
            principal=CLI_PRINCIPAL,
            client=None,
            at=_now(),
            on=_day(date),
            horizon_days=horizon,
            service_level=service_level,
        )
    data = PurchaseOrdersRead.of(result).model_dump(mode="json")
    if output_format is OutputFormat.JSON:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    columns = (
        "product", "packs", "quantity", "order_by", "expected_arrival", "reorder_point",
        "order_up_to", "position", "expiring_unused", "forecast", "cost_nok",
    )  # fmt: skip
    title = f"Innkjøpsforslag {data['date']} (servicenivå {data['service_level']})"
    _print([{c: order[c] for c in columns} for order in data["orders"]], output_format, title)
    pooling = data["pooling"]
    pooled = ("product", "lead_days", "separate", "pooled", "saving")
    _print(
        [{k: p[k] for k in pooled} for p in pooling["products"]],
        output_format,
        f"Sikkerhetslager per klinikk {pooling['separate_nok']} kr mot samlet {pooling['pooled_nok']} kr",
    )
