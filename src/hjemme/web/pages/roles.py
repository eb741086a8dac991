"""The start pages of the response centre, logistics and the medical-technical staff.

They grow with the monitoring and logistics services; until those exist the response centre and
logistics pages say what will appear, and the technicians see the devices out at patients' homes
(through the patient service, which applies need-to-know and logs the access).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from hjemme.domain.security import Role
from hjemme.services.auth import Principal
from hjemme.services.patients import MAX_PAGE, list_patients
from hjemme.web.deps import ClientDep, EngineDep, NowDep, SettingsDep, page_context, page_for
from hjemme.web.rendering import render

router = APIRouter()


@router.get("/logistics")
def logistics(
    request: Request, user: Annotated[Principal, Depends(page_for(Role.LOGISTICS))]
) -> Response:
    return render(request, "roles/logistics.html", page_context(user))


@router.get("/devices")
def devices(
    request: Request,
    user: Annotated[Principal, Depends(page_for(Role.TECHNICIAN))],
    settings: SettingsDep,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
) -> Response:
    """Devices at patients' homes, soonest back first (the technician's view: address, no diagnosis)."""
    patients = list_patients(
        engine=engine, principal=user, client=client, at=now, secret_key=settings.secret_key, limit=MAX_PAGE
    )
    rows = sorted(
        ({"patient": p, **d} for p in patients for d in p.get("devices", [])),
        key=lambda row: (row["to_date"], row["patient"]["id"]),
    )
    return render(request, "roles/devices.html", {**page_context(user), "rows": rows})
