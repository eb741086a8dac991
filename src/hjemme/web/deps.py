"""Who is looking at a page: the session-cookie user, their role's pages, and the page gate.

A page declares its role with :func:`page_for`; the dependency answers "log in first" (a redirect
to ``/login``) or "not for your role" (the 403 page) before the handler runs. The pages a role may
open are data (:data:`ROLE_PAGES`): the web's face of the need-to-know rules in
:mod:`hjemme.services.access`, whose services check again.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable, Mapping
from typing import Annotated

from fastapi import Depends, Request
from pydantic import AfterValidator
from sqlalchemy import Engine

from hjemme.domain.security import Role
from hjemme.domain.time import check_service_date
from hjemme.services.access_log import log_refused
from hjemme.services.auth import (
    SESSION_COOKIE,
    AuthenticationError,
    Principal,
    current_principal,
    read_session_cookie,
)
from hjemme.services.login_throttle import LoginLimits
from hjemme.settings import Settings
from hjemme.web.rendering import N_

ROLE_PAGES: Mapping[Role, tuple[tuple[str, str], ...]] = {
    Role.COORDINATOR: (
        ("/plan", N_("Day plan")),
        ("/registers", N_("Patients, staff and vehicles")),
        ("/logistics/orders", N_("Order suggestions")),
        ("/scenarios", N_("Scenarios")),
    ),
    Role.CLINICIAN: (("/my-day", N_("My day")), ("/my-patients", N_("My patients"))),
    Role.RESPONDER: (("/response", N_("Response centre")),),
    Role.LOGISTICS: (
        ("/logistics", N_("Van routes")),
        ("/logistics/pick-lists", N_("Pick lists")),
        ("/logistics/orders", N_("Order suggestions")),
        ("/logistics/stock", N_("Stock")),
    ),
    Role.TECHNICIAN: (("/devices", N_("Devices due")),),
    Role.ADMIN: (
        ("/admin", N_("Users and roles")),
        ("/admin/access-log", N_("Access log")),
        ("/admin/emergency-access", N_("Emergency access")),
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


# The small dependencies below are ``async def`` although they do no I/O: FastAPI runs a plain
# ``def`` dependency in the thread pool, and six such hops per request cost more than the plan read
# itself under load (issue 12, ``hjemme bench api``). Anything that touches the database stays ``def``.


async def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return settings_of(request)


def settings_of(request: Request) -> Settings:
    """The settings the app was created with (for code outside dependency injection)."""
    settings: Settings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> Engine:
    """The app's database engine."""
    return engine_of(request)


def engine_of(request: Request) -> Engine:
    """The app's database engine (for code outside dependency injection)."""
    engine: Engine = request.app.state.engine
    return engine


async def get_now() -> dt.datetime:
    """The wall clock in UTC; pages own the clock and hand it to services."""
    return dt.datetime.now(dt.UTC)


Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def _trusted_networks(settings: Settings) -> Networks:
    return tuple(
        ipaddress.ip_network(item.strip(), strict=False)
        for item in settings.trusted_proxies.split(",")
        if item.strip()
    )


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _is_trusted(address: str, trusted: Networks) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in network for network in trusted)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Networks) -> str | None:
    """The caller's address: the TCP peer, unless the peer is a trusted proxy (issue 12).

    Behind trusted proxies, ``X-Forwarded-For`` is read from the right (each proxy appends the
    address it saw) and the first address that is not itself a trusted proxy is the client; a
    malformed hop leaves the peer. A peer outside ``HJEMME_TRUSTED_PROXIES`` — by default everyone —
    cannot choose the address that is logged and throttled.
    """
    if peer is None or not forwarded_for or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    client = next((hop for hop in reversed(hops) if not _is_trusted(hop, trusted)), hops[0] if hops else peer)
    return str(_ip(client)) if _ip(client) is not None else peer


async def get_client(request: Request) -> str | None:
    """The caller's network address, as written to the access log and counted by the log-in throttle."""
    return client_of(request)


def client_of(request: Request) -> str | None:
    """:func:`get_client` for code outside dependency injection."""
    peer = request.client.host if request.client else None
    return client_address(
        peer, request.headers.get("x-forwarded-for"), _trusted_networks(settings_of(request))
    )


def login_limits(settings: Settings) -> LoginLimits:
    """The log-in throttle's limits from the settings."""
    return LoginLimits(
        per_user=settings.login_max_failures,
        per_client=settings.login_max_failures_per_client,
        window_min=settings.login_window_minutes,
    )


ServiceDate = Annotated[dt.date, AfterValidator(check_service_date)]
"""A date a page may be asked about (2000–2099); others are a 422, not a 500 deep inside (#12)."""
SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
NowDep = Annotated[dt.datetime, Depends(get_now)]
ClientDep = Annotated[str | None, Depends(get_client)]


def optional_user(request: Request, settings: SettingsDep, engine: EngineDep) -> Principal | None:
    """The logged-in user, or ``None`` without a valid (unexpired, not logged-out) session cookie."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    try:
        credential = read_session_cookie(cookie, settings=settings)
        user = current_principal(engine=engine, credential=credential)
    except AuthenticationError:
        return None
    request.state.principal = user  # for the access log's record of refused requests
    return user


PATIENT_PARAMS = ("patient_id", "patient")
"""Path or query parameters that name the patient a request is about."""


def log_refused_request(request: Request, status: int) -> None:
    """Access-log a refused (403) or failed (404) request of an authenticated caller (issue 12), with
    the patient it named (a path or query parameter) when it named one; anonymous requests are
    answered 401 before they reach patient data and are not logged here."""
    principal = getattr(request.state, "principal", None)
    if not isinstance(principal, Principal):
        return
    patient_id = next(
        (str(params[name]) for params in (request.path_params, request.query_params)
         for name in PATIENT_PARAMS if params.get(name)),
        None,
    )
    log_refused(
        engine=engine_of(request),
        principal=principal,
        patient_id=patient_id[:64] if patient_id else None,
        resource=f"{status} {request.method} {request.url.path}",
        client=client_of(request),
        at=dt.datetime.now(dt.UTC),
    )


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
