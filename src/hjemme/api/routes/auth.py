"""Log-in: a bearer token for API clients, a signed session cookie for the web; and who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.security import OAuth2PasswordRequestForm

from hjemme.api.deps import ALL_ROLES, EngineDep, NowDep, SettingsDep, require_roles
from hjemme.api.schemas.auth import MeRead, TokenRead
from hjemme.services.auth import (
    SESSION_COOKIE,
    Principal,
    create_access_token,
    create_session_cookie,
    log_in,
)

router = APIRouter(tags=["auth"])

FormDep = Annotated[OAuth2PasswordRequestForm, Depends()]
UNAUTHORISED = {401: {"description": "Wrong user name or password"}}


@router.post("/api/auth/token", response_model=TokenRead, responses=UNAUTHORISED)
def issue_token(form: FormDep, engine: EngineDep, settings: SettingsDep, now: NowDep) -> TokenRead:
    """Exchange a user name and password (form fields) for a bearer access token."""
    principal = log_in(engine=engine, username=form.username, password=form.password)
    return TokenRead(
        access_token=create_access_token(principal, settings=settings, now=now),
        expires_in=settings.token_minutes * 60,
    )


@router.post("/api/auth/session", status_code=204, responses=UNAUTHORISED)
def open_session(form: FormDep, engine: EngineDep, settings: SettingsDep, response: Response) -> None:
    """Log in for the web: sets the signed, HTTP-only session cookie instead of returning a token."""
    principal = log_in(engine=engine, username=form.username, password=form.password)
    response.set_cookie(
        SESSION_COOKIE,
        create_session_cookie(principal, settings=settings),
        max_age=settings.token_minutes * 60,
        httponly=True,
        samesite="lax",
    )


@router.get("/api/me", response_model=MeRead)
def read_me(principal: Annotated[Principal, Depends(require_roles(*ALL_ROLES))]) -> MeRead:
    """The caller's user name, role and, for the patient role, their patient id."""
    return MeRead(username=principal.username, role=principal.role, patient_id=principal.patient_id)
