"""Ingest into the observation store: idempotent, dead letters for bad input, alarms from rules."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from hjemme.errors import InputError
from hjemme.services.ingest import device_of_topic, ingest_csv, ingest_device_messages, ingest_fhir
from hjemme.services.monitoring import list_alarms
from hjemme.store.database import session_scope
from hjemme.store.monitoring_tables import DeadLetterRecord, ObservationRecord
from tests.services.monitoring_fixtures import NOW, RESPONDER, bundle, count, observation, seed, vitals


@pytest.fixture
def engine(db_engine: Engine) -> Engine:
    seed(db_engine)
    return db_engine


def test_fhir_ingest_is_idempotent(engine: Engine) -> None:
    """Posting the same Observation twice stores it once and reports the duplicate."""
    payload = observation("o-1", "HF", "weight", 80.0, NOW - dt.timedelta(minutes=5))
    first = ingest_fhir(engine=engine, payload=payload, now=NOW)
    again = ingest_fhir(engine=engine, payload=payload, now=NOW + dt.timedelta(minutes=1))
    assert (first.stored, first.duplicates, again.stored, again.duplicates) == (1, 0, 0, 1)
    assert count(engine, ObservationRecord) == 1


def test_converted_units_are_stored_canonical(engine: Engine) -> None:
    """A weight in pounds is stored in kilograms."""
    payload = observation("o-lb", "HF", "weight", 176.37, NOW - dt.timedelta(minutes=5), unit="[lb_av]")
    ingest_fhir(engine=engine, payload=payload, now=NOW)
    with session_scope(engine) as session:
        record = session.scalars(select(ObservationRecord)).one()
    assert (record.unit, round(record.value, 2)) == ("kg", 80.0)
    assert record.effective_at == NOW - dt.timedelta(minutes=5)


def test_high_news2_opens_a_red_alarm_in_the_worklist(engine: Engine) -> None:
    """A full set of bad vitals opens a red NEWS2 alarm on top of the worklist, above the yellow
    respiratory-rate threshold alarm; SpO2 89 % scores 0 on scale 2 for this COPD patient."""
    ingest_fhir(engine=engine, payload=vitals("LUNG", NOW - dt.timedelta(minutes=3), respiratory_rate=26,
                                               pulse=120, systolic_bp=95, spo2=89), now=NOW)
    news2, threshold = list_alarms(engine=engine, principal=RESPONDER, at=NOW)
    assert (news2.patient_id, news2.kind, news2.severity) == ("LUNG", "news2", "red")
    assert news2.score == 7  # RR 3 + SBP 2 + pulse 2
    assert len(news2.evidence) == 5
    assert (threshold.kind, threshold.severity, threshold.dedup_key) == (
        "threshold", "yellow", "LUNG:threshold:respiratory_rate:high")


def test_repeat_measurements_do_not_open_a_second_alarm(engine: Engine) -> None:
    """While an alarm is open, the same problem measured again adds evidence to it."""
    ingest_fhir(engine=engine, payload=observation("p1", "HF", "pulse", 130, NOW - dt.timedelta(hours=2)), now=NOW)
    ingest_fhir(engine=engine, payload=observation("p2", "HF", "pulse", 135, NOW - dt.timedelta(hours=1)), now=NOW)
    (alarm,) = list_alarms(engine=engine, principal=RESPONDER, at=NOW)
    assert alarm.evidence == ("p1", "p2")


def test_weight_trend_alarm_from_out_of_order_arrivals(engine: Engine) -> None:
    """Heart failure weights arriving out of order still reveal a 2.5 kg gain over 3 days."""
    days = [(3, 80.0), (0, 82.5), (2, 80.4), (1, 81.0)]
    for ago, kg in days:
        at = NOW - dt.timedelta(days=ago, minutes=1)
        ingest_fhir(engine=engine, payload=observation(f"w{ago}", "HF", "weight", kg, at), now=NOW)
    (alarm,) = list_alarms(engine=engine, principal=RESPONDER, at=NOW)
    assert alarm.kind == "trend" and alarm.evidence == ("w3", "w0")


def test_transaction_bundle_with_bad_entry_stores_nothing(engine: Engine) -> None:
    """A transaction Bundle with one bad entry stores no observation and keeps the reasons."""
    good = observation("t1", "HF", "weight", 80.0, NOW - dt.timedelta(minutes=1))
    bad = observation("t2", "HF", "weight", 80.0, NOW - dt.timedelta(minutes=1), unit="mm[Hg]")
    result = ingest_fhir(engine=engine, payload=bundle(good, bad, kind="transaction"), now=NOW)
    assert result.stored == 0 and count(engine, ObservationRecord) == 0
    assert count(engine, DeadLetterRecord) >= 1


def test_unknown_patient_and_garbage_go_to_dead_letters(engine: Engine) -> None:
    """Messages for unknown patients, malformed JSON and wrong topics are kept with a reason."""
    good = json.dumps({"id": "m1", "patient_id": "HF", "parameter": "weight", "value": 80,
                       "unit": "kg", "effective_at": "2026-11-23T08:30:00Z"}).encode()
    stranger = good.replace(b'"HF"', b'"NOBODY"').replace(b'"m1"', b'"m2"')
    result = ingest_device_messages(engine=engine, now=NOW, messages=[
        ("hjemme/devices/scale-1/observations", good),
        ("hjemme/devices/scale-1/observations", stranger),
        ("hjemme/devices/scale-1/observations", b"{not json"),
        ("elsewhere", good),
    ])
    assert (result.stored, result.rejected) == (1, 3)
    with session_scope(engine) as session:
        letters = list(session.scalars(select(DeadLetterRecord).order_by(DeadLetterRecord.id)))
    reasons = " | ".join(letter.reason for letter in letters)
    assert "ukjent pasient 'NOBODY'" in reasons and "JSON" in reasons and "emne" in reasons
    assert any(letter.payload == "{not json" for letter in letters)
    assert {letter.source for letter in letters} == {"mqtt"}


def test_csv_import(engine: Engine, tmp_path: Path) -> None:
    """A CSV file stores its good rows and dead-letters the bad ones naming the row."""
    path = tmp_path / "obs.csv"
    path.write_text(
        "observation_id,patient_id,parameter,value,unit,effective_at,device_id\n"
        "c1,HF,weight,80.1,kg,2026-11-23T07:00:00+01:00,scale-1\n"
        "c2,HF,systolic_bp,12x,mm[Hg],2026-11-23T07:00:00+01:00,bp-1\n"
        "c3,HF,8867-4,72,/min,2026-11-23T07:01:00+01:00,bp-1\n",
        encoding="utf-8",
    )
    result = ingest_csv(engine=engine, path=path, now=NOW)
    assert (result.stored, result.rejected) == (2, 1)
    assert "rad 2" in result.rejections[0].reason
    again = ingest_csv(engine=engine, path=path, now=NOW)
    assert (again.stored, again.duplicates) == (0, 2)


def test_csv_without_required_columns_is_refused(engine: Engine, tmp_path: Path) -> None:
    """A CSV file missing required columns is an input error naming them."""
    path = tmp_path / "bad.csv"
    path.write_text("patient_id,value\nHF,80\n", encoding="utf-8")
    with pytest.raises(InputError, match="parameter"):
        ingest_csv(engine=engine, path=path, now=NOW)


def test_device_of_topic() -> None:
    """The device id is the third level of the device topic; other topics have none."""
    assert device_of_topic("hjemme/devices/oxi-3/observations") == "oxi-3"
    assert device_of_topic("hjemme/devices//observations") is None
    assert device_of_topic("hjemme/devices/oxi-3/status") is None
