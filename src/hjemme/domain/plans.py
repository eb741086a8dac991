"""A day plan: the routes, the samples' journeys, what could not be planned and the KPIs.

The JSON form (``docs/plan.schema.json``) is produced by :mod:`hjemme.planning.plan_json`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hjemme.domain.geo import Location
from hjemme.domain.resources import ResourceKind
from hjemme.domain.time import TimeWindow

LAB_STOP = "lab"  # stop type of a drop at the lab reception
BREAK_STOP = "break"


@dataclass(frozen=True, slots=True)
class Partner:
    """The other half of a two-person visit: who does it and when it starts (issue 16)."""

    resource_id: str
    task_id: str
    start_min: int


@dataclass(frozen=True, slots=True)
class Stop:
    """One stop of a route. ``task_id`` is ``None`` for lab drops and breaks."""

    task_id: str | None
    type: str  # a TaskKind value, "lab" or "break"
    patient_id: str | None
    location: Location | None
    arrive_min: int
    start_min: int
    end_min: int
    window: TimeWindow | None
    interpreter: bool = False  # book an interpreter along (visit) or on the call (video)
    partner: Partner | None = None  # a two-person visit's other half ("sammen med …")


@dataclass(frozen=True, slots=True)
class Route:
    resource_id: str
    kind: ResourceKind
    vehicle_id: str | None
    stops: tuple[Stop, ...]


@dataclass(frozen=True, slots=True)
class SampleJourney:
    """How one sample reaches the lab: taken at a visit, carried by a resource, received at the lab."""

    task_id: str
    taken_min: int
    at_lab_min: int
    stability_min: int
    carried_by: str


@dataclass(frozen=True, slots=True)
class Unplanned:
    """A task left out of the plan; ``reason`` is bokmål for the coordinator, ``reason_en`` English."""

    task_id: str
    reason: str
    reason_en: str = ""


@dataclass(frozen=True, slots=True)
class PlanKpis:
    tasks_total: int
    tasks_planned: int
    km: float
    drive_hours: float
    clinician_drive_hours: float
    co2_kg: float
    max_sample_age_min: int
    deliveries_per_patient: float
    solve_seconds: float


@dataclass(frozen=True, slots=True)
class Plan:
    date: dt.date
    routes: tuple[Route, ...]
    samples: tuple[SampleJourney, ...]
    unplanned: tuple[Unplanned, ...]
    kpis: PlanKpis
