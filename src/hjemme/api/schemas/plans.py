"""Wire schemas of ``/api/plans``: one per direction (STYLE principle 8)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hjemme.api.schemas.common import MAX_SEED

HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class PlanCreate(BaseModel):
    """Options for planning (or optimising again) the whole day; the journal's changes are kept."""

    model_config = ConfigDict(extra="forbid")

    time_limit_s: float = Field(
        default=5.0, gt=0, le=600, description="Seconds of routing search per planning round."
    )
    seed: int = Field(default=0, ge=0, le=MAX_SEED, description="Solver seed, 0 to 2^32 − 1.")
    reason: str = Field(default="", max_length=500)


class ChangeCreate(BaseModel):
    """One change to the day (issue 11). ``kind`` says which fields it needs:

    ``urgent_visit`` (patient), ``cancelled`` (task), ``absent`` (staff, from/to), ``vehicle_out``
    (vehicle, from/to), ``moved`` (task, resource, start). ``expected_version`` (or the ``If-Match``
    header) is the version the change was made against.
    """

    model_config = ConfigDict(extra="forbid")

    kind: Literal["urgent_visit", "cancelled", "absent", "vehicle_out", "moved"]
    patient: str | None = Field(default=None, min_length=1, max_length=64)
    task: str | None = Field(default=None, min_length=1, max_length=120)
    staff: str | None = Field(default=None, min_length=1, max_length=64)
    vehicle: str | None = Field(default=None, min_length=1, max_length=64)
    resource: str | None = Field(default=None, min_length=1, max_length=64)
    start: str | None = Field(default=None, pattern=HHMM, description="Move: new start, HH:MM Oslo time.")
    from_: str | None = Field(default=None, alias="from", pattern=HHMM, description="Absence from, HH:MM.")
    to: str | None = Field(default=None, pattern=HHMM, description="Absent until HH:MM (default: day end).")
    reason: str = Field(default="", max_length=500)
    expected_version: int | None = Field(default=None, ge=1, le=1_000_000)


class StatusCreate(BaseModel):
    """A fact about a task on the plan: confirmed, started, done, not done, delivered, sample handed in."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["confirmed", "started", "done", "not_done", "delivered", "sample_handed_in"]
    reason: str = Field(default="", max_length=500)


class RestoreCreate(BaseModel):
    """Undo: store an earlier version as the newest."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=1_000_000)
    reason: str = Field(default="", max_length=500)
    expected_version: int | None = Field(default=None, ge=1, le=1_000_000)


class PlanSummaryRead(BaseModel):
    """What planning produced: the stored version and the headline numbers."""

    date: str
    version: int
    tasks_total: int
    tasks_planned: int
    unplanned: int
    km: float
    solve_seconds: float


class ChangeRead(BaseModel):
    """What a change did: the version it produced (or the current one for a status), the journal
    entry's number, the urgent visit's id and where it was placed, and the difference."""

    date: str
    version: int
    previous_version: int | None
    journal_seq: int
    task: str | None = None
    resource: str | None = None
    start: str | None = None
    unplanned: int
    diff: dict[str, Any] | None = None


class JournalEntryRead(BaseModel):
    seq: int
    kind: str
    text: str
    payload: dict[str, Any]
    reason: str
    user: str
    role: str
    at: str = Field(description="ISO 8601 with the Oslo offset.")
    at_local: str = Field(description="Oslo time as people read it, with the date.")
    base_version: int | None
    result_version: int | None
    reverted_by: int | None


class PlacementRead(BaseModel):
    resource: str
    start: str
    cost_delta: int
    moved_tasks: int


class PlacementsRead(BaseModel):
    date: str
    version: int
    task: str
    placements: list[PlacementRead]


class VersionRead(BaseModel):
    version: int
    created_at: str
