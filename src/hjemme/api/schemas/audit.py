"""Schemas of the access log."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel


class AccessLogRead(BaseModel):
    """One access-log row: who, in which role, read or wrote which patient's what, when, from where."""

    at: AwareDatetime
    username: str
    role: str
    patient_id: str | None
    action: str
    resource: str
    client: str | None
