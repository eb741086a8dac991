"""``hjemme bench ingest``: sustained observations/s and publish→alarm latency, through MQTT (a private
Mosquitto) and through HTTP batches (the API in-process), on SQLite and PostgreSQL.

Issue 5 targets ≥ 5,000 observations/s through MQTT with p99 publish→alarm < 1 s on 2 cores.

How it measures (wall clock, ``time.time()``, one machine):

* **MQTT.** A private ``mosquitto`` on a free port (``persistence false``, ``max_queued_messages
  100000``) and the real :class:`MqttIngestConsumer` in a thread. A publisher in a *separate
  process* (so it does not share the consumer's GIL) publishes QoS 1 messages of
  ``per_message`` observations for normal vitals as fast as the broker acknowledges, and every
  ``probe_every_s`` one complete set of red vitals for a fresh patient (the probe). A poller reads
  the database every 20 ms: throughput is observations stored ÷ (last stored − first publish);
  latency is the probe's publish time → the poll that first sees its alarm committed (the 20 ms
  poll interval is included, so latencies are slightly pessimistic).
* **HTTP.** The app through ``TestClient`` (no network), one client posting ``batch`` Bundles of
  ``http_batch`` observations with each patient's device token; a probe Bundle's latency is its
  request time (the alarm is committed when the answer comes back).
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from hjemme.domain.security import Role
from hjemme.domain.time import local_date
from hjemme.services.auth import Principal
from hjemme.services.database import open_database
from hjemme.services.device_tokens import issue_device_token
from hjemme.services.ingest import BrokerAddress, MqttIngestConsumer
from hjemme.services.seeding import seed_population
from hjemme.store import repositories as repo
from hjemme.store.database import create_db_engine, session_scope
from hjemme.store.monitoring_tables import AlarmRecord, ObservationRecord

NORMAL = {"respiratory_rate": 16, "spo2": 97, "systolic_bp": 120, "pulse": 70, "temperature": 37.0}
RED = {"respiratory_rate": 28, "spo2": 88, "systolic_bp": 88, "pulse": 135, "temperature": 39.6}
UNITS = {"respiratory_rate": "/min", "spo2": "%", "systolic_bp": "mm[Hg]", "pulse": "/min",
         "temperature": "Cel"}
OPERATOR = Principal("bench", Role.ADMIN)
WAIT_S = 120.0


@dataclass(frozen=True, slots=True)
class IngestBenchRow:
    """One measured path: throughput and the probes' publish→alarm latencies."""

    path: str  # "MQTT" or "HTTP batch"
    database: str  # "SQLite" or "PostgreSQL"
    observations: int
    seconds: float
    latencies_s: tuple[float, ...]
    note: str = ""

    @property
    def per_second(self) -> float:
        return self.observations / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, q: float) -> float | None:
        if not self.latencies_s:
            return None
        ordered = sorted(self.latencies_s)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass(frozen=True, slots=True)
class IngestBenchParams:
    """How much to send: total observations per path, their grouping, probes, population."""

    mqtt_observations: int = 20_000
    per_message: int = 10
    http_observations: int = 5_000
    http_batch: int = 100
    probe_every_s: float = 0.1
    patients: int = 120
    rate: float = 6_000.0  # offered MQTT load, observations/s (0: a burst, as fast as possible)

    def __post_init__(self) -> None:
        sizes = (self.mqtt_observations, self.per_message, self.http_observations, self.http_batch,
                 self.patients)
        if self.rate < 0 or min(sizes) < 1 or self.probe_every_s <= 0:
            raise ValueError("bench sizes must be positive")


# -- databases ---------------------------------------------------------------------------------------


@contextmanager
def bench_database(kind: str, server_url: str | None = None) -> Iterator[Engine]:
    """A fresh migrated database: a SQLite file in a temporary folder, or a schema of its own on the
    PostgreSQL server (dropped afterwards)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            engine = open_database(url=f"sqlite:///{folder}/bench.db")
            try:
                yield engine
            finally:
                engine.dispose()
        return
    assert server_url is not None
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_db_engine(server_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = open_database(url=url.render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _patients(engine: Engine, n: int, today: dt.date) -> list[str]:
    seed_population(engine=engine, n_patients=n, seed=7, date=today)
    with session_scope(engine) as session:
        return sorted({e.patient_id for e in repo.list_enrolments(session, active_on=today)})


def _count(engine: Engine, table: Any) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def _alarmed(engine: Engine) -> set[str]:
    with session_scope(engine) as session:
        return set(session.scalars(select(AlarmRecord.patient_id).distinct()))


def _observations(
    patient: str, values: dict[str, float], at: dt.datetime, prefix: str
) -> list[dict[str, Any]]:
    return [{"id": f"{prefix}-{name}", "patient_id": patient, "parameter": name, "value": value,
             "unit": UNITS[name], "effective_at": at.isoformat()} for name, value in values.items()]


# -- MQTT --------------------------------------------------------------------------------------------


@contextmanager
def private_broker() -> Iterator[BrokerAddress]:
    """A mosquitto of the bench's own on a free port, without persistence, with a deep queue."""
    fallback = Path("/usr/sbin/mosquitto")
    binary = shutil.which("mosquitto") or (str(fallback) if fallback.exists() else None)
    if binary is None:
        raise RuntimeError("the MQTT bench needs the mosquitto binary")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "mosquitto.conf"
        config.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                          "max_queued_messages 100000\nmax_inflight_messages 0\n", encoding="utf-8")
        process = subprocess.Popen([binary, "-c", str(config)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            yield BrokerAddress("127.0.0.1", port)
        finally:
            process.terminate()
            process.wait(10)


def publish_stream(host: str, port: int, root: str, load: list[tuple[str, bytes]],
                   probes: list[tuple[str, str, bytes]], probe_every_s: float,
                   results: Any, messages_per_s: float = 0.0) -> None:
    """Publisher process: the load at ``messages_per_s`` (0: as fast as the client takes it), a probe
    every ``probe_every_s``; puts (start time, [(patient, publish time)]) on ``results``."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{uuid.uuid4().hex[:8]}")
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(host, port)
    client.loop_start()
    sent: list[tuple[str, float]] = []
    infos = []
    started = time.time()
    next_probe = started
    pending_probes = list(probes)
    for m, (topic, payload) in enumerate(load):
        if messages_per_s > 0:
            time.sleep(max(0.0, started + m / messages_per_s - time.time()))
        if pending_probes and time.time() >= next_probe:
            patient, probe_topic, probe_payload = pending_probes.pop(0)
            sent.append((patient, time.time()))
            infos.append(client.publish(probe_topic, probe_payload, qos=1))
            next_probe += probe_every_s
        infos.append(client.publish(topic, payload, qos=1))
    for info in infos:
        info.wait_for_publish(timeout=WAIT_S)
    client.disconnect()
    client.loop_stop()
    results.put((started, sent))


def run_mqtt(engine: Engine, database: str, params: IngestBenchParams, now: dt.datetime) -> IngestBenchRow:
    """Throughput and publish→alarm latency through a private broker and the real consumer."""
    patients = _patients(engine, params.patients, local_date(now))
    n_probes = min(len(patients) // 2, 40)
    probe_patients, load_patients = patients[:n_probes], patients[n_probes:]
    root = f"bench-{uuid.uuid4().hex[:8]}"
    at = now - dt.timedelta(minutes=2)
    load: list[tuple[str, bytes]] = []
    names = list(NORMAL)
    for m in range(params.mqtt_observations // params.per_message):
        patient = load_patients[m % len(load_patients)]
        items = [{"id": f"{root}-{m}-{k}", "patient_id": patient, "parameter": names[k % len(names)],
                  "value": NORMAL[names[k % len(names)]], "unit": UNITS[names[k % len(names)]],
                  "effective_at": (at - dt.timedelta(seconds=m % 3600, milliseconds=k)).isoformat()}
                 for k in range(params.per_message)]
        load.append((f"{root}/devices/dev-{patient}/observations", json.dumps(items).encode()))
    probes = [(p, f"{root}/devices/dev-{p}/observations",
               json.dumps(_observations(p, RED, at, f"{root}-probe-{p}")).encode()) for p in probe_patients]
    with private_broker() as broker:
        consumer = MqttIngestConsumer(engine=engine, broker=broker, client_id=f"{root}-consumer",
                                      topic_root=root)
        stop = threading.Event()
        worker = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
        worker.start()
        if not consumer.connected.wait(30):
            raise RuntimeError("the consumer did not connect to the private broker")
        context = multiprocessing.get_context("spawn")
        results = context.Queue()
        publisher = context.Process(target=publish_stream, args=(broker.host, broker.port, root, load, probes,
                                                                 params.probe_every_s, results,
                                                                 params.rate / params.per_message))
        publisher.start()
        seen: dict[str, float] = {}
        load_size = len(load) * params.per_message
        stored, load_done, deadline = 0, None, time.time() + WAIT_S
        sent: list[tuple[str, float]] | None = None
        while time.time() < deadline:
            polled = time.time()
            for patient in _alarmed(engine) - seen.keys():
                seen[patient] = polled
            stored = _count(engine, ObservationRecord)
            if load_done is None and stored >= load_size:
                load_done = (polled, stored)
            if sent is None and not results.empty():
                started, sent = results.get()
            if load_done is not None and sent is not None and {p for p, _ in sent} <= seen.keys():
                break
            time.sleep(0.02)
        if sent is None:
            started, sent = results.get(timeout=WAIT_S)
        expected = load_size + len(sent) * len(RED)
        while stored < expected and time.time() < deadline:  # the tail of the load (not timed)
            time.sleep(0.02)
            stored = _count(engine, ObservationRecord)
        publisher.join(WAIT_S)
        stop.set()
        worker.join(WAIT_S)
    latencies = tuple(seen[p] - t for p, t in sent if p in seen)
    missing = len(sent) - len(latencies)
    offered = f"offered {params.rate:,.0f}/s" if params.rate > 0 else "one burst"
    note = f"{len(load)} messages of {params.per_message}, {offered}; {consumer.stats.batches} batches"
    if load_done is None or missing or stored < expected:
        note += f"; INCOMPLETE: {stored}/{expected} stored, {missing} probe alarms missing"
    done_at, done_count = load_done or (time.time(), stored)
    return IngestBenchRow("MQTT", database, done_count, done_at - started, latencies, note)


# -- HTTP --------------------------------------------------------------------------------------------


def run_http(engine: Engine, database: str, params: IngestBenchParams, now: dt.datetime) -> IngestBenchRow:
    """Throughput of ``batch`` Bundles through the API in-process, and the request time of red probes."""
    from fastapi.testclient import TestClient

    from hjemme.api.app import create_app
    from hjemme.api.deps import get_now
    from hjemme.settings import Settings

    patients = _patients(engine, params.patients, local_date(now))
    tokens = {p: issue_device_token(engine=engine, principal=OPERATOR, device_id=f"dev-{p}", patient_id=p,
                                    at=now).token for p in patients}
    n_probes = min(len(patients) // 2, 20)
    probe_patients, load_patients = patients[:n_probes], patients[n_probes:]
    root = uuid.uuid4().hex[:8]
    at = now - dt.timedelta(minutes=2)
    settings = Settings(database_url="sqlite://", secret_key="bench-secret-key-" + "0123456789" * 4,
                        research_key="bench-research-key-" + "0123456789" * 4)
    app = create_app(settings, engine=engine)
    app.dependency_overrides[get_now] = lambda: dt.datetime.now(dt.UTC)

    def bundle(patient: str, prefix: str, values: list[tuple[str, float, dt.datetime]]) -> dict[str, Any]:
        return {"resourceType": "Bundle", "type": "batch", "entry": [{"resource": {
            "resourceType": "Observation", "id": f"{prefix}-{i}", "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": LOINC[name]}]},
            "subject": {"reference": f"Patient/{patient}"}, "effectiveDateTime": when.isoformat(),
            "valueQuantity": {"value": value, "system": "http://unitsofmeasure.org", "code": UNITS[name]}}}
            for i, (name, value, when) in enumerate(values)]}

    names = list(NORMAL)
    latencies: list[float] = []
    posted = 0
    with TestClient(app) as client:
        started = time.time()
        next_probe = started
        for b in range(params.http_observations // params.http_batch):
            if probe_patients and time.time() >= next_probe:
                patient = probe_patients.pop(0)
                body = bundle(patient, f"{root}-probe-{patient}", [(n, v, at) for n, v in RED.items()])
                began = time.time()
                response = client.post("/fhir/Observation", json=body,
                                       headers={"Authorization": f"Bearer {tokens[patient]}"})
                latencies.append(time.time() - began)
                response.raise_for_status()
                posted += len(RED)
                next_probe += params.probe_every_s
            patient = load_patients[b % len(load_patients)]
            values = [(names[k % len(names)], NORMAL[names[k % len(names)]],
                       at - dt.timedelta(seconds=b % 3600, milliseconds=k)) for k in range(params.http_batch)]
            response = client.post("/fhir/Observation", json=bundle(patient, f"{root}-{b}", values),
                                   headers={"Authorization": f"Bearer {tokens[patient]}"})
            response.raise_for_status()
            posted += params.http_batch
        seconds = time.time() - started
    stored = _count(engine, ObservationRecord)
    note = f"batches of {params.http_batch}, one client, TestClient"
    if stored != posted:
        note += f"; INCOMPLETE: {stored}/{posted} stored"
    return IngestBenchRow("HTTP batch", database, stored, seconds, tuple(latencies), note)


LOINC = {"respiratory_rate": "9279-1", "spo2": "59408-5", "pulse": "8867-4", "temperature": "8310-5",
         "systolic_bp": "8480-6"}


# -- the report --------------------------------------------------------------------------------------


def run_ingest_bench(
    params: IngestBenchParams, postgres_url: str | None, paths: tuple[str, ...] = ("mqtt", "http"),
    progress: Any = None,
) -> list[IngestBenchRow]:
    """Every path on SQLite and, when ``postgres_url`` is given, on PostgreSQL."""
    rows = []
    databases: list[tuple[str, str, str | None]] = [("sqlite", "SQLite", None)]
    if postgres_url:
        databases.append(("postgresql", "PostgreSQL", postgres_url))
    for kind, label, url in databases:
        for path in paths:
            if progress:
                progress(f"{path} on {label} …")
            with bench_database(kind, url) as engine:
                now = dt.datetime.now(dt.UTC)
                rows.append(run_mqtt(engine, label, params, now) if path == "mqtt"
                            else run_http(engine, label, params, now))
    return rows


def markdown_block(rows: list[IngestBenchRow], heading: str, params: IngestBenchParams) -> str:
    """The report block: a heading, one table row per path and database, the target, the settings."""
    lines = [heading, "",
             "| path | database | observations | seconds | observations/s | probes | p50 publish→alarm | "
             "p99 publish→alarm | notes |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for row in rows:
        p50, p99 = row.percentile(0.5), row.percentile(0.99)
        lines.append(f"| {row.path} | {row.database} | {row.observations:,} | {row.seconds:.2f} | "
                     f"{row.per_second:,.0f} | {len(row.latencies_s)} | {_ms(p50)} | {_ms(p99)} | "
                     f"{row.note} |")
    lines += ["", "Target (issue 5): ≥ 5,000 observations/s through MQTT, p99 publish→alarm < 1 s. "
                  f"Settings: {params.patients} seeded patients, MQTT {params.mqtt_observations:,} "
                  f"observations in messages of {params.per_message}, HTTP {params.http_observations:,} in "
                  f"batches of {params.http_batch}, a red-vitals probe every {params.probe_every_s:g} s; "
                  f"CPUs: {os.cpu_count()}."]
    return "\n".join(lines)


def _ms(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds * 1000:.0f} ms"

