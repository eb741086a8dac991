"""FHIR R4 ``Observation`` and ``Bundle`` payloads turned into :class:`Observation` values.

The API's ``POST /fhir/Observation`` and FHIR messages on MQTT both come here. Each resource is
validated with ``fhir.resources`` (the R4B classes, which share R4's Observation), then mapped by
LOINC code and converted to the canonical UCUM unit. Resources that cannot be used are not
dropped silently: each becomes a :class:`Rejection` with a Norwegian reason and the raw resource,
for the dead-letter table (issue 5).

A ``batch`` Bundle is processed entry by entry; a ``transaction`` Bundle is all-or-nothing, as
FHIR defines it, so one bad entry rejects every entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B.observation import Observation as FhirObservation
from pydantic import ValidationError

from hjemme.errors import InputError
from hjemme.monitoring.observations import (
    ACVPU_ORDINAL,
    BLOOD_PRESSURE_PANEL_LOINC,
    CANONICAL_UNIT,
    Observation,
    Parameter,
    parameter_for_loinc,
    parse_acvpu,
)
from hjemme.monitoring.units import to_canonical

LOINC_SYSTEM = "http://loinc.org"
USABLE_STATUSES = frozenset({"final", "amended", "corrected", "preliminary"})
BUNDLE_TYPES = frozenset({"transaction", "batch", "collection"})


@dataclass(frozen=True, slots=True)
class Rejection:
    """A payload (or part of one) that could not become an observation, and why."""

    reason: str  # Norwegian, shown in the dead-letter list
    raw: Any  # the offending resource or message as received
    index: int | None = None  # position in the Bundle / message list, when there is one
    path: str | None = None  # FHIRPath of the offending element, e.g. ``Bundle.entry[1].resource.status``


@dataclass(frozen=True, slots=True)
class ParseResult:
    """What one payload yielded: usable observations and rejected parts."""

    observations: tuple[Observation, ...] = ()
    rejections: tuple[Rejection, ...] = field(default_factory=tuple)
    entries: tuple[int, ...] = ()  # Bundle entry of each observation (parallel; empty when not a Bundle)
    bundle_type: str | None = None  # ``batch``, ``transaction``, ``collection``; ``None`` for one resource


FIELD_PATHS = {"status": "status", "subject": "subject", "effective": "effective", "code": "code",
               "value": "value", "unit": "valueQuantity.code", "component": "component",
               "id": "identifier", "consciousness": "valueCodeableConcept"}
"""The element of an Observation that an :class:`InputError` field names (FHIRPath, R4)."""


def element_path(prefix: str, field: str) -> str:
    """``prefix`` + the FHIRPath of the element ``field`` names (``resource`` means the whole thing)."""
    if field in ("resource", "entry", ""):
        return prefix
    return f"{prefix}.{FIELD_PATHS.get(field, field)}"


@dataclass(frozen=True, slots=True)
class FhirParseParams:
    """How lenient ingest is about time: how far in the future a device clock may run."""

    max_future_skew_s: int = 300

    def __post_init__(self) -> None:
        if self.max_future_skew_s < 0:
            raise ValueError("max_future_skew_s must be >= 0")


def parse_fhir_payload(
    payload: dict[str, Any],
    *,
    now: dt.datetime,
    device_id: str | None = None,
    params: FhirParseParams | None = None,
) -> ParseResult:
    """An ``Observation`` or a ``Bundle`` of them → observations and rejections.

    ``device_id`` is the device the caller authenticated (device token, MQTT topic); it wins over
    a ``device`` reference in the resource. ``now`` becomes every observation's ``received_at``.
    """
    params = params or FhirParseParams()
    kind = payload.get("resourceType") if isinstance(payload, dict) else None
    if kind == "Observation":
        try:
            return ParseResult(tuple(_observations_from(payload, None, now, device_id, params)))
        except InputError as error:
            return ParseResult((), (Rejection(error.problem, payload, None,
                                              element_path("Observation", error.field)),))
    if kind != "Bundle":
        return ParseResult((), (Rejection(f"ukjent ressurstype {kind!r}; forventet Observation eller Bundle",
                                          payload, None, "resourceType"),))
    bundle_type = payload.get("type")
    entries = payload.get("entry") or []
    if bundle_type not in BUNDLE_TYPES or not isinstance(entries, list):
        return ParseResult((), (Rejection(f"Bundle av typen {bundle_type!r} støttes ikke", payload, None,
                                          "Bundle.type"),))
    observations: list[Observation] = []
    positions: list[int] = []
    rejections: list[Rejection] = []
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        try:
            if not isinstance(resource, dict):
                raise InputError("entry", "oppføringen mangler resource")
            if resource.get("resourceType") != "Observation":
                raise InputError("entry", f"ressurstype {resource.get('resourceType')!r} er ikke Observation")
            found = _observations_from(resource, entry.get("fullUrl"), now, device_id, params)
        except InputError as error:
            path = element_path(f"Bundle.entry[{index}].resource", error.field)
            rejections.append(Rejection(f"oppføring {index}: {error.problem}", entry, index, path))
            continue
        observations.extend(found)
        positions.extend(index for _ in found)
    if bundle_type == "transaction" and rejections:
        reason = "transaksjonen avvist fordi en oppføring er ugyldig"
        return ParseResult((), (*rejections, Rejection(reason, payload, None, "Bundle")), (), bundle_type)
    return ParseResult(tuple(observations), tuple(rejections), tuple(positions), bundle_type)


def _observations_from(
    raw: dict[str, Any],
    full_url: str | None,
    now: dt.datetime,
    device_id: str | None,
    params: FhirParseParams,
) -> list[Observation]:
    try:
        resource = FhirObservation.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        problem = f"ugyldig FHIR Observation ({where}: {first.get('msg')})"
        raise InputError(where or "resource", problem) from None
    if resource.status not in USABLE_STATUSES:
        raise InputError("status", f"status {resource.status!r} kan ikke brukes")
    ident = _identity(resource, full_url)
    patient_id = _reference_id(resource.subject.reference if resource.subject else None, "Patient")
    if patient_id is None:
        raise InputError("subject", "mangler subject med referanse Patient/<id>")
    device = device_id or _reference_id(resource.device.reference if resource.device else None, "Device")
    effective = _effective(resource, now, params)
    codes = _loinc_codes(resource.code)
    if codes & BLOOD_PRESSURE_PANEL_LOINC or (not codes and resource.component):
        return _components(resource, ident, patient_id, device, effective, now)
    parameter = _first_parameter(codes)
    value = _value(resource, parameter, "")
    unit = CANONICAL_UNIT[parameter]
    return [Observation(ident, patient_id, parameter, value, unit, effective, now, device)]


def _components(
    resource: FhirObservation,
    ident: str,
    patient_id: str,
    device: str | None,
    effective: dt.datetime,
    now: dt.datetime,
) -> list[Observation]:
    """A blood-pressure panel carries systolic and diastolic as components; each becomes one row."""
    result = []
    for component in resource.component or []:
        parameter = parameter_for_codes(_loinc_codes(component.code))
        if parameter is None:
            continue  # e.g. mean arterial pressure: not a parameter hjemme uses
        value = _value(component, parameter, f"component {parameter}: ")
        result.append(Observation(f"{ident}#{parameter}", patient_id, parameter, value,
                                  CANONICAL_UNIT[parameter], effective, now, device))
    if not result:
        raise InputError("component", "blodtrykkspanelet mangler systolisk/diastolisk komponent")
    return result


def parameter_for_codes(codes: set[str]) -> Parameter | None:
    for code in sorted(codes):
        parameter = parameter_for_loinc(code)
        if parameter is not None:
            return parameter
    return None


def _first_parameter(codes: set[str]) -> Parameter:
    parameter = parameter_for_codes(codes)
    if parameter is None:
        shown = ", ".join(sorted(codes)) or "ingen"
        raise InputError("code", f"ingen kjent LOINC-kode for vitale tegn (fikk {shown})")
    return parameter


def _loinc_codes(concept: Any) -> set[str]:
    if concept is None:
        return set()
    return {
        coding.code
        for coding in concept.coding or []
        if coding.code and (coding.system in (None, LOINC_SYSTEM))
    }


def _identity(resource: FhirObservation, full_url: str | None) -> str:
    """The sender's id: an identifier (system|value) first, then the resource id, then fullUrl."""
    for identifier in resource.identifier or []:
        if identifier.value:
            return f"{identifier.system}|{identifier.value}" if identifier.system else identifier.value
    if resource.id:
        return resource.id
    if full_url:
        return full_url
    raise InputError("id", "mangler identifier, id eller fullUrl; kan ikke lagres idempotent")


def _reference_id(reference: str | None, kind: str) -> str | None:
    if not reference:
        return None
    parts = reference.rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] == kind and parts[-1]:
        return parts[-1]
    return None


def _effective(resource: FhirObservation, now: dt.datetime, params: FhirParseParams) -> dt.datetime:
    moment = resource.effectiveDateTime or resource.effectiveInstant
    if moment is None and resource.effectivePeriod is not None:
        moment = resource.effectivePeriod.start
    if moment is None:
        raise InputError("effective", "mangler måletidspunkt (effectiveDateTime)")
    if not isinstance(moment, dt.datetime):
        raise InputError("effective", "måletidspunktet må ha klokkeslett, ikke bare dato")
    if moment.tzinfo is None:
        raise InputError("effective", "måletidspunktet mangler tidssone")
    if moment > now + dt.timedelta(seconds=params.max_future_skew_s):
        raise InputError("effective", f"måletidspunktet {moment.isoformat()} er i fremtiden")
    return moment


def _value(element: Any, parameter: Parameter, prefix: str) -> float:
    if parameter is Parameter.CONSCIOUSNESS:
        return float(ACVPU_ORDINAL[_acvpu(element, prefix)])
    quantity = element.valueQuantity
    if quantity is None or quantity.value is None:
        if element.valueInteger is not None:
            number, unit = float(element.valueInteger), ""
        else:
            raise InputError("value", f"{prefix}mangler valueQuantity")
    else:
        number = float(quantity.value)
        unit = quantity.code or quantity.unit or ""
    try:
        return to_canonical(parameter, number, unit)
    except InputError as error:
        raise InputError(error.field, prefix + error.problem) from None


def _acvpu(element: Any, prefix: str) -> Any:
    texts: list[str] = []
    concept = element.valueCodeableConcept
    if concept is not None:
        texts += [c.code for c in concept.coding or [] if c.code]
        texts += [c.display for c in concept.coding or [] if c.display]
        texts += [concept.text] if concept.text else []
    if element.valueString:
        texts.append(element.valueString)
    for text in texts:
        try:
            return parse_acvpu(text)
        except InputError:
            continue
    raise InputError("value", f"{prefix}bevissthetsnivå må være A, C, V, P eller U")
