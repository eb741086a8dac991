"""Schemas of the access log."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel


class AccessLogRead(BaseModel):
    """One access-log row: who, in which role, read, wrote or was refused which patient's what, when,
    from where; ``count`` repeated reads from ``at`` to ``last_at`` (15-minute buckets)."""

    at: AwareDatetime
    username: str
    role: str
    patient_id: str | None
    action: str
    resource: str
    client: str | None
    last_at: AwareDatetime | None = None
    count: int = 1
