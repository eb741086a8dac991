"""The schema of the catalogue data files, as pydantic models that forbid unknown keys.

Only :mod:`hjemme.catalogue.loader` uses these; they turn into frozen domain objects right after
validation so nothing else depends on pydantic.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hjemme.domain.time import parse_hhmm

Source = str  # "assumption" or a citation


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Provenance(_Strict):
    source: Source = Field(min_length=1)
    owner: str = Field(min_length=1)
    note: str = ""


class SiteEntry(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    kind: Literal["hospital", "lab", "logistics_centre", "pharmacy", "supply_centre", "mtu_workshop"]
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    source: Source | None = None


class SitesFile(_Strict):
    provenance: Provenance
    lab_site: str
    sites: list[SiteEntry] = Field(min_length=1)


class DistrictEntry(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    population: int = Field(gt=0)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_km: float = Field(gt=0, le=20)
    zone: Literal["centre", "inner", "outer"]


class DistrictsFile(_Strict):
    provenance: Provenance
    districts: list[DistrictEntry] = Field(min_length=1)


class ProductEntry(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    category: Literal["consumable", "mtu", "medicine", "sample_kit"]
    volume_l: float = Field(gt=0)
    weight_kg: float = Field(gt=0)
    shelf_life_days: int | None = Field(ge=1)
    cold_chain: bool = False
    qualified_carrier: bool = False
    pack_size: int = Field(ge=1)
    lead_days: int = Field(ge=0)
    cost_nok: float = Field(ge=0)


class ProductsFile(_Strict):
    provenance: Provenance
    products: list[ProductEntry] = Field(min_length=1)


class DeviceTypeEntry(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    product: str
    service_interval_days: int = Field(ge=1)
    service_interval_usage_hours: int | None = Field(default=None, ge=1)
    cleaning_turnaround_hours: int = Field(ge=0)


class DeviceTypesFile(_Strict):
    provenance: Provenance
    device_types: list[DeviceTypeEntry] = Field(min_length=1)


class SkillsFile(_Strict):
    provenance: Provenance
    skills: dict[str, str] = Field(min_length=1)  # id -> bokmål name
    skills_en: dict[str, str] = Field(default_factory=dict)  # id -> English name (of known skills)


class SourcedShare(_Strict):
    value: float = Field(ge=0, le=1)
    source: Source


class PopulationFile(_Strict):
    provenance: Provenance
    service_mix: dict[Literal["ahs", "ambulant", "dho"], float]
    interpreter_share: float = Field(ge=0, le=1)
    lives_alone_share: SourcedShare

    @field_validator("service_mix")
    @classmethod
    def _mix_sums_to_one(cls, mix: dict[str, float]) -> dict[str, float]:
        if abs(sum(mix.values()) - 1.0) > 1e-6:
            raise ValueError(f"shares must sum to 1, they sum to {sum(mix.values()):.3f}")
        return mix


class Window(_Strict):
    """A ``["HH:MM", "HH:MM"]`` pair, validated as a time window."""

    start: str
    end: str

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            if len(value) != 2:
                raise ValueError("a window is a pair [\"HH:MM\", \"HH:MM\"]")
            return {"start": value[0], "end": value[1]}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if parse_hhmm(self.start) > parse_hhmm(self.end):
            raise ValueError(f"window {self.start}–{self.end} ends before it starts")
        return self


class Schedule(_Strict):
    every_days: int = Field(default=1, ge=1)
    first_day: int = Field(default=0, ge=0)
    last_day: int | None = Field(default=None, ge=0)
    days: list[int] = []
    on_last_day: bool = False


class SecondPersonEntry(_Strict):
    """A visit that needs a second person (issue 16): their skill, and whether they come at the same
    minute (``simultaneous``) or ``gap_min: [min, max]`` minutes after the first (``sequential``)."""

    skill: str
    together: Literal["simultaneous", "sequential"] = "simultaneous"
    gap_min: tuple[int, int] = (0, 0)
    duration_min: int | None = Field(default=None, gt=0, le=480)

    @model_validator(mode="after")
    def _gap(self) -> SecondPersonEntry:
        low, high = self.gap_min
        if not 0 <= low <= high:
            raise ValueError(f"gap_min {list(self.gap_min)} must be [min, max] with 0 <= min <= max")
        if self.together == "simultaneous" and (low, high) != (0, 0):
            raise ValueError("a simultaneous second person has no gap")
        return self


class VisitEntry(_Strict):
    skill: str
    duration_min: int = Field(gt=0, le=480)
    window: Window
    schedule: Schedule = Schedule()
    fixed_time: bool = False
    second_person: SecondPersonEntry | None = None
    uses_goods: bool = True


class VideoEntry(_Strict):
    skill: str
    duration_min: int = Field(gt=0, le=240)
    window: Window
    schedule: Schedule = Schedule()


class SampleEntry(_Strict):
    sample_type: str
    stability_hours: float = Field(gt=0)
    schedule: Schedule = Schedule()
    self_sampled: bool = False


class GoodsEntry(_Strict):
    lines: dict[str, int] = Field(min_length=1)
    window: Window
    schedule: Schedule = Schedule()

    @field_validator("lines")
    @classmethod
    def _positive(cls, lines: dict[str, int]) -> dict[str, int]:
        for product, quantity in lines.items():
            if quantity < 1:
                raise ValueError(f"quantity of {product} must be at least 1, not {quantity}")
        return lines


class DeviceEntry(_Strict):
    device_type: str
    quantity: int = Field(default=1, ge=1)


class MonitoringEntry(_Strict):
    code: str
    unit: str
    interval_hours: float = Field(gt=0)
    low: float | None = None
    high: float | None = None
    rise_limit: float | None = Field(default=None, gt=0)
    rise_days: int | None = Field(default=None, ge=1)


class PromEntry(_Strict):
    questionnaire: str
    every_days: int = Field(ge=1)
    alert_score: float


class Diagnosis(_Strict):
    code: str = Field(pattern=r"^[A-Z][0-9]{2}(\.[0-9A-Z]{1,2})?$")
    text: str


class LengthOfStayEntry(_Strict):
    min_days: int = Field(ge=1)
    mode_days: int = Field(ge=1)
    max_days: int = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> LengthOfStayEntry:
        if not self.min_days <= self.mode_days <= self.max_days:
            raise ValueError("needs min_days <= mode_days <= max_days")
        return self


class PathwayFile(_Strict):
    provenance: Provenance
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    name_nb: str
    service_kind: Literal["ahs", "ambulant", "dho"]
    clinic: str
    diagnosis: Diagnosis
    share_of_kind: float = Field(ge=0, le=1)
    length_of_stay: LengthOfStayEntry
    unplanned_calls_per_day: float = Field(default=0.0, ge=0)
    visits: list[VisitEntry] = []
    videos: list[VideoEntry] = []
    samples: list[SampleEntry] = []
    deliveries: list[GoodsEntry] = []
    pickups: list[GoodsEntry] = []
    devices: list[DeviceEntry] = []
    monitoring: list[MonitoringEntry] = []
    proms: list[PromEntry] = []
