"""Read the catalogue data files, validate them and build the domain's reference data.

Every problem is reported as a :class:`~hjemme.errors.CatalogueError` naming the file, the key path
(``visits[0].window``) and what is wrong, so whoever edits a file can fix it without reading code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from hjemme.catalogue import schema
from hjemme.domain.catalogue import DeviceType, District, Product, ProductCategory, Site, SiteKind
from hjemme.domain.geo import Location
from hjemme.domain.pathways import (
    DaySchedule,
    DeliverySpec,
    DeviceSpec,
    GoodsLine,
    LengthOfStay,
    MonitoredParameter,
    Pathway,
    PromSpec,
    SampleSpec,
    SecondPerson,
    ServiceKind,
    VideoSpec,
    VisitSpec,
)
from hjemme.domain.time import TimeWindow
from hjemme.errors import CatalogueError

DEFAULT_DIRECTORY = Path(__file__).parent / "data"

_M = TypeVar("_M", bound=BaseModel)


@dataclass(frozen=True)
class PopulationDefaults:
    """Shares used by the synthetic-population generator."""

    service_mix: Mapping[ServiceKind, float]
    interpreter_share: float
    lives_alone_share: float


@dataclass(frozen=True)
class Catalogue:
    """All reference data, keyed by id."""

    sites: Mapping[str, Site]
    districts: Mapping[str, District]
    products: Mapping[str, Product]
    device_types: Mapping[str, DeviceType]
    pathways: Mapping[str, Pathway]
    skills: Mapping[str, str]  # id -> bokmål name
    lab_site_id: str
    population: PopulationDefaults
    skills_en: Mapping[str, str] = field(default_factory=dict)  # id -> English name

    @property
    def lab(self) -> Site:
        return self.sites[self.lab_site_id]


def load_catalogue(directory: Path | None = None) -> Catalogue:
    """Load and validate the catalogue in ``directory`` (the packaged default when ``None``)."""
    if directory is None:
        return _default_catalogue()
    return _load(Path(directory))


@lru_cache(maxsize=1)
def _default_catalogue() -> Catalogue:
    return _load(DEFAULT_DIRECTORY)


def _load(directory: Path) -> Catalogue:
    sites_file = _read(directory / "sites.yaml", schema.SitesFile)
    districts_file = _read(directory / "districts.yaml", schema.DistrictsFile)
    products_file = _read(directory / "products.yaml", schema.ProductsFile)
    devices_file = _read(directory / "device_types.yaml", schema.DeviceTypesFile)
    skills_file = _read(directory / "skills.yaml", schema.SkillsFile)
    population_file = _read(directory / "population.yaml", schema.PopulationFile)

    if unknown := sorted(skills_file.skills_en.keys() - skills_file.skills.keys()):
        skill = unknown[0]
        raise CatalogueError("skills.yaml", f"skills_en.{skill}", f"unknown skill {skill!r} (not in skills)")
    sites = _unique("sites.yaml", "sites", (_site(s) for s in sites_file.sites))
    if sites_file.lab_site not in sites:
        raise CatalogueError("sites.yaml", "lab_site", f"unknown site {sites_file.lab_site!r}")
    districts = _unique("districts.yaml", "districts", (_district(d) for d in districts_file.districts))
    products = _unique("products.yaml", "products", (_product(p) for p in products_file.products))
    device_types = _unique(
        "device_types.yaml", "device_types", (_device_type(d) for d in devices_file.device_types)
    )
    for i, device in enumerate(device_types.values()):
        product = products.get(device.product_id)
        if product is None or product.category is not ProductCategory.MTU:
            raise CatalogueError(
                "device_types.yaml",
                f"device_types[{i}].product",
                f"{device.product_id!r} is not an MTU product in products.yaml",
            )

    pathway_dir = directory / "pathways"
    pathway_files = sorted(pathway_dir.glob("*.yaml"))
    if not pathway_files:
        raise CatalogueError(str(pathway_dir), "", "no pathway files (*.yaml) found")
    pathways: dict[str, Pathway] = {}
    for file in pathway_files:
        entry = _read(file, schema.PathwayFile)
        refs = _References(file.name, products, device_types, skills_file.skills)
        pathway = _pathway(entry, refs)
        if pathway.id in pathways:
            raise CatalogueError(file.name, "id", f"pathway id {pathway.id!r} is used twice")
        pathways[pathway.id] = pathway
    _check_shares(pathways)

    population = PopulationDefaults(
        service_mix={ServiceKind(k): v for k, v in population_file.service_mix.items()},
        interpreter_share=population_file.interpreter_share,
        lives_alone_share=population_file.lives_alone_share.value,
    )
    return Catalogue(
        sites=sites,
        districts=districts,
        products=products,
        device_types=device_types,
        pathways=pathways,
        skills=dict(skills_file.skills),
        lab_site_id=sites_file.lab_site,
        population=population,
        skills_en=dict(skills_file.skills_en),
    )


def _read(path: Path, model: type[_M]) -> _M:
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogueError(str(path), "", "file not found") from None
    except yaml.YAMLError as exc:
        raise CatalogueError(path.name, "", f"not valid YAML: {exc}") from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise CatalogueError(path.name, _key_path(first["loc"]), first["msg"]) from None


def _key_path(loc: Sequence[int | str]) -> str:
    """pydantic's ``("visits", 0, "window")`` → ``visits[0].window``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part not in ("start", "end") or not text.endswith("window"):
            text += f".{part}" if text else str(part)
    return text


_T = TypeVar("_T", Site, District, Product, DeviceType)


def _unique(file: str, key: str, items: Iterable[_T]) -> dict[str, _T]:
    result: dict[str, _T] = {}
    for i, item in enumerate(items):
        if item.id in result:
            raise CatalogueError(file, f"{key}[{i}].id", f"id {item.id!r} is used twice")
        result[item.id] = item
    return result


def _site(s: schema.SiteEntry) -> Site:
    return Site(id=s.id, name=s.name, kind=SiteKind(s.kind), location=Location(s.lat, s.lon))


def _district(d: schema.DistrictEntry) -> District:
    return District(
        id=d.id,
        name=d.name,
        population=d.population,
        centroid=Location(d.lat, d.lon),
        radius_km=d.radius_km,
        zone=d.zone,
    )


def _product(p: schema.ProductEntry) -> Product:
    return Product(
        id=p.id,
        name=p.name,
        category=ProductCategory(p.category),
        unit_volume_l=p.volume_l,
        unit_weight_kg=p.weight_kg,
        shelf_life_days=p.shelf_life_days,
        cold_chain=p.cold_chain,
        qualified_carrier=p.qualified_carrier,
        pack_size=p.pack_size,
        supplier_lead_days=p.lead_days,
        unit_cost_nok=p.cost_nok,
    )


def _device_type(d: schema.DeviceTypeEntry) -> DeviceType:
    return DeviceType(
        id=d.id,
        name=d.name,
        product_id=d.product,
        service_interval_days=d.service_interval_days,
        service_interval_usage_hours=d.service_interval_usage_hours,
        cleaning_turnaround_hours=d.cleaning_turnaround_hours,
    )


@dataclass(frozen=True)
class _References:
    file: str
    products: Mapping[str, Product]
    device_types: Mapping[str, DeviceType]
    skills: Mapping[str, str]

    def skill(self, path: str, skill: str) -> str:
        if skill not in self.skills:
            raise CatalogueError(self.file, path, f"unknown skill {skill!r} (see skills.yaml)")
        return skill

    def lines(self, path: str, lines: Mapping[str, int]) -> tuple[GoodsLine, ...]:
        for product in lines:
            if product not in self.products:
                raise CatalogueError(self.file, f"{path}.{product}", f"unknown product {product!r}")
        return tuple(GoodsLine(p, q) for p, q in lines.items())

    def device_type(self, path: str, device_type: str) -> str:
        if device_type not in self.device_types:
            raise CatalogueError(self.file, path, f"unknown device type {device_type!r}")
        return device_type


def _window(w: schema.Window) -> TimeWindow:
    return TimeWindow.parse(w.start, w.end)


def _schedule(s: schema.Schedule) -> DaySchedule:
    return DaySchedule(
        every_days=s.every_days,
        first_day=s.first_day,
        last_day=s.last_day,
        days=tuple(s.days),
        on_last_day=s.on_last_day,
    )


def _pathway(p: schema.PathwayFile, refs: _References) -> Pathway:
    return Pathway(
        id=p.id,
        name=p.name,
        name_nb=p.name_nb,
        service_kind=ServiceKind(p.service_kind),
        clinic=p.clinic,
        diagnosis_code=p.diagnosis.code,
        diagnosis_text=p.diagnosis.text,
        length_of_stay=LengthOfStay(
            p.length_of_stay.min_days, p.length_of_stay.mode_days, p.length_of_stay.max_days
        ),
        visits=tuple(
            VisitSpec(
                skill=refs.skill(f"visits[{i}].skill", v.skill),
                duration_min=v.duration_min,
                window=_window(v.window),
                schedule=_schedule(v.schedule),
                fixed_time=v.fixed_time,
                uses_goods=v.uses_goods,
                second_person=None
                if v.second_person is None
                else SecondPerson(
                    skill=refs.skill(f"visits[{i}].second_person.skill", v.second_person.skill),
                    together=v.second_person.together,
                    min_gap_min=v.second_person.gap_min[0],
                    max_gap_min=v.second_person.gap_min[1],
                    duration_min=v.second_person.duration_min,
                ),
            )
            for i, v in enumerate(p.visits)
        ),
        videos=tuple(
            VideoSpec(
                skill=refs.skill(f"videos[{i}].skill", v.skill),
                duration_min=v.duration_min,
                window=_window(v.window),
                schedule=_schedule(v.schedule),
            )
            for i, v in enumerate(p.videos)
        ),
        samples=tuple(
            SampleSpec(
                sample_type=s.sample_type,
                stability_hours=s.stability_hours,
                schedule=_schedule(s.schedule),
                self_sampled=s.self_sampled,
            )
            for s in p.samples
        ),
        deliveries=tuple(
            DeliverySpec(
                lines=refs.lines(f"deliveries[{i}].lines", d.lines),
                window=_window(d.window),
                schedule=_schedule(d.schedule),
            )
            for i, d in enumerate(p.deliveries)
        ),
        pickups=tuple(
            DeliverySpec(
                lines=refs.lines(f"pickups[{i}].lines", d.lines),
                window=_window(d.window),
                schedule=_schedule(d.schedule),
            )
            for i, d in enumerate(p.pickups)
        ),
        devices=tuple(
            DeviceSpec(refs.device_type(f"devices[{i}].device_type", d.device_type), d.quantity)
            for i, d in enumerate(p.devices)
        ),
        monitoring=tuple(
            MonitoredParameter(
                code=m.code,
                unit=m.unit,
                interval_hours=m.interval_hours,
                low=m.low,
                high=m.high,
                rise_limit=m.rise_limit,
                rise_days=m.rise_days,
            )
            for m in p.monitoring
        ),
        proms=tuple(PromSpec(x.questionnaire, x.every_days, x.alert_score) for x in p.proms),
        unplanned_calls_per_day=p.unplanned_calls_per_day,
        share_of_kind=p.share_of_kind,
    )


def _check_shares(pathways: Mapping[str, Pathway]) -> None:
    """Within each service kind the pathways' shares must add up to 1 (the synthetic mix)."""
    totals: dict[ServiceKind, float] = {}
    for pathway in pathways.values():
        totals[pathway.service_kind] = totals.get(pathway.service_kind, 0.0) + pathway.share_of_kind
    for kind, total in totals.items():
        if abs(total - 1.0) > 1e-6:
            raise CatalogueError(
                "pathways/", "share_of_kind", f"shares of the {kind} pathways sum to {total:.2f}, not 1"
            )
