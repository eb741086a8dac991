"""Fast mode: analytic projection with Monte Carlo over the uncertain assumptions (issue 4).

One replication draws the uncertain numbers once (common to all years and alternatives, so the
alternatives are compared on the same draw), then per year draws each pathway's daily census from
Poisson(λ·E[LOS]) (M/G/∞) and evaluates every delivery model on that census:

* transports = stops at patients' homes (deliveries + pick-ups that cannot ride along), trips =
  vehicle tours; tour length from the Beardwood–Halton–Hammersley law k·√(n·A) plus the line haul
  from the shipping node to the patients' population centroid, both times a road factor;
* vehicles = the busiest weekday's vehicle hours × peak factor / shift length (shared OUS pool);
* storage = cycle + safety stock per stocking node, pooled or per clinic as the model says, turned
  into shelf/pallet locations and m² (plus fixed areas); the pooling saving is reported;
* clinical FTE = visits + travel + video + health staff's logistics work (ordering, and packing
  where the clinic packs, as in Alt 3), since that time is taken from treatment.

Everything is a pure function of its arguments; randomness comes only from the given generator.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from hjemme.domain.catalogue import ProductCategory
from hjemme.logistics.pooling import safety_stock_pooling
from hjemme.scenario.config import CLINIC_NODE, SERVICE_KINDS, ScenarioConfig
from hjemme.scenario.model import ProjectionModel, sample_params, site_of
from hjemme.scenario.profiles import WEEKDAYS_BY_FREQUENCY

WEEKS_PER_YEAR = 365.0 / 7.0
METRICS = (
    "patients_at_home",
    "transports_per_week",
    "trips_per_week",
    "deliveries_per_patient_week",
    "vehicles",
    "km_per_year",
    "co2_tonnes_per_year",
    "storage_m2",
    "risk_pooling_saving_m2",
    "safety_stock_l",
    "clinical_fte",
    "health_staff_logistics_hours_per_week",
    "cost_nok_per_year",
)


@dataclass(frozen=True, slots=True)
class CensusParams:
    """Which census to project: from the trajectory (``patients_total=None``) or a fixed total."""

    patients_total: int | None = None
    kind_mix: Mapping[str, float] | None = None  # ahs/ambulant/dho shares of patients at home


@dataclass(frozen=True, slots=True)
class Sample:
    """One replication's value of one metric for one year and alternative."""

    replication: int
    year: int
    alternative: str
    metric: str
    value: float


def interpolate(points: Mapping[int, float], year: int) -> float:
    """Linear between the given years, flat outside them (Table 1 trajectory, electric share)."""
    years = sorted(points)
    return float(np.interp(year, years, [points[y] for y in years]))


def kind_share(config: ScenarioConfig, kind: str, year: int) -> float:
    """Share of the hospital's activity of ``kind`` done at home in ``year`` (before achievement)."""
    override = config.trajectory.overrides.get(kind, {})  # type: ignore[call-overload]
    if year in override:
        return float(override[year])
    return interpolate(config.trajectory.shares[kind], year)  # type: ignore[index]


def expected_census(
    model: ProjectionModel, params: ScenarioConfig, year: int, census: CensusParams
) -> dict[str, float]:
    """Mean number of patients at home per pathway on a day of ``year``."""
    if census.patients_total is not None:
        mix = census.kind_mix or _trajectory_kind_mix(model, params, year)
        total_mix = sum(mix.values())
        return {
            pid: census.patients_total * mix.get(info.kind, 0.0) / total_mix * info.weight
            for pid, info in model.pathways.items()
        }
    return _trajectory_census(model, params, year)


def _trajectory_census(model: ProjectionModel, params: ScenarioConfig, year: int) -> dict[str, float]:
    achievement = params.trajectory.achievement.central
    volumes = {
        "ahs": params.baseline.admissions_per_year.central,
        "ambulant": params.baseline.outpatient_consultations_per_year.central,
        "dho": params.baseline.outpatient_consultations_per_year.central,
    }
    out: dict[str, float] = {}
    for kind in SERVICE_KINDS:
        activity = (volumes[kind] * kind_share(params, kind, year) * achievement
                    * params.scope[kind].in_scope_share.central)  # type: ignore[index]
        members = [p for p in model.pathways.values() if p.kind == kind]
        if kind == "ahs":
            stays = activity  # one admission is one stay
        else:
            per_stay = sum(p.weight * p.consultations_per_stay for p in members)
            stays = activity / per_stay if per_stay > 0 else 0.0
        for p in members:
            out[p.id] = stays * p.weight / 365.0 * p.mean_los_days
    return out


def _trajectory_kind_mix(model: ProjectionModel, params: ScenarioConfig, year: int) -> dict[str, float]:
    census = _trajectory_census(model, params, year)
    return {k: sum(v for p, v in census.items() if model.pathways[p].kind == k) for k in SERVICE_KINDS}


def evaluate(
    model: ProjectionModel, params: ScenarioConfig, census: Mapping[str, float], alt: str, year: int
) -> dict[str, float]:
    """All metrics of one alternative for one day's census (patients per pathway)."""
    dm = params.delivery_models[alt]  # type: ignore[index]
    profiles = model.profiles[alt]
    tr = params.transport
    vt = params.vehicle_types[tr.vehicle_type]
    first_flow_of_node: dict[str, int] = {}
    for i, flow in enumerate(dm.flows):
        first_flow_of_node.setdefault(flow.node, i)

    patients = float(sum(census.values()))
    deliveries_day = sum(census[p] * profiles[p].deliveries for p in census)
    stops_day = sum(census[p] * profiles[p].stops for p in census)

    # Transport, per origin group (a node, or one clinic's hospital for the "clinic" node).
    groups: dict[tuple[str, str], list[float]] = {}  # (node, clinic|"") -> [deliveries, stops, litres]
    for pid, n in census.items():
        prof = profiles[pid]
        for node, load in prof.nodes.items():
            key = (node, prof.clinic if node == CLINIC_NODE else "")
            acc = groups.setdefault(key, [0.0, 0.0, 0.0])
            acc[0] += n * load.deliveries
            acc[1] += n * load.stops
            acc[2] += n * load.volume_l
    hours_by_weekday = np.zeros(7)
    trips_week = km_year = driver_hours_week = 0.0
    pack_hours = {"logistics": 0.0, "health_staff": 0.0, "supplier": 0.0}
    fees_week = 0.0
    for (node, clinic), (deliveries, stops, litres) in sorted(groups.items()):
        frequency = max(f.frequency_per_week for f in dm.flows if f.node == node)
        if dm.consolidation == "per_patient_day":
            frequency = max(f.frequency_per_week for f in dm.flows)
        n = stops * 7.0 / frequency  # stops per active day
        flow = dm.flows[first_flow_of_node[node]]
        pack_hours[flow.packed_by] += deliveries * 7.0 * flow.pack_min_per_delivery.central / 60.0
        if flow.fee_nok_per_delivery is not None:
            fees_week += deliveries * 7.0 * flow.fee_nok_per_delivery.central
        if n <= 0:
            continue
        site = site_of(params, alt, node, clinic)
        trips, km, hours = route_estimate(model, params, site, n, litres / stops)
        for w in WEEKDAYS_BY_FREQUENCY[frequency]:
            hours_by_weekday[w] += hours
        trips_week += trips * frequency
        km_year += km * frequency * WEEKS_PER_YEAR
        driver_hours_week += hours * frequency
    peak_hours = hours_by_weekday.max() * tr.peak_factor.central
    vehicles = float(math.ceil(peak_hours / tr.shift_hours.central - 1e-9))
    electric = interpolate(vt.electric_share_points(), year)
    co2_t = km_year * (electric * vt.co2_kg_per_km_electric.central
                       + (1 - electric) * vt.co2_kg_per_km_fossil.central) / 1000.0

    storage_m2, saving_m2, safety_l, rent_nok = _storage(model, params, census, alt)

    st = params.staff
    visits_week = 7.0 * sum(census[p] * profiles[p].visits for p in census)
    visit_hours = 7.0 * sum(census[p] * profiles[p].visit_min for p in census) / 60.0
    travel_hours = visits_week * st.travel_min_per_visit.central / 60.0
    videos_week = 7.0 * sum(census[p] * profiles[p].videos for p in census)
    video_hours = (7.0 * sum(census[p] * profiles[p].video_min for p in census)
                   + videos_week * st.video_overhead_min.central) / 60.0
    health_logistics = pack_hours["health_staff"] + patients * dm.order_min_per_patient_week.central / 60.0
    clinical_hours_week = visit_hours + travel_hours + video_hours + health_logistics
    fte_hours = st.hours_per_fte_year.central * st.productive_share.central
    clinical_fte = clinical_hours_week * WEEKS_PER_YEAR / fte_hours

    cost = (
        vehicles * vt.annual_cost_nok.central
        + km_year * vt.cost_nok_per_km.central
        + driver_hours_week * WEEKS_PER_YEAR * tr.driver_cost_nok_per_hour.central
        + clinical_hours_week * WEEKS_PER_YEAR / st.productive_share.central
        * st.clinical_cost_nok_per_hour.central
        + pack_hours["logistics"] * WEEKS_PER_YEAR * st.logistics_cost_nok_per_hour.central
        + fees_week * WEEKS_PER_YEAR
        + rent_nok
        + dm.fixed_cost_nok_per_year.central
    )
    return {
        "patients_at_home": patients,
        "transports_per_week": stops_day * 7.0,
        "trips_per_week": trips_week,
        "deliveries_per_patient_week": deliveries_day * 7.0 / patients if patients > 0 else 0.0,
        "vehicles": vehicles,
        "km_per_year": km_year,
        "co2_tonnes_per_year": co2_t,
        "storage_m2": storage_m2,
        "risk_pooling_saving_m2": saving_m2,
        "safety_stock_l": safety_l,
        "clinical_fte": clinical_fte,
        "health_staff_logistics_hours_per_week": health_logistics,
        "cost_nok_per_year": cost,
    }


def route_estimate(
    model: ProjectionModel, params: ScenarioConfig, site: str, stops: float, litres_per_stop: float
) -> tuple[float, float, float]:
    """(trips, km, vehicle hours) for ``stops`` stops in a day from ``site``: the analytic route model.

    Local tour length follows Beardwood–Halton–Hammersley, k·√(n·A) for n stops spread over the
    service area A; each trip adds the line haul out and back. Trips are limited by the shift and by
    the vehicle's usable volume. Deep mode compares this with the planner's optimised routes.
    """
    if stops <= 0:
        return 0.0, 0.0, 0.0
    tr = params.transport
    vt = params.vehicle_types[tr.vehicle_type]
    speed, road = tr.speed_kmh.central, tr.road_factor.central
    service_min = tr.service_min_per_stop.central
    linehaul_km = 2.0 * road * model.depot_km[site]
    tour_km = road * tr.tour_constant.central * math.sqrt(model.service_area_km2 * max(stops, 1.0))
    local_km = tour_km * min(stops, 1.0)  # fewer than one stop a day: that share of one-stop tours
    per_stop_min = service_min + local_km / stops / speed * 60.0
    linehaul_min = linehaul_km / speed * 60.0
    by_time = max((tr.shift_hours.central * 60.0 - linehaul_min) / per_stop_min, 1.0)
    by_volume = max(vt.capacity_l.central * vt.load_factor.central / max(litres_per_stop, 1e-9), 1.0)
    per_trip = min(by_time, by_volume)
    trips = math.ceil(stops / per_trip - 1e-9) if stops >= 1.0 else 1.0 - math.exp(-stops)
    hours = (trips * linehaul_min + stops * service_min) / 60.0 + local_km / speed
    return trips, trips * linehaul_km + local_km, hours


def _storage(
    model: ProjectionModel, params: ScenarioConfig, census: Mapping[str, float], alt: str
) -> tuple[float, float, float, float]:
    """(m² OUS must provide, m² saved by pooling, safety stock litres, rent NOK/year)."""
    dm = params.delivery_models[alt]  # type: ignore[index]
    sto = params.storage
    level = sto.service_level.central
    fill = sto.fill_rate.central
    profiles = model.profiles[alt]
    total_m2 = saving_m2 = safety_l = rent = 0.0
    for node_name, node in sorted(dm.nodes.items()):
        if node.stock == "none":
            continue
        flows = [i for i, f in enumerate(dm.flows) if f.node == node_name]
        if dm.consolidation == "per_patient_day":
            flows = list(range(len(dm.flows)))
        clinics = sorted({profiles[p].clinic for p in census if census[p] > 0})
        # per clinic: [shelf litres, pallet litres]; the pooled node computes one group
        pooled_vol = [0.0, 0.0]
        separate_vol = {c: [0.0, 0.0] for c in clinics}
        pooled_safety = separate_safety = 0.0
        for pid, product in sorted(model.products.items()):
            if model.product_flow[alt].get(pid) not in flows:
                continue
            lead = float(product.supplier_lead_days)
            mean_by_clinic = {c: 0.0 for c in clinics}
            var_by_clinic = {c: 0.0 for c in clinics}
            for p, n in census.items():
                prof = profiles[p]
                if prof.clinic in mean_by_clinic:
                    mean_by_clinic[prof.clinic] += n * prof.units.get(pid, 0.0)
                    var_by_clinic[prof.clinic] += n * prof.units_sq.get(pid, 0.0)
            cover_days = (model.turnaround_days.get(pid, 0.0) if product.category == ProductCategory.MTU
                          else node.replenishment_days / 2.0)
            pallet = 1 if product.unit_volume_l >= sto.pallet_threshold_unit_volume_l.central else 0
            pooling = safety_stock_pooling({c: math.sqrt(var_by_clinic[c]) for c in clinics}, lead, level)
            ss_pooled, ss_separate = pooling.pooled, pooling.separate_total
            pooled_mean = sum(mean_by_clinic.values())
            pooled_vol[pallet] += (pooled_mean * cover_days + ss_pooled) * product.unit_volume_l
            for c in clinics:
                ss_c = pooling.separate_by_site[c]
                separate_vol[c][pallet] += (mean_by_clinic[c] * cover_days + ss_c) * product.unit_volume_l
            pooled_safety += ss_pooled * product.unit_volume_l
            separate_safety += ss_separate * product.unit_volume_l
        fixed = node.fixed_area_m2.central
        pooled_stock_m2 = _area(pooled_vol, params, fill)
        separate_stock_m2 = sum(_area(v, params, fill) for v in separate_vol.values())
        if node.stock == "pooled":
            # the pooling effect: stock area saved against the same stock kept per clinic
            m2, saving, safety = pooled_stock_m2 + fixed, separate_stock_m2 - pooled_stock_m2, pooled_safety
        else:
            m2, saving, safety = separate_stock_m2 + fixed * len(clinics), 0.0, separate_safety
        rent += m2 * node.rent_nok_per_m2_year.central
        if node.ous_area:
            total_m2 += m2
            saving_m2 += saving
            safety_l += safety
    return total_m2, saving_m2, safety_l, rent


def _area(volumes_l: Sequence[float], params: ScenarioConfig, fill: float) -> float:
    sto = params.storage
    shelves = math.ceil(volumes_l[0] / (sto.shelf_location_volume_l.central * fill) - 1e-9)
    pallets = math.ceil(volumes_l[1] / (sto.pallet_location_volume_l.central * fill) - 1e-9)
    return shelves * sto.shelf_m2_per_location.central + pallets * sto.pallet_m2_per_location.central


def replication_rng(seed: int, *key: int) -> np.random.Generator:
    """A generator for one (seed, replication, …) key, independent of which process asks for it."""
    return np.random.default_rng(np.random.SeedSequence([seed, *key]))


def census_key(census: CensusParams) -> int:
    """A stable integer naming the census variant, so sweep cells draw the same census as runs."""
    if census.patients_total is None and census.kind_mix is None:
        return 0
    text = f"{census.patients_total}|{sorted((census.kind_mix or {}).items())}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


def run_fast(
    model: ProjectionModel,
    *,
    replications: int,
    seed: int,
    years: Sequence[int],
    alternatives: Sequence[str],
    census: CensusParams | None = None,
    on_replication: Callable[[int], None] | None = None,
) -> list[Sample]:
    """Monte Carlo replications of the projection; deterministic for a seed.

    Replication r draws its assumptions from (seed, r) and year y's census from (seed, r, y, census
    variant): the same numbers come out whether cells are run together, one by one or on Dask.
    """
    census = census or CensusParams()
    variant = census_key(census)
    out: list[Sample] = []
    for r in range(replications):
        params = sample_params(model.config, replication_rng(seed, r))
        for year in years:
            mean = expected_census(model, params, year, census)
            rng = replication_rng(seed, r, year, variant)
            drawn = {p: float(v) for p, v in zip(mean, rng.poisson([mean[p] for p in mean]), strict=True)}
            for alt in alternatives:
                for metric, value in evaluate(model, params, drawn, alt, year).items():
                    out.append(Sample(r, year, alt, metric, value))
        if on_replication is not None:
            on_replication(r)
    return out
