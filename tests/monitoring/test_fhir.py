"""FHIR R4 Observations and Bundles into observations, with reasons for what cannot be used."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hjemme.monitoring.fhir import parse_fhir_payload
from hjemme.monitoring.news2 import Consciousness
from hjemme.monitoring.observations import Parameter, consciousness_of

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)


def fhir_obs(code: str = "59408-5", value: Any = 95, unit: str = "%", **extra: Any) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": f"obs-{code}",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
        "subject": {"reference": "Patient/P1"},
        "device": {"reference": "Device/oxi-1"},
        "effectiveDateTime": "2026-11-23T09:55:00+01:00",
        "valueQuantity": {"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit},
    }
    resource.update(extra)
    return resource


def test_single_observation_is_parsed() -> None:
    """A valid SpO2 Observation becomes one observation with patient, device and times."""
    result = parse_fhir_payload(fhir_obs(), now=NOW)
    assert result.rejections == ()
    (o,) = result.observations
    assert (o.observation_id, o.patient_id, o.parameter, o.value, o.unit, o.device_id) == (
        "obs-59408-5", "P1", Parameter.SPO2, 95.0, "%", "oxi-1")
    assert o.effective_at == dt.datetime(2026, 11, 23, 8, 55, tzinfo=dt.UTC)
    assert o.received_at == NOW


def test_fahrenheit_and_pounds_are_converted() -> None:
    """Temperature in °F and weight in pounds are stored in °C and kg."""
    temp = parse_fhir_payload(fhir_obs("8310-5", 101.3, "[degF]"), now=NOW).observations[0]
    weight = parse_fhir_payload(fhir_obs("29463-7", 200, "[lb_av]"), now=NOW).observations[0]
    assert temp.value == pytest.approx(38.5)
    assert weight.value == pytest.approx(90.72, abs=0.01)


def test_identifier_wins_and_authenticated_device_wins() -> None:
    """The business identifier is the idempotency key; the caller's device id overrides the resource."""
    resource = fhir_obs(identifier=[{"system": "urn:oxi", "value": "42"}])
    (o,) = parse_fhir_payload(resource, now=NOW, device_id="token-device").observations
    assert o.observation_id == "urn:oxi|42"
    assert o.device_id == "token-device"


def test_blood_pressure_panel_gives_systolic_and_diastolic() -> None:
    """A blood-pressure panel with components yields one systolic and one diastolic observation."""
    resource = fhir_obs("85354-9")
    del resource["valueQuantity"]
    resource["component"] = [
        {"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
         "valueQuantity": {"value": 132, "code": "mm[Hg]", "system": "http://unitsofmeasure.org"}},
        {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
         "valueQuantity": {"value": 84, "code": "mm[Hg]", "system": "http://unitsofmeasure.org"}},
    ]
    result = parse_fhir_payload(resource, now=NOW)
    assert {(o.parameter, o.value) for o in result.observations} == {
        (Parameter.SYSTOLIC_BP, 132.0), (Parameter.DIASTOLIC_BP, 84.0)}
    assert len({o.observation_id for o in result.observations}) == 2


def test_consciousness_as_coded_value() -> None:
    """Level of consciousness coded as ACVPU is stored as its ordinal and read back."""
    resource = fhir_obs("80288-4")
    del resource["valueQuantity"]
    resource["valueCodeableConcept"] = {"coding": [{"code": "LA-x", "display": "Voice"}]}
    (o,) = parse_fhir_payload(resource, now=NOW).observations
    assert consciousness_of(o) is Consciousness.VOICE


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"status": "entered-in-error"}, "status"),
        ({"code": {"coding": [{"system": "http://loinc.org", "code": "1234-5"}]}}, "LOINC"),
        ({"subject": None}, "subject"),
        ({"effectiveDateTime": "2026-11-23"}, "klokkeslett"),
        ({"effectiveDateTime": "2026-11-23T09:00:00"}, "ugyldig FHIR"),
        ({"effectiveDateTime": "2026-11-24T09:00:00+01:00"}, "fremtiden"),
        ({"valueQuantity": {"value": 95, "code": "kg"}}, "enheten"),
        ({"valueQuantity": {"value": 180, "code": "%"}}, "utenfor"),
        ({"id": None}, "idempotent"),
    ],
)
def test_unusable_observation_is_rejected_with_reason(change: dict[str, Any], fragment: str) -> None:
    """An Observation that cannot be used becomes a rejection whose reason says why."""
    resource = {k: v for k, v in {**fhir_obs(), **change}.items() if v is not None}
    result = parse_fhir_payload(resource, now=NOW)
    assert result.observations == ()
    (rejection,) = result.rejections
    assert fragment in rejection.reason
    assert rejection.raw == resource


def test_batch_bundle_keeps_good_entries() -> None:
    """In a batch Bundle each entry stands alone: good ones are kept, bad ones rejected by index."""
    bad = fhir_obs(status="cancelled")
    bundle = {"resourceType": "Bundle", "type": "batch",
              "entry": [{"resource": fhir_obs()}, {"resource": bad}, {"resource": fhir_obs("8867-4", 80, "/min")}]}
    result = parse_fhir_payload(bundle, now=NOW)
    assert [o.parameter for o in result.observations] == [Parameter.SPO2, Parameter.PULSE]
    assert [r.index for r in result.rejections] == [1]


def test_transaction_bundle_is_all_or_nothing() -> None:
    """One bad entry in a transaction Bundle rejects the whole transaction."""
    bundle = {"resourceType": "Bundle", "type": "transaction",
              "entry": [{"resource": fhir_obs()}, {"resource": {"resourceType": "Patient"}}]}
    result = parse_fhir_payload(bundle, now=NOW)
    assert result.observations == ()
    assert any("transaksjonen" in r.reason for r in result.rejections)


def test_entry_without_id_uses_full_url() -> None:
    """A Bundle entry without an id is keyed by its fullUrl."""
    resource = fhir_obs()
    del resource["id"]
    bundle = {"resourceType": "Bundle", "type": "batch",
              "entry": [{"fullUrl": "urn:uuid:5d3c", "resource": resource}]}
    assert parse_fhir_payload(bundle, now=NOW).observations[0].observation_id == "urn:uuid:5d3c"


def test_other_resource_types_are_rejected() -> None:
    """A payload that is neither an Observation nor a Bundle is rejected, not ignored."""
    result = parse_fhir_payload({"resourceType": "Patient", "id": "x"}, now=NOW)
    assert "Patient" in result.rejections[0].reason
