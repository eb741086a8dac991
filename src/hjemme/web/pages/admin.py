"""Administration: the users (create, link to staff or a patient, change role, disable, re-enable,
reset a password) and the access log searchable by patient and user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from hjemme.domain.security import Role
from hjemme.errors import ConflictError, InputError, NotFoundError
from hjemme.services import users as service
from hjemme.services.access import query_access_log
from hjemme.services.auth import Principal
from hjemme.services.user_links import link_user
from hjemme.web.deps import ROLE_NAMES, ClientDep, EngineDep, NowDep, page_context, page_for
from hjemme.web.rendering import render

router = APIRouter()

AdminDep = Annotated[Principal, Depends(page_for(Role.ADMIN))]
Username = Annotated[str, Form(max_length=100)]


def _users_page(
    request: Request, user: Principal, engine: EngineDep, *, done: str = "", error: str = "",
    status_code: int = 200,
) -> Response:
    accounts = service.list_accounts(engine=engine, principal=user)
    context = {**page_context(user), "accounts": accounts, "done": done, "error": error,
               "min_length": service.MIN_PASSWORD_LENGTH, "role_names": ROLE_NAMES, "roles": list(Role)}
    return render(request, "admin/users.html", context, status_code=status_code)


@router.get("/admin")
def users(request: Request, user: AdminDep, engine: EngineDep, done: str = "") -> Response:
    """Every user with their role, link and state, and the administrator's actions on each."""
    known = {"disabled", "enabled", "reset", "role", "created", "linked"}
    return _users_page(request, user, engine, done=done if done in known else "")


_ERRORS: tuple[tuple[type[Exception], str, int], ...] = (
    (InputError, "password", 422),
    (ConflictError, "self", 409),
    (NotFoundError, "missing", 404),
)


def _act(
    request: Request, user: Principal, engine: EngineDep, done: str, action: Callable[[], object],
    refused: str | None = None,
) -> Response:
    """Run one administrative action; ``refused`` names the form's own message for bad input."""
    try:
        action()
    except (InputError, ConflictError, NotFoundError) as error:
        kind, status = next((k, s) for cls, k, s in _ERRORS if isinstance(error, cls))
        if refused is not None and not isinstance(error, NotFoundError):
            kind = refused
        return _users_page(request, user, engine, error=kind, status_code=status)
    return RedirectResponse(f"/admin?done={done}", status_code=303)


@router.post("/admin/users/disable")
def disable(request: Request, user: AdminDep, engine: EngineDep, username: Username) -> Response:
    """Disable a user; their sessions end at once."""
    return _act(request, user, engine, "disabled",
                lambda: service.disable_user(engine=engine, principal=user, username=username))


@router.post("/admin/users/enable")
def enable(request: Request, user: AdminDep, engine: EngineDep, username: Username) -> Response:
    """Re-enable a disabled user."""
    return _act(request, user, engine, "enabled",
                lambda: service.enable_user(engine=engine, principal=user, username=username))


@router.post("/admin/users/password")
def reset_password(
    request: Request, user: AdminDep, engine: EngineDep, now: NowDep, username: Username,
    password: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Give a user a new password; their sessions end at once."""
    return _act(request, user, engine, "reset", lambda: service.reset_password(
        engine=engine, principal=user, username=username, new_password=password, now=now))


@router.post("/admin/users/role")
def change_role(request: Request, user: AdminDep, engine: EngineDep, username: Username,
                role: Annotated[str, Form(max_length=32)] = "") -> Response:
    """Give a user another role; their sessions end at once."""
    return _act(request, user, engine, "role",
                lambda: service.change_role(engine=engine, principal=user, username=username, role=role),
                refused="role")


@router.post("/admin/users/create")
def create(
    request: Request, user: AdminDep, engine: EngineDep, now: NowDep, username: Username,
    role: Annotated[str, Form(max_length=32)] = "", password: Annotated[str, Form(max_length=200)] = "",
    staff: Annotated[str, Form(max_length=64)] = "", patient: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Create a log-in, linked to a member of staff or (a patient user) to a patient."""
    return _act(request, user, engine, "created", lambda: service.create_account(
        engine=engine, principal=user, username=username.strip(), password=password, role=role, now=now,
        staff_id=staff.strip() or None, patient_id=patient.strip() or None), refused="create")


@router.post("/admin/users/link")
def link(
    request: Request, user: AdminDep, engine: EngineDep, now: NowDep, client: ClientDep, username: Username,
    staff: Annotated[str, Form(max_length=64)] = "", patient: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Link a clinician or driver to their member of staff, or a patient user to their patient."""
    return _act(request, user, engine, "linked", lambda: link_user(
        engine=engine, principal=user, username=username, now=now, client=client,
        staff_id=staff.strip() or None, patient_id=patient.strip() or None), refused="link")


@router.get("/admin/access-log")
def access_log(
    request: Request,
    user: AdminDep,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    patient: Annotated[str, Query(max_length=100)] = "",
    username: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    entries = query_access_log(
        engine=engine, principal=user, patient_id=patient.strip() or None,
        username=username.strip() or None, limit=500, client=client, at=now,
    )
    context = {**page_context(user), "entries": entries, "patient": patient, "username": username,
               "role_names": {role.value: name for role, name in ROLE_NAMES.items()}}
    return render(request, "admin/access_log.html", context)
