"""``POST /fhir`` (transaction Bundle from the EHR and the lab), ``GET /fhir/Patient?identifier=``,
``GET /fhir/metadata`` and ``GET /api/lab-results`` (issue 13, item 5; mapping in docs/fhir.md)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from hjemme.api.deps import ClientDep, EngineDep, NowDep, require_roles
from hjemme.api.fhir import FHIR_JSON, patient_resource
from hjemme.api.schemas.fhir_ingest import operation_outcome
from hjemme.domain.security import Role
from hjemme.services.access import FHIR_READERS
from hjemme.services.auth import Principal
from hjemme.services.fhir_in import (
    NATIONAL_ID_SYSTEM,
    PATHWAY_SYSTEM,
    FhirInputError,
    ingest_bundle,
    lab_results,
    search_patients,
)
from hjemme.services.stays import ADMITTERS

router = APIRouter(tags=["fhir"])

Writer = Annotated[Principal, Depends(require_roles(*ADMITTERS))]
Reader = Annotated[Principal, Depends(require_roles(*FHIR_READERS))]
Anyone = Annotated[Principal, Depends(require_roles(*Role))]


def _fhir(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON)


@router.post(
    "/fhir",
    responses={
        200: {
            "description": "transaction-response Bundle: one entry per resource "
            "(201 created, 200 unchanged/updated)"
        },
        422: {"description": "OperationOutcome naming the element (expression); nothing written"},
    },
)
async def post_bundle(
    request: Request, principal: Writer, engine: EngineDep, now: NowDep, client: ClientDep
) -> Any:
    """A transaction Bundle of Patient, EpisodeOfCare, CarePlan (admit/update/discharge) and lab
    Observation/DiagnosticReport (results for samples); all or nothing, idempotent on identifiers."""
    try:
        bundle = json.loads(await request.body())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return _fhir(operation_outcome([(f"not JSON ({error})", "Bundle")]), 422)
    try:
        result = await run_in_threadpool(
            ingest_bundle, engine=engine, principal=principal, bundle=bundle, now=now, client=client
        )
    except FhirInputError as error:
        return _fhir(operation_outcome([(error.problem, error.field)]), 422)
    status = {"created": "201 Created", "updated": "200 OK", "unchanged": "200 OK"}
    return _fhir(
        {
            "resourceType": "Bundle",
            "type": "transaction-response",
            "entry": [
                {"response": {"status": status[kind], "location": where}} for kind, where in result.entries
            ],
        }
    )


@router.get("/fhir/Patient")
def search_patient(
    principal: Reader,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    identifier: Annotated[str, Query(min_length=1, max_length=200)],
) -> JSONResponse:
    """Patients by identifier (``urn:oid:2.16.578.1.12.4.1.4.1|<fnr>``, the hospital's, or hjemme's id)."""
    found = search_patients(engine=engine, principal=principal, identifier=identifier, now=now, client=client)
    return _fhir(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": len(found),
            "entry": [{"fullUrl": f"Patient/{p.id}", "resource": _with_identifiers(p)} for p in found],
        }
    )


def _with_identifiers(patient: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(patient_resource(patient).model_dump_json(exclude_none=True))
    if patient.national_id:
        body["identifier"].append({"system": NATIONAL_ID_SYSTEM, "value": patient.national_id})
    if patient.hospital_id:
        body["identifier"].append({"system": "urn:hjemme:hospital-patient-id", "value": patient.hospital_id})
    return body


@router.get("/fhir/metadata")
def capability_statement(principal: Anyone, now: NowDep) -> JSONResponse:
    """The CapabilityStatement: exactly what hjemme's FHIR endpoint supports (any logged-in user)."""
    return _fhir(CAPABILITY | {"date": now.date().isoformat()})


@router.get("/api/lab-results")
def read_lab_results(
    principal: Reader,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    patient: Annotated[str, Query(min_length=1, max_length=64)],
) -> list[dict[str, Any]]:
    """The patient's lab results with turnaround (minutes from taken to result) and flag."""
    return [
        asdict(r)
        for r in lab_results(engine=engine, principal=principal, patient_id=patient, now=now, client=client)
    ]


CAPABILITY: dict[str, Any] = {
    "resourceType": "CapabilityStatement",
    "status": "active",
    "kind": "instance",
    "fhirVersion": "4.0.1",
    "format": ["application/fhir+json"],
    "software": {"name": "hjemme"},
    "implementation": {
        "description": "OUS Hjemme planning: admissions from the EHR, lab results, device data"
    },
    "rest": [
        {
            "mode": "server",
            "documentation": "Mapping: docs/fhir.md. Authentication: bearer token (/api/auth/token); "
            "devices: device token.",
            "interaction": [
                {
                    "code": "transaction",
                    "documentation": "POST /fhir: Bundle type transaction with one Patient, at most one "
                    "EpisodeOfCare, its "
                    "CarePlans (pathway as instantiatesCanonical urn:hjemme:pathway/<id> or category "
                    f"{PATHWAY_SYSTEM}), and lab Observation/DiagnosticReport with basedOn "
                    "ServiceRequest/<sample task id>. All or nothing; idempotent on identifiers.",
                }
            ],
            "resource": [
                {
                    "type": "Patient",
                    "interaction": [{"code": "read"}, {"code": "search-type"}],
                    "searchParam": [
                        {
                            "name": "identifier",
                            "type": "token",
                            "documentation": f"{NATIONAL_ID_SYSTEM}|<national id>, "
                            "the hospital's id, or hjemme's",
                        }
                    ],
                },
                {
                    "type": "CarePlan",
                    "interaction": [{"code": "search-type"}],
                    "searchParam": [{"name": "subject", "type": "reference"}],
                },
                {
                    "type": "EpisodeOfCare",
                    "documentation": "Accepted in a transaction Bundle only (status planned, "
                    "active, onhold, finished, cancelled; not waitlist). onhold pauses the stay from "
                    "the statusHistory entry with status onhold (period.start, period.end the last day "
                    "in hospital when known); active again with that entry's period.end resumes it "
                    "the day after.",
                },
                {
                    "type": "Observation",
                    "interaction": [{"code": "create"}],
                    "documentation": "Device measurements (POST /fhir/Observation, device token) "
                    "and lab results in a "
                    "transaction Bundle (basedOn a sample's ServiceRequest).",
                },
                {
                    "type": "DiagnosticReport",
                    "documentation": "Accepted in a transaction Bundle only: its basedOn "
                    "applies to its result Observations.",
                },
                {"type": "QuestionnaireResponse", "interaction": [{"code": "create"}]},
                {"type": "Questionnaire", "interaction": [{"code": "search-type"}]},
            ],
        }
    ],
}
