"""Request and response bodies of the staff rota (issue 17)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class RotaCreate(BaseModel):
    team: str = Field(min_length=1, max_length=64)
    first_day: dt.date
    weeks: int = Field(4, ge=1, le=8)
    time_limit_s: float = Field(20.0, ge=1, le=300)


class CellEditCreate(BaseModel):
    staff_id: str = Field(min_length=1, max_length=64)
    date: dt.date
    shift: str | None = Field(None, description="D, E, N or null for a day off")
    lock: bool = False
    was: str | None = Field(
        None,
        max_length=16,
        description="What the cell held when read (null: a day off). Given, the edit is refused with "
        "409 if someone changed the cell since; left out, the edit is made whatever the cell holds.",
    )


class CellEditsCreate(BaseModel):
    edits: list[CellEditCreate] = Field(min_length=1, max_length=500)


class ReplanCreate(BaseModel):
    time_limit_s: float = Field(20.0, ge=1, le=300)


class WishCreate(BaseModel):
    staff_id: str = Field(min_length=1, max_length=64)
    date: dt.date
    kind: str = Field(description="day_off, shift_wanted or shift_not_wanted")
    shift: str | None = None
    weight: int = Field(3, ge=1, le=5, description="1 (low) to 5 (high)")


class WishRead(BaseModel):
    id: int
    staff_id: str
    date: dt.date
    kind: str
    shift: str | None
    weight: int
    met: bool | None = Field(None, description="in a rota: whether the rota grants the wish")


class ShiftTimesCreate(BaseModel):
    start: str = Field(pattern=r"^\d{1,2}:\d{2}$", description="HH:MM")
    end: str = Field(pattern=r"^\d{1,2}:\d{2}$", description="HH:MM; at or before start: the next morning")


class TeamShiftsUpdate(BaseModel):
    shifts: dict[str, ShiftTimesCreate] = Field(
        min_length=1, max_length=3, description="by code (D, E, N); a code left out returns to the default"
    )


class ShiftRead(BaseModel):
    code: str
    start: str
    end: str
    hours: float
    night: bool


class RotaJobRead(BaseModel):
    job_id: str
    kind: str = Field(description="plan or replan")
    team: str
    stage: str = Field(description="queued, demand, search, store, done or failed")
    percent: int
    ahead: int = Field(0, description="while queued: the plans that run before this one starts")
    rota_id: int | None = Field(None, description="the draft, once done")
    rota_url: str | None = None
    error: str = ""


class BreachRead(BaseModel):
    code: str
    hard: bool
    staff_id: str
    date: dt.date
    message: str


class CoverRead(BaseModel):
    date: dt.date
    shift: str
    staffed: int
    needed: int
    by_skill: dict[str, int]
    low: float
    high: float


class LoadRead(BaseModel):
    staff_id: str
    hours: float = Field(description="planned over the period")
    contract_hours: float = Field(description="by the contract percentage, over the days not absent")
    off_contract: bool = Field(description="planned hours outside the rules' contract tolerance")
    nights: int
    weekends: int = Field(description="weekends with at least one shift")


class RotaSummaryRead(BaseModel):
    id: int
    team: str
    first_day: dt.date
    days: int
    version: int
    status: str
    based_on: int | None
    changed: int


class RotaRead(RotaSummaryRead):
    staff: list[dict[str, str]]
    cells: list[dict[str, str]]
    locks: list[dict[str, str | None]]
    cover: list[CoverRead]
    loads: list[LoadRead]
    absent: list[dict[str, str]] = Field(description="staff_id and date of each day a member is away")
    changes: list[dict[str, str | None]] = Field(
        description="staff_id, date, before and after (null: a day off) of each cell that differs from "
        "the version this one was made from (based_on)"
    )
    breaches: list[BreachRead]
    shifts: list[ShiftRead]
    wishes: list[WishRead]


class MyShiftRead(BaseModel):
    date: dt.date
    shift: str | None  # None: a day off, or (published false) no published rota covers the day
    start: str | None
    end: str | None
    team: str
    published: bool
