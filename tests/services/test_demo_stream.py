"""The demo's device stream through the real ingest: MQTT on Mosquitto, CSV when no broker answers.

The MQTT test needs ``HJEMME_TEST_MQTT_URL`` and uses its own topic root and client id, so it
never sees other tests' messages; it skips with the reason when the broker is absent.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from hjemme.domain.time import local_date
from hjemme.services.demo_stream import broker_answers, open_demo_stream
from hjemme.services.ingest import BrokerAddress
from hjemme.services.monitoring import list_alarms
from hjemme.services.seeding import seed_population
from hjemme.store.database import session_scope
from hjemme.store.monitoring_tables import ObservationRecord
from hjemme.store.tables import AccessLogRecord
from tests.services.monitoring_fixtures import RESPONDER

MQTT_ENV = "HJEMME_TEST_MQTT_URL"
CLOSED = "mqtt://127.0.0.1:9"  # the discard port: nothing speaks MQTT there
WAIT_S = 30.0


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture
def demo_engine(db_engine: Engine) -> Engine:
    seed_population(engine=db_engine, n_patients=40, seed=2026, date=local_date(_now()))
    return db_engine


def _sources(engine: Engine) -> set[str]:
    with session_scope(engine) as session:
        return set(session.scalars(select(AccessLogRecord.resource).where(
            AccessLogRecord.resource.like("observations %"))))


def _alarmed(engine: Engine) -> set[str]:
    return {a.patient_id for a in list_alarms(engine=engine, principal=RESPONDER, at=_now())}


def test_without_a_broker_the_stream_goes_through_the_csv_ingest(demo_engine: Engine, tmp_path: Path) -> None:
    """No broker: a minute of the stream goes in as CSV; the first wave has alarms, one of them red (NEWS2)."""
    start = _now() - dt.timedelta(seconds=61)
    stream = open_demo_stream(engine=demo_engine, mqtt_url=CLOSED, work_dir=tmp_path, date=local_date(start),
                              origin=start, seed=2026)
    assert stream.mode == "csv"
    assert stream.step(_now()) > 0
    first_wave = {d.patient_id for d in stream.stream.deteriorations if d.onset_s == 0}
    assert first_wave and first_wave <= _alarmed(demo_engine)
    alarms = list_alarms(engine=demo_engine, principal=RESPONDER, at=_now())
    assert any(a.kind == "news2" and a.severity == "red" for a in alarms), "a red NEWS2 alarm to act on"
    assert _sources(demo_engine) == {"observations csv"}
    assert not list(tmp_path.iterdir()), "the CSV file is removed once ingested"


def test_the_stream_stops_cleanly(demo_engine: Engine, tmp_path: Path) -> None:
    """Started in the background, the stream delivers and stops with no thread left running."""
    stream = open_demo_stream(engine=demo_engine, mqtt_url=None, work_dir=tmp_path, date=local_date(_now()),
                              origin=_now() - dt.timedelta(seconds=30), seed=1)
    with stream:
        deadline = time.monotonic() + WAIT_S
        while stream.sent == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert stream.sent > 0
    assert not [t for t in threading.enumerate() if t.name.startswith("demo-")]
    with session_scope(demo_engine) as session:
        assert session.scalars(select(ObservationRecord.id).limit(1)).first() is not None


@pytest.mark.mqtt
def test_with_a_broker_the_stream_raises_alarms_through_the_mqtt_ingest(
    demo_engine: Engine, tmp_path: Path
) -> None:
    """On the real broker, devices publish and hjemme's MQTT consumer stores them and opens alarms."""
    url = os.environ.get(MQTT_ENV)
    if not url:
        pytest.skip(f"MQTT tests need {MQTT_ENV} (e.g. mqtt://127.0.0.1:1883)")
    if not broker_answers(BrokerAddress.parse(url)):
        pytest.skip(f"the MQTT broker at {url} does not answer")
    start = _now() - dt.timedelta(seconds=61)
    tag = uuid.uuid4().hex[:10]
    stream = open_demo_stream(engine=demo_engine, mqtt_url=url, work_dir=tmp_path, date=local_date(start),
                              origin=start, seed=2026, topic_root=f"hjemme-test-{tag}",
                              client_id=f"hjemme-demo-test-{tag}")
    assert stream.mode == "mqtt"
    first_wave = {d.patient_id for d in stream.stream.deteriorations if d.onset_s == 0}
    try:
        assert stream.open() == "mqtt"
        assert stream.step(_now()) > 0
        deadline = time.monotonic() + WAIT_S
        while not first_wave <= _alarmed(demo_engine) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        stream.stop()
    assert first_wave and first_wave <= _alarmed(demo_engine)
    assert _sources(demo_engine) == {"observations mqtt"}
