"""Turn the roster and the fleet into the day's routes to plan (pure; no database).

Clinicians drive pool cars from their home base, vans go out with a driver, couriers drive courier
cars; only a courier who is trained *and* drives a qualified car may carry cytostatics.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from hjemme.domain.catalogue import Site
from hjemme.domain.people import CLINICAL_ROLES, Staff, StaffRole, Vehicle, VehicleKind
from hjemme.domain.resources import Resource, ResourceKind
from hjemme.errors import InputError


def build_resources(
    staff: Iterable[Staff], vehicles: Iterable[Vehicle], sites: Mapping[str, Site]
) -> list[Resource]:
    """One resource per member of staff who can work a route today, paired with a vehicle.

    Cars are handed to clinicians of the same home base first, then to anyone; a clinician left
    without a car still gets a route (no vehicle, no CO2: public transport is not modelled). Vans
    and courier cars without a driver, and drivers without a van, stay home.
    """
    fleet = sorted(vehicles, key=lambda v: v.id)
    people = sorted(staff, key=lambda s: s.id)
    cars = [v for v in fleet if v.kind is VehicleKind.CAR]
    vans = [v for v in fleet if v.kind in (VehicleKind.VAN, VehicleKind.COLD_VAN)]
    courier_cars = [v for v in fleet if v.kind is VehicleKind.COURIER]

    def site(site_id: str) -> Site:
        try:
            return sites[site_id]
        except KeyError:
            raise InputError("sites", f"unknown site {site_id!r}") from None

    result: list[Resource] = []
    for person in (p for p in people if p.role in CLINICAL_ROLES):
        car = _take(cars, person.home_base_site_id)
        result.append(_resource(person, car, ResourceKind.CLINICIAN, site(person.home_base_site_id)))
    for role, pool, kind in (
        (StaffRole.DRIVER, vans, ResourceKind.VAN),
        (StaffRole.COURIER, courier_cars, ResourceKind.COURIER),
    ):
        for person in (p for p in people if p.role is role):
            vehicle = _take(pool, person.home_base_site_id)
            if vehicle is not None:
                result.append(_resource(person, vehicle, kind, site(vehicle.home_site_id)))
    return result


def _take(pool: list[Vehicle], site_id: str) -> Vehicle | None:
    for i, vehicle in enumerate(pool):
        if vehicle.home_site_id == site_id:
            return pool.pop(i)
    return pool.pop(0) if pool else None


def _resource(person: Staff, vehicle: Vehicle | None, kind: ResourceKind, base: Site) -> Resource:
    qualified = person.qualified_carrier and vehicle is not None and vehicle.qualified_carrier
    return Resource(
        id=person.id,
        kind=kind,
        name=person.name,
        staff_id=person.id,
        vehicle_id=vehicle.id if vehicle else None,
        skills=person.skills,
        start=base.location,
        end=base.location,
        shift=person.shift,
        break_window=person.break_window,
        break_min=person.break_min,
        max_work_min=person.max_work_min,
        volume_l=vehicle.volume_l if vehicle else 0.0,
        weight_kg=vehicle.weight_kg if vehicle else 0.0,
        cold_chain=vehicle.cold_chain if vehicle else False,
        qualified_carrier=qualified and kind is ResourceKind.COURIER,
        co2_g_per_km=vehicle.co2_g_per_km if vehicle else 0.0,
        cost_nok_per_km=vehicle.cost_nok_per_km if vehicle else 0.0,
    )
