"""Schemas of the response centre's alarms."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, Field


class AlarmRead(BaseModel):
    """One alarm on the worklist: whose, why, how urgent, and who has it."""

    alarm_id: str
    patient_id: str
    kind: str
    severity: str
    cause: str
    evidence: list[str]
    opened_at: AwareDatetime
    status: str
    owner: str | None
    escalation_level: int
    score: float | None
    acknowledged_at: AwareDatetime | None
    acknowledged_by: str | None
    resolved_at: AwareDatetime | None
    resolved_by: str | None
    resolution_note: str | None


class AlarmEventRead(BaseModel):
    """One audited step of an alarm's life."""

    kind: str
    at: AwareDatetime
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
