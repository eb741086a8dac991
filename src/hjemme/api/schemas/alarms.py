"""Schemas of the response centre's alarms."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class AlarmRead(BaseModel):
    """One alarm on the worklist: whose, why, how urgent, and who has it."""

    alarm_id: str
    patient_id: str
    kind: str
    severity: str
    cause: str
    evidence: list[str]
    opened_at: dt.datetime
    status: str
    owner: str | None
    escalation_level: int
    score: float | None
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    resolved_at: dt.datetime | None
    resolved_by: str | None
    resolution_note: str | None


class AlarmEventRead(BaseModel):
    """One audited step of an alarm's life."""

    kind: str
    at: dt.datetime
    actor: str
    level: int
    severity: str
    note: str


class AlarmDetailRead(BaseModel):
    alarm: AlarmRead
    events: list[AlarmEventRead]


class AlarmNoteCreate(BaseModel):
    note: str = Field(default="", max_length=2000)


class AlarmResolveCreate(BaseModel):
    note: str = Field(min_length=1, max_length=2000, description="What was done.")


class AlarmAssignCreate(BaseModel):
    owner: str = Field(min_length=1, max_length=100)
