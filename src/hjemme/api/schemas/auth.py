"""Schemas of log-in and of the caller's own identity."""

from __future__ import annotations

from pydantic import BaseModel, Field

from hjemme.domain.security import Role


class TokenRead(BaseModel):
    """An OAuth2 bearer token: send it as ``Authorization: Bearer <access_token>``."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int  # seconds


class MeRead(BaseModel):
    """Who the caller is and what their role may do."""

    username: str
    role: Role
    patient_id: str | None = None


class PasswordChange(BaseModel):
    """The caller's present password and the new one (at least 8 characters)."""

    old_password: str = Field(max_length=200)
    new_password: str = Field(max_length=200)
