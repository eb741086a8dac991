"""Who is looking at a page: the session-cookie user, their role's pages, and the page gate.

A page declares its role with :func:`page_for`; the dependency answers "log in first" (a redirect
to ``/login``) or "not for your role" (the 403 page) before the handler runs. The pages a role may
open are data (:data:`ROLE_PAGES`): the web's face of the need-to-know rules in
:mod:`hjemme.services.access`, whose services check again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from hjemme.domain.security import Role
from hjemme.services.auth import (
    SESSION_COOKIE,
    AuthenticationError,
    Principal,
    current_principal,
    read_session_cookie,
)
from hjemme.settings import Settings
from hjemme.web.rendering import N_

ROLE_PAGES: Mapping[Role, tuple[tuple[str, str], ...]] = {
    Role.COORDINATOR: (
        ("/plan", N_("Day plan")),
        ("/registers", N_("Patients, staff and vehicles")),
        ("/scenarios", N_("Scenarios")),
    ),
    Role.CLINICIAN: (("/my-day", N_("My day")),),
    Role.RESPONDER: (("/response", N_("Response centre")),),
    Role.LOGISTICS: (
        ("/logistics", N_("Van loads")),
        ("/logistics/orders", N_("Order suggestions")),
        ("/logistics/stock", N_("Stock")),
    ),
    Role.TECHNICIAN: (("/devices", N_("Devices due")),),
    Role.ADMIN: (
        ("/admin", N_("Users and roles")),
        ("/admin/access-log", N_("Access log")),
        ("/registers", N_("Patients, staff and vehicles")),
        ("/scenarios", N_("Scenarios")),
    ),
    Role.MANAGEMENT: (("/scenarios", N_("Scenarios")),),
    Role.RESEARCHER: (("/exports", N_("Exports")),),
    Role.PATIENT: (("/me", N_("My page")),),
}
"""Each role's pages in menu order; the first is where the role lands after log-in."""

ROLE_NAMES: Mapping[Role, str] = {
    Role.ADMIN: N_("Administrator"),
    Role.COORDINATOR: N_("Coordinator"),
    Role.CLINICIAN: N_("Clinician"),
    Role.RESPONDER: N_("Response-centre nurse"),
    Role.LOGISTICS: N_("Logistics"),
    Role.TECHNICIAN: N_("Medical-technical staff"),
    Role.MANAGEMENT: N_("Management"),
    Role.RESEARCHER: N_("Researcher"),
    Role.PATIENT: N_("Patient"),
}


class LoginRequiredError(Exception):
    """No valid session: the page answers with a redirect to the log-in page."""


class PageForbiddenError(Exception):
    """The user's role may not open this page: the 403 page."""


def start_page(role: Role) -> str:
    """Where ``role`` lands after log-in."""
    return ROLE_PAGES[role][0][0]


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> Engine:
    """The app's database engine."""
    engine: Engine = request.app.state.engine
    return engine


def get_now() -> dt.datetime:
    """The wall clock in UTC; pages own the clock and hand it to services."""
    return dt.datetime.now(dt.UTC)


def get_client(request: Request) -> str | None:
    """The caller's network address, as written to the access log."""
    return request.client.host if request.client else None


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
NowDep = Annotated[dt.datetime, Depends(get_now)]
ClientDep = Annotated[str | None, Depends(get_client)]


def optional_user(request: Request, settings: SettingsDep, engine: EngineDep) -> Principal | None:
    """The logged-in user, or ``None`` without a valid session cookie."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        username = read_session_cookie(cookie, settings=settings)
        return current_principal(engine=engine, username=username)
    except AuthenticationError:
        return None


OptionalUserDep = Annotated[Principal | None, Depends(optional_user)]


def page_user(user: OptionalUserDep) -> Principal:
    """The logged-in user; redirects to the log-in page otherwise."""
    if user is None:
        raise LoginRequiredError
    return user


def page_for(role: Role) -> Callable[[Principal], Principal]:
    """A dependency yielding the user when their role is ``role``; the 403 page otherwise."""

    def check(user: Annotated[Principal, Depends(page_user)]) -> Principal:
        if user.role is not role:
            raise PageForbiddenError
        return user

    check.__name__ = f"page_for_{role}"
    return check


def page_for_roles(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency yielding the user when their role is one of ``roles``; the 403 page otherwise."""
    allowed = frozenset(roles)

    def check(user: Annotated[Principal, Depends(page_user)]) -> Principal:
        if user.role not in allowed:
            raise PageForbiddenError
        return user

    check.__name__ = "page_for_" + "_".join(sorted(allowed))
    return check


def page_context(user: Principal) -> dict[str, object]:
    """What the base layout needs about the user: name, role and their menu."""
    return {"user": user, "role_name": ROLE_NAMES[user.role], "nav": ROLE_PAGES[user.role]}
