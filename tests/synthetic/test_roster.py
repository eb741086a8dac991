"""The synthetic staff roster and vehicle pool."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain.catalogue import SiteKind
from hjemme.domain.people import CLINICAL_ROLES, StaffRole, VehicleKind
from hjemme.synthetic import Population, generate_population

DATE = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module", params=[1, 500])
def population(request: pytest.FixtureRequest, catalogue: Catalogue) -> Population:
    return generate_population(catalogue, request.param, seed=7, date=DATE)


def test_every_pathway_skill_is_covered(catalogue: Catalogue, population: Population) -> None:
    """Every visit and video skill of every catalogue pathway, and sampling, is someone's skill."""
    staff_skills = set().union(*(s.skills for s in population.staff))
    for pathway in catalogue.pathways.values():
        for spec in (*pathway.visits, *pathway.videos):
            assert spec.skill in staff_skills, (pathway.id, spec.skill)
    assert "sampling" in staff_skills


def test_visits_fit_some_shift(catalogue: Catalogue, population: Population) -> None:
    """Each visit's window can be met by a member of staff with its skill on a shift that covers it."""
    for pathway in catalogue.pathways.values():
        for spec in pathway.visits:
            assert any(
                spec.skill in s.skills
                and s.shift.start_min <= spec.window.end_min
                and spec.window.start_min + spec.duration_min <= s.shift.end_min
                for s in population.staff
            ), (pathway.id, spec.skill, str(spec.window))


def test_roster_grows_with_patients(catalogue: Catalogue) -> None:
    """Ten times the patients needs more clinicians, vans and couriers."""
    small = generate_population(catalogue, 100, seed=1, date=DATE)
    large = generate_population(catalogue, 1000, seed=1, date=DATE)
    for role in (StaffRole.NURSE, StaffRole.DRIVER, StaffRole.COURIER):
        assert sum(s.role is role for s in large.staff) > sum(s.role is role for s in small.staff)


def test_staff_shifts_and_bases(catalogue: Catalogue, population: Population) -> None:
    """Staff work from a catalogue site, have a 30-minute break inside their shift and a work cap."""
    for member in population.staff:
        assert member.home_base_site_id in catalogue.sites
        assert member.break_window is not None and member.break_min == 30
        assert member.shift.start_min <= member.break_window.start_min
        assert member.break_window.end_min <= member.shift.end_min
        assert 0 < member.max_work_min <= member.shift.width_min
        if member.role in CLINICAL_ROLES:
            assert catalogue.sites[member.home_base_site_id].kind is SiteKind.HOSPITAL


def test_vehicle_pool(population: Population) -> None:
    """Cold-chain vans (at least one, one per 100 patients), vans with capacity, qualified couriers, e-cars."""
    kinds = [v.kind for v in population.vehicles]
    assert kinds.count(VehicleKind.COLD_VAN) == max(1, math.ceil(len(population.patients) / 100))
    assert all(v.cold_chain for v in population.vehicles if v.kind is VehicleKind.COLD_VAN)
    assert kinds.count(VehicleKind.VAN) >= 2
    assert all(v.volume_l > 1000 and v.weight_kg > 500 for v in population.vehicles
               if v.kind is VehicleKind.VAN)
    couriers = [v for v in population.vehicles if v.kind is VehicleKind.COURIER]
    assert couriers and all(v.qualified_carrier for v in couriers)
    assert all(v.electric for v in population.vehicles if v.kind is VehicleKind.CAR)
    courier_staff = [s for s in population.staff if s.role is StaffRole.COURIER]
    assert len(courier_staff) == len(couriers) and all(s.qualified_carrier for s in courier_staff)
    drivers = [s for s in population.staff if s.role is StaffRole.DRIVER]
    assert len(drivers) == kinds.count(VehicleKind.VAN) + kinds.count(VehicleKind.COLD_VAN)
