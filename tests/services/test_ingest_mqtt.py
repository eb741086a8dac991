"""Device data through the real Mosquitto broker: end to end, consumer restart, broker restart.

Needs ``HJEMME_TEST_MQTT_URL`` (CI sets it when 127.0.0.1:1883 answers). Each test uses its own
topic root and client id, so tests running in parallel on one broker never see each other's
messages, and removes its persistent session afterwards. The broker-restart test starts a private
``mosquitto`` (with persistence) on a free port, so the shared broker is never restarted.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from sqlalchemy import Engine

from hjemme.services.ingest import BrokerAddress, ConsumerStats, MqttIngestConsumer, forget_mqtt_session
from hjemme.services.monitoring import list_alarms
from hjemme.store.monitoring_tables import DeadLetterRecord, ObservationRecord
from tests.services.monitoring_fixtures import RESPONDER, count, seed

pytestmark = pytest.mark.mqtt
ENV = "HJEMME_TEST_MQTT_URL"
WAIT_S = 30.0


def _answers(address: BrokerAddress) -> bool:
    try:
        with socket.create_connection((address.host, address.port), timeout=1.0):
            return True
    except OSError:
        return False


@pytest.fixture
def broker() -> BrokerAddress:
    url = os.environ.get(ENV)
    if not url:
        pytest.skip(f"MQTT tests need {ENV} (e.g. mqtt://127.0.0.1:1883)")
    address = BrokerAddress.parse(url)
    if not _answers(address):
        pytest.skip(f"the MQTT broker at {url} does not answer")
    return address


@pytest.fixture
def engine(db_engine: Engine) -> Engine:
    seed(db_engine)
    return db_engine


@pytest.fixture
def root() -> str:
    return f"hjemme-test-{uuid.uuid4().hex[:10]}"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def message(ident: str, patient: str, parameter: str, value: float, minutes_ago: float = 1) -> dict[str, object]:
    at = now() - dt.timedelta(minutes=minutes_ago)
    return {"id": ident, "patient_id": patient, "parameter": parameter, "value": value, "effective_at": at.isoformat()}


def publish(address: BrokerAddress, root: str, payloads: list[bytes], device: str = "dev-1") -> None:
    """Publish with QoS 1 and wait for every PUBACK (retrying the connection while the broker starts)."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:8]}")
    deadline = time.monotonic() + WAIT_S
    while True:
        try:
            client.connect(address.host, address.port)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            threading.Event().wait(0.1)
    client.loop_start()
    try:
        infos = [client.publish(f"{root}/devices/{device}/observations", p, qos=1) for p in payloads]
        for info in infos:
            info.wait_for_publish(timeout=WAIT_S)
            assert info.is_published()
    finally:
        client.disconnect()
        client.loop_stop()


class Running:
    """A consumer in a background thread, stopped and joined on exit."""

    def __init__(self, consumer: MqttIngestConsumer, max_messages: int | None = None) -> None:
        self.consumer = consumer
        self.stop = threading.Event()
        self.stats: ConsumerStats | None = None
        self.thread = threading.Thread(target=self._run, args=(max_messages,), daemon=True)
        self.thread.start()

    def _run(self, max_messages: int | None) -> None:
        self.stats = self.consumer.run(self.stop, max_messages)

    def wait_connected(self) -> None:
        assert self.consumer.connected.wait(WAIT_S), "consumer did not connect"

    def close(self) -> ConsumerStats:
        self.stop.set()
        self.thread.join(WAIT_S)
        assert not self.thread.is_alive()
        assert self.stats is not None
        return self.stats


def wait_for(condition: Callable[[], bool]) -> None:
    """Wait (bounded) for the consumer to have done something; not a timing assertion."""
    deadline = time.monotonic() + WAIT_S
    pause = threading.Event()
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        pause.wait(0.05)


def test_published_vitals_reach_the_worklist(engine: Engine, broker: BrokerAddress, root: str) -> None:
    """Vitals published by a device end as a red NEWS2 alarm; a malformed message is dead-lettered."""
    client_id = f"consumer-{root}"
    consumer = Running(MqttIngestConsumer(engine=engine, broker=broker, client_id=client_id, topic_root=root))
    try:
        consumer.wait_connected()
        vitals = [message(f"{root}-{p}", "LUNG", p, v) for p, v in
                  {"respiratory_rate": 26, "spo2": 89, "systolic_bp": 95, "pulse": 125, "temperature": 37.2}.items()]
        publish(broker, root, [json.dumps(vitals).encode(), b"{broken"])
        wait_for(lambda: count(engine, DeadLetterRecord) >= 1 and any(
            a.kind == "news2" for a in list_alarms(engine=engine, principal=RESPONDER, at=now())))
    finally:
        consumer.close()
        forget_mqtt_session(broker, client_id)
    (news2,) = [a for a in list_alarms(engine=engine, principal=RESPONDER, at=now()) if a.kind == "news2"]
    assert (news2.patient_id, news2.severity) == ("LUNG", "red")
    assert count(engine, ObservationRecord) == 5


def test_consumer_restart_loses_and_duplicates_nothing(engine: Engine, broker: BrokerAddress, root: str) -> None:
    """Messages published while the consumer is down are delivered after it restarts, each stored once."""
    client_id = f"consumer-{root}"
    payloads = [json.dumps(message(f"{root}-{i}", "HF", "weight", 80 + i / 100, i / 10)).encode() for i in range(60)]
    first = Running(MqttIngestConsumer(engine=engine, broker=broker, client_id=client_id, topic_root=root,
                                       batch_size=7), max_messages=10)
    try:
        first.wait_connected()
        publish(broker, root, payloads[:30])
        first.thread.join(WAIT_S)
        stats_first = first.close()
        publish(broker, root, payloads[30:])  # the consumer is down: the broker queues these
        second = Running(MqttIngestConsumer(engine=engine, broker=broker, client_id=client_id, topic_root=root))
        try:
            wait_for(lambda: count(engine, ObservationRecord) == 60)
        finally:
            stats_second = second.close()
    finally:
        forget_mqtt_session(broker, client_id)
    assert count(engine, ObservationRecord) == 60
    assert count(engine, DeadLetterRecord) == 0
    assert stats_first.stored + stats_second.stored == 60


@pytest.fixture
def private_broker(tmp_path: Path, broker: BrokerAddress) -> Iterator[tuple[BrokerAddress, Callable[[], None]]]:
    """A mosquitto of this test's own, with persistence, and a function that restarts it."""
    binary = shutil.which("mosquitto") or ("/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None)
    if binary is None:
        pytest.skip("the broker-restart test needs the mosquitto binary")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "mosquitto.conf"
    # ``user``: mosquitto started as root drops to "mosquitto", which could not write the persistence
    # file in this test's directory, and a broker without its saved sessions would lose the queue.
    config.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence true\n"
                      f"user {getpass.getuser()}\n"
                      f"persistence_location {tmp_path}/\nmax_queued_messages 10000\n", encoding="utf-8")
    address = BrokerAddress("127.0.0.1", port)
    process: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        process.append(subprocess.Popen([binary, "-c", str(config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL))
        wait_for(lambda: _answers(address))

    def restart() -> None:
        process[-1].terminate()
        process[-1].wait(WAIT_S)
        start()

    start()
    yield address, restart
    for p in process:
        if p.poll() is None:
            p.terminate()
            p.wait(WAIT_S)


def test_broker_restart_mid_stream(engine: Engine, private_broker: tuple[BrokerAddress, Callable[[], None]],
                                   root: str) -> None:
    """A broker restart in the middle of a stream loses no observation and duplicates none."""
    address, restart = private_broker
    payloads = [json.dumps(message(f"{root}-{i}", "HF", "weight", 80 + i / 100, i / 10)).encode() for i in range(80)]
    consumer = Running(MqttIngestConsumer(engine=engine, broker=address, client_id=f"consumer-{root}",
                                          topic_root=root, batch_size=5))
    try:
        consumer.wait_connected()
        publish(address, root, payloads[:40])
        restart()
        publish(address, root, payloads[40:])
        wait_for(lambda: count(engine, ObservationRecord) == 80)
    finally:
        stats = consumer.close()
    assert count(engine, ObservationRecord) == 80
    assert count(engine, DeadLetterRecord) == 0
    assert stats.reconnects >= 1
