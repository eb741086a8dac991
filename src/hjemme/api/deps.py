"""Dependencies every route uses: settings, engine, the clock, the caller and their role.

A route declares who may call it with :func:`require_roles`; that dependency authenticates the
caller (bearer token, or the web's session cookie) and answers 401 or 403 before the handler runs::

    @router.get("/plans/{date}")
    def read_plan(principal: Annotated[Principal, Depends(require_roles(Role.COORDINATOR))], ...)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

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

# Settings, engine, clock and caller address are the same for pages and API calls: one definition, in
# the lower layer, re-exported for the routes; overriding ``get_now`` in a test pins both.
from hjemme.web.deps import (  # noqa: F401
    ClientDep,
    EngineDep,
    NowDep,
    SettingsDep,
    get_client,
    get_engine,
    get_now,
)

ALL_ROLES = tuple(Role)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


def get_principal(
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    now: NowDep,
    token: Annotated[str | None, Depends(bearer_scheme)],
) -> Principal:
    """The authenticated caller: from the bearer token, else the session cookie; 401 otherwise.

    The session cookie is accepted for reads only: a browser sends it along with any site's form,
    so an API write needs the bearer token, which no other site can make the browser send (#12).
    """
    if token:
        credential = read_access_token(token, settings=settings, now=now)
    elif (cookie := request.cookies.get(SESSION_COOKIE)) and request.method not in READ_METHODS:
        raise AuthenticationError("API writes need a bearer token (/api/auth/token), not the session cookie")
    elif cookie:
        credential = read_session_cookie(cookie, settings=settings, now=now)
    else:
        raise AuthenticationError("not authenticated: log in at /api/auth/token")
    principal = current_principal(engine=engine, credential=credential)
    request.state.principal = principal  # for the access log's record of refused requests
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that yields the caller when their role is one of ``roles`` and answers 403 otherwise."""
    allowed = frozenset(roles)
    if not allowed:
        raise ValueError("require_roles needs at least one role")

    async def check(principal: PrincipalDep) -> Principal:  # no I/O: not worth a thread-pool hop
        if principal.role not in allowed:
            raise PermissionDeniedError(f"the role {principal.role} may not do this")
        return principal

    check.__name__ = "require_" + "_".join(sorted(str(r) for r in allowed))
    return check
