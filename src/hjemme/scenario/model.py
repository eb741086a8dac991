"""The static half of a projection: a scenario file joined with the catalogue, and its sampling.

:func:`build_model` does the slow, certain work once (pathway profiles per delivery model, site
distances, the service area); :func:`sample_params` draws the uncertain numbers of one Monte Carlo
replication from a seeded generator. Both are pure: the same inputs give the same outputs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from hjemme.catalogue.loader import Catalogue
from hjemme.domain.catalogue import Product
from hjemme.domain.geo import Location
from hjemme.domain.pathways import LengthOfStay
from hjemme.scenario.config import ALTERNATIVES, CLINIC_NODE, SERVICE_KINDS, Assumption, ScenarioConfig
from hjemme.scenario.profiles import FlowSpec, StayProfile, build_profile

_EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True, slots=True)
class PathwayInfo:
    id: str
    kind: str
    clinic: str
    weight: float  # share within its service kind (normalised)
    mean_los_days: float
    consultations_per_stay: float  # visits + video consultations: converts consultations to stays


@dataclass(frozen=True)
class ProjectionModel:
    """Everything certain about a scenario; shared read-only by all replications and workers."""

    config: ScenarioConfig
    pathways: Mapping[str, PathwayInfo]
    profiles: Mapping[str, Mapping[str, StayProfile]]  # alternative -> pathway -> profile
    product_flow: Mapping[str, Mapping[str, int]]  # alternative -> product -> flow index
    products: Mapping[str, Product]
    turnaround_days: Mapping[str, float]  # MTU product -> cleaning/service turnaround
    depot_km: Mapping[str, float]  # site id -> straight-line km to the patients' centroid
    service_area_km2: float
    # numpy views of the profiles per alternative, filled on first use by fast mode (derived data)
    arrays: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def _haversine_km(a: Location, b: Location) -> float:
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def _flow_specs(config: ScenarioConfig, alt: str) -> tuple[FlowSpec, ...]:
    return tuple(
        FlowSpec(f.category, f.qualified_carrier, f.node, f.frequency_per_week)
        for f in config.delivery_models[alt].flows  # type: ignore[index]
    )


def build_model(config: ScenarioConfig, catalogue: Catalogue) -> ProjectionModel:
    """Join the scenario with the catalogue; raise ``ValueError`` naming what does not fit."""
    for section, ids in (("mix.weights", config.mix.weights), ("length_of_stay", config.length_of_stay)):
        unknown = sorted(set(ids) - set(catalogue.pathways))
        if unknown:
            raise ValueError(f"{section}: unknown pathway ids: {', '.join(unknown)}")
    missing_clinics = sorted({p.clinic for p in catalogue.pathways.values()} - set(config.clinic_sites))
    if missing_clinics:
        raise ValueError(f"clinic_sites has no site for: {', '.join(missing_clinics)}")
    sites = dict(catalogue.sites)
    for alt, dm in config.delivery_models.items():
        for name, node in dm.nodes.items():
            if node.site is not None and node.site not in sites:
                raise ValueError(f"delivery_models.{alt}.nodes.{name}.site: unknown site {node.site!r}")
    for site in config.clinic_sites.values():
        if site not in sites:
            raise ValueError(f"clinic_sites: unknown site {site!r}")

    weights: dict[str, float] = {}
    for pid, pathway in catalogue.pathways.items():
        weights[pid] = config.mix.weights.get(pid, pathway.share_of_kind)
    kind_totals = {k: sum(w for p, w in weights.items() if catalogue.pathways[p].service_kind.value == k)
                   for k in SERVICE_KINDS}

    profiles: dict[str, dict[str, StayProfile]] = {}
    product_flow: dict[str, dict[str, int]] = {}
    for alt in ALTERNATIVES:
        flows = _flow_specs(config, alt)
        consolidation = config.delivery_models[alt].consolidation  # type: ignore[index]
        profiles[alt] = {}
        for pid, pathway in sorted(catalogue.pathways.items()):
            override = config.length_of_stay.get(pid)
            los = (LengthOfStay(override.min_days, override.mode_days, override.max_days)
                   if override else pathway.length_of_stay)
            try:
                profiles[alt][pid] = build_profile(pathway, los, flows, consolidation,
                                                   catalogue.products, catalogue.device_types)
            except ValueError as exc:
                raise ValueError(f"delivery_models.{alt}.flows: {exc}") from None
        product_flow[alt] = {}
        for product in catalogue.products.values():
            for i, flow in enumerate(flows):
                if flow.matches(product):
                    product_flow[alt][product.id] = i
                    break

    pathways = {}
    for pid, pathway in sorted(catalogue.pathways.items()):
        prof = profiles["alt1"][pid]
        kind = pathway.service_kind.value
        total = kind_totals[kind]
        pathways[pid] = PathwayInfo(
            id=pid, kind=kind, clinic=pathway.clinic,
            weight=weights[pid] / total if total > 0 else 0.0,
            mean_los_days=prof.mean_los_days,
            consultations_per_stay=(prof.visits + prof.videos) * prof.mean_los_days,
        )

    districts = list(catalogue.districts.values())
    population = sum(d.population for d in districts)
    centroid = Location(
        sum(d.centroid.lat * d.population for d in districts) / population,
        sum(d.centroid.lon * d.population for d in districts) / population,
    )
    depot_km = {sid: _haversine_km(site.location, centroid) for sid, site in sites.items()}
    turnaround = {
        dt.product_id: dt.cleaning_turnaround_hours / 24.0 for dt in catalogue.device_types.values()
    }
    return ProjectionModel(
        config=config,
        pathways=pathways,
        profiles=profiles,
        product_flow=product_flow,
        products=dict(catalogue.products),
        turnaround_days=turnaround,
        depot_km=depot_km,
        service_area_km2=sum(math.pi * d.radius_km**2 for d in districts),
    )


def site_of(config: ScenarioConfig, alt: str, node: str, clinic: str) -> str:
    """The catalogue site a node ships from; the ``clinic`` node ships from the clinic's hospital."""
    if node == CLINIC_NODE:
        return config.clinic_sites[clinic]
    site = config.delivery_models[alt].nodes[node].site  # type: ignore[index]
    assert site is not None
    return site


class UniformStream:
    """Draws triangular numbers by inverse CDF from a fixed sequence of uniforms (a Latin hypercube row).

    Stands in for a numpy ``Generator`` in :func:`sample_params`: the k-th uncertain assumption of
    the walk takes the k-th uniform, so stratified uniforms give stratified assumptions.
    """

    def __init__(self, uniforms: Sequence[float]) -> None:
        self._u = list(uniforms)
        self._i = 0

    def triangular(self, low: float, mode: float, high: float) -> float:
        u = self._u[self._i]
        self._i += 1
        span = high - low
        cut = (mode - low) / span
        if u < cut:
            return low + math.sqrt(u * span * (mode - low))
        return high - math.sqrt((1.0 - u) * span * (high - mode))


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def triangular(self, low: float, mode: float, high: float) -> float:
        self.n += 1
        return mode


def uncertain_count(config: ScenarioConfig) -> int:
    """How many draws :func:`sample_params` makes for one replication of ``config``."""
    counter = _Counter()
    _resolve(config, counter)
    return counter.n


def sample_params(config: ScenarioConfig, rng: Any) -> ScenarioConfig:
    """A copy of ``config`` whose uncertain assumptions are fixed to one triangular draw each.

    ``rng`` is a numpy ``Generator`` or a :class:`UniformStream` (anything with ``triangular``);
    ``rng=None`` gives the central (``value``/``likely``) scenario. Draws happen in a fixed walk
    order (fields in declaration order, mapping keys sorted), so a seed reproduces a replication
    whatever process runs it.
    """
    return _resolve(config, rng)  # type: ignore[no-any-return]


def _resolve(obj: Any, rng: Any) -> Any:
    if isinstance(obj, Assumption):
        if obj.value is not None:
            return obj
        low, likely, high = float(obj.low), float(obj.likely), float(obj.high)  # type: ignore[arg-type]
        if rng is None or low == high:
            drawn = likely
        else:
            drawn = float(rng.triangular(low, likely, high))
        return obj.model_copy(update={"value": drawn, "low": None, "likely": None, "high": None})
    if isinstance(obj, BaseModel):
        updates = {}
        for name in type(obj).model_fields:
            value = getattr(obj, name)
            new = _resolve(value, rng)
            if new is not value:
                updates[name] = new
        return obj.model_copy(update=updates) if updates else obj
    if isinstance(obj, dict):
        changed = {k: _resolve(obj[k], rng) for k in sorted(obj, key=str)}
        return {k: changed[k] for k in obj} if any(changed[k] is not obj[k] for k in obj) else obj
    if isinstance(obj, list):
        new_list = [_resolve(v, rng) for v in obj]
        return new_list if any(a is not b for a, b in zip(new_list, obj, strict=True)) else obj
    return obj
