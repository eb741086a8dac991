"""Tasks: one piece of a day's work that must be planned onto a resource."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from hjemme.domain.catalogue import Product
from hjemme.domain.geo import Location
from hjemme.domain.pathways import GoodsLine
from hjemme.domain.time import TimeWindow


class TaskKind(enum.StrEnum):
    VISIT = "visit"  # a clinician at the patient's home
    VIDEO = "video"  # a video consultation, no travel
    DELIVERY = "delivery"  # goods to the home, by van or courier
    PICKUP = "pickup"  # goods or devices back from the home
    SAMPLE = "sample"  # a sample taken at a visit that must reach the lab in time
    DEVICE_SWAP = "device_swap"  # a device due for service exchanged for a serviced one


CLINICIAN_KINDS = frozenset({TaskKind.VISIT, TaskKind.VIDEO})
TRANSPORT_KINDS = frozenset({TaskKind.DELIVERY, TaskKind.PICKUP, TaskKind.DEVICE_SWAP})


@dataclass(frozen=True, slots=True)
class Goods:
    """What a transport task carries, summed over its lines."""

    lines: tuple[GoodsLine, ...]
    volume_l: float
    weight_kg: float
    cold_chain: bool
    qualified_carrier: bool

    @classmethod
    def of(cls, lines: tuple[GoodsLine, ...], products: Mapping[str, Product]) -> Goods:
        items = [(products[line.product_id], line.quantity) for line in lines]
        return cls(
            lines=lines,
            volume_l=round(sum(p.unit_volume_l * q for p, q in items), 3),
            weight_kg=round(sum(p.unit_weight_kg * q for p, q in items), 3),
            cold_chain=any(p.cold_chain for p, _ in items),
            qualified_carrier=any(p.qualified_carrier for p, _ in items),
        )

    def merged(self, other: Goods) -> Goods:
        return Goods(
            lines=self.lines + other.lines,
            volume_l=round(self.volume_l + other.volume_l, 3),
            weight_kg=round(self.weight_kg + other.weight_kg, 3),
            cold_chain=self.cold_chain or other.cold_chain,
            qualified_carrier=self.qualified_carrier or other.qualified_carrier,
        )


class SyncKind(enum.StrEnum):
    """How the two tasks of a two-person visit relate (issue 16)."""

    SIMULTANEOUS = "simultaneous"  # both people start at the same minute
    SEQUENTIAL = "sequential"  # the second starts ``min_gap_min``–``max_gap_min`` after the first


@dataclass(frozen=True, slots=True)
class Together:
    """This task is one half of a two-person visit: ``partner_task_id`` is the other half, done by
    someone else (a heavy patient, a nurse with a physiotherapist, medicine given then checked).
    ``first`` marks the half a sequential gap counts from."""

    partner_task_id: str
    kind: SyncKind
    first: bool = True
    min_gap_min: int = 0
    max_gap_min: int = 0


@dataclass(frozen=True, slots=True)
class Task:
    """One task of a day.

    ``window`` bounds the *start* of service. ``before`` lists the ids of tasks that may only start
    after this one ends (a delivery before the visit that uses it). A SAMPLE task names the visit it
    is taken at in ``taken_at`` and must reach the lab within ``sample_stability_min`` of that
    visit's end.
    """

    id: str
    kind: TaskKind
    patient_id: str
    enrolment_id: str
    pathway_id: str
    location: Location
    duration_min: int
    window: TimeWindow
    skill: str | None = None
    goods: Goods | None = None
    sample_type: str | None = None
    sample_stability_min: int | None = None
    taken_at: str | None = None
    before: tuple[str, ...] = ()
    mandatory: bool = True
    fixed_time: bool = False
    interpreter: bool = False
    preferred_staff_ids: tuple[str, ...] = ()
    excluded_staff_ids: tuple[str, ...] = ()  # incompatible caregivers for this patient
    together: Together | None = None  # the other half of a two-person visit
    soft_end_min: int | None = None  # starting after this (inside the window) costs lateness
    late_cost_per_min: int = 0
