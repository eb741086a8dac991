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
import multiprocessing
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import brentq

from hjemme.domain.catalogue import ProductCategory
from hjemme.logistics.pooling import service_level_z
from hjemme.scenario.config import CLINIC_NODE, SERVICE_KINDS, ScenarioConfig
from hjemme.scenario.model import ProjectionModel, UniformStream, sample_params, site_of, uncertain_count
from hjemme.scenario.profiles import WEEKDAYS_BY_FREQUENCY

WEEKS_PER_YEAR = 365.0 / 7.0
METRICS = (
    "patients_at_home",
    "transports_per_week",
    "trips_per_week",
    "deliveries_per_patient_week",
    "vehicles",
    "km_per_year",
    "supplier_carrier_km_per_year",
    "co2_tonnes_per_year",
    "clinician_km_per_year",
    "clinician_travel_hours_per_week",
    "clinician_co2_tonnes_per_year",
    "sample_transports_per_week",
    "sample_km_per_year",
    "total_km_per_year",
    "total_co2_tonnes_per_year",
    "storage_m2",
    "area_excess_m2",
    "infeasible",
    "risk_pooling_saving_m2",
    "safety_stock_l",
    "clinical_fte",
    "health_staff_logistics_hours_per_week",
    "digital_consultations_per_year",
    "video_fte",
    "alarms_per_day",
    "response_centre_fte",
    "digital_workstations",
    "digital_workstation_m2",
    "home_activity_share",
    "digital_consultation_share",
    "cost_nok_per_year",
)
# Recorded once per alternative, under the last projection year (not a per-year quantity).
ECONOMIC_METRICS = ("npv_cost_nok", "break_even_patients_per_day")
BASELINE = "alt0"
BREAK_EVEN_TOLERANCE = 0.005  # the break-even volume to 0.5 %, far inside its spread across replications


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
    groups: dict[tuple[str, str], list[float]] = {}  # (node, clinic|"") -> [deliveries, stops, litres, 1/W]
    for pid, n in census.items():
        prof = profiles[pid]
        for node, load in prof.nodes.items():
            key = (node, prof.clinic if node == CLINIC_NODE else "")
            acc = groups.setdefault(key, [0.0, 0.0, 0.0, 0.0])
            acc[0] += n * load.deliveries
            acc[1] += n * load.stops
            acc[2] += n * load.volume_l
            acc[3] += n * load.inv_window_h
    hours_by_weekday = np.zeros(7)
    vans_by_weekday = np.zeros(7)
    trips_week = ous_km_year = supplier_km_year = driver_hours_week = 0.0
    pack_hours = {"logistics": 0.0, "health_staff": 0.0, "supplier": 0.0}
    handled: dict[tuple[str, str], tuple[float, float]] = {}  # group -> (pack hours/day, litres/day)
    fees_week = 0.0
    for (node, clinic), (deliveries, stops, litres, inv_window) in sorted(groups.items()):
        frequency = max(f.frequency_per_week for f in dm.flows if f.node == node)
        if dm.consolidation == "per_patient_day":
            frequency = max(f.frequency_per_week for f in dm.flows)
        n = stops * 7.0 / frequency  # stops per active day
        flow = dm.flows[first_flow_of_node[node]]
        pack_week = deliveries * 7.0 * flow.pack_min_per_delivery.central / 60.0
        pack_hours[flow.packed_by] += pack_week
        handled[(node, clinic)] = (pack_week / frequency if flow.packed_by != "supplier" else 0.0, litres)
        if flow.fee_nok_per_delivery is not None:
            fees_week += deliveries * 7.0 * flow.fee_nok_per_delivery.central
        if n <= 0:
            continue
        site = site_of(params, alt, node, clinic)
        trips, km, hours = route_estimate(model, params, site, n, litres / stops, inv_window / stops)
        if dm.nodes[node].delivered_by == "supplier":
            # the supplier's carrier: its km count (CO2), its cost is the fee, no OUS van or driver
            supplier_km_year += km * frequency * WEEKS_PER_YEAR
            continue
        for w in WEEKDAYS_BY_FREQUENCY[frequency]:
            hours_by_weekday[w] += hours
            vans_by_weekday[w] += trips
        trips_week += trips * frequency
        ous_km_year += km * frequency * WEEKS_PER_YEAR
        driver_hours_week += hours * frequency
    km_year = ous_km_year + supplier_km_year
    # a van per trip on the busiest weekday (time windows rarely allow a second tour), or by shift hours
    busiest = max(vans_by_weekday.max(), hours_by_weekday.max() / tr.shift_hours.central)
    vehicles = float(math.ceil(busiest * tr.peak_factor.central - 1e-9))
    electric = interpolate(vt.electric_share_points(), year)
    van_co2_per_km = (electric * vt.co2_kg_per_km_electric.central
                      + (1 - electric) * vt.co2_kg_per_km_fossil.central)
    co2_t = km_year * van_co2_per_km / 1000.0

    area = _storage(model, params, census, alt, handled)
    limit_from = dm.available_area_from_year
    limited = limit_from is None or year >= round(limit_from.central)
    excess_m2 = sum(max(0.0, need - dm.available_area_m2[site].central)
                    for site, need in area.by_site.items() if limited and site in dm.available_area_m2)

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
    clinical_rate = st.clinical_cost_nok_per_hour.central / st.productive_share.central

    # Clinicians' own travel to the visits (calibrated km per visit), the same in every model.
    ct = params.clinician_travel
    clinician_km_year = 365.0 * sum(census[p] * profiles[p].visits
                                    * ct.km_per_visit[model.pathways[p].kind].central  # type: ignore[index]
                                    for p in census)
    car_electric = interpolate(ct.electric_share_points(), year)
    clinician_co2_t = clinician_km_year * (car_electric * ct.co2_kg_per_km_electric.central
                                           + (1 - car_electric) * ct.co2_kg_per_km_fossil.central) / 1000.0

    # Samples to the lab: the courier's share is collected on courier runs from the lab.
    sample_days = sum(census[p] * profiles[p].sample_days for p in census)
    courier_stops = sample_days * params.samples.courier_share.central
    s_trips, s_km, s_hours = route_estimate(model, params, params.samples.lab_site, courier_stops, 0.5)
    sample_km_year = s_km * 365.0
    sample_co2_t = sample_km_year * van_co2_per_km / 1000.0

    digital = _digital(model, params, census, profiles, video_hours, year)

    cost = (
        vehicles * vt.annual_cost_nok.central
        + ous_km_year * vt.cost_nok_per_km.central
        + driver_hours_week * WEEKS_PER_YEAR * tr.driver_cost_nok_per_hour.central
        + clinical_hours_week * WEEKS_PER_YEAR * clinical_rate
        + pack_hours["logistics"] * WEEKS_PER_YEAR * st.logistics_cost_nok_per_hour.central
        + fees_week * WEEKS_PER_YEAR
        + area.rent_nok
        + dm.fixed_cost_nok_per_year.central
        + clinician_km_year * ct.cost_nok_per_km.central
        + sample_km_year * vt.cost_nok_per_km.central + s_hours * 365.0 * tr.driver_cost_nok_per_hour.central
        + digital["extra_hours_week"] * WEEKS_PER_YEAR * clinical_rate
        + digital["digital_workstation_m2"] * params.digital.rent_nok_per_m2_year.central
    )
    return {
        "patients_at_home": patients,
        "transports_per_week": stops_day * 7.0,
        "trips_per_week": trips_week,
        "deliveries_per_patient_week": deliveries_day * 7.0 / patients if patients > 0 else 0.0,
        "vehicles": vehicles,
        "km_per_year": km_year,
        "supplier_carrier_km_per_year": supplier_km_year,
        "co2_tonnes_per_year": co2_t,
        "clinician_km_per_year": clinician_km_year,
        "clinician_travel_hours_per_week": travel_hours,
        "clinician_co2_tonnes_per_year": clinician_co2_t,
        "sample_transports_per_week": s_trips * 7.0,
        "sample_km_per_year": sample_km_year,
        "total_km_per_year": km_year + clinician_km_year + sample_km_year,
        "total_co2_tonnes_per_year": co2_t + clinician_co2_t + sample_co2_t,
        "storage_m2": area.total_m2,
        "area_excess_m2": excess_m2,
        "infeasible": 1.0 if excess_m2 > 0 else 0.0,
        "risk_pooling_saving_m2": area.saving_m2,
        "safety_stock_l": area.safety_l,
        "clinical_fte": clinical_fte,
        "health_staff_logistics_hours_per_week": health_logistics,
        "digital_consultations_per_year": digital["digital_consultations_per_year"],
        "video_fte": digital["video_fte"],
        "alarms_per_day": digital["alarms_per_day"],
        "response_centre_fte": digital["response_centre_fte"],
        "digital_workstations": digital["digital_workstations"],
        "digital_workstation_m2": digital["digital_workstation_m2"],
        "home_activity_share": home_activity_share(params, year),
        "digital_consultation_share": digital_consultation_share(params, year),
        "cost_nok_per_year": cost,
    }


def home_activity_share(params: ScenarioConfig, year: int) -> float:
    """Share of OUS's activity (admissions + outpatient consultations) delivered at home (Table 1).

    The plan's 30 % ambition counts AHS admissions and ambulant and digital consultations of all
    patients; the share is the Table 1 trajectory times ``achievement``.
    """
    adm = params.baseline.admissions_per_year.central
    opc = params.baseline.outpatient_consultations_per_year.central
    at_home = adm * kind_share(params, "ahs", year) + opc * (kind_share(params, "ambulant", year)
                                                             + kind_share(params, "dho", year))
    return at_home * params.trajectory.achievement.central / (adm + opc)


def digital_consultation_share(params: ScenarioConfig, year: int) -> float:
    """Share of outpatient consultations by video or phone (the plan's 20 % target)."""
    return kind_share(params, "dho", year) * params.trajectory.achievement.central


def _digital(model: ProjectionModel, params: ScenarioConfig, census: Mapping[str, float],
             profiles: Mapping[str, Any], pathway_video_hours_week: float, year: int) -> dict[str, float]:
    """Table 1's digital follow-up in full: video staffing, the response centre and their workstations.

    The pathways' own video consultations are the in-scope share of all video/phone consultations,
    so the total is the in-scope count divided by that share (whatever census is projected); the rest
    is staffed at ``digital.consultation_min``. The response centre reviews every monitored patient's
    data daily and answers the alarms the measurements raise, with at least ``min_staffed`` on duty.
    """
    dg = params.digital
    st = params.staff
    scope = params.scope["dho"].in_scope_share.central  # type: ignore[index]
    in_scope_per_year = 365.0 * sum(
        census[p] * model.pathways[p].consultations_per_stay / model.pathways[p].mean_los_days
        for p in census if model.pathways[p].kind == "dho")
    total = in_scope_per_year / scope if scope > 0 else in_scope_per_year
    extra_video_hours_week = (total - in_scope_per_year) / WEEKS_PER_YEAR * dg.consultation_min.central / 60.0
    video_hours_week = pathway_video_hours_week + extra_video_hours_week
    measurements = sum(census[p] * profiles[p].measurements for p in census)
    alarms_day = measurements * dg.alarm_share_of_measurements.central
    monitored = sum(census[p] for p in census if profiles[p].monitored)
    workload_week = 7.0 * (alarms_day * dg.min_per_alarm.central
                           + monitored * dg.review_min_per_monitored_patient_day.central) / 60.0
    open_hours = dg.response_centre_hours_per_week.central
    response_hours_week = max(workload_week, dg.response_centre_min_staffed.central * open_hours)
    fte_hours = st.hours_per_fte_year.central * st.productive_share.central
    util = dg.workstation_utilisation.central
    stations = (math.ceil(response_hours_week / (open_hours * util) - 1e-9)
                + math.ceil(video_hours_week / (dg.video_hours_per_week.central * util) - 1e-9))
    return {
        "digital_consultations_per_year": total,
        "video_fte": video_hours_week * WEEKS_PER_YEAR / fte_hours,
        "alarms_per_day": alarms_day,
        "response_centre_fte": response_hours_week * WEEKS_PER_YEAR / fte_hours,
        "digital_workstations": float(stations),
        "digital_workstation_m2": stations * dg.workstation_m2.central,
        "extra_hours_week": extra_video_hours_week + response_hours_week,
    }


def route_estimate(
    model: ProjectionModel, params: ScenarioConfig, site: str, stops: float, litres_per_stop: float,
    inv_window_h: float | None = None,
) -> tuple[float, float, float]:
    """(trips, km, vehicle hours) for ``stops`` stops in a day from ``site``: the analytic route model.

    Local tour length follows Beardwood–Halton–Hammersley, k·√(n·A) for n stops spread over the
    service area A (times ``km_calibration``); each trip adds the line haul out and back and
    ``trip_km`` to reach its part of the area (one van's sector when windows split the work). Trips are
    limited by the shift, by the vehicle's usable volume and — with ``inv_window_h``, the mean of
    1 / usable window hours over the stops — by the time windows: a stop takes (its service and
    travel hours) × ``window_factor`` / (its window) of a van, so early short windows need more vans.
    Deep mode compares this with the planner's optimised routes on the same stops.
    """
    if stops <= 0:
        return 0.0, 0.0, 0.0
    tr = params.transport
    vt = params.vehicle_types[tr.vehicle_type]
    speed, road = tr.speed_kmh.central, tr.road_factor.central
    km_factor = tr.km_calibration.central if tr.km_calibration is not None else 1.0
    service_min = tr.service_min_per_stop.central
    linehaul_km = 2.0 * road * model.depot_km[site] + (tr.trip_km.central if tr.trip_km is not None else 0.0)
    bhh_km = tr.tour_constant.central * math.sqrt(model.service_area_km2 * max(stops, 1.0))
    tour_km = km_factor * road * bhh_km
    local_km = tour_km * min(stops, 1.0)  # fewer than one stop a day: that share of one-stop tours
    per_stop_min = service_min + local_km / stops / speed * 60.0
    linehaul_min = linehaul_km / speed * 60.0
    by_time = max((tr.shift_hours.central * 60.0 - linehaul_min) / per_stop_min, 1.0)
    by_volume = max(vt.capacity_l.central * vt.load_factor.central / max(litres_per_stop, 1e-9), 1.0)
    needed = stops / min(by_time, by_volume)
    if inv_window_h is not None and tr.window_factor is not None:
        needed = max(needed, stops * per_stop_min / 60.0 * inv_window_h * tr.window_factor.central)
    trips = math.ceil(needed - 1e-9) if stops >= 1.0 else 1.0 - math.exp(-stops)
    hours = (trips * linehaul_min + stops * service_min) / 60.0 + local_km / speed
    return trips, trips * linehaul_km + local_km, hours


@dataclass(frozen=True)
class DemandArrays:
    """One alternative's per-pathway units and products as arrays (built once per model)."""

    pathways: tuple[str, ...]
    clinics: tuple[str, ...]
    clinic_of: np.ndarray  # clinics × pathways, 0/1
    units: np.ndarray  # pathways × products: units per patient-day
    units_sq: np.ndarray  # pathways × products: squared quantities per patient-day
    flow: np.ndarray  # products: index of the flow supplying it (-1: none)
    is_mtu: np.ndarray
    lead_days: np.ndarray
    turnaround_days: np.ndarray
    unit_volume_l: np.ndarray


def _demand_arrays(model: ProjectionModel, alt: str) -> DemandArrays:
    cache = model.arrays
    if alt not in cache:
        profiles = model.profiles[alt]
        pathways = tuple(sorted(profiles))
        clinics = tuple(sorted({profiles[p].clinic for p in pathways}))
        products = sorted(model.products.items())
        clinic_of = np.array([[1.0 if profiles[p].clinic == c else 0.0 for p in pathways] for c in clinics])
        units = np.array([[profiles[p].units.get(pid, 0.0) for pid, _ in products] for p in pathways])
        units_sq = np.array([[profiles[p].units_sq.get(pid, 0.0) for pid, _ in products] for p in pathways])
        cache[alt] = DemandArrays(
            pathways, clinics, clinic_of, units, units_sq,
            np.array([model.product_flow[alt].get(pid, -1) for pid, _ in products]),
            np.array([prod.category == ProductCategory.MTU for _, prod in products]),
            np.array([float(prod.supplier_lead_days) for _, prod in products]),
            np.array([model.turnaround_days.get(pid, 0.0) for pid, _ in products]),
            np.array([prod.unit_volume_l for _, prod in products]),
        )
    return cache[alt]  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Area:
    """What a model's stocking nodes need: m² OUS provides, by site, and what it costs."""

    total_m2: float  # m² OUS must provide (nodes with ``ous_area``)
    saving_m2: float  # stock area saved by pooling against the same stock kept per clinic
    safety_l: float
    rent_nok: float
    by_site: Mapping[str, float]  # OUS m² per catalogue site (a clinic node at its hospital)


def _storage(
    model: ProjectionModel, params: ScenarioConfig, census: Mapping[str, float], alt: str,
    handled: Mapping[tuple[str, str], tuple[float, float]] | None = None,
) -> Area:
    """Stock in racking (cycle + safety stock), plus the handling areas that grow with the flow.

    ``handled`` gives per origin group (node, clinic) the packing hours per delivery day and the
    litres sent per day: picking stations = packing hours / station hours; goods-in staging from the
    volume received (= sent) per working day; returned MTU held ``returns_hold_days`` in pallet
    locations and cleaned at stations sized by cleaning minutes per device.
    """
    dm = params.delivery_models[alt]  # type: ignore[index]
    sto = params.storage
    hd = sto.handling
    handled = handled or {}
    level = sto.service_level.central
    fill = sto.fill_rate.central
    total_m2 = saving_m2 = safety_l = rent = 0.0
    by_site: dict[str, float] = {}
    z = service_level_z(level)
    arr = _demand_arrays(model, alt)
    n = np.array([census.get(p, 0.0) for p in arr.pathways])
    mean_ck = arr.clinic_of @ (n[:, None] * arr.units)  # clinics × products: mean units per day
    var_ck = arr.clinic_of @ (n[:, None] * arr.units_sq)  # Poisson patients: variance of daily units
    present = (arr.clinic_of @ n) > 0
    clinics = [c for c, ok in zip(arr.clinics, present, strict=True) if ok]
    mean_ck, var_ck = mean_ck[present], var_ck[present]
    root_lead = np.sqrt(arr.lead_days)
    pallet = arr.unit_volume_l >= sto.pallet_threshold_unit_volume_l.central
    for node_name, node in sorted(dm.nodes.items()):
        if node.stock == "none":
            continue
        flows = [i for i, f in enumerate(dm.flows) if f.node == node_name]
        if dm.consolidation == "per_patient_day":
            flows = list(range(len(dm.flows)))
        mask = np.isin(arr.flow, flows)
        cover = np.where(arr.is_mtu, arr.turnaround_days, node.replenishment_days / 2.0)
        # safety stock z·σ·√L per clinic, pooled z·√(Σσ²)·√L (hjemme.logistics.pooling's law)
        ss_ck = z * np.sqrt(var_ck) * root_lead
        ss_pooled = z * np.sqrt(var_ck.sum(axis=0)) * root_lead
        litres_ck = (mean_ck * cover + ss_ck) * arr.unit_volume_l * mask  # per clinic, kept separately
        pooled_l = (mean_ck.sum(axis=0) * cover + ss_pooled) * arr.unit_volume_l * mask
        pooled_vol = [float(pooled_l[~pallet].sum()), float(pooled_l[pallet].sum())]
        separate_vol = {c: [float(litres_ck[i][~pallet].sum()), float(litres_ck[i][pallet].sum())]
                        for i, c in enumerate(clinics)}
        mtu_mask = mask & arr.is_mtu
        mtu_units = {c: float(mean_ck[i][mtu_mask].sum()) for i, c in enumerate(clinics)}
        mtu_l_ck = mean_ck * arr.unit_volume_l
        mtu_litres = {c: float(mtu_l_ck[i][mtu_mask].sum()) for i, c in enumerate(clinics)}
        pooled_safety = float((ss_pooled * arr.unit_volume_l * mask).sum())
        separate_safety = float((ss_ck * arr.unit_volume_l * mask).sum())
        fixed = node.fixed_area_m2.central
        pooled_stock_m2 = _area(pooled_vol, params, fill)
        separate_stock_m2 = sum(_area(v, params, fill) for v in separate_vol.values())

        def handling_m2(groups: list[tuple[float, float]], units: float, litres_mtu: float) -> float:
            pack_h = sum(g[0] for g in groups)
            litres_day = sum(g[1] for g in groups) * 7.0 / 5.0  # received on working days
            station_h = hd.station_hours_per_day.central
            pick = math.ceil(pack_h / station_h - 1e-9) * hd.pick_station_m2.central if pack_h > 0 else 0.0
            goods_in = litres_day / 1000.0 * hd.goods_in_m2_per_m3_day.central
            returns = _area([0.0, litres_mtu * hd.returns_hold_days.central], params, fill)
            cleaning_h = units * hd.mtu_cleaning_min_per_device.central / 60.0 * 7.0 / 5.0
            cleaning = (math.ceil(cleaning_h / station_h - 1e-9) * hd.mtu_cleaning_station_m2.central
                        if cleaning_h > 0 else 0.0)
            return pick + goods_in + returns + cleaning

        if node.stock == "pooled":
            groups = [v for (n, _c), v in handled.items() if n == node_name]
            handling = handling_m2(groups, sum(mtu_units.values()), sum(mtu_litres.values()))
            # the pooling effect: stock area saved against the same stock kept per clinic
            m2 = pooled_stock_m2 + handling + fixed
            saving, safety = separate_stock_m2 - pooled_stock_m2, pooled_safety
            sites = {node.site: m2} if node.site else {}
        else:
            sites = {}
            for c in clinics:
                groups = [v for (n, cl), v in handled.items() if n == node_name and cl == c]
                need = (_area(separate_vol[c], params, fill) + fixed
                        + handling_m2(groups, mtu_units[c], mtu_litres[c]))
                site = params.clinic_sites[c]
                sites[site] = sites.get(site, 0.0) + need
            m2, saving, safety = sum(sites.values()), 0.0, separate_safety
        rent += m2 * node.rent_nok_per_m2_year.central
        if node.ous_area:
            total_m2 += m2
            saving_m2 += saving
            safety_l += safety
            for site, need in sites.items():
                by_site[site] = by_site.get(site, 0.0) + need
    return Area(total_m2, saving_m2, safety_l, rent, by_site)


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


def effective_alternative(params: ScenarioConfig, alt: str, year: int) -> str:
    """The model that actually runs in ``year``: Alt 0 (today) until the alternative's transition year."""
    dm = params.delivery_models[alt]  # type: ignore[index]
    if alt == BASELINE or BASELINE not in params.delivery_models or dm.transition_year is None:
        return alt
    return alt if year >= round(dm.transition_year.central) else BASELINE


def one_off_costs(params: ScenarioConfig, alt: str) -> tuple[int | None, float]:
    """(year, NOK) of an alternative's investment plus set-up cost; year ``None`` when there is none."""
    dm = params.delivery_models[alt]  # type: ignore[index]
    amount = sum(a.central for a in (dm.investment_nok, dm.setup_cost_nok) if a is not None)
    if amount == 0:
        return None, 0.0
    first = params.economics.npv_first_year
    year = round(dm.transition_year.central) if dm.transition_year is not None else first
    return year, amount


def npv(costs: Mapping[int, float], rate: float, first_year: int) -> float:
    """Present value in ``first_year`` of yearly costs, each discounted (year − first_year) years."""
    return sum(c / (1.0 + rate) ** (y - first_year) for y, c in costs.items())


def annuity(amount: float, rate: float, years: int) -> float:
    """The yearly payment over ``years`` equal in present value to ``amount``."""
    if years <= 0:
        return amount
    if rate == 0:
        return amount / years
    return amount * rate / -math.expm1(-years * math.log1p(rate))  # 1 − (1+r)^−n without cancellation


def break_even_patients(model: ProjectionModel, params: ScenarioConfig, year: int, *,
                        alt: str = "alt1", low: float = 10.0, high: float = 20000.0,
                        guess: float | None = None) -> float:
    """The fewest patients at home per day (``year``'s mix) from which ``alt`` is the cheapest.

    Yearly cost with the investment and set-up spread as an annuity over the NPV horizon from the
    transition year, against every other alternative (today included), on the expected census (no
    Poisson noise). ``alt``'s margin over the cheapest other alternative falls nearly linearly as the
    volume grows (its fixed costs are spread over more patients), so its zero is found by Brent's
    method (:func:`scipy.optimize.brentq`, to 0.5 %) in a bracket grown outwards from ``guess`` (the
    central assumptions' answer, when a run has it) within ``low``–``high``: ``low`` when ``alt``
    already wins there, ``inf`` when it still loses at ``high``. The answer is the first whole patient
    count at or above the zero at which ``alt`` wins (steps in vans and shelf locations can leave it a
    little above the zero).
    """
    others = [a for a in params.delivery_models if a != alt]
    rate = params.economics.discount_rate.central
    mix = _trajectory_kind_mix(model, params, year)
    fixed = {}
    for a in params.delivery_models:
        y, amount = one_off_costs(params, a)
        fixed[a] = annuity(amount, rate, params.economics.npv_last_year - (y or year) + 1) if y else 0.0
    known: dict[int, float] = {}

    def margin(n: float) -> float:
        whole = max(int(round(n)), 1)  # the census is whole patients: each count is costed once
        if whole not in known:
            census = expected_census(model, params, year, CensusParams(whole, mix))
            mine = evaluate(model, params, census, alt, year)["cost_nok_per_year"] + fixed[alt]
            best = min(evaluate(model, params, census, a, year)["cost_nok_per_year"] + fixed[a]
                       for a in others)
            known[whole] = mine - best
        return known[whole]

    centre = min(max(guess or math.sqrt(low * high), low), high)
    lo, hi = max(low, centre / 1.25), min(high, centre * 1.25)
    while margin(lo) <= 0:
        if lo <= low:
            return float(low)
        lo, hi = max(low, lo / 2.0), lo
    while margin(hi) > 0:
        if hi >= high:
            return math.inf
        lo, hi = hi, min(high, hi * 2.0)
    zero = brentq(margin, lo, hi, xtol=1.0, rtol=BREAK_EVEN_TOLERANCE)
    n = math.ceil(zero)
    while margin(n) > 0 and n < high:
        n = math.ceil(max(n + 1.0, n * (1.0 + BREAK_EVEN_TOLERANCE)))
    return float(n)


LHS_BATCHES = 10  # independent Latin hypercubes per run: their medians give the Monte Carlo standard error


def lhs_batches(replications: int) -> list[int]:
    """The batch of each replication: ``LHS_BATCHES`` nearly equal consecutive blocks (one below 20)."""
    batches = LHS_BATCHES if replications >= 2 * LHS_BATCHES else 1
    return [r * batches // replications for r in range(replications)]


def assumption_streams(config: ScenarioConfig, seed: int, replications: int) -> list[UniformStream]:
    """Replicated Latin hypercube sampling of the uncertain assumptions, one stream per replication.

    Each batch is its own Latin hypercube: every assumption's range is cut into as many equally
    likely strata as the batch has replications and each stratum is drawn once, so the P50 settles
    with far fewer replications than independent draws; the batches are independent of each other.
    """
    k = uncertain_count(config)
    batch_of = lhs_batches(replications)
    streams: list[UniformStream] = [UniformStream([]) for _ in range(replications)]
    for b in sorted(set(batch_of)):
        members = [r for r in range(replications) if batch_of[r] == b]
        m = len(members)
        rng = replication_rng(seed, 0x4C4853, b)  # "LHS"
        design = (np.argsort(rng.random((k, m)), axis=1) + rng.random((k, m))) / m
        for i, r in enumerate(members):
            streams[r] = UniformStream(design[:, i].tolist())
    return streams


@dataclass(frozen=True, slots=True)
class _Run:
    """What every replication of one run shares (picklable: sent once to each worker process)."""

    model: ProjectionModel
    seed: int
    years: tuple[int, ...]
    alternatives: tuple[str, ...]
    census: CensusParams
    economics: bool
    break_even_from: float | None  # the central assumptions' break-even: where each search starts


def _replication(run: _Run, r: int, stream: UniformStream) -> list[Sample]:
    """All samples of replication ``r`` (its assumptions drawn from ``stream``)."""
    model, seed, years, census = run.model, run.seed, run.years, run.census
    variant = census_key(census)
    out: list[Sample] = []
    params = sample_params(model.config, stream)
    ec = params.economics
    all_years = sorted(set(years) | (set(range(ec.npv_first_year, ec.npv_last_year + 1))
                                     if run.economics else set()))
    last_year = max(years) if years else 0
    cache: dict[tuple[str, int], dict[str, float]] = {}
    drawn_by_year: dict[int, dict[str, float]] = {}

    def metrics(alt: str, year: int) -> dict[str, float]:
        eff = effective_alternative(params, alt, year)
        year = min(year, last_year)  # after the projection: the last year's level (Table 1 ends)
        if (eff, year) not in cache:
            if year not in drawn_by_year:
                mean = expected_census(model, params, year, census)
                rng = replication_rng(seed, r, year, variant)
                drawn_by_year[year] = {p: float(v) for p, v in
                                       zip(mean, rng.poisson([mean[p] for p in mean]), strict=True)}
            cache[(eff, year)] = evaluate(model, params, drawn_by_year[year], eff, year)
        return cache[(eff, year)]

    for year in years:
        for alt in run.alternatives:
            for metric, value in metrics(alt, year).items():
                out.append(Sample(r, year, alt, metric, value))
    if run.economics and years:
        for alt in run.alternatives:
            one_off_year, amount = one_off_costs(params, alt)
            costs = {y: metrics(alt, y)["cost_nok_per_year"] for y in all_years
                     if ec.npv_first_year <= y <= ec.npv_last_year}
            if one_off_year is not None and one_off_year in costs:
                costs[one_off_year] += amount
            out.append(Sample(r, years[-1], alt, "npv_cost_nok",
                              npv(costs, ec.discount_rate.central, ec.npv_first_year)))
        if run.break_even_from is not None:
            out.append(Sample(r, years[-1], "alt1", "break_even_patients_per_day",
                              break_even_patients(model, params, years[-1], guess=run.break_even_from)))
    return out


_WORKER_RUN: _Run | None = None  # set once in each worker process by _start_worker


def _start_worker(run: _Run) -> None:
    global _WORKER_RUN
    _WORKER_RUN = run


def _replications_in_worker(first: int, streams: list[UniformStream]) -> list[Sample]:
    assert _WORKER_RUN is not None
    return [s for i, stream in enumerate(streams) for s in _replication(_WORKER_RUN, first + i, stream)]


def run_fast(
    model: ProjectionModel,
    *,
    replications: int,
    seed: int,
    years: Sequence[int],
    alternatives: Sequence[str],
    census: CensusParams | None = None,
    on_replication: Callable[[int], None] | None = None,
    economics: bool = True,
    processes: int = 1,
) -> list[Sample]:
    """Monte Carlo replications of the projection; deterministic for a seed.

    Replication r takes its assumptions from row r of a replicated Latin hypercube drawn from
    (seed, replications) and year y's census from (seed, r, y, census variant): the same numbers
    come out whether cells are run together, one by one, on Dask or in ``processes`` worker processes
    (spawned, so a threaded server can ask; samples come back in replication order).
    Before an alternative's transition year its metrics are Alt 0's (today). With ``economics``
    each alternative also gets, under the last year, the NPV of its costs over the economics horizon
    (years after the last projection year cost as much as it: Table 1 and the electric shares end there)
    (Alt 0 until the transition year, then the alternative, plus investment and set-up in the
    transition year) and, for Alt 1, the break-even volume (census from the trajectory only).
    """
    census = census or CensusParams()
    streams = assumption_streams(model.config, seed, replications)
    break_even_from = None
    if economics and years and "alt1" in alternatives and census.patients_total is None:
        break_even_from = break_even_patients(model, sample_params(model.config, None), years[-1])
    run = _Run(model, seed, tuple(years), tuple(alternatives), census, economics, break_even_from)
    processes = max(1, min(processes, replications))
    if processes == 1:
        out: list[Sample] = []
        for r in range(replications):
            out.extend(_replication(run, r, streams[r]))
            if on_replication is not None:
                on_replication(r)
        return out
    chunk = max(1, min(25, replications // (4 * processes)))  # progress every few replications
    by_first: dict[int, list[Sample]] = {}
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_start_worker,
                             initargs=(run,)) as pool:
        futures = {pool.submit(_replications_in_worker, first, streams[first:first + chunk]): first
                   for first in range(0, replications, chunk)}
        for future in as_completed(futures):
            first = futures[future]
            by_first[first] = future.result()
            if on_replication is not None:
                for r in range(first, min(first + chunk, replications)):
                    on_replication(r)
    return [s for first in sorted(by_first) for s in by_first[first]]
