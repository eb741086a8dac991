"""What one patient-day of a pathway causes under one delivery model (exact, from the schedules).

Fast mode needs rates per patient at home per day: visits, video consultations, deliveries, stops,
litres and units of each product, per supplying node. They are exact averages of the pathway's
day-by-day schedule over its length-of-stay distribution and the weekday the stay starts on, so
"ten patients of one pathway with a fixed schedule" give exactly the hand-computed numbers.

How a delivery model turns needs into deliveries (logistics roadmap ch. 6, seeds/001):

* each need is supplied by the model's *flow* for the product's category; a flow with
  ``frequency_per_week`` f delivers on f fixed weekdays, and a need is brought forward to the last
  delivery day of that flow at or before it (never earlier than the product's shelf life allows;
  the first day of a stay is always a delivery day);
* ``per_patient_day`` (Alt 1) merges everything a patient gets on one day into one delivery;
  ``per_node`` (Alt 2, Alt 3) merges only what leaves the same node on the same day;
* pick-ups (device returns, pathway pick-ups) ride along with a delivery from the same node (or on
  the same day under ``per_patient_day``), otherwise they are a stop of their own.

Rates are count per stay divided by mean stay: with Poisson arrivals the census is Poisson with mean
λ·E[LOS] (M/G/∞), so census × rate is the expected daily load.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from hjemme.domain.catalogue import DeviceType, Product
from hjemme.domain.pathways import LengthOfStay, Pathway

WEEKDAYS_BY_FREQUENCY: Mapping[int, tuple[int, ...]] = {
    1: (0,),
    2: (0, 3),
    3: (0, 2, 4),
    4: (0, 1, 3, 4),
    5: (0, 1, 2, 3, 4),
    6: (0, 1, 2, 3, 4, 5),
    7: (0, 1, 2, 3, 4, 5, 6),
}
_MAX_LOS_POINTS = 30
VAN_START_MIN = 7 * 60 + 30  # vans start at 07:30 (deep mode's rosters): earlier window time is lost
_DEVICE_WINDOW = (7 * 60 + 30, 11 * 60)  # a device out on day 0 without a delivery: the sampling window
_SWAP_WINDOW = (9 * 60, 15 * 60)  # device swaps (as hjemme.domain.workload plans them)
_PICKUP_WINDOW = (9 * 60, 16 * 60)  # a pick-up of its own


def usable_window_h(window: tuple[int, int]) -> float:
    """Hours of a time window a van can use (from 07:30), at least half an hour."""
    return max(window[1] - max(window[0], VAN_START_MIN), 30) / 60.0


@dataclass(frozen=True, slots=True)
class FlowSpec:
    """The part of a scenario flow the profile needs (no sampled numbers)."""

    category: str
    qualified_carrier: bool | None
    node: str
    frequency_per_week: int

    def matches(self, product: Product) -> bool:
        return product.category.value == self.category and (
            self.qualified_carrier is None or self.qualified_carrier == product.qualified_carrier
        )


@dataclass(frozen=True, slots=True)
class NodeLoad:
    """Per patient-day at home: what one node sends (``deliveries``) and how many stops it makes."""

    deliveries: float
    stops: float
    volume_l: float
    inv_window_h: float = 0.0  # Σ over stops of 1 / usable time window (h): van-windows the stops take


@dataclass(frozen=True, slots=True)
class StayProfile:
    """Rates per patient-day of one pathway under one delivery model."""

    pathway_id: str
    clinic: str
    mean_los_days: float
    visits: float
    visit_min: float
    videos: float
    video_min: float
    deliveries: float  # merged delivery events
    stops: float  # deliveries plus pick-ups that could not ride along
    nodes: Mapping[str, NodeLoad]
    units: Mapping[str, float]  # product id -> units per patient-day
    units_sq: Mapping[str, float]  # product id -> sum of squared quantities per patient-day
    starts: float  # 1 / mean LOS: new stays per patient-day (MTU issues)
    sample_days: float = 0.0  # days with a sample taken by staff at a visit (to the lab), per patient-day
    measurements: float = 0.0  # home measurements and questionnaire answers per patient-day
    monitored: bool = False  # the pathway monitors the patient (response centre reviews the data)


def los_points(los: LengthOfStay) -> tuple[np.ndarray, np.ndarray]:
    """Integer stay lengths and their weights under the triangular LOS distribution.

    Long ranges are represented by at most 30 evenly spaced lengths, which keeps profile building
    under a second while the mean stays within a fraction of a day of the exact one.
    """
    lo, mode, hi = los.min_days, los.mode_days, los.max_days
    if lo == hi:
        return np.array([lo]), np.array([1.0])
    days = np.unique(np.linspace(lo, hi, min(hi - lo + 1, _MAX_LOS_POINTS)).round().astype(int))
    a, b = lo - 0.5, hi + 0.5
    c = float(mode)
    pdf = np.where(days <= c, 2 * (days - a) / ((b - a) * (c - a)), 2 * (b - days) / ((b - a) * (b - c)))
    return days, pdf / pdf.sum()


def build_profile(
    pathway: Pathway,
    los: LengthOfStay,
    flows: Sequence[FlowSpec],
    consolidation: str,
    products: Mapping[str, Product],
    device_types: Mapping[str, DeviceType],
) -> StayProfile:
    """Average the pathway's day-by-day needs over stay lengths and start weekdays."""
    days, weights = los_points(los)
    totals: dict[str, float] = {}
    node_totals: dict[str, list[float]] = {}
    units: dict[str, float] = {}
    units_sq: dict[str, float] = {}
    for d, w in zip(days.tolist(), weights.tolist(), strict=True):
        for start in range(7):
            _one_stay(pathway, d, start, flows, consolidation, products, device_types,
                      w / 7.0, totals, node_totals, units, units_sq)
    mean_los = float((days * weights).sum())

    def rate(key: str) -> float:
        return totals.get(key, 0.0) / mean_los

    return StayProfile(
        pathway_id=pathway.id,
        clinic=pathway.clinic,
        mean_los_days=mean_los,
        visits=rate("visits"),
        visit_min=rate("visit_min"),
        videos=rate("videos"),
        video_min=rate("video_min"),
        deliveries=rate("deliveries"),
        stops=rate("stops"),
        nodes={n: NodeLoad(*(x / mean_los for x in v)) for n, v in node_totals.items()},
        units={p: q / mean_los for p, q in sorted(units.items())},
        units_sq={p: q / mean_los for p, q in sorted(units_sq.items())},
        starts=1.0 / mean_los,
        sample_days=rate("sample_days"),
        measurements=sum(24.0 / m.interval_hours for m in pathway.monitoring)
        + sum(1.0 / p.every_days for p in pathway.proms),
        monitored=bool(pathway.monitoring or pathway.proms),
    )


def _flow_of(product: Product, flows: Sequence[FlowSpec]) -> int:
    for i, flow in enumerate(flows):
        if flow.matches(product):
            return i
    raise ValueError(f"no flow supplies {product.id} ({product.category.value})")


def _one_stay(
    pathway: Pathway,
    length: int,
    start: int,
    flows: Sequence[FlowSpec],
    consolidation: str,
    products: Mapping[str, Product],
    device_types: Mapping[str, DeviceType],
    weight: float,
    totals: dict[str, float],
    node_totals: dict[str, list[float]],
    units: dict[str, float],
    units_sq: dict[str, float],
) -> None:
    """Add one stay of ``length`` days starting on weekday ``start``, weighted by ``weight``."""

    def add(key: str, value: float) -> None:
        totals[key] = totals.get(key, 0.0) + weight * value

    for spec in pathway.visits:
        n = sum(spec.schedule.applies(k, length) for k in range(length))
        add("visits", n)
        add("visit_min", n * spec.duration_min)
    unplanned = pathway.unplanned_calls_per_day * length
    add("visits", unplanned)
    add("visit_min", unplanned * (pathway.visits[0].duration_min if pathway.visits else 30))
    for vspec in pathway.videos:
        n = sum(vspec.schedule.applies(k, length) for k in range(length))
        add("videos", n)
        add("video_min", n * vspec.duration_min)

    taken = [spec for spec in pathway.samples if not spec.self_sampled]
    add("sample_days", sum(any(spec.schedule.applies(k, length) for spec in taken) for k in range(length)))

    needs: list[tuple[int, str, int, tuple[int, int]]] = []  # (day, product, quantity, window)
    pickups: list[tuple[int, str]] = []  # (day, product)
    first_window: tuple[int, int] | None = None
    for dspec in pathway.deliveries:
        window = (dspec.window.start_min, dspec.window.end_min)
        for k in range(length):
            if dspec.schedule.applies(k, length):
                needs.extend((k, line.product_id, line.quantity, window) for line in dspec.lines)
                if k == 0 and first_window is None:
                    first_window = window
    for pspec in pathway.pickups:
        for k in range(length):
            if pspec.schedule.applies(k, length):
                pickups.extend((k, line.product_id) for line in pspec.lines)
    for device in pathway.devices:
        dtype = device_types[device.device_type_id]
        needs.append((0, dtype.product_id, device.quantity, first_window or _DEVICE_WINDOW))
        pickups.append((length - 1, dtype.product_id))
        for k in range(1, length - 1):
            if k % dtype.service_interval_days == 0:  # swap: a fresh device out, the old one back
                needs.append((k, dtype.product_id, device.quantity, _SWAP_WINDOW))
                pickups.append((k, dtype.product_id))

    events: dict[tuple[str, int], float] = {}  # (origin, day) -> litres
    windows: dict[tuple[str, int], tuple[int, int]] = {}  # (origin, day) -> joint time window
    for k, pid, qty, window in needs:
        product = products[pid]
        fi = _flow_of(product, flows)
        flow = flows[fi]
        target = _delivery_day(k, start, flow.frequency_per_week)
        if product.shelf_life_days is not None and k - target >= product.shelf_life_days:
            target = k
        origin = "*" if consolidation == "per_patient_day" else flow.node
        events[(origin, target)] = events.get((origin, target), 0.0) + qty * product.unit_volume_l
        old = windows.get((origin, target))
        if old is None:
            windows[(origin, target)] = window
        elif max(old[0], window[0]) < min(old[1], window[1]):
            windows[(origin, target)] = (max(old[0], window[0]), min(old[1], window[1]))
        units[pid] = units.get(pid, 0.0) + weight * qty
        units_sq[pid] = units_sq.get(pid, 0.0) + weight * qty * qty
    extra_stops: dict[str, set[int]] = {}
    for k, pid in pickups:
        flow = flows[_flow_of(products[pid], flows)]
        origin = "*" if consolidation == "per_patient_day" else flow.node
        if (origin, k) not in events:
            extra_stops.setdefault(origin, set()).add(k)

    single_node = flows[0].node
    for (origin, day), litres in events.items():
        node = single_node if origin == "*" else origin
        acc = node_totals.setdefault(node, [0.0, 0.0, 0.0, 0.0])
        acc[0] += weight
        acc[1] += weight
        acc[2] += weight * litres
        acc[3] += weight / usable_window_h(windows[(origin, day)])
    for origin, days_ in extra_stops.items():
        node = single_node if origin == "*" else origin
        acc = node_totals.setdefault(node, [0.0, 0.0, 0.0, 0.0])
        acc[1] += weight * len(days_)
        acc[3] += weight * len(days_) / usable_window_h(_PICKUP_WINDOW)
    add("deliveries", len(events))
    add("stops", len(events) + sum(len(v) for v in extra_stops.values()))


def _delivery_day(day: int, start: int, frequency: int) -> int:
    """The last day at or before ``day`` on which a flow of ``frequency`` delivers (day 0 always)."""
    weekdays = WEEKDAYS_BY_FREQUENCY[frequency]
    for t in range(day, 0, -1):
        if (start + t) % 7 in weekdays:
            return t
    return 0
