"""Command line for remote monitoring (issue 5): ``hjemme news2``, ``hjemme ingest mqtt|csv`` and
``hjemme monitoring tick``, ``hjemme device-token issue|revoke`` and ``hjemme bench ingest`` (registered
on the ``bench`` group in ``cli/plan.py``).

Registered in ``cli/main.py`` with one ``app.add_typer(monitoring.app)`` line; this Typer has no
name, so its commands appear at the top level. ``news2`` is a pure calculation and calls the
engine directly (there is nothing to load, save or audit); everything touching stored data goes
through ``hjemme.services``.

Messages to users are Norwegian bokmål; bad input exits with status 2.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import signal
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import typer

from hjemme.cli._common import cli_errors, database
from hjemme.domain.security import Role
from hjemme.errors import InputError
from hjemme.monitoring.news2 import Consciousness, News2Params, News2Vitals, SpO2Scale, score_news2
from hjemme.monitoring.observations import parse_acvpu
from hjemme.services.auth import Principal
from hjemme.services.device_tokens import issue_device_token, revoke_device_tokens
from hjemme.services.ingest import (
    DEFAULT_CLIENT_ID,
    TOPIC_ROOT,
    BrokerAddress,
    MqttIngestConsumer,
    ingest_csv,
)
from hjemme.services.monitoring import run_monitoring_tick
from hjemme.settings import get_settings

app = typer.Typer(add_completion=False)

NEWS2_COLUMNS = ("rr", "spo2", "scale", "oxygen", "sbp", "hr", "consciousness", "temp")
_FIELD_TO_COLUMN = {
    "respiration_rate_per_min": "rr",
    "spo2_pct": "spo2",
    "spo2_scale": "scale",
    "on_oxygen": "oxygen",
    "systolic_bp_mmhg": "sbp",
    "pulse_per_min": "hr",
    "consciousness": "consciousness",
    "temperature_c": "temp",
}
_TRUE = frozenset({"true", "1", "yes", "y", "ja", "j", "o2", "oxygen", "oksygen", "t", "on o2", "on oxygen",
                   "supplemental oxygen", "1.0"})
_FALSE = frozenset({"false", "0", "no", "n", "nei", "air", "luft", "room air", "f", "ra", "0.0"})


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Feil: {message}", err=True)
    return typer.Exit(code=2)


def parse_number(text: str) -> float:
    """A number as typed in Norway or by a device: ``36.5`` and ``36,5`` both work."""
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        raise ValueError("verdien mangler")
    try:
        return float(cleaned)
    except ValueError:
        raise ValueError("er ikke et tall") from None


def parse_scale(text: str) -> SpO2Scale:
    """``1`` or ``2``; empty means scale 1 (no 88–92 % target recorded)."""
    cleaned = text.strip()
    if not cleaned:
        return SpO2Scale.SCALE_1
    try:
        number = float(cleaned.replace(",", "."))
    except ValueError:
        number = 0.0
    if number not in (1.0, 2.0):
        raise ValueError("SpO2-skala må være 1 eller 2")
    return SpO2Scale(int(number))


def parse_oxygen(text: str) -> bool:
    """true/false, 1/0, yes/no, O2/air (and the Norwegian ja/nei/luft)."""
    cleaned = text.strip().lower()
    if cleaned in _TRUE:
        return True
    if cleaned in _FALSE:
        return False
    raise ValueError("oksygen må være true/false, 1/0, yes/no eller O2/air")


def parse_consciousness(text: str) -> Consciousness:
    """ACVPU letter (any case) or its English word."""
    try:
        return parse_acvpu(text)
    except InputError:
        raise ValueError("bevissthet må være en av A, C, V, P, U") from None


_PARSERS: dict[str, Callable[[str], Any]] = {
    "rr": parse_number,
    "spo2": parse_number,
    "scale": parse_scale,
    "oxygen": parse_oxygen,
    "sbp": parse_number,
    "hr": parse_number,
    "consciousness": parse_consciousness,
    "temp": parse_number,
}


def _vitals_from(values: dict[str, Any]) -> tuple[News2Vitals, News2Params]:
    vitals = News2Vitals(
        respiration_rate_per_min=values["rr"],
        spo2_pct=values["spo2"],
        on_oxygen=values["oxygen"],
        systolic_bp_mmhg=values["sbp"],
        pulse_per_min=values["hr"],
        consciousness=values["consciousness"],
        temperature_c=values["temp"],
    )
    return vitals, News2Params(values["scale"])


def _sniff_delimiter(header_line: str) -> str:
    """Comma by default; semicolon or tab when the header uses them (Norwegian spreadsheet exports)."""
    for delimiter in (",", ";", "\t"):
        if delimiter in header_line:
            return delimiter
    return ","


def score_news2_csv(source: TextIO, sink: TextIO) -> list[str]:
    """Score every row of ``source`` and write it to ``sink`` with ``score,risk`` appended.

    Returns the list of problems (Norwegian, one per bad cell, naming row, column and value);
    nothing is written when there is any, so a half-scored file never looks complete.
    """
    text = source.read()
    first_line = text.splitlines()[0] if text.strip() else ""
    if not first_line:
        return ["filen er tom; forventet kolonnene " + ",".join(NEWS2_COLUMNS)]
    delimiter = _sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader)
    index = {name.strip().lower(): i for i, name in enumerate(header)}
    missing = [column for column in NEWS2_COLUMNS if column not in index]
    if missing:
        return ["mangler kolonne(r): " + ", ".join(missing)]
    problems: list[str] = []
    output_rows: list[list[str]] = []
    for row_number, row in enumerate(reader, start=1):
        if not any(cell.strip() for cell in row):
            continue
        where = f"rad {row_number} (linje {reader.line_num})"
        values: dict[str, Any] = {}
        for column in NEWS2_COLUMNS:
            raw = row[index[column]] if index[column] < len(row) else ""
            try:
                values[column] = _PARSERS[column](raw)
            except ValueError as error:
                problems.append(f"{where}, kolonne '{column}': ugyldig verdi '{raw}' ({error})")
        if len(values) < len(NEWS2_COLUMNS):
            continue
        try:
            result = score_news2(*_vitals_from(values))
        except InputError as error:
            column = _FIELD_TO_COLUMN.get(error.field, error.field)
            raw = row[index[column]] if column in index else ""
            problems.append(f"{where}, kolonne '{column}': ugyldig verdi '{raw}' ({error.problem})")
            continue
        output_rows.append([*row, str(result.score), result.risk.value])
    if problems:
        return problems
    writer = csv.writer(sink, delimiter=delimiter, lineterminator="\n")
    writer.writerow([*header, "score", "risk"])
    writer.writerows(output_rows)
    return []


@app.command("news2")
def news2(
    rr: float | None = typer.Option(None, "--rr", help="Respirasjonsfrekvens per minutt."),
    spo2: float | None = typer.Option(None, "--spo2", help="Oksygenmetning i prosent."),
    scale: int = typer.Option(1, "--scale", help="SpO2-skala 1, eller 2 ved registrert mål 88–92 %."),
    oxygen: bool = typer.Option(False, "--oxygen/--air", help="Får oksygentilskudd (standard: luft)."),
    sbp: float | None = typer.Option(None, "--sbp", help="Systolisk blodtrykk, mmHg."),
    hr: float | None = typer.Option(None, "--hr", help="Puls per minutt."),
    consciousness: str | None = typer.Option(None, "--consciousness", help="ACVPU: A, C, V, P eller U."),
    temp: float | None = typer.Option(None, "--temp", help="Temperatur, °C."),
    csv_file: Path | None = typer.Option(None, "--csv", help="CSV med kolonnene " + ",".join(NEWS2_COLUMNS)),
    out: Path | None = typer.Option(None, "--out", help="Skriv CSV-resultatet hit i stedet for stdout."),
) -> None:
    """Beregn NEWS2 (RCP 2017) for ett sett vitale tegn, eller for hver rad i en CSV-fil."""
    singles = {"--rr": rr, "--spo2": spo2, "--sbp": sbp, "--hr": hr,
               "--consciousness": consciousness, "--temp": temp}
    if csv_file is not None:
        given = [name for name, value in singles.items() if value is not None]
        if given:
            raise _fail("--csv kan ikke kombineres med " + ", ".join(given))
        _news2_csv(csv_file, out)
        return
    if out is not None:
        raise _fail("--out brukes bare sammen med --csv")
    missing = [name for name, value in singles.items() if value is None]
    if missing:
        raise _fail("mangler verdi for " + ", ".join(missing))
    try:
        values = {
            "rr": rr, "spo2": spo2, "sbp": sbp, "hr": hr, "temp": temp, "oxygen": oxygen,
            "scale": parse_scale(str(scale)),
            "consciousness": parse_consciousness(str(consciousness)),
        }
        result = score_news2(*_vitals_from(values))
    except ValueError as error:
        raise _fail(str(error)) from None
    except InputError as error:
        option = "--" + _FIELD_TO_COLUMN.get(error.field, error.field)
        raise _fail(f"{option}: {error.problem}") from None
    typer.echo(json.dumps({"score": result.score, "risk": result.risk.value}))


def _news2_csv(csv_file: Path, out: Path | None) -> None:
    try:
        source = csv_file.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise _fail(f"kan ikke lese {csv_file}: {error.strerror}") from None
    buffer = io.StringIO()
    with source:
        try:
            problems = score_news2_csv(source, buffer)
        except UnicodeDecodeError:
            problems = [f"{csv_file} er ikke UTF-8-tekst"]
    if problems:
        _echo_problems(problems)
        raise typer.Exit(code=2)
    if out is None:
        typer.echo(buffer.getvalue(), nl=False)
    else:
        out.write_text(buffer.getvalue(), encoding="utf-8")


def _echo_problems(problems: Sequence[str], limit: int = 50) -> None:
    for problem in problems[:limit]:
        typer.echo(f"Feil: {problem}", err=True)
    if len(problems) > limit:
        typer.echo(f"… og {len(problems) - limit} feil til", err=True)


# -- device data and the response centre's tick ----------------------------------------------------

ingest_app = typer.Typer(help="Les inn målinger fra enheter (MQTT eller CSV).", no_args_is_help=True)
monitoring_app = typer.Typer(help="Responssenteret: eskalering og påminnelser.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")
app.add_typer(monitoring_app, name="monitoring")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@ingest_app.command("mqtt")
def ingest_mqtt(
    broker: str | None = typer.Option(None, "--broker", help="mqtt://VERT:PORT (standard: HJEMME_MQTT_URL)."),
    client_id: str = typer.Option(DEFAULT_CLIENT_ID, "--client-id", help="Fast klient-id."),
    max_messages: int | None = typer.Option(None, "--max-messages", help="Stopp etter så mange meldinger."),
    topic_root: str = typer.Option(TOPIC_ROOT, "--topic-root", help="Første nivå i emnet (test/miljø)."),
) -> None:
    """Kjør MQTT-konsumenten (hjemme/devices/+/observations, QoS 1) til den avbrytes."""
    with cli_errors():
        address = BrokerAddress.parse(broker or get_settings().mqtt_url)
        with database() as engine:
            consumer = MqttIngestConsumer(engine=engine, broker=address, client_id=client_id,
                                           topic_root=topic_root)
            stop = threading.Event()
            previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
            typer.echo(f"Lytter på mqtt://{address.host}:{address.port}/{topic_root}/devices/+/observations "
                       f"som {client_id} …", err=True)
            try:
                stats = consumer.run(stop, max_messages)
            except KeyboardInterrupt:
                stats = consumer.stats
            finally:
                signal.signal(signal.SIGTERM, previous)
    typer.echo(json.dumps({"messages": stats.messages, "stored": stats.stored, "duplicates": stats.duplicates,
                           "rejected": stats.rejected, "reconnects": stats.reconnects}))


@ingest_app.command("csv")
def ingest_csv_command(
    file: Path = typer.Argument(..., help="CSV: observation_id,patient_id,parameter,value,unit,effective_at,"
                                          "device_id"),
) -> None:
    """Les inn målinger fra en CSV-fil; ugyldige rader havner i dødbrevtabellen med årsak."""
    with cli_errors(), database() as engine:
        result = ingest_csv(engine=engine, path=file, now=_now())
    _echo_problems([r.reason for r in result.rejections])
    typer.echo(json.dumps({"stored": result.stored, "duplicates": result.duplicates,
                           "rejected": result.rejected, "alarms": len(set(result.alarm_ids))}))


@monitoring_app.command("tick")
def monitoring_tick(
    every: float | None = typer.Option(None, "--every", help="Gjenta hvert N. sekund til avbrutt."),
) -> None:
    """Eskaler alarmer som ikke er kvittert, og send påminnelser om manglende målinger og skjema."""
    with cli_errors(), database() as engine:
        stop = threading.Event()
        while True:
            result = run_monitoring_tick(engine=engine, now=_now())
            typer.echo(json.dumps({"escalations": result.escalations, "reminders": result.reminders,
                                   "alarms_changed": result.alarms_changed}))
            if every is None or stop.wait(every):
                break


# -- device tokens ---------------------------------------------------------------------------------

device_token_app = typer.Typer(help="Enhetsnøkler for POST /fhir/Observation.", no_args_is_help=True)
app.add_typer(device_token_app, name="device-token")
OPERATOR = Principal("cli", Role.ADMIN)
"""Who the command line acts as (an operator on the server); access-logged as user ``cli``."""


@device_token_app.command("issue")
def device_token_issue(
    device_id: str = typer.Argument(..., help="Enhetens id (som i MQTT-emnet)."),
    patient: str = typer.Option(..., "--patient", help="Pasienten enheten måler."),
) -> None:
    """Lag en ny nøkkel for en enhet (eldre nøkler for den trekkes tilbake); vises bare én gang."""
    with cli_errors(), database() as engine:
        issued = issue_device_token(engine=engine, principal=OPERATOR, device_id=device_id,
                                    patient_id=patient, at=_now())
    typer.echo("Nøkkelen vises bare nå; lagre den i enheten (Authorization: Bearer …).", err=True)
    typer.echo(json.dumps({"device_id": issued.device_id, "patient_id": issued.patient_id,
                           "token": issued.token}))


@device_token_app.command("revoke")
def device_token_revoke(device_id: str = typer.Argument(..., help="Enhetens id.")) -> None:
    """Trekk tilbake alle aktive nøkler for en enhet (tapt eller levert tilbake)."""
    with cli_errors(), database() as engine:
        revoked = revoke_device_tokens(engine=engine, principal=OPERATOR, device_id=device_id, at=_now())
    typer.echo(json.dumps({"device_id": device_id, "revoked": revoked}))


# -- hjemme bench ingest (registered on the bench group in cli/plan.py) -------------------------------


def bench_ingest_command(
    postgres: str | None = typer.Option(None, "--postgres", help="PostgreSQL server URL (standard: "
                                        "HJEMME_TEST_POSTGRES_URL); uten: bare SQLite."),
    observations: int = typer.Option(20_000, "--observations", min=100, help="Målinger gjennom MQTT."),
    per_message: int = typer.Option(10, "--per-message", min=1, help="Målinger per MQTT-melding."),
    http_observations: int = typer.Option(5_000, "--http-observations", min=100,
                                          help="Målinger gjennom HTTP."),
    http_batch: int = typer.Option(100, "--http-batch", min=1, help="Målinger per Bundle."),
    patients: int = typer.Option(120, "--patients", min=10, help="Syntetiske pasienter."),
    rate: float = typer.Option(6000.0, "--rate", min=0, help="Tilbudt MQTT-last, målinger/s (0: ett støt)."),
    report: Path = typer.Option(Path("docs/benchmarks.md"), "--report", help="Markdown-fil å legge til i."),
    no_append: bool = typer.Option(False, "--no-append", help="Bare skriv tabellen."),
) -> None:
    """Målinger/s og publisering→alarm (p50/p99) gjennom MQTT og HTTP, på SQLite og PostgreSQL."""
    from hjemme.bench_report import append_report, run_heading
    from hjemme.cli.bench_ingest import IngestBenchParams, markdown_block, run_ingest_bench

    params = IngestBenchParams(mqtt_observations=observations, per_message=per_message,
                               http_observations=http_observations, http_batch=http_batch, patients=patients,
                               rate=rate)
    url = postgres or os.environ.get("HJEMME_TEST_POSTGRES_URL")
    rows = run_ingest_bench(params, url, progress=lambda m: typer.echo(m, err=True))
    block = markdown_block(rows, run_heading(_now(), "hjemme bench ingest"), params)
    typer.echo(block)
    if not no_append:
        append_report(report, block, "## Ingest")
        typer.echo(f"lagt til i {report}", err=True)
