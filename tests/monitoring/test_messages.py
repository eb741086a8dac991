"""MQTT device messages and CSV-style records into observations."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from hjemme.errors import InputError
from hjemme.monitoring.messages import parse_device_message, parse_observation_record
from hjemme.monitoring.observations import Parameter

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
RECORD = {"id": "m1", "patient_id": "P1", "parameter": "spo2", "value": 94, "unit": "%",
          "effective_at": "2026-11-23T09:15:00+01:00"}


def test_compact_message_is_parsed_with_topic_device() -> None:
    """A compact JSON message becomes an observation attributed to the topic's device."""
    result = parse_device_message(json.dumps(RECORD).encode(), device_id="oxi-7", now=NOW)
    (o,) = result.observations
    assert (o.observation_id, o.parameter, o.value, o.device_id) == ("m1", Parameter.SPO2, 94.0, "oxi-7")


def test_list_with_one_bad_item_keeps_the_rest() -> None:
    """In a list of measurements a bad one is rejected by position and the others kept."""
    items = [RECORD, {**RECORD, "id": "m2", "value": "høy"}, {**RECORD, "id": "m3", "loinc": "8867-4",
                                                               "parameter": None, "value": 70, "unit": "/min"}]
    result = parse_device_message(json.dumps({"observations": items}), device_id="d", now=NOW)
    assert [o.observation_id for o in result.observations] == ["m1", "m3"]
    assert result.observations[1].parameter is Parameter.PULSE
    assert result.rejections[0].index == 1
    assert "value" in result.rejections[0].reason


def test_natural_key_without_id_is_stable() -> None:
    """Without an id, the same measurement redelivered gets the same key (no double count)."""
    record = {k: v for k, v in RECORD.items() if k != "id"}
    first = parse_observation_record(record, device_id="d1", now=NOW)
    again = parse_observation_record(record, device_id="d1", now=NOW + dt.timedelta(minutes=5))
    assert first.observation_id == again.observation_id


@pytest.mark.parametrize("payload", [b"not json", b"\xff\xfe", b"42", b"[1, 2]"])
def test_garbage_is_rejected_never_raised(payload: bytes) -> None:
    """Whatever arrives on the topic yields rejections instead of an exception."""
    result = parse_device_message(payload, device_id="d", now=NOW)
    assert result.observations == ()
    assert result.rejections


def test_fhir_message_on_mqtt() -> None:
    """A FHIR Observation sent over MQTT is parsed as FHIR."""
    resource = {"resourceType": "Observation", "id": "f1", "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
                "subject": {"reference": "Patient/P1"}, "effectiveDateTime": "2026-11-23T09:00:00Z",
                "valueQuantity": {"value": 77, "code": "/min"}}
    result = parse_device_message(json.dumps(resource), device_id="d", now=NOW)
    assert result.observations[0].value == 77.0


@pytest.mark.parametrize(
    ("change", "field"),
    [({"effective_at": "2026-11-23T09:15:00"}, "effective_at"), ({"parameter": "mood"}, "parameter"),
     ({"patient_id": ""}, "patient_id"), ({"unit": "kg"}, "unit"), ({"value": "95,5"}, None)],
)
def test_record_validation(change: dict[str, str], field: str | None) -> None:
    """Naive times, unknown parameters, missing patients and wrong units are refused; decimal commas work."""
    record = {**RECORD, **change}
    if field is None:
        assert parse_observation_record(record, device_id=None, now=NOW).value == 95.5
        return
    with pytest.raises(InputError) as error:
        parse_observation_record(record, device_id=None, now=NOW)
    assert error.value.field == field


def test_consciousness_letter() -> None:
    """Consciousness may be sent as its ACVPU letter."""
    record = {**RECORD, "parameter": "consciousness", "value": "P", "unit": ""}
    assert parse_observation_record(record, device_id=None, now=NOW).value == 3.0
