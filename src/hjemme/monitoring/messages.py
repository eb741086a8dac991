"""Device messages (MQTT JSON) and CSV rows turned into :class:`Observation` values.

Devices on ``hjemme/devices/{device_id}/observations`` send either FHIR (an ``Observation`` or a
``Bundle``) or hjemme's compact JSON, one object or a list::

    {"id": "oxi-17-000123", "patient_id": "P0001", "parameter": "spo2",
     "value": 94, "unit": "%", "effective_at": "2026-11-23T08:15:00+01:00"}

``parameter`` may be hjemme's code or a LOINC code (``"loinc": "59408-5"`` works too). Without
``id`` the natural key device + parameter + effective time is used: a device cannot take the same
measurement twice at the same instant, and QoS 1 redelivery must not double-count (issue 5).
Nothing here raises on bad input: every unusable part becomes a :class:`Rejection`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from hjemme.errors import InputError
from hjemme.monitoring.fhir import FhirParseParams, ParseResult, Rejection, parse_fhir_payload
from hjemme.monitoring.observations import (
    ACVPU_ORDINAL,
    CANONICAL_UNIT,
    Observation,
    Parameter,
    parameter_for_loinc,
    parse_acvpu,
)
from hjemme.monitoring.units import to_canonical

OBSERVATION_CSV_COLUMNS = ("observation_id", "patient_id", "parameter", "value", "unit", "effective_at",
                           "device_id")


def parse_device_message(
    payload: bytes | str,
    *,
    device_id: str | None,
    now: dt.datetime,
    params: FhirParseParams | None = None,
) -> ParseResult:
    """One MQTT message body → observations and rejections (never raises on bad content)."""
    params = params or FhirParseParams()
    try:
        text = payload.decode("utf-8") if isinstance(payload, bytes) else payload
        document = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raw = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else payload
        return ParseResult((), (Rejection(f"ikke gyldig JSON ({error})", raw),))
    if isinstance(document, dict) and "resourceType" in document:
        return parse_fhir_payload(document, now=now, device_id=device_id, params=params)
    if isinstance(document, dict) and isinstance(document.get("observations"), list):
        items: list[Any] = document["observations"]
    elif isinstance(document, list):
        items = document
    else:
        items = [document]
    observations: list[Observation] = []
    rejections: list[Rejection] = []
    for index, item in enumerate(items):
        try:
            if not isinstance(item, dict):
                raise InputError("message", "forventet et JSON-objekt per måling")
            observations.append(parse_observation_record(item, device_id=device_id, now=now, params=params))
        except InputError as error:
            where = f"måling {index}: " if len(items) > 1 else ""
            rejections.append(Rejection(f"{where}{error.field}: {error.problem}", item,
                                        index if len(items) > 1 else None))
    return ParseResult(tuple(observations), tuple(rejections))


def parse_observation_record(
    record: Mapping[str, Any],
    *,
    device_id: str | None,
    now: dt.datetime,
    params: FhirParseParams | None = None,
) -> Observation:
    """A compact JSON object or a CSV row (all strings) → one observation; ``InputError`` if unusable."""
    params = params or FhirParseParams()
    parameter = _parameter(record)
    patient_id = _text(record, "patient_id") or _text(record, "patient")
    if not patient_id:
        raise InputError("patient_id", "mangler pasient")
    device = device_id or _text(record, "device_id") or None
    effective = parse_timestamp(record.get("effective_at", record.get("effective")), "effective_at")
    if effective > now + dt.timedelta(seconds=params.max_future_skew_s):
        raise InputError("effective_at", f"måletidspunktet {effective.isoformat()} er i fremtiden")
    raw_value = record.get("value")
    if parameter is Parameter.CONSCIOUSNESS and isinstance(raw_value, str) and raw_value.strip().isalpha():
        value = float(ACVPU_ORDINAL[parse_acvpu(raw_value)])
    else:
        value = to_canonical(parameter, _number(raw_value), str(record.get("unit") or ""))
    ident = _text(record, "observation_id") or _text(record, "id")
    if not ident:
        if not device:
            raise InputError("id", "mangler id, og uten enhet finnes ingen naturlig nøkkel")
        ident = f"{device}:{parameter}:{effective.astimezone(dt.UTC).isoformat()}"
    return Observation(ident, patient_id, parameter, value, CANONICAL_UNIT[parameter], effective, now, device)


def parse_timestamp(raw: Any, field: str) -> dt.datetime:
    """ISO 8601 with a timezone (``Z`` or an offset); a naive time is ambiguous and refused."""
    if not isinstance(raw, str) or not raw.strip():
        raise InputError(field, "mangler tidspunkt")
    try:
        moment = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(field, f"'{raw}' er ikke et ISO 8601-tidspunkt") from None
    if moment.tzinfo is None:
        raise InputError(field, f"'{raw}' mangler tidssone")
    return moment


def _parameter(record: Mapping[str, Any]) -> Parameter:
    code = _text(record, "parameter") or _text(record, "code") or _text(record, "loinc")
    if not code:
        raise InputError("parameter", "mangler parameter")
    try:
        return Parameter(code.lower())
    except ValueError:
        pass
    parameter = parameter_for_loinc(code)
    if parameter is None:
        raise InputError("parameter", f"ukjent parameter '{code}'")
    return parameter


def _text(record: Mapping[str, Any], key: str) -> str:
    value = record.get(key)
    return str(value).strip() if value is not None else ""


def _number(raw: Any) -> float:
    if isinstance(raw, bool):
        raise InputError("value", f"{raw!r} er ikke et tall")
    if isinstance(raw, int | float):
        return float(raw)
    if isinstance(raw, str) and raw.strip():
        try:
            return float(raw.strip().replace(",", "."))
        except ValueError:
            pass
    raise InputError("value", f"'{raw}' er ikke et tall")
