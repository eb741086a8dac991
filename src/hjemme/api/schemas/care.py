"""Schemas of emergency access ("nødtilgang", issue 12)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from hjemme.services.care import MAX_REASON, MIN_REASON


class EmergencyAccessCreate(BaseModel):
    """Why the clinician must open a patient outside their care; kept for the administrator's review."""

    reason: str = Field(min_length=MIN_REASON, max_length=MAX_REASON)


class EmergencyAccessRead(BaseModel):
    """One emergency access: who opened which patient, why, until when, and whether it was reviewed."""

    id: int
    username: str
    role: str
    patient_id: str
    reason: str
    granted_at: dt.datetime
    expires_at: dt.datetime
    client: str | None
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
