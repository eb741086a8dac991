"""Wire schemas of ``/api/plans``: one per direction (STYLE principle 8)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hjemme.api.schemas.common import MAX_SEED


class PlanCreate(BaseModel):
    """Options for planning a day."""

    model_config = ConfigDict(extra="forbid")

    time_limit_s: float = Field(
        default=5.0, gt=0, le=600, description="Seconds of routing search per planning round."
    )
    seed: int = Field(default=0, ge=0, le=MAX_SEED, description="Solver seed, 0 to 2^32 − 1.")


class ReplanCreate(BaseModel):
    """One change to a day's plan; exactly one of ``add_urgent``, ``cancel`` and ``absent``."""

    model_config = ConfigDict(extra="forbid")

    add_urgent: str | None = Field(default=None, min_length=1, description="Patient id for an urgent visit.")
    cancel: str | None = Field(default=None, min_length=1, description="Task id that will not happen.")
    absent: str | None = Field(default=None, min_length=1, description="Staff id off sick.")
    pins: list[str] = Field(default_factory=list, description="Extra task ids to keep in place.")
    time_limit_s: float = Field(default=0.5, gt=0, le=120)

    @model_validator(mode="after")
    def _exactly_one(self) -> ReplanCreate:
        if sum(v is not None for v in (self.add_urgent, self.cancel, self.absent)) != 1:
            raise ValueError("give exactly one of add_urgent, cancel or absent")
        return self


class PinCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["confirmed", "started", "done"]


class PlanSummaryRead(BaseModel):
    """What planning produced: the stored version and the headline numbers."""

    date: str
    version: int
    tasks_total: int
    tasks_planned: int
    unplanned: int
    km: float
    solve_seconds: float
