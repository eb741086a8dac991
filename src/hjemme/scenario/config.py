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
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hjemme.errors import CatalogueError

ALTERNATIVES = ("alt0", "alt1", "alt2", "alt3")  # alt0: today's practice (the baseline)
SERVICE_KINDS = ("ahs", "ambulant", "dho")
CATEGORIES = ("consumable", "mtu", "medicine", "sample_kit")
CLINIC_NODE = "clinic"  # a flow from "clinic" leaves from the site of the pathway's own clinic


Fraction = Annotated[float, Field(ge=0.0, le=1.0)]


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
    shares: dict[Literal["ahs", "ambulant", "dho"], dict[int, Fraction]]
    overrides: dict[Literal["ahs", "ambulant", "dho"], dict[int, Fraction]] = Field(default_factory=dict)
    achievement: Assumption  # multiplier: how much of the plan is reached (1 = exactly the plan)


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
    # "supplier": the supplier's own carrier delivers to the patient and the flow's fee pays for picking,
    # packing and transport at once (Alt 2); its km and CO2 count, but no OUS van, driver or km cost.
    delivered_by: Literal["ous", "supplier"] = "ous"
    fixed_area_m2: Assumption  # area that does not grow with volume (offices, planning desks)
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
    # Transition (issue 15): before ``transition_year`` the alternative runs as Alt 0 (today); the
    # investment and set-up cost fall in the transition year. Absent: in place from the first year.
    transition_year: Assumption | None = None
    investment_nok: Assumption | None = None
    setup_cost_nok: Assumption | None = None
    # Space OUS can give this model in each clinical building (site id -> m²). A model whose need at
    # a site exceeds it is flagged infeasible (Alt 0 and Alt 3 in the default file). Empty: no limit.
    available_area_m2: dict[str, Assumption] = Field(default_factory=dict)
    available_area_from_year: Assumption | None = None  # the limit applies from this year (new buildings)



class Handling(_Strict):
    """Area that grows with the flow through a node, besides the stock itself (issue 15, item 4)."""

    pick_station_m2: Assumption  # one picking/packing station incl. its share of aisles
    station_hours_per_day: Assumption  # hours a station is staffed on a working day
    goods_in_m2_per_m3_day: Assumption  # goods-in staging per m³ received per day
    returns_hold_days: Assumption  # days returned goods wait for sorting / cleaning
    mtu_cleaning_min_per_device: Assumption
    mtu_cleaning_station_m2: Assumption


class Storage(_Strict):
    shelf_location_volume_l: Assumption
    shelf_m2_per_location: Assumption
    pallet_location_volume_l: Assumption
    pallet_m2_per_location: Assumption
    pallet_threshold_unit_volume_l: Assumption  # items at least this big go on pallets
    fill_rate: Assumption
    service_level: Assumption  # cycle service level of the safety stock (0.95 → z = 1.645)
    handling: Handling


class VehicleType(_Strict):
    capacity_l: Assumption
    load_factor: Assumption
    cost_nok_per_km: Assumption
    annual_cost_nok: Assumption
    co2_kg_per_km_fossil: Assumption
    co2_kg_per_km_electric: Assumption
    # by year, linear between given years; a year's share may be an uncertain assumption (issue 15)
    electric_share: dict[int, Assumption | Fraction] = Field(min_length=1)

    def electric_share_points(self) -> dict[int, float]:
        """The electric share by year as plain numbers (``likely`` for a range not yet sampled)."""
        return {y: v.central if isinstance(v, Assumption) else float(v)
                for y, v in self.electric_share.items()}

    source: str = Field(min_length=1)
    owner: str = Field(min_length=1)



class Transport(_Strict):
    vehicle_type: str
    speed_kmh: Assumption
    road_factor: Assumption  # road km per straight-line km
    tour_constant: Assumption  # Beardwood–Halton–Hammersley constant for random tours
    service_min_per_stop: Assumption
    shift_hours: Assumption
    peak_factor: Assumption
    driver_cost_nok_per_hour: Assumption
    # Calibration on deep mode (issue 15, item 6; ``hjemme bench scenario-calibration``): how many van
    # windows a stop takes relative to its service and travel time, and a factor on the local tour km.
    window_factor: Assumption | None = None
    km_calibration: Assumption | None = None
    trip_km: Assumption | None = None  # km each van trip adds to reach its part of the area


class ClinicianTravel(_Strict):
    """Clinicians' own travel to home visits (issue 15, item 3); the same in every delivery model."""

    km_per_visit: dict[Literal["ahs", "ambulant", "dho"], Assumption]  # calibrated on planner routes
    cost_nok_per_km: Assumption
    co2_kg_per_km_fossil: Assumption
    co2_kg_per_km_electric: Assumption
    # by year, linear between given years; a year's share may be an uncertain assumption (issue 15)
    electric_share: dict[int, Assumption | Fraction] = Field(min_length=1)
    source: str = Field(min_length=1)
    owner: str = Field(min_length=1)

    def electric_share_points(self) -> dict[int, float]:
        """The electric share by year as plain numbers (``likely`` for a range not yet sampled)."""
        return {y: v.central if isinstance(v, Assumption) else float(v)
                for y, v in self.electric_share.items()}


class Samples(_Strict):
    """Biological samples taken at home visits and driven to the lab (Livsvitenskapsbygget)."""

    lab_site: str
    courier_share: Assumption  # share of sample-taking visits whose sample a courier collects
    source: str = Field(min_length=1)
    owner: str = Field(min_length=1)


class Digital(_Strict):
    """All of Table 1's digital follow-up: video/phone consultations and the response centre."""

    consultation_min: Assumption  # a video/phone consultation outside hjemme's pathways
    alarm_share_of_measurements: Assumption  # measurements and PROM answers that raise an alarm
    min_per_alarm: Assumption
    review_min_per_monitored_patient_day: Assumption  # routine review of the day's measurements
    response_centre_hours_per_week: Assumption  # opening hours (24/7 = 168)
    response_centre_min_staffed: Assumption  # people on duty at all opening hours, at least
    video_hours_per_week: Assumption  # opening hours of video/phone consultations
    workstation_utilisation: Assumption
    workstation_m2: Assumption
    rent_nok_per_m2_year: Assumption


class Economics(_Strict):
    """Net present value of each alternative's costs (issue 15, item 5)."""

    discount_rate: Assumption
    npv_first_year: int
    npv_last_year: int
    # where the horizon comes from (issue 15: every number of the scenario file has a source and owner)
    source: str | None = None
    owner: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Economics:
        if self.npv_last_year < self.npv_first_year:
            raise ValueError("needs npv_first_year <= npv_last_year")
        return self


class Targets(_Strict):
    """The strategic plan's ambitions the projection is measured against (issue 15, item 7)."""

    home_share: Assumption  # share of OUS activity delivered at home
    digital_share: Assumption  # share of outpatient consultations by video/phone


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
    delivery_models: dict[Literal["alt0", "alt1", "alt2", "alt3"], DeliveryModel]
    storage: Storage
    vehicle_types: dict[str, VehicleType]
    transport: Transport
    staff: Staff
    clinician_travel: ClinicianTravel
    samples: Samples
    digital: Digital
    economics: Economics
    targets: Targets



def cross_check(config: ScenarioConfig) -> list[tuple[str, str]]:
    """References between parts of a scenario, as (key path, problem) pairs; empty when sound."""
    problems: list[tuple[str, str]] = []
    for kind in SERVICE_KINDS:
        if kind not in config.scope:
            problems.append((f"scope.{kind}", "missing"))
        if kind not in config.trajectory.shares:
            problems.append((f"trajectory.shares.{kind}", "missing"))
    for alt in ALTERNATIVES:
        if alt not in config.delivery_models:
            problems.append((f"delivery_models.{alt}", "missing"))
    for alt, dm in config.delivery_models.items():
        for name, node in dm.nodes.items():
            if (name == CLINIC_NODE) != (node.site is None):
                problems.append((f"delivery_models.{alt}.nodes.{name}.site",
                                 "only the 'clinic' node has no site, every other node needs one"))
        for i, flow in enumerate(dm.flows):
            where = f"delivery_models.{alt}.flows[{i}].node"
            if flow.node not in dm.nodes:
                problems.append((where, f"unknown node {flow.node!r}; nodes: {', '.join(dm.nodes)}"))
            elif dm.consolidation == "per_patient_day" and flow.node != dm.flows[0].node:
                problems.append((where, "per_patient_day consolidation ships everything from one node"))
    if config.transport.vehicle_type not in config.vehicle_types:
        problems.append(("transport.vehicle_type",
                         f"{config.transport.vehicle_type!r} is not among vehicle_types"))
    return problems


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
    alternatives: list[Literal["alt0", "alt1", "alt2", "alt3"]] = Field(
        default_factory=lambda: list(ALTERNATIVES))
    years: list[int] = Field(min_length=1)
    replications: int = Field(default=10, ge=1)
    seed: int | None = None


def load_scenario(path: Path) -> ScenarioConfig:
    """Read and validate a scenario file; raise :class:`ScenarioFileError` naming the key path."""
    config: ScenarioConfig = _load(path, ScenarioConfig)
    problems = cross_check(config)
    if problems:
        raise ScenarioFileError(str(path), *problems[0])
    return config


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
