"""Ingest of device data (issue 5): FHIR over HTTP, MQTT messages and CSV files, all into one
idempotent observation store, with unusable input kept in the dead-letter table.

Idempotency is on ``observation_id`` (unique in the table, and ``ON CONFLICT DO NOTHING`` on both
databases), so a redelivered message never counts twice. Observations may arrive late and out of
order; rules order by measurement time. Each call is one transaction: observations, dead letters
and the alarms they cause are committed together or not at all.

The MQTT consumer subscribes to ``hjemme/devices/+/observations`` with QoS 1 on a persistent
session (fixed client id, ``clean_session=False``) and acknowledges a message only *after* the
transaction holding it has committed (paho's manual ack): a consumer killed mid-stream gets the
unacknowledged messages again, and idempotency drops the ones it had already stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite

from hjemme.errors import InputError, PermissionDeniedError
from hjemme.monitoring.fhir import ParseResult, Rejection, parse_fhir_payload
from hjemme.monitoring.messages import parse_device_message, parse_observation_record
from hjemme.monitoring.observations import Observation
from hjemme.services.monitoring import evaluate_patients_in_session
from hjemme.store.database import session_scope
from hjemme.store.monitoring_tables import DeadLetterRecord, ObservationRecord
from hjemme.store.tables import AccessLogRecord, PatientRecord

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

TOPIC_ROOT = "hjemme"  # devices publish to {root}/devices/{device_id}/observations
DEFAULT_CLIENT_ID = "hjemme-ingest"
KEY = ["observation_id"]
MAX_BACKOFF_S = 2.0  # short: a broker without persistence loses what is published before we resubscribe


@dataclass(frozen=True, slots=True)
class EntryOutcome:
    """What happened to one posted resource (a Bundle entry, or the single Observation).

    ``status`` is ``created`` (at least one observation stored), ``duplicate`` (all already
    stored), ``rejected`` (with the reason and the FHIRPath of the element) or ``not-processed``
    (a transaction Bundle failed because of another entry).
    """

    index: int | None
    status: str
    observation_ids: tuple[str, ...] = ()
    reason: str | None = None
    path: str | None = None


@dataclass(frozen=True, slots=True)
class IngestResult:
    """Counts of one ingest call; ``alarm_ids`` are alarms opened or updated by it, ``observation_ids``
    the observations it stored; ``entries`` (FHIR only) the outcome of every posted resource."""

    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    alarm_ids: tuple[str, ...] = ()
    rejections: tuple[Rejection, ...] = field(default=(), repr=False)
    observation_ids: tuple[str, ...] = field(default=(), repr=False)
    entries: tuple[EntryOutcome, ...] = field(default=(), repr=False)

    def __add__(self, other: IngestResult) -> IngestResult:
        return IngestResult(self.stored + other.stored, self.duplicates + other.duplicates,
                            self.rejected + other.rejected, self.alarm_ids + other.alarm_ids,
                            self.rejections + other.rejections, self.observation_ids + other.observation_ids,
                            self.entries + other.entries)


def _raw_text(raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return json.dumps(raw, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(raw)


def store_dead_letters(
    session: Session, rejections: Iterable[Rejection], *, source: str, now: dt.datetime,
    device_id: str | None = None, topic: str | None = None,
) -> int:
    """Keep every rejected payload with its reason (in the caller's transaction)."""
    rows = [DeadLetterRecord(received_at=now, source=source, reason=r.reason, payload=_raw_text(r.raw),
                             device_id=device_id, topic=topic) for r in rejections]
    session.add_all(rows)
    session.flush()
    return len(rows)


def _insert_ignoring_duplicates(session: Session, rows: list[dict[str, Any]]) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        statement: Any = sqlite.insert(ObservationRecord).on_conflict_do_nothing(index_elements=KEY)
    elif dialect == "postgresql":
        statement = postgresql.insert(ObservationRecord).on_conflict_do_nothing(index_elements=KEY)
    else:  # pragma: no cover - hjemme supports the two databases above
        statement = insert(ObservationRecord)
    session.execute(statement, rows)


def store_observations(
    session: Session, observations: Sequence[Observation]
) -> tuple[list[Observation], int, list[Rejection]]:
    """Insert new observations; returns (stored, duplicates, rejected for an unknown patient)."""
    unique = list({o.observation_id: o for o in observations}.values())
    duplicates = len(observations) - len(unique)
    if not unique:
        return [], duplicates, []
    ids = [o.observation_id for o in unique]
    known: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        known |= set(session.scalars(select(ObservationRecord.observation_id)
                                     .where(ObservationRecord.observation_id.in_(chunk))))
    fresh = [o for o in unique if o.observation_id not in known]
    duplicates += len(unique) - len(fresh)
    patients = {o.patient_id for o in fresh}
    query = select(PatientRecord.id).where(PatientRecord.id.in_(patients))
    existing = set(session.scalars(query)) if patients else set()
    rejected = [Rejection(f"ukjent pasient '{o.patient_id}'", _observation_json(o))
                for o in fresh if o.patient_id not in existing]
    fresh = [o for o in fresh if o.patient_id in existing]
    if fresh:
        _insert_ignoring_duplicates(session, [
            {"observation_id": o.observation_id, "patient_id": o.patient_id, "parameter": str(o.parameter),
             "value": o.value, "unit": o.unit, "effective_at": o.effective_at.astimezone(dt.UTC),
             "received_at": o.received_at.astimezone(dt.UTC), "device_id": o.device_id}
            for o in fresh])
    return fresh, duplicates, rejected


def _observation_json(o: Observation) -> dict[str, Any]:
    return {"id": o.observation_id, "patient_id": o.patient_id, "parameter": str(o.parameter),
            "value": o.value, "unit": o.unit, "effective_at": o.effective_at.isoformat(),
            "device_id": o.device_id}


def log_observation_writes(
    session: Session, observations: Sequence[Observation], *, source: str, now: dt.datetime,
    client: str | None = None,
) -> int:
    """One access-log ``write`` row per (device, patient) of the stored observations.

    The writer is the device (user ``device:<id>``, role ``device``); observations without a device
    (a CSV import) are written by ``import:<source>`` (role ``system``). Rows are inserted in one
    statement, in the caller's transaction, like :func:`hjemme.services.access.log_access`.
    """
    pairs = dict.fromkeys((o.device_id, o.patient_id) for o in observations)
    rows = [{"at": now, "username": f"device:{device}" if device else f"import:{source}",
             "role": "device" if device else "system", "patient_id": patient_id, "action": "write",
             "resource": f"observations {source}", "client_addr": client} for device, patient_id in pairs]
    if rows:
        session.execute(insert(AccessLogRecord), rows)
    return len(rows)


def ingest_parsed_in_session(
    session: Session, parsed: ParseResult, *, source: str, now: dt.datetime,
    device_id: str | None = None, topic: str | None = None, evaluate: bool = True, client: str | None = None,
) -> IngestResult:
    """Store a parse result, dead-letter its rejections, access-log the writes, evaluate rules for the
    patients touched."""
    stored, duplicates, unknown = store_observations(session, parsed.observations)
    rejections = (*parsed.rejections, *unknown)
    store_dead_letters(session, rejections, source=source, now=now, device_id=device_id, topic=topic)
    log_observation_writes(session, stored, source=source, now=now, client=client)
    touched = [o.patient_id for o in stored] if evaluate else []
    alarms = evaluate_patients_in_session(session, touched, now) if touched else []
    return IngestResult(len(stored), duplicates, len(rejections), tuple(a.alarm_id for a in alarms),
                        tuple(rejections), tuple(o.observation_id for o in stored))


def ingest_fhir(
    *, engine: Engine, payload: Any, now: dt.datetime, device_id: str | None = None,
    patient_id: str | None = None, client: str | None = None,
) -> IngestResult:
    """``POST /fhir/Observation``: one Observation or a transaction/batch Bundle; one transaction.

    ``patient_id`` is the only patient the caller may post for (a device token's patient): a payload
    naming any other patient raises ``PermissionDeniedError`` and nothing is stored, not even a dead
    letter. A transaction Bundle with any rejection stores nothing (FHIR's all-or-nothing). The
    result's ``entries`` say what happened to each posted resource, for the batch response.
    """
    parsed = parse_fhir_payload(payload, now=now, device_id=device_id)
    if patient_id is not None:
        named = {o.patient_id for o in parsed.observations} | cited_patients(payload)
        foreign = sorted(named - {patient_id})
        if foreign:
            raise PermissionDeniedError(f"enheten {device_id or ''} kan bare sende målinger for sin egen "
                                        f"pasient, ikke for {', '.join(foreign)}")
    with session_scope(engine) as session:
        result = ingest_parsed_in_session(session, parsed, source="http", now=now, device_id=device_id,
                                          client=client)
    return replace(result, entries=entry_outcomes(payload, parsed, result))


def cited_patients(payload: Any) -> set[str]:
    """Patient ids a FHIR payload's ``subject`` references name, parsable or not (for the device check)."""
    resources = [payload]
    if isinstance(payload, dict) and payload.get("resourceType") == "Bundle":
        entries = payload.get("entry")
        listed = entries if isinstance(entries, list) else []
        resources = [e.get("resource") for e in listed if isinstance(e, dict)]
    found = set()
    for resource in resources:
        subject = resource.get("subject") if isinstance(resource, dict) else None
        reference = subject.get("reference") if isinstance(subject, dict) else None
        if isinstance(reference, str) and "Patient/" in reference:
            found.add(reference.rstrip("/").rsplit("/", 1)[-1])
    return found


def entry_outcomes(payload: Any, parsed: ParseResult, result: IngestResult) -> tuple[EntryOutcome, ...]:
    """The outcome of each posted resource: created, duplicate, rejected (reason, path), not-processed."""
    stored = set(result.observation_ids)
    unknown = {r.raw.get("id") for r in result.rejections if isinstance(r.raw, dict) and r.index is None
               and str(r.reason).startswith("ukjent pasient")}
    if parsed.bundle_type is None:  # one Observation (or something that is not a Bundle)
        indexed: dict[int | None, list[Observation]] = {None: list(parsed.observations)}
        count = 1
    else:
        indexed = {}
        for position, observation in zip(parsed.entries, parsed.observations, strict=True):
            indexed.setdefault(position, []).append(observation)
        entries = payload.get("entry") if isinstance(payload, dict) else None
        count = len(entries) if isinstance(entries, list) else 0
    by_index = {r.index: r for r in parsed.rejections if r.index is not None}
    failed_transaction = parsed.bundle_type == "transaction" and bool(parsed.rejections)
    outcomes = []
    for index in ([None] if parsed.bundle_type is None else list(range(count))):
        rejection = by_index.get(index) if index is not None else next(iter(parsed.rejections), None)
        observations = indexed.get(index, [])
        ids = tuple(o.observation_id for o in observations)
        if rejection is not None:
            outcomes.append(EntryOutcome(index, "rejected", (), rejection.reason, rejection.path))
        elif failed_transaction:
            outcomes.append(EntryOutcome(index, "not-processed", (), "transaksjonen avvist", None))
        elif any(i in stored for i in ids):
            outcomes.append(EntryOutcome(index, "created", ids))
        elif any(i in unknown for i in ids):
            where = "Observation" if index is None else f"Bundle.entry[{index}].resource"
            outcomes.append(EntryOutcome(index, "rejected", (), "ukjent pasient", f"{where}.subject"))
        else:
            outcomes.append(EntryOutcome(index, "duplicate", ids))
    return tuple(outcomes)


def device_of_topic(topic: str, root: str = TOPIC_ROOT) -> str | None:
    """``hjemme/devices/{device_id}/observations`` → ``device_id`` (``None`` for other topics)."""
    parts = topic.split("/")
    if len(parts) == 4 and parts[:2] == [root, "devices"] and parts[3] == "observations" and parts[2]:
        return parts[2]
    return None


def ingest_device_messages(
    *, engine: Engine, messages: Sequence[tuple[str, bytes]], now: dt.datetime, topic_root: str = TOPIC_ROOT
) -> IngestResult:
    """A batch of MQTT messages (topic, payload) in one transaction; bad ones become dead letters."""
    with session_scope(engine) as session:
        return ingest_device_messages_in_session(session, messages, now, topic_root)


def ingest_device_messages_in_session(
    session: Session, messages: Sequence[tuple[str, bytes]], now: dt.datetime, topic_root: str = TOPIC_ROOT
) -> IngestResult:
    observations: list[Observation] = []
    total = IngestResult()
    for topic, payload in messages:
        device_id = device_of_topic(topic, topic_root)
        if device_id is None:
            rejection = Rejection(f"ukjent emne '{topic}'", payload.decode("utf-8", "replace"))
            store_dead_letters(session, [rejection], source="mqtt", now=now, topic=topic)
            total += IngestResult(rejected=1, rejections=(rejection,))
            continue
        parsed = parse_device_message(payload, device_id=device_id, now=now)
        store_dead_letters(session, parsed.rejections, source="mqtt", now=now, device_id=device_id,
                           topic=topic)
        total += IngestResult(rejected=len(parsed.rejections), rejections=parsed.rejections)
        observations += parsed.observations
    return total + ingest_parsed_in_session(session, ParseResult(tuple(observations)), source="mqtt", now=now)


def ingest_csv(*, engine: Engine, path: Path, now: dt.datetime) -> IngestResult:
    """``hjemme ingest csv FILE``: columns ``observation_id,patient_id,parameter,value,unit,
    effective_at[,device_id]``; bad rows become dead letters naming the row, good rows are stored."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError("FILE", f"kan ikke lese {path}: {error}") from None
    reader = csv.DictReader(text.splitlines())
    missing = {"patient_id", "parameter", "value", "effective_at"} - set(reader.fieldnames or [])
    if missing:
        raise InputError("FILE", "mangler kolonne(r): " + ", ".join(sorted(missing)))
    observations: list[Observation] = []
    rejections: list[Rejection] = []
    for row_number, row in enumerate(reader, start=1):
        try:
            observations.append(parse_observation_record(row, device_id=None, now=now))
        except InputError as error:
            rejections.append(Rejection(f"rad {row_number}, kolonne '{error.field}': {error.problem}", row,
                                        row_number))
    with session_scope(engine) as session:
        return ingest_parsed_in_session(session, ParseResult(tuple(observations), tuple(rejections)),
                                        source="csv", now=now)


# -- the MQTT consumer -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    host: str
    port: int

    @classmethod
    def parse(cls, url: str) -> BrokerAddress:
        """``mqtt://HOST:PORT`` (port 1883 by default)."""
        parsed = urlparse(url if "://" in url else f"mqtt://{url}")
        if parsed.scheme not in ("mqtt", "tcp") or not parsed.hostname:
            raise InputError("--broker", f"'{url}' er ikke en mqtt://VERT:PORT-adresse")
        return cls(parsed.hostname, parsed.port or 1883)


@dataclass(slots=True)
class ConsumerStats:
    messages: int = 0
    batches: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    reconnects: int = 0


class MqttIngestConsumer:
    """Reads device messages from the broker into the store until ``stop`` is set.

    paho's network thread reads continuously (so the broker's queue for this session stays short
    while a batch is being committed) and reconnects on its own; the calling thread takes what has
    arrived, commits it as one batch and only then acknowledges each message. ``clock`` gives
    ``received_at``.
    """

    def __init__(
        self, *, engine: Engine, broker: BrokerAddress, client_id: str = DEFAULT_CLIENT_ID,
        topic_root: str = TOPIC_ROOT, batch_size: int = 500,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.engine = engine
        self.broker = broker
        self.topic_root = topic_root
        self.batch_size = batch_size
        self.clock = clock
        self.stats = ConsumerStats()
        self.connected = threading.Event()
        self._connects = 0
        self._inbox: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self._pending: list[mqtt.MQTTMessage] = []
        self._client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                                   clean_session=False, protocol=mqtt.MQTTv311)
        self._client.manual_ack_set(True)
        self._client.reconnect_delay_set(min_delay=1, max_delay=int(MAX_BACKOFF_S))
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message

    def _on_connect(self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if reason.is_failure:
            log.warning("MQTT connect refused: %s", reason)
            return
        client.subscribe(f"{self.topic_root}/devices/+/observations", qos=1)
        self._connects += 1
        self.stats.reconnects = self._connects - 1

    def _on_subscribe(self, _client: mqtt.Client, _u: Any, _mid: Any, _codes: Any, _p: Any) -> None:
        self.connected.set()  # "ready": the broker has the subscription, publishing now is safe

    def _on_disconnect(self, _client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        self.connected.clear()
        log.warning("MQTT disconnected: %s", reason)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        self._inbox.put(message)

    def run(self, stop: threading.Event, max_messages: int | None = None) -> ConsumerStats:
        """Consume until ``stop`` is set (or ``max_messages`` were handled); reconnects forever."""
        self._client.connect_async(self.broker.host, self.broker.port, keepalive=30)
        self._client.loop_start()
        backoff = 0.5
        try:
            while not stop.is_set():
                self._collect(stop)
                if self._pending:
                    try:
                        self._flush()
                        backoff = 0.5
                    except Exception:  # the database is unreachable: keep the messages, wait, retry
                        log.exception("cannot store device messages; retrying in %.1f s", backoff)
                        stop.wait(backoff)
                        backoff = min(backoff * 2, MAX_BACKOFF_S)
                if max_messages is not None and self.stats.messages >= max_messages:
                    break
        finally:
            self._client.disconnect()
            self._client.loop_stop()
        return self.stats

    def _collect(self, stop: threading.Event) -> None:
        """Move arrived messages into the batch: wait for the first, then take what is there."""
        if not self._pending:
            try:
                self._pending.append(self._inbox.get(timeout=0.1))
            except queue.Empty:
                return
        # No waiting for more: the broker counts every unacknowledged message against the session's
        # queue (Mosquitto: max_queued_messages, 1000 by default) and drops QoS 1 messages beyond
        # it, so acknowledging early matters more than filling batches. Bursts batch by themselves
        # while the previous batch is committing.
        while len(self._pending) < self.batch_size and not stop.is_set():
            try:
                self._pending.append(self._inbox.get_nowait())
            except queue.Empty:
                return

    def _flush(self) -> None:
        """Commit the pending batch, then acknowledge it; on a database outage keep it and raise."""
        batch, self._pending = self._pending, []
        items = [(m.topic, bytes(m.payload)) for m in batch]
        try:
            result = ingest_device_messages(engine=self.engine, messages=items, now=self.clock(),
                                            topic_root=self.topic_root)
            for message in batch:
                self._ack(message)
        except Exception:  # one message broke the batch (or the database is down): isolate it
            log.exception("batch of %d failed; retrying one message at a time", len(batch))
            result = IngestResult()
            for index, (message, item) in enumerate(zip(batch, items, strict=True)):
                try:
                    result += self._one(item)
                except Exception:
                    self._pending = batch[index:] + self._pending  # not acknowledged: retried later
                    raise
                self._ack(message)
        self.stats.messages += len(batch)
        self.stats.batches += 1
        self.stats.stored += result.stored
        self.stats.duplicates += result.duplicates
        self.stats.rejected += result.rejected

    def _one(self, item: tuple[str, bytes]) -> IngestResult:
        now = self.clock()
        try:
            return ingest_device_messages(engine=self.engine, messages=[item], now=now,
                                          topic_root=self.topic_root)
        except Exception as error:  # noqa: BLE001 - the consumer never stops on bad input
            with session_scope(self.engine) as session:
                rejection = Rejection(f"kunne ikke lagres: {type(error).__name__}: {error}"[:2000],
                                      item[1].decode("utf-8", "replace"))
                store_dead_letters(session, [rejection], source="mqtt", now=now,
                                   device_id=device_of_topic(item[0], self.topic_root), topic=item[0])
            return IngestResult(rejected=1)

    def _ack(self, message: mqtt.MQTTMessage) -> None:
        if message.qos > 0:
            self._client.ack(message.mid, message.qos)


def forget_mqtt_session(broker: BrokerAddress, client_id: str, timeout_s: float = 5.0) -> None:
    """Drop a persistent session (and its queued messages) from the broker: connect once with a
    clean session under the same client id. For decommissioning a consumer id, and for tests."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True,
                         protocol=mqtt.MQTTv311)
    client.connect(broker.host, broker.port, keepalive=10)
    deadline = time.monotonic() + timeout_s
    while not client.is_connected() and time.monotonic() < deadline:
        client.loop(timeout=0.05)
    client.disconnect()
    client.loop(timeout=0.05)
