"""The synthetic Oslo population: patients, their enrolments, a staff roster and a vehicle pool.

A pure function of (catalogue, number of patients, seed, date, parameters): no clock, no global
random state, no I/O. The same arguments always give the same population, so a seeded database,
a test and a simulated year all see the same people. Randomness comes from one
``numpy.random.SeedSequence(seed)`` split into independent streams (patients, roster), so that
changing how the roster is drawn never moves a patient.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from hjemme.catalogue import Catalogue
from hjemme.domain.catalogue import District
from hjemme.domain.geo import Location
from hjemme.domain.pathways import Pathway, ServiceKind
from hjemme.domain.people import Enrolment, Patient, Staff, Vehicle
from hjemme.synthetic import names
from hjemme.synthetic.params import SyntheticParams
from hjemme.synthetic.roster import draw_roster

KM_PER_DEGREE_LAT = 111.32
CHILD_CLINICS = frozenset({"paediatrics"})


@dataclass(frozen=True, slots=True)
class Population:
    """Everything ``hjemme seed`` writes: every enrolment is active on ``date``."""

    date: dt.date
    seed: int
    patients: tuple[Patient, ...]
    enrolments: tuple[Enrolment, ...]
    staff: tuple[Staff, ...]
    vehicles: tuple[Vehicle, ...]


def generate_population(
    catalogue: Catalogue,
    n_patients: int,
    seed: int,
    date: dt.date,
    params: SyntheticParams | None = None,
) -> Population:
    """Draw ``n_patients`` patients, each in one pathway active on ``date``, and the staff and
    vehicles to serve them.

    Patients are spread over the districts in proportion to population, with addresses jittered
    uniformly inside each district's radius; the service kind follows ``params.service_mix`` and
    the pathway within a kind its ``share_of_kind``; the day of stay is uniform over a length
    drawn from the pathway's triangular length of stay.
    """
    if n_patients < 0:
        raise ValueError(f"n_patients must not be negative, got {n_patients}")
    params = params or SyntheticParams.from_defaults(catalogue.population)
    patient_stream, roster_stream = np.random.SeedSequence(seed).spawn(2)
    rng = np.random.default_rng(patient_stream)

    districts = [catalogue.districts[k] for k in sorted(catalogue.districts)]
    if not districts:
        raise ValueError("the catalogue has no districts to place patients in")
    population = np.array([d.population for d in districts], dtype=float)
    district_index = rng.choice(len(districts), size=n_patients, p=population / population.sum())
    pathway_choices = _pathway_sampler(catalogue, params)

    width = max(5, len(str(n_patients)))
    patients: list[Patient] = []
    enrolments: list[Enrolment] = []
    for i in range(n_patients):
        pathway = pathway_choices(rng)
        patient = _draw_patient(
            rng, f"P{i + 1:0{width}d}", districts[int(district_index[i])], pathway, date, params
        )
        patients.append(patient)
        enrolments.append(_draw_enrolment(rng, f"E{i + 1:0{width}d}", patient, pathway, date, params))

    staff, vehicles = draw_roster(np.random.default_rng(roster_stream), catalogue, enrolments, params)
    return Population(
        date=date,
        seed=seed,
        patients=tuple(patients),
        enrolments=tuple(enrolments),
        staff=tuple(staff),
        vehicles=tuple(vehicles),
    )


def _pathway_sampler(
    catalogue: Catalogue, params: SyntheticParams
) -> Callable[[np.random.Generator], Pathway]:
    """A function drawing one pathway: kind by the service mix, then pathway by share_of_kind.

    Kinds without a pathway in the catalogue drop out of the mix (their share is redistributed).
    """
    by_kind: dict[ServiceKind, list[Pathway]] = {}
    for key in sorted(catalogue.pathways):
        pathway = catalogue.pathways[key]
        by_kind.setdefault(pathway.service_kind, []).append(pathway)
    kinds = [k for k in ServiceKind if k in by_kind and params.service_mix.get(k, 0.0) > 0]
    if not kinds:
        raise ValueError("no pathway in the catalogue belongs to a service kind of the mix")
    kind_p = np.array([params.service_mix[k] for k in kinds], dtype=float)
    kind_p /= kind_p.sum()
    within: list[tuple[Sequence[Pathway], np.ndarray]] = []
    for kind in kinds:
        weights = np.array([max(p.share_of_kind, 0.0) for p in by_kind[kind]], dtype=float)
        if weights.sum() <= 0:
            weights = np.ones(len(weights))
        within.append((by_kind[kind], weights / weights.sum()))

    def draw(rng: np.random.Generator) -> Pathway:
        pathways, p = within[int(rng.choice(len(kinds), p=kind_p))]
        return pathways[int(rng.choice(len(pathways), p=p))]

    return draw


def _draw_patient(
    rng: np.random.Generator,
    ident: str,
    district: District,
    pathway: Pathway,
    date: dt.date,
    params: SyntheticParams,
) -> Patient:
    child = pathway.clinic in CHILD_CLINICS
    language_roll = rng.random()
    needs_interpreter = language_roll < params.interpreter_share
    if needs_interpreter:
        language = _pick(rng, sorted(names.INTERPRETER_LANGUAGES))
        first_names, surnames = names.INTERPRETER_LANGUAGES[language]
        name = f"{_pick(rng, first_names)} {_pick(rng, surnames)}"
    else:
        other = language_roll < params.interpreter_share + params.other_language_share
        language = _pick(rng, names.OTHER_LANGUAGES) if other else "nb"
        first_names = names.FEMALE_FIRST_NAMES if rng.random() < 0.5 else names.MALE_FIRST_NAMES
        name = f"{_pick(rng, first_names)} {_pick(rng, names.SURNAMES)}"
    age = int(rng.integers(1, 17)) if child else int(round(rng.triangular(20, 74, 98)))
    lives_alone = (not child) and bool(rng.random() < params.lives_alone_share)
    note = _pick(rng, names.DELIVERY_NOTES) if rng.random() < params.delivery_note_share else ""
    return Patient(
        id=ident,
        name=name,
        birth_year=date.year - age,
        address=_address(rng, district),
        location=_jitter(rng, district),
        district_id=district.id,
        phone=_phone(rng),
        language=language,
        needs_interpreter=needs_interpreter,
        lives_alone=lives_alone,
        clinic=pathway.clinic,
        delivery_notes=note,
    )


def _draw_enrolment(
    rng: np.random.Generator,
    ident: str,
    patient: Patient,
    pathway: Pathway,
    date: dt.date,
    params: SyntheticParams,
) -> Enrolment:
    """An enrolment whose stay includes ``date``: day of stay uniform in [0, length)."""
    los = pathway.length_of_stay
    if los.min_days == los.max_days:
        length = los.min_days
    else:
        drawn = rng.triangular(los.min_days, los.mode_days, los.max_days)
        length = min(los.max_days, max(los.min_days, int(round(drawn))))
    day = int(rng.integers(0, length))
    monitors_spo2 = any(m.code == "spo2" for m in pathway.monitoring)
    hypercapnic = monitors_spo2 and bool(rng.random() < params.hypercapnic_share)
    return Enrolment(
        id=ident,
        patient_id=patient.id,
        pathway_id=pathway.id,
        start_date=date - dt.timedelta(days=day),
        length_days=length,
        spo2_target_88_92=hypercapnic,
    )


def _jitter(rng: np.random.Generator, district: District) -> Location:
    """A point uniform inside the district's circle (radius ``radius_km`` around the centroid)."""
    radius_km = district.radius_km * math.sqrt(rng.random())
    angle = rng.random() * 2.0 * math.pi
    lat0, lon0 = district.centroid.lat, district.centroid.lon
    dlat = radius_km * math.cos(angle) / KM_PER_DEGREE_LAT
    dlon = radius_km * math.sin(angle) / (KM_PER_DEGREE_LAT * math.cos(math.radians(lat0)))
    return Location(round(lat0 + dlat, 6), round(lon0 + dlon, 6))


def _address(rng: np.random.Generator, district: District) -> str:
    street = _pick(rng, names.DISTRICT_STREETS.get(district.id, names.STREETS))
    number = int(rng.integers(1, 121))
    letter = _pick(rng, ("", "", "", "A", "B", "C"))
    low, high = names.DISTRICT_POSTCODES.get(district.id, (150, 1295))
    postcode = int(rng.integers(low, high + 1))
    return f"{street} {number}{letter}, {postcode:04d} Oslo"


def _phone(rng: np.random.Generator) -> str:
    digits = f"{_pick(rng, ('4', '9'))}{int(rng.integers(0, 10_000_000)):07d}"
    return f"+47 {digits[:3]} {digits[3:5]} {digits[5:]}"


def _pick(rng: np.random.Generator, options: Sequence[str]) -> str:
    return options[int(rng.integers(0, len(options)))]
