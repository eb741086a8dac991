"""Request and response bodies of the registers (issue 13): stays, staff, vehicles, imports."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class AdmissionCreate(BaseModel):
    """A referral (``referral_only``) or an admission; ``lat``/``lon`` or ``district`` place the home."""

    name: str = Field(min_length=1, max_length=200)
    birth_year: int
    address: str = Field(min_length=1, max_length=300)
    pathway: str
    start_date: dt.date
    length_days: int
    district: str = ""
    lat: float | None = None
    lon: float | None = None
    phone: str = Field("", max_length=40)
    access_notes: str = Field("", max_length=1000)
    delivery_notes: str = Field("", max_length=1000)
    next_of_kin: str = Field("", max_length=300)
    language: str = "nb"
    needs_interpreter: bool = False
    lives_alone: bool = False
    clinic: str = ""
    preferred_staff: list[str] = []
    excluded_staff: list[str] = []
    national_id: str | None = None
    hospital_id: str | None = None
    patient_id: str = ""
    episode_id: str = ""
    referral_only: bool = False


class StayChangeCreate(BaseModel):
    """One change from ``date``: ``kind`` is pathway, pause, resume, until, address, clinicians or
    visits (``visits_per_day``, ``visit_every_days``, ``visit_windows`` as ``"HH:MM-HH:MM"`` in Oslo
    time, or ``pathway_visits: true`` for the pathway's visits again). Unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    date: dt.date
    pathway: str = ""
    until: dt.date | None = None
    address: str = ""
    district: str = ""
    lat: float | None = None
    lon: float | None = None
    access_notes: str | None = None
    delivery_notes: str | None = None
    preferred_staff: list[str] | None = None
    excluded_staff: list[str] | None = None
    visits_per_day: int | None = None
    visit_every_days: int | None = None
    visit_windows: list[str] | None = Field(None, max_length=12)
    pathway_visits: bool = False
    reason: str = Field("", max_length=500)


class DischargeCreate(BaseModel):
    date: dt.date
    died: bool = False
    reason: str = Field("", max_length=500)


class DayEffectRead(BaseModel):
    date: dt.date
    version: int
    journal_seq: int


class StayRead(BaseModel):
    patient_id: str
    episode_id: str
    stages: list[dict[str, object]]
    planned_days: list[DayEffectRead]


class StaffCreate(BaseModel):
    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    profession: str
    skills: list[str]
    home_base: str
    contract_pct: int = 100
    phone: str = Field("", max_length=40)
    shift_start_min: int = 8 * 60
    shift_end_min: int = 16 * 60
    clinic: str = ""
    qualified_carrier: bool = False


class AbsenceCreate(BaseModel):
    kind: str
    from_date: dt.date
    to_date: dt.date | None = None
    from_min: int = 0
    to_min: int = 24 * 60
    note: str = Field("", max_length=500)


class VehicleCreate(BaseModel):
    id: str = Field(min_length=1, max_length=64)
    name: str = ""
    kind: str
    home_site: str
    volume_l: float
    weight_kg: float
    cold_chain: bool = False
    qualified_carrier: bool = False
    electric: bool = True
    last_service_date: dt.date | None = None
    next_service_date: dt.date | None = None


class OutOfServiceCreate(BaseModel):
    from_date: dt.date
    to_date: dt.date | None = None
    reason: str = "service"
    note: str = Field("", max_length=500)


class RegisterRead(BaseModel):
    id: str
    created: bool
    planned_days: list[DayEffectRead]


class UserLinkCreate(BaseModel):
    staff_id: str | None = None
    patient_id: str | None = None


class ImportRead(BaseModel):
    kind: str
    rows: int
    written: int
    dry_run: bool
    planned_days: int
