"""The demo's device stream (issue 14 item 7): synthetic devices sending through the real ingest.

A thin runner around the pure generator :mod:`hjemme.synthetic.device_stream`. Every ``tick_s``
seconds it takes the readings taken since the last tick and delivers them the way a real device
or integration would, with no private write path:

- **MQTT** when the broker (``HJEMME_MQTT_URL``) answers: each device publishes its readings to
  ``hjemme/devices/{device}/observations`` (QoS 1), and hjemme's own consumer
  (:class:`~hjemme.services.ingest.MqttIngestConsumer`) stores them, as ``hjemme ingest mqtt`` does;
- **CSV** otherwise: the readings are written as a file in hjemme's observation CSV format and read
  by :func:`~hjemme.services.ingest.ingest_csv`, as ``hjemme ingest csv`` does.

Either way the rules run at ingest and open alarms in the response centre. ``hjemme demo`` starts
the stream with the server and stops it when the server stops; ``hjemme serve`` never does.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import paho.mqtt.client as mqtt
from sqlalchemy import select

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain.pathways import MonitoredParameter, ServiceKind
from hjemme.monitoring.messages import OBSERVATION_CSV_COLUMNS
from hjemme.services.ingest import (
    TOPIC_ROOT,
    BrokerAddress,
    IngestResult,
    MqttIngestConsumer,
    forget_mqtt_session,
    ingest_csv,
)
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.logistics_tables import DeviceRecord
from hjemme.synthetic.device_stream import (
    DeviceReading,
    DeviceStream,
    StreamParams,
    StreamPatient,
    as_messages,
    build_device_stream,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

log = logging.getLogger(__name__)

STREAM_CLIENT_ID = "hjemme-demo-ingest"
CSV_FILE = "demo-stream.csv"
CONNECT_TIMEOUT_S = 5.0


def stream_patients(
    *, engine: Engine, date: dt.date, catalogue: Catalogue | None = None
) -> list[StreamPatient]:
    """The patients with a stay active on ``date``: their pathways' monitored parameters and devices.

    A system read for the demo's device simulator (nobody is shown anything, so nothing is
    access-logged); the devices are the ones the seeding assigned from the device pool.
    """
    catalogue = catalogue or load_catalogue()
    with session_scope(engine) as session:
        enrolments = repo.list_enrolments(session, active_on=date)
        rows = session.execute(
            select(DeviceRecord.serial, DeviceRecord.device_type_id, DeviceRecord.patient_id).where(
                DeviceRecord.patient_id.is_not(None)
            )
        ).all()
    devices: dict[str, list[tuple[str, str]]] = {}
    for serial, type_id, patient_id in rows:
        devices.setdefault(patient_id, []).append((serial, type_id))
    monitoring: dict[str, dict[str, MonitoredParameter]] = {}
    kit: set[str] = set()
    target: set[str] = set()
    for enrolment in enrolments:
        pathway = catalogue.pathways.get(enrolment.pathway_id)
        if pathway is None:
            continue
        specs = monitoring.setdefault(enrolment.patient_id, {})
        for spec in pathway.monitoring:
            specs.setdefault(spec.code, spec)  # the first stay wins, as in the rules
        if pathway.service_kind is ServiceKind.AHS and pathway.monitoring:  # admitted and monitored: a kit
            kit.add(enrolment.patient_id)
        if enrolment.spo2_target_88_92:
            target.add(enrolment.patient_id)
    return [
        StreamPatient(pid, tuple(specs.values()), tuple(devices.get(pid, ())), pid in kit, pid in target)
        for pid, specs in sorted(monitoring.items())
    ]


def broker_answers(address: BrokerAddress, timeout_s: float = 1.0) -> bool:
    """True when an MQTT broker accepts a connection at ``address`` within ``timeout_s``."""
    try:
        with socket.create_connection((address.host, address.port), timeout=timeout_s):
            pass
    except OSError:
        return False
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id=f"hjemme-probe-{uuid.uuid4().hex[:8]}",
        clean_session=True,
        protocol=mqtt.MQTTv311,
    )
    try:
        client.connect(address.host, address.port, keepalive=10)
        deadline = time.monotonic() + timeout_s
        while not client.is_connected() and time.monotonic() < deadline:
            client.loop(timeout=0.05)
        return client.is_connected()
    except OSError:
        return False
    finally:
        client.disconnect()


class DemoStream:
    """Delivers a :class:`DeviceStream` in real time through MQTT (``broker`` given) or CSV.

    ``start()`` runs it in background threads until ``stop()``; ``step(now)`` delivers one tick
    synchronously (tests drive it with their own clock). In MQTT mode the consumer is started and
    subscribed before anything is published; if the broker stops answering before that, the stream
    falls back to CSV.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        stream: DeviceStream,
        broker: BrokerAddress | None,
        work_dir: Path,
        tick_s: float = 2.0,
        topic_root: str = TOPIC_ROOT,
        client_id: str = STREAM_CLIENT_ID,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
    ) -> None:
        self.engine = engine
        self.stream = stream
        self.broker = broker
        self.work_dir = work_dir
        self.tick_s = tick_s
        self.topic_root = topic_root
        self.client_id = client_id
        self.clock = clock
        self.mode = "mqtt" if broker is not None else "csv"
        self.sent = 0
        self.alarms = 0
        self._done_s = 0.0
        self._stop = threading.Event()  # ends the ticks
        self._consumer_stop = threading.Event()  # ends the MQTT consumer
        self._threads: list[threading.Thread] = []
        self._consumer: MqttIngestConsumer | None = None
        self._publisher: mqtt.Client | None = None

    # -- life cycle ---------------------------------------------------------------------------------

    def open(self, timeout_s: float = CONNECT_TIMEOUT_S) -> str:
        """Connect the consumer and the devices (MQTT mode); the mode that will be used."""
        if self.mode == "mqtt" and self.broker is not None and self._consumer is None:
            consumer = MqttIngestConsumer(
                engine=self.engine,
                broker=self.broker,
                client_id=self.client_id,
                topic_root=self.topic_root,
                clock=self.clock,
            )
            thread = threading.Thread(
                target=consumer.run, args=(self._consumer_stop,), name="demo-ingest", daemon=True
            )
            thread.start()
            self._threads.append(thread)
            self._consumer = consumer
            publisher = mqtt.Client(
                mqtt.CallbackAPIVersion.VERSION2,
                client_id=f"{self.client_id}-devices",
                clean_session=True,
                protocol=mqtt.MQTTv311,
            )
            publisher.connect_async(self.broker.host, self.broker.port, keepalive=30)
            publisher.loop_start()
            self._publisher = publisher
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline and not (
                consumer.connected.is_set() and publisher.is_connected()
            ):
                time.sleep(0.05)
            if not (consumer.connected.is_set() and publisher.is_connected()):
                log.warning("the MQTT broker did not answer in %.0f s; the demo stream uses CSV", timeout_s)
                self._close_mqtt()
                self.mode = "csv"
        return self.mode

    def start(self) -> str:
        """Open, then deliver a tick every ``tick_s`` seconds in a background thread until :meth:`stop`."""
        mode = self.open()

        def loop() -> None:
            while True:
                try:
                    self.step(self.clock())
                except Exception:  # noqa: BLE001 - a busy database must not end the demo's stream
                    log.exception("demo stream tick failed; trying again")
                if self._stop.wait(self.tick_s):
                    return

        thread = threading.Thread(target=loop, name="demo-stream", daemon=True)
        thread.start()
        self._threads.append(thread)
        return mode

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop ticking, let the consumer commit what it has, disconnect; idempotent."""
        self._stop.set()
        self._consumer_stop.set()
        if self._publisher is not None:
            self._publisher.disconnect()
            self._publisher.loop_stop()
            self._publisher = None
        for thread in self._threads:
            thread.join(timeout_s)
        self._threads = []
        self._close_mqtt()

    def _close_mqtt(self) -> None:
        if self._publisher is not None:
            self._publisher.disconnect()
            self._publisher.loop_stop()
            self._publisher = None
        if self._consumer is not None and self.broker is not None:
            self._consumer = None
            self._consumer_stop.set()
            try:  # the demo's consumer is not a long-lived one: leave no queue behind on the broker
                forget_mqtt_session(self.broker, self.client_id)
            except OSError:
                pass

    def __enter__(self) -> DemoStream:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # -- one tick -------------------------------------------------------------------------------------

    def step(self, now: dt.datetime) -> int:
        """Deliver the readings taken since the last tick up to ``now``; how many were sent."""
        until = (now - self.stream.origin).total_seconds()
        if until <= self._done_s:
            return 0
        readings = self.stream.readings(self._done_s, until)
        if readings:
            if self.mode == "mqtt":
                self._publish(readings)
            else:
                self.alarms += len(set(self._ingest_csv(readings, now).alarm_ids))
        self._done_s = until
        self.sent += len(readings)
        return len(readings)

    def _publish(self, readings: Sequence[DeviceReading]) -> None:
        publisher = self._publisher
        if publisher is None:
            raise RuntimeError("the demo stream is not connected to the broker (call open() first)")
        for device_id, items in as_messages(readings).items():
            topic = f"{self.topic_root}/devices/{device_id}/observations"
            publisher.publish(topic, json.dumps(items), qos=1)

    def _ingest_csv(self, readings: Sequence[DeviceReading], now: dt.datetime) -> IngestResult:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        path = self.work_dir / CSV_FILE
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(OBSERVATION_CSV_COLUMNS)
            for r in readings:
                writer.writerow(
                    [
                        r.observation_id,
                        r.patient_id,
                        r.parameter,
                        r.value,
                        r.unit,
                        r.effective_at.isoformat(),
                        r.device_id,
                    ]
                )
        try:
            return ingest_csv(engine=self.engine, path=path, now=now)
        finally:
            path.unlink(missing_ok=True)


def open_demo_stream(
    *,
    engine: Engine,
    mqtt_url: str | None,
    work_dir: Path,
    date: dt.date,
    origin: dt.datetime,
    seed: int,
    params: StreamParams | None = None,
    tick_s: float = 2.0,
    topic_root: str = TOPIC_ROOT,
    client_id: str = STREAM_CLIENT_ID,
    catalogue: Catalogue | None = None,
) -> DemoStream:
    """The demo's stream for the patients in care on ``date``: MQTT when ``mqtt_url``'s broker answers,
    CSV otherwise (and when ``mqtt_url`` is ``None``). Not started: call ``start()`` or use ``with``."""
    patients = stream_patients(engine=engine, date=date, catalogue=catalogue)
    stream = build_device_stream(patients, origin=origin, seed=seed, params=params)
    broker = BrokerAddress.parse(mqtt_url) if mqtt_url else None
    if broker is not None and not broker_answers(broker):
        broker = None
    return DemoStream(
        engine=engine,
        stream=stream,
        broker=broker,
        work_dir=work_dir,
        tick_s=tick_s,
        topic_root=topic_root,
        client_id=client_id,
    )
