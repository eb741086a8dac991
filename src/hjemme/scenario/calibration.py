"""Calibration of fast mode on the day planner (issue 15, items 3 and 6).

Two measurements, both from planned synthetic days checked by the planner's independent validator:

* :func:`clinician_travel` plans a whole day (visits, videos, samples and goods with the synthetic
  roster and fleet, as ``hjemme bench day`` does) and divides the clinicians' route km and driving
  hours among their home visits, per service kind — the ``clinician_travel.km_per_visit`` and
  ``staff.travel_min_per_visit`` constants of the scenario file;
* :func:`fast_deep_table` runs deep mode for each alternative and year and sets fast mode's route
  model, applied to the same stops, beside the planner's km and vans — the check that the transport
  calibration (``transport.window_factor``, ``km_calibration``, ``trip_km``) holds within ±10 %.

Planning is slow, so these run from ``hjemme bench scenario-calibration``, never inside a projection.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hjemme.catalogue.loader import Catalogue
from hjemme.domain.resources import ResourceKind
from hjemme.domain.tasks import TaskKind
from hjemme.domain.workload import tasks_for_day
from hjemme.geo.registry import make_provider
from hjemme.planning.kpis import route_legs
from hjemme.planning.params import PlannerParams
from hjemme.planning.problem import build_problem
from hjemme.planning.resources import build_resources
from hjemme.planning.solve import solve
from hjemme.planning.validate import validate_plan
from hjemme.scenario.deep import DeepParams, run_deep
from hjemme.scenario.model import ProjectionModel
from hjemme.synthetic.population import generate_population

CALIBRATION_DATE = dt.date(2030, 3, 4)  # a Monday, as the day-planner benchmark


@dataclass(frozen=True, slots=True)
class ClinicianTravel:
    """Clinicians' driving on one planned day, per service kind of the visited patient."""

    kind: str
    visits: int
    km: float
    drive_hours: float

    @property
    def km_per_visit(self) -> float:
        return self.km / self.visits if self.visits else 0.0

    @property
    def min_per_visit(self) -> float:
        return 60.0 * self.drive_hours / self.visits if self.visits else 0.0


def clinician_travel(
    catalogue: Catalogue, *, patients: int, seed: int, time_limit_s: float
) -> tuple[list[ClinicianTravel], int]:
    """Plan a synthetic day and share each clinician route's km and hours among its home visits.

    A route's legs (base → stops → base, lab drops included) are split equally over the route's
    visits, so a kind's km per visit includes its share of driving to the lab with samples. Returns
    the rows per service kind and the number of validator violations (0 for a valid plan).
    """
    population = generate_population(catalogue, patients, seed, CALIBRATION_DATE)
    tasks = tasks_for_day(
        CALIBRATION_DATE,
        population.enrolments,
        {p.id: p for p in population.patients},
        catalogue.pathways,
        catalogue.products,
        catalogue.device_types,
    )
    resources = build_resources(population.staff, population.vehicles, catalogue.sites)
    provider = make_provider("builtin")
    problem = build_problem(CALIBRATION_DATE, tasks, resources, catalogue.lab.location, provider)
    plan = solve(problem, PlannerParams(time_limit_s=time_limit_s, seed=seed))
    violations = validate_plan(plan, problem.tasks, problem.resources, provider, problem.lab)
    kind_of_task = {t.id: catalogue.pathways[t.pathway_id].service_kind.value for t in tasks}
    totals: dict[str, list[float]] = {}
    for route in plan.routes:
        if problem.resource(route.resource_id).kind is not ResourceKind.CLINICIAN:
            continue
        visits = [s for s in route.stops if s.type == TaskKind.VISIT.value and s.task_id]
        if not visits:
            continue
        legs = route_legs(problem, route)
        km = sum(int(problem.travel.distance_m[a, b]) for a, b in legs) / 1000.0
        hours = sum(int(problem.travel.duration_s[a, b]) for a, b in legs) / 3600.0
        for stop in visits:
            acc = totals.setdefault(kind_of_task[stop.task_id], [0.0, 0.0, 0.0])  # type: ignore[index]
            acc[0] += 1
            acc[1] += km / len(visits)
            acc[2] += hours / len(visits)
    rows = [ClinicianTravel(k, int(v[0]), v[1], v[2]) for k, v in sorted(totals.items())]
    return rows, len(violations)


def fast_deep_table(
    model: ProjectionModel,
    *,
    years: Sequence[int],
    days: int,
    seed: int,
    params: DeepParams,
    alternatives: Sequence[str],
    on_day: Callable[[], None] | None = None,
) -> list[dict[str, Any]]:
    """Per year and alternative: fast and deep km and vans per day on the same stops, and their ratios."""
    rows: list[dict[str, Any]] = []
    for year in years:
        deep = run_deep(
            model, days=days, seed=seed, year=year, params=params, alternatives=alternatives, on_day=on_day
        )
        for r in deep["rows"]:
            rows.append(
                {
                    "year": year,
                    "alternative": r["alternative"],
                    "days": r["days"],
                    "stops_per_day": r["deep_stops_per_day"],
                    "fast_km": r["fast_km_per_day"],
                    "deep_km": r["deep_km_per_day"],
                    "km_ratio": r["fast_km_per_day"] / r["deep_km_per_day"] if r["deep_km_per_day"] else 0.0,
                    "fast_vans": r["fast_vehicles"],
                    "deep_vans": r["deep_vehicles"],
                    "vans_ratio": r["fast_vehicles"] / r["deep_vehicles"] if r["deep_vehicles"] else 0.0,
                    "unplanned_per_day": r["unplanned_per_day"],
                    "violations": r["validator_violations"],
                }
            )
    return rows


def within(rows: Sequence[dict[str, Any]], tolerance: float = 0.10) -> bool:
    """Whether every fast/deep ratio of km and vans lies within 1 ± ``tolerance``."""
    return all(abs(r["km_ratio"] - 1) <= tolerance and abs(r["vans_ratio"] - 1) <= tolerance for r in rows)
