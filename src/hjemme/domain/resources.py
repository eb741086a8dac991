"""Resources: what tasks are planned onto (a clinician with a car, a van with its driver, a courier)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from hjemme.domain.geo import Location
from hjemme.domain.time import TimeWindow


class ResourceKind(enum.StrEnum):
    CLINICIAN = "clinician"
    VAN = "van"
    COURIER = "courier"


@dataclass(frozen=True, slots=True)
class Resource:
    """One route to plan: who works it, in what vehicle, from where, when and carrying what."""

    id: str
    kind: ResourceKind
    name: str
    staff_id: str
    vehicle_id: str | None
    skills: frozenset[str]
    start: Location
    end: Location
    shift: TimeWindow
    break_window: TimeWindow | None
    break_min: int
    max_work_min: int
    volume_l: float
    weight_kg: float
    cold_chain: bool
    qualified_carrier: bool
    co2_g_per_km: float
    cost_nok_per_km: float
