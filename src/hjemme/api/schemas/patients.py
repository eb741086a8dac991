"""Schemas of patients as the API shows them.

A field that the caller's role may not see is *absent* from the response (not null): routes
serialise these models with ``response_model_exclude_unset``. The need-to-know table is in
``docs/api.md`` and in :mod:`hjemme.services.access`.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field


class LocationRead(BaseModel):
    lat: float
    lon: float


class MonitoredParameterRead(BaseModel):
    code: str
    unit: str
    interval_hours: float
    low: float | None = None
    high: float | None = None


class EnrolmentRead(BaseModel):
    """A stay in a pathway, with its clinical meaning (clinical roles, the patient, researchers)."""

    id: str = Field(default="", description="Absent for researchers.")
    pathway_id: str = ""
    pathway_name: str | None = None
    service_kind: str | None = None
    diagnosis_code: str | None = Field(default=None, description="ICD-10")
    diagnosis_text: str | None = None
    start_date: dt.date | None = Field(default=None, description="Absent for researchers.")
    end_date: dt.date | None = Field(default=None, description="Absent for researchers.")
    start_week: str | None = Field(default=None, description="Researchers only: ISO week, e.g. 2026-W48.")
    end_week: str | None = Field(default=None, description="Researchers only: ISO week.")
    length_days: int = 0
    active: bool = False
    monitoring: list[MonitoredParameterRead] = []
    spo2_target_88_92: bool = False


class DeviceRead(BaseModel):
    """A medical-technical device at (or going to) the patient's home."""

    device_type_id: str
    name: str
    quantity: int
    from_date: dt.date | None = Field(default=None, description="Absent for researchers.")
    to_date: dt.date | None = Field(default=None, description="Absent for researchers.")
    from_week: str | None = Field(default=None, description="Researchers only: ISO week.")
    to_week: str | None = Field(default=None, description="Researchers only: ISO week.")


class PatientRead(BaseModel):
    """A patient; which fields are present depends on the caller's role (see docs/api.md)."""

    id: str = Field(default="", description="Absent for researchers, who get `pseudonym` instead.")
    pseudonym: str = Field(default="", description="Researchers only: a stable keyed pseudonym.")
    name: str = ""
    birth_year: int = Field(default=0, description="Absent for researchers, who get `age_band`.")
    age_band: str = Field(default="", description="Researchers only: ten-year band, e.g. 70-79.")
    address: str = ""
    location: LocationRead | None = None
    district_id: str = ""
    phone: str = ""
    language: str = ""
    needs_interpreter: bool = False
    lives_alone: bool = False
    clinic: str = ""
    delivery_notes: str = ""
    enrolments: list[EnrolmentRead] = Field(default=[], description="Clinical roles, self, research.")
    devices: list[DeviceRead] = Field(default=[], description="Clinical roles, self, technicians, research.")
