"""Schemas of the day's tasks; clinical fields are absent for logistics and technicians."""

from __future__ import annotations

from pydantic import BaseModel


class GoodsLineRead(BaseModel):
    product_id: str
    quantity: int


class GoodsRead(BaseModel):
    lines: list[GoodsLineRead]
    volume_l: float
    weight_kg: float
    cold_chain: bool
    qualified_carrier: bool


class TaskRead(BaseModel):
    """One task of a day, in the shape of ``hjemme tasks --format json`` (times as HH:MM)."""

    id: str = ""
    kind: str = ""
    patient: str = ""
    enrolment_id: str = ""
    pathway_id: str = ""
    lat: float = 0.0
    lon: float = 0.0
    duration_min: int = 0
    window_start: str = ""
    window_end: str = ""
    skill: str | None = None
    goods: GoodsRead | None = None
    sample_type: str | None = None
    sample_stability_min: int | None = None
    taken_at: str | None = None
    before: list[str] = []
    mandatory: bool = True
    fixed_time: bool = False
    interpreter: bool = False
