"""``/api/users``: administrators list users, disable and re-enable them, change their role and reset
passwords.

Disabling and a reset end the user's sessions and tokens at once (see ``services/users.py``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from hjemme.api.deps import EngineDep, NowDep, require_roles
from hjemme.api.schemas.users import PasswordReset, RoleChange, UserRead
from hjemme.services import users as service
from hjemme.services.auth import Principal

router = APIRouter(prefix="/api/users", tags=["users"])

Admin = Annotated[Principal, Depends(require_roles(*service.USER_ADMINS))]
Username = Annotated[str, Path(max_length=100, description="The user's log-in name.")]


def _read(summary: service.UserSummary) -> UserRead:
    return UserRead.model_validate(summary, from_attributes=True)


@router.get("", response_model=list[UserRead])
def list_users(principal: Admin, engine: EngineDep) -> list[UserRead]:
    """Every user account, by name."""
    return [_read(s) for s in service.list_accounts(engine=engine, principal=principal)]


@router.post("/{username}/disable", response_model=UserRead)
def disable_user(principal: Admin, engine: EngineDep, username: Username) -> UserRead:
    """Disable a user: no more log-ins, and their tokens and sessions stop working now."""
    return _read(service.disable_user(engine=engine, principal=principal, username=username))


@router.post("/{username}/enable", response_model=UserRead)
def enable_user(principal: Admin, engine: EngineDep, username: Username) -> UserRead:
    """Re-enable a disabled user."""
    return _read(service.enable_user(engine=engine, principal=principal, username=username))


@router.post("/{username}/password", response_model=UserRead)
def reset_password(
    principal: Admin, engine: EngineDep, now: NowDep, username: Username, body: PasswordReset
) -> UserRead:
    """Set a new password for a user; their tokens and sessions stop working now."""
    return _read(
        service.reset_password(
            engine=engine, principal=principal, username=username, new_password=body.password, now=now
        )
    )


@router.post("/{username}/role", response_model=UserRead)
def change_role(principal: Admin, engine: EngineDep, username: Username, body: RoleChange) -> UserRead:
    """Give a user another role; their tokens and sessions stop working now (they carry the old role)."""
    return _read(service.change_role(engine=engine, principal=principal, username=username, role=body.role))
