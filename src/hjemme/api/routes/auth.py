"""Log-in and log-out: a bearer token for API clients, a signed session cookie for the web; who am I;
and changing one's own password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from fastapi.security import OAuth2PasswordRequestForm

from hjemme.api.deps import ALL_ROLES, ClientDep, EngineDep, NowDep, SettingsDep, require_roles
from hjemme.api.schemas.auth import MeRead, PasswordChange, TokenRead
from hjemme.services.auth import (
    SESSION_COOKIE,
    Principal,
    create_access_token,
    create_session_cookie,
    log_in,
    log_out,
)
from hjemme.services.users import change_own_password
from hjemme.web.deps import login_limits

router = APIRouter(tags=["auth"])

FormDep = Annotated[OAuth2PasswordRequestForm, Depends()]
AnyUser = Annotated[Principal, Depends(require_roles(*ALL_ROLES))]
LOG_IN_REFUSED = {
    401: {"description": "Wrong user name or password"},
    429: {"description": "Too many failed log-ins for this user or address; see Retry-After"},
}


@router.post("/api/auth/token", response_model=TokenRead, responses=LOG_IN_REFUSED)
def issue_token(
    form: FormDep, engine: EngineDep, settings: SettingsDep, now: NowDep, client: ClientDep
) -> TokenRead:
    """Exchange a user name and password (form fields) for a bearer access token."""
    principal = log_in(
        engine=engine, username=form.username, password=form.password, now=now, client=client,
        limits=login_limits(settings),
    )
    return TokenRead(
        access_token=create_access_token(principal, settings=settings, now=now),
        expires_in=settings.token_minutes * 60,
    )


@router.post("/api/auth/session", status_code=204, responses=LOG_IN_REFUSED)
def open_session(
    form: FormDep, engine: EngineDep, settings: SettingsDep, now: NowDep, client: ClientDep,
    response: Response,
) -> None:
    """Log in for the web: sets the signed, HTTP-only session cookie instead of returning a token."""
    principal = log_in(
        engine=engine, username=form.username, password=form.password, now=now, client=client,
        limits=login_limits(settings),
    )
    response.set_cookie(
        SESSION_COOKIE,
        create_session_cookie(principal, settings=settings),
        max_age=settings.token_minutes * 60,
        httponly=True,
        samesite="lax",
    )


@router.post("/api/auth/logout", status_code=204)
def end_sessions(principal: AnyUser, engine: EngineDep, response: Response) -> None:
    """Log out: every token and session cookie of the caller stops working at once."""
    log_out(engine=engine, username=principal.username)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


@router.post("/api/me/password", response_model=TokenRead)
def change_password(
    principal: AnyUser, engine: EngineDep, settings: SettingsDep, now: NowDep, body: PasswordChange
) -> TokenRead:
    """Change the caller's password (the present one is required). Every earlier token and session
    of the caller ends; the reply is a fresh token."""
    renewed = change_own_password(
        engine=engine, principal=principal, old_password=body.old_password,
        new_password=body.new_password, now=now,
    )
    return TokenRead(
        access_token=create_access_token(renewed, settings=settings, now=now),
        expires_in=settings.token_minutes * 60,
    )


@router.get("/api/me", response_model=MeRead)
def read_me(principal: AnyUser) -> MeRead:
    """The caller's user name, role and, for the patient role, their patient id."""
    return MeRead(username=principal.username, role=principal.role, patient_id=principal.patient_id)
