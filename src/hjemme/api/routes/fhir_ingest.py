"""FHIR writes: device ``Observation``s (device token), patients' ``QuestionnaireResponse``s, and the
``Questionnaire`` forms the patient app shows.

``POST /fhir/Observation`` is the one route not called by a user: the caller is a device with a
bearer *device token* (``hjemme device-token issue``), which may post only for its own patient.
No token, an unknown or a revoked one → 401 (like every other route without a log-in).

Bodies are read as raw JSON so that anything unusable is answered with a FHIR ``OperationOutcome``
naming the element (``expression``), as FHIR clients expect, rather than FastAPI's error shape.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hjemme.api.deps import ClientDep, EngineDep, NowDep, require_roles
from hjemme.api.fhir import FHIR_JSON
from hjemme.api.schemas.fhir_ingest import (
    ObservationIngestRead,
    PromScoreRead,
    batch_response,
    operation_outcome,
)
from hjemme.errors import InputError, PermissionDeniedError
from hjemme.services.auth import Principal
from hjemme.services.device_tokens import DeviceCaller, authenticate_device
from hjemme.services.ingest import ingest_fhir
from hjemme.services.proms import PROM_ROLES, list_questionnaires, submit_questionnaire_response

router = APIRouter(prefix="/fhir", tags=["fhir"])

device_bearer = HTTPBearer(auto_error=False, scheme_name="DeviceToken",
                           description="A device token from `hjemme device-token issue` (hjd_…).")
PromCaller = Annotated[Principal, Depends(require_roles(*PROM_ROLES))]
QUESTIONNAIRE_RESPONSE_FIELDS = frozenset({"resourceType", "status", "questionnaire", "subject", "authored",
                                           "id"})


def current_device(
    engine: EngineDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(device_bearer)]
) -> DeviceCaller:
    """The device behind the bearer token; 401 (``AuthenticationError``) otherwise."""
    return authenticate_device(engine=engine, token=credentials.credentials if credentials else None)


DeviceDep = Annotated[DeviceCaller, Depends(current_device)]


def _fhir(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON, headers=headers)


async def _json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError("", f"kroppen er ikke gyldig JSON ({error})") from None


@router.post("/Observation", status_code=201, response_model=ObservationIngestRead, responses={
    200: {"description": "A Bundle: the batch-response, one entry per posted entry (or all already stored)"},
    403: {"description": "The payload names a patient other than the device's; nothing stored"},
    422: {"description": "OperationOutcome naming the rejected element (expression)"},
})
async def post_observation(request: Request, device: DeviceDep, engine: EngineDep, now: NowDep,
                           client: ClientDep) -> Any:
    """Store device measurements: one ``Observation`` or a ``batch``/``transaction`` ``Bundle``.

    One Observation: 201 with counts and ids (200 if it was already stored; 422 + OperationOutcome
    if rejected). A batch: 200 with a ``batch-response`` (each entry 201, 200 or 422 with its
    OperationOutcome). A transaction: all or nothing, 200 ``transaction-response`` or 422.
    """
    try:
        payload = await _json_body(request)
    except InputError as error:
        return _fhir(operation_outcome([(error.problem, None)], code="structure"), 400)
    try:
        result = await run_in_threadpool(
            lambda: ingest_fhir(engine=engine, payload=payload, now=now, device_id=device.device_id,
                                patient_id=device.patient_id, client=client))
    except PermissionDeniedError as error:
        return _fhir(operation_outcome([(str(error), "Observation.subject")], code="forbidden"), 403)
    is_bundle = isinstance(payload, dict) and payload.get("resourceType") == "Bundle"
    bundle_type = payload.get("type") if is_bundle else None
    rejected = [e for e in result.entries if e.status == "rejected"]
    if bundle_type is None or len(result.entries) == 1 and result.entries[0].index is None:
        if rejected:
            return _fhir(operation_outcome([(e.reason or "avvist", e.path) for e in rejected]), 422)
        body = ObservationIngestRead(stored=result.stored, duplicates=result.duplicates,
                                     rejected=result.rejected,
                                     observation_ids=list(result.entries[0].observation_ids),
                                     alarm_ids=sorted(set(result.alarm_ids)))
        return JSONResponse(body.model_dump(), status_code=201 if result.stored else 200)
    if bundle_type == "transaction" and rejected:
        return _fhir(operation_outcome([(e.reason or "avvist", e.path) for e in rejected]), 422)
    return _fhir(batch_response(bundle_type, result.entries), 200)


@router.post("/QuestionnaireResponse", status_code=201, response_model=PromScoreRead, responses={
    403: {"description": "A patient answering for someone else"},
    422: {"description": "OperationOutcome naming the element (expression)"},
})
async def post_questionnaire_response(request: Request, principal: PromCaller, engine: EngineDep, now: NowDep,
                                      client: ClientDep) -> Any:
    """Score and store a ``QuestionnaireResponse`` (the patient for itself, or clinical staff)."""
    try:
        document = await _json_body(request)
        scored = await run_in_threadpool(
            lambda: submit_questionnaire_response(engine=engine, principal=principal, document=document,
                                                  at=now, client=client))
    except InputError as error:
        return _fhir(operation_outcome([(error.problem, _response_path(error.field))]), 422)
    except PermissionDeniedError as error:
        outcome = operation_outcome([(str(error), "QuestionnaireResponse.subject")], code="forbidden")
        return _fhir(outcome, 403)
    body = PromScoreRead(response_id=scored.response_id, patient_id=scored.patient_id,
                         questionnaire=scored.questionnaire_id, authored_at=scored.authored_at,
                         score=scored.score, item_scores=dict(scored.item_scores), alert=scored.alert)
    return JSONResponse(body.model_dump(mode="json"), status_code=201)


def _response_path(field: str) -> str | None:
    """The FHIRPath of the element a scoring error names (an unknown field is an item's link id)."""
    if not field:
        return None
    if field == "QuestionnaireResponse":
        return field
    if field in QUESTIONNAIRE_RESPONSE_FIELDS:
        return f"QuestionnaireResponse.{field}"
    return f"QuestionnaireResponse.item.where(linkId='{field}')"


@router.get("/Questionnaire", responses={200: {"content": {FHIR_JSON: {}}, "description": "a searchset"}})
def search_questionnaires(principal: PromCaller) -> JSONResponse:
    """Every questionnaire a pathway may ask (``esas_r``, ``cat``, ``hf_checkin``) as a searchset Bundle."""
    documents = list_questionnaires(principal=principal)
    bundle = {"resourceType": "Bundle", "type": "searchset", "total": len(documents),
              "entry": [{"fullUrl": d.get("url"), "resource": d} for d in documents]}
    return _fhir(bundle, 200)
