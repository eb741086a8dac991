"""Emergency access ("nødtilgang", issue 12): a clinician opens a patient outside their care with a
stated reason; administrators list and review every such access."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from hjemme.api.deps import ClientDep, EngineDep, NowDep, SettingsDep, require_roles
from hjemme.api.schemas.care import EmergencyAccessCreate, EmergencyAccessRead
from hjemme.services import care as service
from hjemme.services.auth import Principal

router = APIRouter(tags=["care"])

Reviewer = Annotated[Principal, Depends(require_roles(*service.REVIEWERS))]


@router.post("/api/patients/{patient_id}/emergency-access", response_model=EmergencyAccessRead,
             status_code=201)
def request_emergency_access(
    principal: Annotated[Principal, Depends(require_roles(*service.EMERGENCY_ROLES))],
    engine: EngineDep,
    settings: SettingsDep,
    now: NowDep,
    client: ClientDep,
    patient_id: Annotated[str, Path(min_length=1, max_length=64)],
    body: EmergencyAccessCreate,
) -> EmergencyAccessRead:
    """Open a patient outside the caller's care for ``HJEMME_EMERGENCY_ACCESS_HOURS`` (clinicians);
    the reason goes to the access log and the administrator's review list."""
    grant = service.request_emergency_access(engine=engine, principal=principal, patient_id=patient_id,
                                             reason=body.reason, at=now, client=client,
                                             hours=settings.emergency_access_hours)
    return EmergencyAccessRead.model_validate(grant, from_attributes=True)


@router.get("/api/audit/emergency-access", response_model=list[EmergencyAccessRead])
def list_emergency_access(
    principal: Reviewer,
    engine: EngineDep,
    unreviewed: Annotated[bool, Query(description="Only those not yet reviewed.")] = False,
    limit: Annotated[int, Query(ge=1, le=10000)] = 500,
) -> list[EmergencyAccessRead]:
    """Every emergency access, newest first (administrators)."""
    grants = service.list_emergency_access(engine=engine, principal=principal, unreviewed_only=unreviewed,
                                           limit=limit)
    return [EmergencyAccessRead.model_validate(g, from_attributes=True) for g in grants]


@router.post("/api/audit/emergency-access/{access_id}/review", response_model=EmergencyAccessRead)
def review_emergency_access(
    principal: Reviewer,
    engine: EngineDep,
    now: NowDep,
    access_id: Annotated[int, Path(ge=1, le=2**62)],
) -> EmergencyAccessRead:
    """Mark an emergency access as reviewed by the calling administrator."""
    grant = service.review_emergency_access(engine=engine, principal=principal, access_id=access_id, at=now)
    return EmergencyAccessRead.model_validate(grant, from_attributes=True)
