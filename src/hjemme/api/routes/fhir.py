"""``/fhir``: FHIR R4 ``Patient`` and ``CarePlan`` (searchset Bundle) for clinical roles and self."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from hjemme.api.deps import ClientDep, EngineDep, NowDep, require_roles
from hjemme.api.fhir import FHIR_JSON, care_plan_bundle, care_plan_resource, patient_resource
from hjemme.services.access import FHIR_READERS
from hjemme.services.auth import Principal
from hjemme.services.patients import read_patient_file

router = APIRouter(prefix="/fhir", tags=["fhir"])

Reader = Annotated[Principal, Depends(require_roles(*FHIR_READERS))]
FHIR_RESPONSE = {200: {"content": {FHIR_JSON: {}}, "description": "A FHIR R4 resource"}}


@router.get("/Patient/{patient_id}", response_class=Response, responses=FHIR_RESPONSE)
def read_fhir_patient(
    principal: Reader,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    patient_id: Annotated[str, Path(min_length=1, max_length=64)],
) -> Response:
    """The patient as a FHIR R4 Patient resource; the read is access-logged."""
    record = read_patient_file(
        engine=engine, principal=principal, patient_id=patient_id, resource="fhir Patient",
        client=client, at=now,
    )
    return Response(patient_resource(record.patient).model_dump_json(), media_type=FHIR_JSON)


@router.get("/CarePlan", response_class=Response, responses=FHIR_RESPONSE)
def search_fhir_care_plans(
    request: Request,
    principal: Reader,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    patient: Annotated[str, Query(min_length=1, max_length=64, description="The patient's id.")],
) -> Response:
    """The patient's enrolments as FHIR R4 CarePlans in a searchset Bundle; access-logged."""
    patient_id = patient.removeprefix("Patient/")  # FHIR allows a reference as well as an id
    record = read_patient_file(
        engine=engine, principal=principal, patient_id=patient_id, resource="fhir CarePlan",
        client=client, at=now,
    )
    plans = [
        care_plan_resource(e, record.pathways[e.pathway_id], record.device_types, on=record.on)
        for e in record.enrolments
        if e.pathway_id in record.pathways
    ]
    base_url = str(request.url_for("search_fhir_care_plans")).rsplit("/", 1)[0]
    return Response(care_plan_bundle(plans, base_url=base_url).model_dump_json(), media_type=FHIR_JSON)
