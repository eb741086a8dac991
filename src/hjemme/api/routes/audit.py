"""``/api/audit``: the access log, for administrators only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from hjemme.api.deps import ClientDep, EngineDep, NowDep, require_roles
from hjemme.api.schemas.audit import AccessLogRead
from hjemme.services.access import AUDIT_READERS, query_access_log
from hjemme.services.auth import Principal

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("/access-log", response_model=list[AccessLogRead])
def read_access_log(
    principal: Annotated[Principal, Depends(require_roles(*AUDIT_READERS))],
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    patient: Annotated[str | None, Query(max_length=64, description="Only rows about this patient.")] = None,
    user: Annotated[str | None, Query(max_length=100, description="Only rows by this user.")] = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
) -> list[AccessLogRead]:
    """Who read, wrote or was refused which patient's data, newest first; this read is logged too.

    Repeated reads are one row per 15-minute bucket with ``count`` reads from ``at`` to ``last_at``."""
    entries = query_access_log(
        engine=engine, principal=principal, patient_id=patient, username=user, limit=limit,
        client=client, at=now,
    )
    return [AccessLogRead.model_validate(e, from_attributes=True) for e in entries]
