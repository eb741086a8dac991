"""Key figures of a plan, computed from its routes and the problem's travel matrix."""

from __future__ import annotations

from hjemme.domain.plans import BREAK_STOP, Plan, PlanKpis, Route, SampleJourney
from hjemme.domain.resources import ResourceKind
from hjemme.domain.tasks import TaskKind
from hjemme.planning.params import PlannerParams
from hjemme.planning.problem import Problem


def route_legs(problem: Problem, route: Route) -> list[tuple[int, int]]:
    """The physical legs (from row, to row) of a route, base to base; videos and breaks stay put."""
    resource = problem.resource(route.resource_id)
    places = [problem.loc(resource.start)]
    for stop in route.stops:
        if stop.type in (BREAK_STOP, TaskKind.VIDEO.value) or stop.location is None:
            continue
        places.append(problem.loc(stop.location))
    places.append(problem.loc(resource.end))
    return [(a, b) for a, b in zip(places, places[1:], strict=False) if a != b]


def plan_kpis(
    problem: Problem,
    routes: tuple[Route, ...],
    samples: tuple[SampleJourney, ...],
    unplanned: int,
    seconds: float,
) -> PlanKpis:
    km = drive_h = clinician_h = co2 = 0.0
    visits_by_patient: dict[str, int] = {}
    for route in routes:
        resource = problem.resource(route.resource_id)
        legs = route_legs(problem, route)
        metres = sum(int(problem.travel.distance_m[a, b]) for a, b in legs)
        hours = sum(int(problem.travel.duration_s[a, b]) for a, b in legs) / 3600
        km += metres / 1000
        drive_h += hours
        if resource.kind is ResourceKind.CLINICIAN:
            clinician_h += hours
        co2 += metres / 1000 * resource.co2_g_per_km / 1000
        if resource.kind is not ResourceKind.CLINICIAN:
            previous = None
            for stop in route.stops:
                if stop.patient_id and stop.type != TaskKind.SAMPLE.value:
                    if stop.patient_id != previous:
                        visits_by_patient[stop.patient_id] = visits_by_patient.get(stop.patient_id, 0) + 1
                    previous = stop.patient_id
                elif stop.type != BREAK_STOP:
                    previous = None
    ages = [s.at_lab_min - s.taken_min for s in samples]
    return PlanKpis(
        tasks_total=len(problem.tasks),
        tasks_planned=len(problem.tasks) - unplanned,
        km=round(km, 2),
        drive_hours=round(drive_h, 2),
        clinician_drive_hours=round(clinician_h, 2),
        co2_kg=round(co2, 2),
        max_sample_age_min=max(ages, default=0),
        deliveries_per_patient=round(sum(visits_by_patient.values()) / len(visits_by_patient), 2)
        if visits_by_patient
        else 0.0,
        solve_seconds=round(seconds, 3),
    )


def plan_objective(problem: Problem, plan: Plan, params: PlannerParams) -> float:
    """The issue's objective of a finished plan, in the planner's cost units, from the plan alone.

    Unplanned tasks ≫ clinicians' driving > all driving > km and CO2 > vehicles used (issue 3). It
    lets two plans of the same problem be compared whatever search made them (e.g. a 60-second plan
    against a 10-minute one), without the solvers' internal objectives.
    """
    mandatory = sum(1 for u in plan.unplanned if problem.task(u.task_id).mandatory)
    optional = len(plan.unplanned) - mandatory
    k = plan.kpis
    vehicles = sum(1 for r in plan.routes if r.vehicle_id and any(s.task_id for s in r.stops))
    return (
        mandatory * params.unplanned_mandatory_cost
        + optional * params.unplanned_optional_cost
        + k.clinician_drive_hours * 60 * params.clinician_drive_cost_per_min
        + k.drive_hours * 60 * params.drive_cost_per_min
        + k.km * params.cost_per_km
        + k.co2_kg * params.cost_per_kg_co2
        + vehicles * params.vehicle_used_cost
    )
