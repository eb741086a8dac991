"""Log-in, log-out and the front door that sends each role to its start page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from hjemme.services.auth import SESSION_COOKIE, AuthenticationError, create_session_cookie, log_in
from hjemme.web.deps import EngineDep, OptionalUserDep, SettingsDep, start_page
from hjemme.web.rendering import render

router = APIRouter()


@router.get("/")
def home(user: OptionalUserDep) -> Response:
    """The role's start page when logged in, else the log-in page."""
    return RedirectResponse(start_page(user.role) if user else "/login", status_code=303)


@router.get("/login")
def login_form(request: Request, user: OptionalUserDep) -> Response:
    if user is not None:
        return RedirectResponse(start_page(user.role), status_code=303)
    return render(request, "auth/login.html")


@router.post("/login")
def login(
    request: Request,
    settings: SettingsDep,
    engine: EngineDep,
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Check the password; on success set the signed session cookie and go to the start page."""
    try:
        principal = log_in(engine=engine, username=username, password=password)
    except AuthenticationError:
        context = {"error": True, "username": username}
        return render(request, "auth/login.html", context, status_code=401)
    response = RedirectResponse(start_page(principal.role), status_code=303)
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


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response
