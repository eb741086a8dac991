"""``hjemme ingest csv|mqtt`` and ``hjemme monitoring tick`` through the CLI on a real database."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import threading
import uuid
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from hjemme.cli.main import app
from hjemme.services.ingest import BrokerAddress, forget_mqtt_session
from hjemme.store import repositories as repo
from hjemme.store.database import create_db_engine, session_scope, upgrade
from hjemme.store.monitoring_tables import DeadLetterRecord, ObservationRecord
from tests.store import factories

runner = CliRunner()


@pytest.fixture
def database(database_env: str) -> str:
    engine = create_db_engine(database_env)
    upgrade(engine)
    with session_scope(engine) as session:
        repo.add_patients(session, [factories.patient("HF")])
        today = dt.datetime.now(dt.UTC).date()
        repo.add_enrolments(session, [factories.enrolment("E-HF", "HF", pathway_id="dho_heart_failure",
                                                          start_date=today - dt.timedelta(days=3), length_days=30)])
    engine.dispose()
    return database_env


def rows(url: str, table: object) -> int:
    engine = create_db_engine(url)
    try:
        with session_scope(engine) as session:
            return int(session.scalar(select(func.count()).select_from(table)) or 0)  # type: ignore[arg-type]
    finally:
        engine.dispose()


def test_ingest_csv_reports_counts_and_bad_rows(database: str, tmp_path: Path) -> None:
    """The CSV import prints stored/duplicate/rejected counts and names bad rows on stderr."""
    path = tmp_path / "obs.csv"
    path.write_text("observation_id,patient_id,parameter,value,unit,effective_at\n"
                    "c1,HF,weight,81.0,kg,2026-11-23T07:00:00+01:00\n"
                    "c2,HF,weight,tung,kg,2026-11-23T07:00:00+01:00\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", "csv", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1])["stored"] == 1
    assert "rad 2" in result.stderr
    assert rows(database, ObservationRecord) == 1 and rows(database, DeadLetterRecord) == 1


def test_ingest_csv_missing_file_exits_2(database: str, tmp_path: Path) -> None:
    """A file that cannot be read exits with status 2."""
    result = runner.invoke(app, ["ingest", "csv", str(tmp_path / "none.csv")])
    assert result.exit_code == 2


def test_monitoring_tick_runs_once(database: str) -> None:
    """One tick prints what it did; a patient with no measurements gets reminders."""
    result = runner.invoke(app, ["monitoring", "tick"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["reminders"] >= 1


def test_ingest_mqtt_consumes_until_max_messages(database: str) -> None:
    """``hjemme ingest mqtt --max-messages`` stores what devices published and stops."""
    url = os.environ.get("HJEMME_TEST_MQTT_URL")
    if not url:
        pytest.skip("MQTT tests need HJEMME_TEST_MQTT_URL (e.g. mqtt://127.0.0.1:1883)")
    address = BrokerAddress.parse(url)
    try:
        socket.create_connection((address.host, address.port), timeout=1.0).close()
    except OSError:
        pytest.skip(f"the MQTT broker at {url} does not answer")
    client_id = f"cli-{uuid.uuid4().hex[:10]}"
    root = f"hjemme-test-{client_id}"  # its own topics: parallel test runs never see each other
    # Register the persistent session first, so messages published before the command starts are queued.
    subscribed = threading.Event()
    subscriber = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False)
    subscriber.on_subscribe = lambda *_: subscribed.set()
    subscriber.connect(address.host, address.port)
    subscriber.loop_start()
    subscriber.subscribe(f"{root}/devices/+/observations", qos=1)
    assert subscribed.wait(30)
    subscriber.disconnect()
    subscriber.loop_stop()
    publisher = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"pub-{client_id}")
    publisher.connect(address.host, address.port)
    publisher.loop_start()
    at = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)).isoformat()
    infos = [publisher.publish(f"{root}/devices/scale-1/observations", json.dumps(
        {"id": f"{client_id}-{i}", "patient_id": "HF", "parameter": "weight", "value": 80 + i,
         "effective_at": at}), qos=1) for i in range(3)]
    for info in infos:
        info.wait_for_publish(timeout=30)
    publisher.disconnect()
    publisher.loop_stop()
    try:
        result = runner.invoke(app, ["ingest", "mqtt", "--broker", url, "--client-id", client_id,
                                     "--max-messages", "3", "--topic-root", root])
    finally:
        forget_mqtt_session(address, client_id)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1])["messages"] >= 3
    assert rows(database, ObservationRecord) == 3
