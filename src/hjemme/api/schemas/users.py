"""Schemas of user administration."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from hjemme.domain.security import Role


class UserRead(BaseModel):
    """A user account as an administrator sees it (never a password or its hash)."""

    username: str
    role: Role
    active: bool
    staff_id: str | None
    patient_id: str | None
    created_at: dt.datetime
    password_changed_at: dt.datetime | None


class PasswordReset(BaseModel):
    """The new password an administrator sets for a user (at least 8 characters)."""

    password: str = Field(max_length=200)


class RoleChange(BaseModel):
    """The role an administrator gives a user."""

    role: Role
