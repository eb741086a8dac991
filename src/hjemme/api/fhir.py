"""Domain → FHIR R4: a patient as ``Patient``, each enrolment as a ``CarePlan``.

fhir.resources 8 defaults to R5; its ``R4B`` package is the R4-compatible release (Patient,
CarePlan and Bundle did not change between R4 and R4B), so that is what hjemme serves. Building a
resource validates it, so a mapping bug fails here rather than in a partner's system.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.patient import Patient as FhirPatient

from hjemme.domain.catalogue import DeviceType
from hjemme.domain.pathways import DaySchedule, Pathway
from hjemme.domain.people import Enrolment, Patient
from hjemme.domain.time import format_hhmm

FHIR_JSON = "application/fhir+json"
PATIENT_ID_SYSTEM = "urn:hjemme:patient"
ENROLMENT_ID_SYSTEM = "urn:hjemme:enrolment"
SERVICE_KIND_SYSTEM = "urn:hjemme:service-kind"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
BCP47 = "urn:ietf:bcp:47"
INTERPRETER_REQUIRED = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"
GEOLOCATION = "http://hl7.org/fhir/StructureDefinition/geolocation"


def patient_resource(patient: Patient) -> FhirPatient:
    """The FHIR R4 Patient for ``patient`` (birth year only, as hjemme stores no birth date)."""
    *given, family = patient.name.split() or [patient.name]
    return FhirPatient(
        id=patient.id,
        identifier=[{"system": PATIENT_ID_SYSTEM, "value": patient.id}],
        active=True,
        name=[{"use": "official", "text": patient.name, "family": family, "given": given or None}],
        telecom=[{"system": "phone", "value": patient.phone, "use": "home"}] if patient.phone else None,
        birthDate=f"{patient.birth_year:04d}",
        address=[
            {
                "use": "home",
                "type": "physical",
                "text": patient.address,
                "city": "Oslo",
                "district": patient.district_id,
                "country": "NO",
                "extension": [
                    {
                        "url": GEOLOCATION,
                        "extension": [
                            {"url": "latitude", "valueDecimal": patient.location.lat},
                            {"url": "longitude", "valueDecimal": patient.location.lon},
                        ],
                    }
                ],
            }
        ],
        communication=[
            {"language": {"coding": [{"system": BCP47, "code": patient.language}]}, "preferred": True}
        ],
        extension=[{"url": INTERPRETER_REQUIRED, "valueBoolean": patient.needs_interpreter}],
    )


def care_plan_resource(
    enrolment: Enrolment,
    pathway: Pathway,
    device_types: Mapping[str, DeviceType],
    *,
    on: dt.date,
) -> CarePlan:
    """The FHIR R4 CarePlan for one enrolment; the diagnosis is a contained ``Condition``."""
    status = "completed" if enrolment.end_date < on else ("on-hold" if enrolment.is_paused(on) else "active")
    subject = {"reference": f"Patient/{enrolment.patient_id}"}
    activities = [
        _activity("Appointment", f"Home visit ({spec.skill}, {spec.duration_min} min)",
                  _when(spec.schedule, spec.window.start_min, spec.window.end_min))
        for spec in pathway.visits
    ]
    activities += [
        _activity("Appointment", f"Video consultation ({spec.skill}, {spec.duration_min} min)",
                  _when(spec.schedule, spec.window.start_min, spec.window.end_min))
        for spec in pathway.videos
    ]
    activities += [
        _activity("ServiceRequest",
                  f"{'Self-sampled' if spec.self_sampled else 'Sample'}: {spec.sample_type}",
                  _when(spec.schedule))
        for spec in pathway.samples
    ]
    activities += [
        _activity("DeviceRequest",
                  f"Device: {_device_name(spec.device_type_id, device_types)} × {spec.quantity}",
                  "for the whole stay")
        for spec in pathway.devices
    ]
    activities += [
        _activity("ServiceRequest", f"Home measurement: {p.code} ({p.unit})", _limits(p.interval_hours,
                  p.low, p.high))
        for p in pathway.monitoring
    ]
    notes = []
    if enrolment.spo2_target_88_92:
        notes.append({"text": "SpO2 target 88–92 % (NEWS2 scale 2)"})
    return CarePlan(
        id=enrolment.id,
        identifier=[{"system": ENROLMENT_ID_SYSTEM, "value": enrolment.id}],
        status=status,
        intent="plan",
        title=pathway.name,
        description=pathway.name_nb,
        category=[
            {
                "coding": [{"system": SERVICE_KIND_SYSTEM, "code": str(pathway.service_kind)}],
                "text": str(pathway.service_kind).upper(),
            }
        ],
        subject=subject,
        period={"start": enrolment.start_date.isoformat(), "end": enrolment.end_date.isoformat()},
        contained=[
            {
                "resourceType": "Condition",
                "id": "diagnosis",
                "subject": subject,
                "code": {
                    "coding": [
                        {"system": ICD10, "code": pathway.diagnosis_code,
                         "display": pathway.diagnosis_text}
                    ],
                    "text": pathway.diagnosis_text,
                },
            }
        ],
        addresses=[{"reference": "#diagnosis"}],
        activity=activities or None,
        note=notes or None,
    )


def care_plan_bundle(plans: Sequence[CarePlan], *, base_url: str) -> Bundle:
    """A ``searchset`` Bundle of ``plans``, each entry with its absolute ``fullUrl``."""
    base = base_url.rstrip("/")
    return Bundle(
        type="searchset",
        total=len(plans),
        entry=[
            {"fullUrl": f"{base}/CarePlan/{plan.id}", "resource": plan, "search": {"mode": "match"}}
            for plan in plans
        ]
        or None,
    )


def _activity(kind: str, text: str, description: str) -> dict[str, object]:
    return {
        "detail": {
            "kind": kind,
            "code": {"text": text},
            "status": "scheduled",
            "description": description,
        }
    }


def _when(schedule: DaySchedule, start_min: int | None = None, end_min: int | None = None) -> str:
    if schedule.on_last_day:
        days = "on the last day"
    elif schedule.days:
        days = "on day " + ", ".join(str(d) for d in schedule.days)
    elif schedule.every_days == 1:
        days = "daily"
    else:
        days = f"every {schedule.every_days} days"
    if schedule.first_day and not schedule.days and not schedule.on_last_day:
        days += f" from day {schedule.first_day}"
    if schedule.last_day is not None and not schedule.days and not schedule.on_last_day:
        days += f" to day {schedule.last_day}"
    if start_min is not None and end_min is not None:
        days += f", {format_hhmm(start_min)}–{format_hhmm(end_min)}"
    return days


def _limits(interval_hours: float, low: float | None, high: float | None) -> str:
    text = f"every {interval_hours:g} h"
    if low is not None:
        text += f", alarm below {low:g}"
    if high is not None:
        text += f", alarm above {high:g}"
    return text


def _device_name(device_type_id: str, device_types: Mapping[str, DeviceType]) -> str:
    device = device_types.get(device_type_id)
    return device.name if device is not None else device_type_id
