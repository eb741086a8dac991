"""``/api/patients``: the patient list and one patient, cut down to the caller's need-to-know."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from hjemme.api.deps import ClientDep, EngineDep, NowDep, SettingsDep, require_roles
from hjemme.api.schemas.common import MAX_OFFSET
from hjemme.api.schemas.patients import PatientRead
from hjemme.services import patients as service
from hjemme.services.access import PATIENT_READERS
from hjemme.services.auth import Principal

router = APIRouter(prefix="/api/patients", tags=["patients"])

Reader = Annotated[Principal, Depends(require_roles(*PATIENT_READERS))]


@router.get("", response_model=list[PatientRead], response_model_exclude_unset=True)
def list_patients(
    principal: Reader,
    engine: EngineDep,
    settings: SettingsDep,
    now: NowDep,
    client: ClientDep,
    limit: Annotated[int, Query(ge=1, le=service.MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[PatientRead]:
    """A page of patients sorted by id (the patient role: only itself); each read is access-logged."""
    views = service.list_patients(
        engine=engine, principal=principal, client=client, at=now,
        research_key=settings.research_key, limit=limit, offset=offset,
    )
    return [PatientRead.model_validate(v) for v in views]


@router.get("/{patient_id}", response_model=PatientRead, response_model_exclude_unset=True)
def read_patient(
    principal: Reader,
    engine: EngineDep,
    settings: SettingsDep,
    now: NowDep,
    client: ClientDep,
    patient_id: Annotated[str, Path(min_length=1, max_length=64, description="Researchers: the pseudonym.")],
) -> PatientRead:
    """One patient (the patient role: only itself, 403 otherwise); the read is access-logged."""
    view = service.read_patient(
        engine=engine, principal=principal, patient_ref=patient_id, client=client, at=now,
        research_key=settings.research_key,
    )
    return PatientRead.model_validate(view)
