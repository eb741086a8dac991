"""Administration: the users and their roles, and the access log searchable by patient and user."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from hjemme.domain.security import Role
from hjemme.services.access import query_access_log
from hjemme.services.auth import Principal
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.web.deps import ROLE_NAMES, EngineDep, page_context, page_for
from hjemme.web.rendering import render

router = APIRouter()

AdminDep = Annotated[Principal, Depends(page_for(Role.ADMIN))]


@router.get("/admin")
def users(request: Request, user: AdminDep, engine: EngineDep) -> Response:
    # No user-listing service exists yet; user accounts hold no patient data, so this read needs
    # no access-log row. Move it behind a service when the API's user administration lands.
    with session_scope(engine) as session:
        accounts = repo.list_users(session)
    return render(request, "admin/users.html", {**page_context(user), "accounts": accounts,
                                                "role_names": ROLE_NAMES})


@router.get("/admin/access-log")
def access_log(
    request: Request,
    user: AdminDep,
    engine: EngineDep,
    patient: Annotated[str, Query(max_length=100)] = "",
    username: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    entries = query_access_log(
        engine=engine, principal=user, patient_id=patient.strip() or None,
        username=username.strip() or None, limit=500,
    )
    context = {**page_context(user), "entries": entries, "patient": patient, "username": username,
               "role_names": {role.value: name for role, name in ROLE_NAMES.items()}}
    return render(request, "admin/access_log.html", context)
