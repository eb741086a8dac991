"""Log-in, log-out, changing one's own password, and the front door that sends each role to its
start page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from hjemme.errors import InputError
from hjemme.services.auth import (
    SESSION_COOKIE,
    AuthenticationError,
    Principal,
    create_session_cookie,
    log_in,
    log_out,
)
from hjemme.services.login_throttle import TooManyAttemptsError
from hjemme.services.users import MIN_PASSWORD_LENGTH, change_own_password
from hjemme.settings import Settings
from hjemme.web.deps import (
    ClientDep,
    EngineDep,
    NowDep,
    OptionalUserDep,
    SettingsDep,
    login_limits,
    page_context,
    page_user,
    start_page,
)
from hjemme.web.rendering import render

router = APIRouter()

UserDep = Annotated[Principal, Depends(page_user)]


@router.get("/")
def home(user: OptionalUserDep) -> Response:
    """The role's start page when logged in, else the log-in page."""
    return RedirectResponse(start_page(user.role) if user else "/login", status_code=303)


@router.get("/login")
def login_form(request: Request, user: OptionalUserDep) -> Response:
    if user is not None:
        return RedirectResponse(start_page(user.role), status_code=303)
    return render(request, "auth/login.html")


def _with_session(response: Response, request: Request, principal: Principal, settings: Settings) -> Response:
    response.set_cookie(
        SESSION_COOKIE,
        create_session_cookie(principal, settings=settings),
        max_age=settings.token_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/login")
def login(
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Check the password; on success set the signed session cookie and go to the start page.
    Too many failures lock the user name and the address (429, the page says for how long)."""
    try:
        principal = log_in(
            engine=engine, username=username, password=password, now=now, client=client,
            limits=login_limits(settings),
        )
    except TooManyAttemptsError as locked:
        minutes = max(1, -(-locked.retry_after_s // 60))
        context = {"locked_minutes": minutes, "username": username}
        response = render(request, "auth/login.html", context, status_code=429)
        response.headers["Retry-After"] = str(locked.retry_after_s)
        return response
    except AuthenticationError:
        context = {"error": True, "username": username}
        return render(request, "auth/login.html", context, status_code=401)
    response = RedirectResponse(start_page(principal.role), status_code=303)
    return _with_session(response, request, principal, settings)


@router.post("/logout")
def logout(user: OptionalUserDep, engine: EngineDep) -> Response:
    """End the session — and every other session and token of the user — and go to the log-in page."""
    if user is not None:
        log_out(engine=engine, username=user.username)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


@router.get("/account/password")
def password_form(request: Request, user: UserDep) -> Response:
    context = {**page_context(user), "min_length": MIN_PASSWORD_LENGTH}
    return render(request, "auth/password.html", context)


@router.post("/account/password")
def change_password(
    request: Request,
    user: UserDep,
    settings: SettingsDep,
    engine: EngineDep,
    now: NowDep,
    old_password: Annotated[str, Form(max_length=200)] = "",
    new_password: Annotated[str, Form(max_length=200)] = "",
    repeat_password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Change one's own password: the present one is required; other sessions end, this one goes on."""
    context = {**page_context(user), "min_length": MIN_PASSWORD_LENGTH}
    if new_password != repeat_password:
        return render(request, "auth/password.html", {**context, "error": "repeat"}, status_code=422)
    try:
        renewed = change_own_password(
            engine=engine, principal=user, old_password=old_password, new_password=new_password, now=now
        )
    except InputError as error:
        return render(request, "auth/password.html", {**context, "error": error.field}, status_code=422)
    page = render(request, "auth/password.html", {**context, "changed": True})
    return _with_session(page, request, renewed, settings)
