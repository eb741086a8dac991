"""The synthetic Oslo population: deterministic, spread like Oslo, active on the seed date."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain.pathways import ServiceKind
from hjemme.domain.workload import tasks_for_day
from hjemme.synthetic import Population, SyntheticParams, generate_population

DATE = dt.date(2026, 11, 23)
N = 3000


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def large(catalogue: Catalogue) -> Population:
    return generate_population(catalogue, N, seed=7, date=DATE)


def test_same_seed_same_population(catalogue: Catalogue) -> None:
    """Generating twice with the same seed gives identical patients, staff and vehicles."""
    first = generate_population(catalogue, 200, seed=11, date=DATE)
    assert generate_population(catalogue, 200, seed=11, date=DATE) == first
    assert generate_population(catalogue, 200, seed=12, date=DATE).patients != first.patients


def test_district_shares_follow_population(catalogue: Catalogue, large: Population) -> None:
    """Each district's share of 3000 patients is within 3 percentage points of its population share."""
    total = sum(d.population for d in catalogue.districts.values())
    counts = Counter(p.district_id for p in large.patients)
    for district in catalogue.districts.values():
        assert abs(counts[district.id] / N - district.population / total) < 0.03, district.id


def test_addresses_lie_inside_their_district(catalogue: Catalogue, large: Population) -> None:
    """Every patient's location lies within the radius of its district's centroid."""
    for patient in large.patients:
        district = catalogue.districts[patient.district_id]
        dlat_km = (patient.location.lat - district.centroid.lat) * 111.32
        dlon_km = (
            (patient.location.lon - district.centroid.lon)
            * 111.32
            * math.cos(math.radians(district.centroid.lat))
        )
        assert math.hypot(dlat_km, dlon_km) <= district.radius_km + 0.01


def test_every_enrolment_is_active_on_the_date(catalogue: Catalogue, large: Population) -> None:
    """Each patient has one enrolment, in a catalogue pathway, whose stay includes the date."""
    assert [e.patient_id for e in large.enrolments] == [p.id for p in large.patients]
    for enrolment in large.enrolments:
        assert enrolment.is_active(DATE)
        los = catalogue.pathways[enrolment.pathway_id].length_of_stay
        assert los.min_days <= enrolment.length_days <= los.max_days


def test_shares_of_the_population(catalogue: Catalogue, large: Population) -> None:
    """Interpreter need (~8 %), living alone among adults (~48 %) and the service mix match the params."""
    params = SyntheticParams.from_defaults(catalogue.population)
    interpreter = sum(p.needs_interpreter for p in large.patients) / N
    assert abs(interpreter - params.interpreter_share) < 0.02
    assert all(p.language != "nb" for p in large.patients if p.needs_interpreter)
    adults = [p for p in large.patients if DATE.year - p.birth_year >= 18]
    assert abs(sum(p.lives_alone for p in adults) / len(adults) - params.lives_alone_share) < 0.03
    kinds = Counter(catalogue.pathways[e.pathway_id].service_kind for e in large.enrolments)
    for kind in ServiceKind:
        assert abs(kinds[kind] / N - params.service_mix[kind]) < 0.03, kind


def test_patients_have_their_pathways_clinic(catalogue: Catalogue, large: Population) -> None:
    """A patient's clinic is the clinic of the pathway it is enrolled in."""
    patients = {p.id: p for p in large.patients}
    for enrolment in large.enrolments:
        assert patients[enrolment.patient_id].clinic == catalogue.pathways[enrolment.pathway_id].clinic


def test_a_kind_without_share_is_never_drawn(catalogue: Catalogue) -> None:
    """With the DHO share set to zero no patient is enrolled in a digital pathway."""
    params = SyntheticParams(service_mix={ServiceKind.AHS: 1.0, ServiceKind.DHO: 0.0})
    population = generate_population(catalogue, 100, seed=3, date=DATE, params=params)
    assert {catalogue.pathways[e.pathway_id].service_kind for e in population.enrolments} == {
        ServiceKind.AHS
    }


def test_the_day_of_work_can_be_derived(catalogue: Catalogue) -> None:
    """The population's enrolments turn into tasks whose skills some staff member has."""
    population = generate_population(catalogue, 300, seed=5, date=DATE)
    tasks = tasks_for_day(
        DATE,
        population.enrolments,
        {p.id: p for p in population.patients},
        catalogue.pathways,
        catalogue.products,
        catalogue.device_types,
    )
    assert tasks
    staff_skills = set().union(*(s.skills for s in population.staff))
    assert {t.skill for t in tasks if t.skill} <= staff_skills


@settings(max_examples=15, deadline=None)
@given(n=st.integers(0, 40), seed=st.integers(0, 2**32 - 1), offset_days=st.integers(-400, 400))
def test_invariants_for_any_seed(n: int, seed: int, offset_days: int) -> None:
    """For any size, seed and date, ids are unique and every enrolment is active on the date."""
    date = DATE + dt.timedelta(days=offset_days)
    population = generate_population(load_catalogue(), n, seed=seed, date=date)
    assert len(population.patients) == len(population.enrolments) == n
    assert len({p.id for p in population.patients}) == n
    assert len({s.id for s in population.staff}) == len(population.staff)
    assert len({v.id for v in population.vehicles}) == len(population.vehicles)
    assert all(e.is_active(date) for e in population.enrolments)


def test_negative_size_is_refused(catalogue: Catalogue) -> None:
    """Asking for a negative number of patients raises ValueError."""
    with pytest.raises(ValueError, match="negative"):
        generate_population(catalogue, -1, seed=1, date=DATE)
