"""The scenario file: every assumption behind a projection, validated, with its source and owner.

Management must choose a delivery model from these numbers (issue 4), so a number without a
provenance is not accepted: each :class:`Assumption` carries ``source`` (a citation or the word
``assumption``) and ``owner``. Uncertain numbers are given as ``low``/``likely``/``high`` and are
sampled (triangular) per Monte Carlo replication; certain ones as ``value``.

The models forbid unknown keys so a misspelt key fails loudly; :func:`load_scenario` reports the
first problem as ``<file>: <key path>: <problem>``, e.g.
``scenarios/x.yaml: delivery_models.alt2.flows[1].frequency_per_week: ...``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hjemme.errors import CatalogueError

ALTERNATIVES = ("alt1", "alt2", "alt3")
SERVICE_KINDS = ("ahs", "ambulant", "dho")
CATEGORIES = ("consumable", "mtu", "medicine", "sample_kit")
CLINIC_NODE = "clinic"  # a flow from "clinic" leaves from the site of the pathway's own clinic


class ScenarioFileError(CatalogueError):
    """A scenario or grid file is invalid; the message names file, key path and problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Provenance(_Strict):
    source: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    note: str = ""


class Assumption(_Strict):
    """One number with its provenance; ``low``/``likely``/``high`` when it is uncertain."""

    value: float | None = None
    low: float | None = None
    likely: float | None = None
    high: float | None = None
    unit: str = ""
    source: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _one_form(self) -> Assumption:
        ranged = (self.low, self.likely, self.high)
        if self.value is not None:
            if any(v is not None for v in ranged):
                raise ValueError("give either value or low/likely/high, not both")
        elif any(v is None for v in ranged):
            raise ValueError("give value, or all of low, likely and high")
        elif not self.low <= self.likely <= self.high:  # type: ignore[operator]
            raise ValueError("needs low <= likely <= high")
        return self

    @property
    def central(self) -> float:
        """The value used when nothing is sampled: ``value`` or ``likely``."""
        return float(self.value if self.value is not None else self.likely)  # type: ignore[arg-type]

    @property
    def uncertain(self) -> bool:
        return self.value is None and self.low != self.high


class Baseline(_Strict):
    admissions_per_year: Assumption
    outpatient_consultations_per_year: Assumption


class Trajectory(_Strict):
    """Table 1 of the strategic plan: share of hospital activity done at home, by year."""

    source: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    shares: dict[Literal["ahs", "ambulant", "dho"], dict[int, float]]
    overrides: dict[Literal["ahs", "ambulant", "dho"], dict[int, float]] = Field(default_factory=dict)
    achievement: Assumption  # multiplier: how much of the plan is reached (1 = exactly the plan)

    @field_validator("shares", "overrides")
    @classmethod
    def _shares_are_fractions(cls, v: dict[str, dict[int, float]]) -> dict[str, dict[int, float]]:
        for points in v.values():
            for share in points.values():
                if not 0.0 <= share <= 1.0:
                    raise ValueError(f"share {share} is not a fraction between 0 and 1")
        return v

    @model_validator(mode="after")
    def _all_kinds(self) -> Trajectory:
        missing = [k for k in SERVICE_KINDS if len(self.shares.get(k, {})) < 1]  # type: ignore[call-overload]
        if missing:
            raise ValueError(f"shares missing for {', '.join(missing)}")
        return self


class KindScope(_Strict):
    """How hospital activity of one service kind becomes enrolments in hjemme's pathways."""

    in_scope_share: Assumption  # share of that activity belonging to a catalogue pathway


class LengthOfStayOverride(_Strict):
    min_days: int = Field(ge=1)
    mode_days: int = Field(ge=1)
    max_days: int = Field(ge=1)
    source: str = Field(min_length=1)
    owner: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> LengthOfStayOverride:
        if not self.min_days <= self.mode_days <= self.max_days:
            raise ValueError("needs min_days <= mode_days <= max_days")
        return self


class Mix(_Strict):
    """Pathway weights within each service kind; empty means the catalogue's ``share_of_kind``."""

    source: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    weights: dict[str, float] = Field(default_factory=dict)

    @field_validator("weights")
    @classmethod
    def _non_negative(cls, v: dict[str, float]) -> dict[str, float]:
        for pid, w in v.items():
            if w < 0:
                raise ValueError(f"weight of {pid} is negative")
        return v


class Arrivals(_Strict):
    process: Literal["poisson"] = "poisson"
    source: str = Field(min_length=1)
    owner: str = Field(min_length=1)


class Flow(_Strict):
    """Which node supplies one product category to the patient, how often and how fast."""

    category: Literal["consumable", "mtu", "medicine", "sample_kit"]
    qualified_carrier: bool | None = None  # None: any product of the category
    node: str = Field(min_length=1)
    frequency_per_week: int = Field(ge=1, le=7)
    lead_time_days: float = Field(ge=0)
    packed_by: Literal["logistics", "health_staff", "supplier"]
    pack_min_per_delivery: Assumption
    fee_nok_per_delivery: Assumption | None = None
    source: str = Field(min_length=1)
    owner: str = Field(min_length=1)


class Node(_Strict):
    """A stocking point: where its stock is, whether it pools across clinics, what area it needs."""

    site: str | None = None  # catalogue site id; None for "clinic" (the clinic's hospital)
    stock: Literal["pooled", "per_clinic", "none"]
    ous_area: bool  # counts towards the area OUS must provide
    replenishment_days: float = Field(gt=0)
    fixed_area_m2: Assumption
    rent_nok_per_m2_year: Assumption
    source: str = Field(min_length=1)
    owner: str = Field(min_length=1)


class DeliveryModel(_Strict):
    name: str
    consolidation: Literal["per_patient_day", "per_node"]
    flows: list[Flow] = Field(min_length=1)
    nodes: dict[str, Node]
    order_min_per_patient_week: Assumption  # health staff's time ordering goods
    fixed_cost_nok_per_year: Assumption
    source: str = Field(min_length=1)
    owner: str = Field(min_length=1)

    @model_validator(mode="after")
    def _flows_have_nodes(self) -> DeliveryModel:
        for flow in self.flows:
            if flow.node not in self.nodes:
                raise ValueError(f"flow node {flow.node!r} is not among nodes")
        for name, node in self.nodes.items():
            if (name == CLINIC_NODE) != (node.site is None):
                raise ValueError(f"node {name!r}: only the 'clinic' node has no site")
        return self


class Storage(_Strict):
    shelf_location_volume_l: Assumption
    shelf_m2_per_location: Assumption
    pallet_location_volume_l: Assumption
    pallet_m2_per_location: Assumption
    pallet_threshold_unit_volume_l: Assumption  # items at least this big go on pallets
    fill_rate: Assumption
    service_level: Assumption  # cycle service level of the safety stock (0.95 → z = 1.645)


class VehicleType(_Strict):
    capacity_l: Assumption
    load_factor: Assumption
    cost_nok_per_km: Assumption
    annual_cost_nok: Assumption
    co2_kg_per_km_fossil: Assumption
    co2_kg_per_km_electric: Assumption
    electric_share: dict[int, float]  # by year, linear between given years
    source: str = Field(min_length=1)
    owner: str = Field(min_length=1)

    @field_validator("electric_share")
    @classmethod
    def _fractions(cls, v: dict[int, float]) -> dict[int, float]:
        if not v:
            raise ValueError("give at least one year")
        if any(not 0 <= s <= 1 for s in v.values()):
            raise ValueError("electric share must be between 0 and 1")
        return v


class Transport(_Strict):
    vehicle_type: str
    speed_kmh: Assumption
    road_factor: Assumption  # road km per straight-line km
    tour_constant: Assumption  # Beardwood–Halton–Hammersley constant for random tours
    service_min_per_stop: Assumption
    shift_hours: Assumption
    peak_factor: Assumption
    driver_cost_nok_per_hour: Assumption


class Staff(_Strict):
    hours_per_fte_year: Assumption
    productive_share: Assumption
    clinical_cost_nok_per_hour: Assumption
    logistics_cost_nok_per_hour: Assumption
    travel_min_per_visit: Assumption
    video_overhead_min: Assumption


class ScenarioConfig(_Strict):
    """A whole scenario file (``scenarios/default.yaml`` documents every key)."""

    name: str
    description: str = ""
    years: list[int] = Field(min_length=1)
    seed: int = 0
    replications: int = Field(default=30, ge=1)
    baseline: Baseline
    trajectory: Trajectory
    scope: dict[Literal["ahs", "ambulant", "dho"], KindScope]
    mix: Mix
    length_of_stay: dict[str, LengthOfStayOverride] = Field(default_factory=dict)
    arrivals: Arrivals
    clinic_sites: dict[str, str]  # clinic -> hospital site it dispatches from (Alt 3)
    delivery_models: dict[Literal["alt1", "alt2", "alt3"], DeliveryModel]
    storage: Storage
    vehicle_types: dict[str, VehicleType]
    transport: Transport
    staff: Staff

    @model_validator(mode="after")
    def _complete(self) -> ScenarioConfig:
        for kind in SERVICE_KINDS:
            if kind not in self.scope:
                raise ValueError(f"scope missing for {kind}")
        for alt in ALTERNATIVES:
            if alt not in self.delivery_models:
                raise ValueError(f"delivery_models missing {alt}")
        if self.transport.vehicle_type not in self.vehicle_types:
            raise ValueError(f"transport.vehicle_type {self.transport.vehicle_type!r} is not a vehicle type")
        return self


class GridMix(_Strict):
    """A named service-kind mix for sweeps (shares of the patients at home on a day)."""

    ahs: float = Field(ge=0)
    ambulant: float = Field(ge=0)
    dho: float = Field(ge=0)

    @model_validator(mode="after")
    def _positive(self) -> GridMix:
        if self.ahs + self.ambulant + self.dho <= 0:
            raise ValueError("a mix needs a positive share")
        return self


class Grid(_Strict):
    """A sweep: patients (``null`` = from the trajectory) × mix × alternative × year."""

    patients: list[int | None] = Field(min_length=1)
    mixes: dict[str, GridMix | None] = Field(min_length=1)  # None: the scenario's own mix
    alternatives: list[Literal["alt1", "alt2", "alt3"]] = Field(default_factory=lambda: list(ALTERNATIVES))
    years: list[int] = Field(min_length=1)
    replications: int = Field(default=10, ge=1)
    seed: int | None = None


def load_scenario(path: Path) -> ScenarioConfig:
    """Read and validate a scenario file; raise :class:`ScenarioFileError` naming the key path."""
    return _load(path, ScenarioConfig)


def load_grid(path: Path) -> Grid:
    """Read and validate a sweep grid file; raise :class:`ScenarioFileError` naming the key path."""
    return _load(path, Grid)


def _load(path: Path, model: type[Any]) -> Any:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioFileError(str(path), "", f"cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ScenarioFileError(str(path), "", f"not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise ScenarioFileError(str(path), "", "the file must hold a mapping")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ScenarioFileError(str(path), key_path(first["loc"]), first["msg"]) from None


def key_path(loc: Sequence[int | str]) -> str:
    """``("flows", 1, "x")`` → ``flows[1].x``; pydantic's union-branch labels are dropped."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-after", "int", "float", "none") or "[" in str(part):
            continue
        else:
            out += f".{part}" if out else str(part)
    return out
