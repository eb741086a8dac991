"""Deep mode: build real days from the census and route them with the day planner (issue 4, item 3).

For each sampled day: draw the census of the projection year (central assumptions, Poisson
census), draw that many synthetic patients in Oslo's districts (``hjemme.synthetic``), turn their
enrolments into the day's tasks (``tasks_for_day``), keep the transport work (deliveries, pick-ups,
device swaps) and split it the way each delivery model ships it: Alt 1 as one consolidated stop
per patient from the logistics centre; Alt 2 and Alt 3 one task per supplying node (the clinic's
hospital for Alt 3's clinic flows). Each origin is planned as its own problem with its own vans
(``build_resources`` + ``solve``), so goods never leave from the wrong node, and every plan is
checked by the planner's independent validator.

Fast mode is then applied to the *same* day's stops per origin (:func:`route_estimate`), so the
reported difference is the error of the analytic route model, not of the census. Deep mode routes
the day's needs as they fall; it does not batch needs to a flow's weekly delivery days.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from hjemme.catalogue import load_catalogue
from hjemme.catalogue.loader import Catalogue
from hjemme.domain.pathways import ServiceKind
from hjemme.domain.people import Staff, StaffRole, Vehicle, VehicleKind
from hjemme.domain.resources import ResourceKind
from hjemme.domain.tasks import Goods, Task, TaskKind
from hjemme.domain.time import TimeWindow
from hjemme.domain.workload import tasks_for_day
from hjemme.geo.registry import make_provider
from hjemme.planning.params import PlannerParams
from hjemme.planning.problem import build_problem
from hjemme.planning.resources import build_resources
from hjemme.planning.solve import solve
from hjemme.planning.validate import validate_plan
from hjemme.scenario.config import SERVICE_KINDS, ScenarioConfig
from hjemme.scenario.fast import CensusParams, expected_census, replication_rng, route_estimate
from hjemme.scenario.model import ProjectionModel, build_model, sample_params, site_of
from hjemme.scenario.profiles import usable_window_h
from hjemme.synthetic.params import SyntheticParams
from hjemme.synthetic.population import generate_population

TRANSPORT_KINDS = (TaskKind.DELIVERY, TaskKind.PICKUP, TaskKind.DEVICE_SWAP)
_DEEP_REPLICATION_OFFSET = 1_000_000  # deep days draw censuses apart from fast-mode replications


@dataclass(frozen=True, slots=True)
class DeepParams:
    """How deep mode builds and plans a day; small defaults keep it usable on a laptop."""

    time_limit_s: float = 1.0  # routing search per planned day
    census_scale: float = 1.0  # plan a fraction of the census (benchmarks, tests)
    stops_per_van: int = 12  # vans offered per origin = ceil(stops / this) + 1
    start_date: dt.date = dt.date(2030, 1, 7)  # a Monday; day k is start_date + k


@dataclass(frozen=True, slots=True)
class DeepDayResult:
    day: int
    alternative: str
    patients: int
    deep_stops: int
    deep_km: float
    deep_vehicles: int
    deep_unplanned: int
    fast_stops: float  # expected stops per day from fast mode's profiles, same census scale
    fast_km: float
    fast_vehicles: float
    violations: int


def day_tasks(catalogue: Catalogue, model: ProjectionModel, year: int, day: int, seed: int,
              params: DeepParams) -> tuple[int, list[Task]]:
    """The transport tasks of synthetic day ``day`` (same for every alternative)."""
    central = sample_params(model.config, None)
    mean = expected_census(model, central, year, CensusParams())
    rng = replication_rng(seed, _DEEP_REPLICATION_OFFSET + day, year)
    census = dict(zip(mean, rng.poisson([mean[p] * params.census_scale for p in mean]).tolist(), strict=True))
    total = int(sum(census.values()))
    kinds = {k: sum(v for p, v in census.items() if model.pathways[p].kind == k) for k in SERVICE_KINDS}
    mix = {ServiceKind(k): (v / total if total else 1 / 3) for k, v in kinds.items()}
    synth = dataclasses.replace(SyntheticParams.from_defaults(catalogue.population), service_mix=mix)
    date = params.start_date + dt.timedelta(days=day)
    population = generate_population(catalogue, total, seed * 1000 + day, date, synth)
    patients = {p.id: p for p in population.patients}
    tasks = tasks_for_day(date, population.enrolments, patients, catalogue.pathways, catalogue.products,
                          catalogue.device_types)
    return total, [dataclasses.replace(t, before=()) for t in tasks if t.kind in TRANSPORT_KINDS]


def split_by_origin(tasks: Sequence[Task], model: ProjectionModel, alt: str,
                    catalogue: Catalogue) -> dict[str, list[Task]]:
    """Group a day's transport tasks by the site they leave from under delivery model ``alt``."""
    config = model.config
    dm = config.delivery_models[alt]  # type: ignore[index]
    flows = dm.flows
    clinic_of = {pid: p.clinic for pid, p in catalogue.pathways.items()}
    out: dict[str, list[Task]] = {}
    for task in tasks:
        goods = task.goods
        if goods is None:
            continue
        by_site: dict[str, list[Any]] = {}
        for line in goods.lines:
            flow = flows[model.product_flow[alt][line.product_id]]
            node = flows[0].node if dm.consolidation == "per_patient_day" else flow.node
            site = site_of(config, alt, node, clinic_of[task.pathway_id])
            by_site.setdefault(site, []).append(line)
        for i, (site, lines) in enumerate(sorted(by_site.items())):
            part = Goods.of(tuple(lines), catalogue.products)
            out.setdefault(site, []).append(dataclasses.replace(task, id=f"{task.id}-{i}", goods=part))
    return out


def _resources(site: str, n_tasks: int, qualified: bool, config: ScenarioConfig, catalogue: Catalogue,
               params: DeepParams) -> list[Any]:
    vt = config.vehicle_types[config.transport.vehicle_type]
    shift_min = round(config.transport.shift_hours.central * 60)
    shift = TimeWindow(7 * 60 + 30, 7 * 60 + 30 + shift_min + 30)
    staff, vehicles = [], []
    for i in range(math.ceil(n_tasks / params.stops_per_van) + 1):
        staff.append(Staff(f"{site}-drv{i}", f"Sjåfør {i}", StaffRole.DRIVER, frozenset(), site, shift,
                           TimeWindow(11 * 60, 13 * 60), 30, shift_min, "transport"))
        vehicles.append(Vehicle(f"{site}-van{i}", f"Varebil {i}", VehicleKind.VAN,
                                vt.capacity_l.central * vt.load_factor.central, 800.0, True, False, True,
                                0.0, vt.cost_nok_per_km.central, site))
    if qualified:
        staff.append(Staff(f"{site}-cour", "Kurer", StaffRole.COURIER, frozenset(), site, shift,
                           TimeWindow(11 * 60, 13 * 60), 30, shift_min, "transport", qualified_carrier=True))
        vehicles.append(Vehicle(f"{site}-courcar", "Kurerbil", VehicleKind.COURIER, 400.0, 200.0, True, True,
                                True, 0.0, vt.cost_nok_per_km.central, site))
    return build_resources(staff, vehicles, catalogue.sites)


def plan_day(model: ProjectionModel, catalogue: Catalogue, alt: str, day: int, year: int, seed: int,
             params: DeepParams) -> DeepDayResult:
    """Build, split, plan and validate one day under one delivery model; compare with fast mode."""
    patients, tasks = day_tasks(catalogue, model, year, day, seed, params)
    central = sample_params(model.config, None)
    provider = make_provider("builtin")
    stops = km = fast_km = fast_hours = fast_vans = 0.0
    vehicles = unplanned = violations = 0
    for site, group in sorted(split_by_origin(tasks, model, alt, catalogue).items()):
        qualified = any(t.goods is not None and t.goods.qualified_carrier for t in group)
        resources = _resources(site, len(group), qualified, model.config, catalogue, params)
        problem = build_problem(params.start_date + dt.timedelta(days=day), group, resources,
                                catalogue.lab.location, provider)
        plan = solve(problem, PlannerParams(time_limit_s=params.time_limit_s, seed=seed + day))
        violations += len(validate_plan(plan, group, resources, provider, catalogue.lab.location))
        used = [r for r in plan.routes if any(s.task_id for s in r.stops)]
        vehicles += sum(1 for r in used if r.kind in (ResourceKind.VAN, ResourceKind.COURIER))
        unplanned += len(plan.unplanned)
        km += plan.kpis.km
        n_stops = len({(t.patient_id) for t in group})
        stops += n_stops
        litres = sum(t.goods.volume_l for t in group if t.goods is not None)
        window_h: dict[str, float] = {}  # a patient's stop is as tight as its tightest task window
        for t in group:
            w = usable_window_h((t.window.start_min, t.window.end_min))
            window_h[t.patient_id] = min(window_h.get(t.patient_id, w), w)
        inv_window = sum(1.0 / w for w in window_h.values()) / max(n_stops, 1)
        trips, fkm, fh = route_estimate(model, central, site, n_stops, litres / max(n_stops, 1), inv_window)
        fast_km += fkm
        fast_hours += fh
        fast_vans += max(trips, math.ceil(fh / central.transport.shift_hours.central - 1e-9))
    mean = expected_census(model, central, year, CensusParams())
    fast_stops = sum(mean[p] * params.census_scale * model.profiles[alt][p].stops for p in mean)
    return DeepDayResult(day, alt, patients, int(stops), km, vehicles, unplanned, fast_stops, fast_km,
                         float(fast_vans), violations)


@lru_cache(maxsize=2)
def _model(config_json: str) -> ProjectionModel:
    return build_model(ScenarioConfig.model_validate_json(config_json), load_catalogue())


def plan_day_job(
    config_json: str, alt: str, day: int, year: int, seed: int, params: DeepParams
) -> DeepDayResult:
    """Picklable entry point for Dask workers (the model is rebuilt once per worker process)."""
    return plan_day(_model(config_json), load_catalogue(), alt, day, year, seed, params)


def run_deep(
    model: ProjectionModel,
    *,
    days: int,
    seed: int,
    year: int,
    workers: int = 1,
    scheduler: str | None = None,
    params: DeepParams | None = None,
    alternatives: Sequence[str] = ("alt1", "alt2", "alt3"),
    on_day: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Plan ``days`` synthetic days per alternative (on Dask when ``workers`` > 1) and summarise."""
    params = params or DeepParams()
    config_json = model.config.model_dump_json()
    jobs = [(alt, d) for d in range(days) for alt in alternatives]
    results: list[DeepDayResult] = []
    if workers <= 1 and scheduler is None:
        catalogue = load_catalogue()
        for alt, d in jobs:
            results.append(plan_day(model, catalogue, alt, d, year, seed, params))
            if on_day:
                on_day()
    else:
        from dask.distributed import Client, LocalCluster, as_completed

        cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1,
                                                      processes=True, dashboard_address=None)
        try:
            with Client(scheduler or cluster) as client:
                futures = [client.submit(plan_day_job, config_json, alt, d, year, seed, params, pure=False)
                           for alt, d in jobs]
                for future in as_completed(futures):
                    results.append(future.result())
                    if on_day:
                        on_day()
        finally:
            if cluster is not None:
                cluster.close()
    results.sort(key=lambda r: (r.alternative, r.day))
    return summarise_deep(results, year, params.census_scale)


def summarise_deep(results: Sequence[DeepDayResult], year: int, census_scale: float = 1.0) -> dict[str, Any]:
    """Per alternative: mean stops, km and vehicles per day, fast vs deep, and the per-day rows."""
    rows = []
    for alt in sorted({r.alternative for r in results}):
        rs = [r for r in results if r.alternative == alt]
        n = len(rs)

        def mean(values: Sequence[float], n: int = n) -> float:
            return sum(values) / n

        deep_km = mean([r.deep_km for r in rs])
        fast_km = mean([r.fast_km for r in rs])
        rows.append({
            "alternative": alt, "days": n,
            "fast_stops_per_day": mean([r.fast_stops for r in rs]),
            "deep_stops_per_day": mean([r.deep_stops for r in rs]),
            "fast_km_per_day": fast_km, "deep_km_per_day": deep_km,
            "km_difference_pct": 100.0 * (fast_km - deep_km) / deep_km if deep_km else 0.0,
            "fast_vehicles": mean([r.fast_vehicles for r in rs]),
            "deep_vehicles": mean([r.deep_vehicles for r in rs]),
            "unplanned_per_day": mean([r.deep_unplanned for r in rs]),
            "validator_violations": sum(r.violations for r in rs),
        })
    n_days = len({r.day for r in results})
    days_text = "1 syntetisk dag" if n_days == 1 else f"{n_days} syntetiske dager"
    scale_text = "" if census_scale == 1.0 else f" med {census_scale:g} av belegget"
    status = (f"Dyp modus: {days_text} i {year}{scale_text} planlagt med "
              "ruteplanleggeren (hver node for seg, kontrollert av den uavhengige validatoren). "
              "Rask modus er brukt på de samme stoppene, så forskjellen viser feilen i den analytiske "
              "rutemodellen. Dyp modus samler ikke behov til ukentlige leveringsdager.")
    return {"status": status, "year": year, "rows": rows,
            "days": [dataclasses.asdict(r) for r in results]}


def deep_rows_by_alt(deep: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {r["alternative"]: r for r in deep.get("rows", [])}
