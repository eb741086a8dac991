"""Dependencies every route uses: settings, engine, the clock, the caller and their role.

A route declares who may call it with :func:`require_roles`; that dependency authenticates the
caller (bearer token, or the web's session cookie) and answers 401 or 403 before the handler runs::

    @router.get("/plans/{date}")
    def read_plan(principal: Annotated[Principal, Depends(require_roles(Role.COORDINATOR))], ...)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import Engine

from hjemme.domain.security import Role
from hjemme.errors import PermissionDeniedError
from hjemme.services.auth import (
    SESSION_COOKIE,
    AuthenticationError,
    Principal,
    current_principal,
    read_access_token,
    read_session_cookie,
)
from hjemme.settings import Settings

ALL_ROLES = tuple(Role)

bearer_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    """The app's database engine."""
    engine: Engine = request.app.state.engine
    return engine


def get_now() -> dt.datetime:
    """The wall clock, in UTC; adapters own the clock, services receive it (tests override this)."""
    return dt.datetime.now(dt.UTC)


def get_client(request: Request) -> str | None:
    """The caller's network address, as written to the access log."""
    return request.client.host if request.client else None


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
NowDep = Annotated[dt.datetime, Depends(get_now)]
ClientDep = Annotated[str | None, Depends(get_client)]


def get_principal(
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    now: NowDep,
    token: Annotated[str | None, Depends(bearer_scheme)],
) -> Principal:
    """The authenticated caller: from the bearer token, else the session cookie; 401 otherwise."""
    if token:
        username = read_access_token(token, settings=settings, now=now)
    elif cookie := request.cookies.get(SESSION_COOKIE):
        username = read_session_cookie(cookie, settings=settings, now=now)
    else:
        raise AuthenticationError("not authenticated: log in at /api/auth/token")
    return current_principal(engine=engine, username=username)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that yields the caller when their role is one of ``roles`` and answers 403 otherwise."""
    allowed = frozenset(roles)
    if not allowed:
        raise ValueError("require_roles needs at least one role")

    def check(principal: PrincipalDep) -> Principal:
        if principal.role not in allowed:
            raise PermissionDeniedError(f"the role {principal.role} may not do this")
        return principal

    check.__name__ = "require_" + "_".join(sorted(str(r) for r in allowed))
    return check
