"""The patient's own page: their details, pathways and devices (questionnaires and measurements later)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from hjemme.domain.security import Role
from hjemme.services.auth import Principal
from hjemme.services.patients import read_patient
from hjemme.web.deps import ClientDep, EngineDep, NowDep, SettingsDep, page_context, page_for
from hjemme.web.rendering import render

router = APIRouter()


@router.get("/me")
def my_page(
    request: Request,
    user: Annotated[Principal, Depends(page_for(Role.PATIENT))],
    settings: SettingsDep,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
) -> Response:
    me = None
    if user.patient_id is not None:
        me = read_patient(
            engine=engine, principal=user, patient_ref=user.patient_id, client=client, at=now,
            research_key=settings.research_key,
        )
    return render(request, "patient/me.html", {**page_context(user), "me": me})
