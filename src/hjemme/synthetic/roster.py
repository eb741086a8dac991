"""The staff roster and vehicle pool of a synthetic population, sized to its patients' work.

Clinicians are counted per skill from the pathways' expected daily minutes (visits and video
consultations plus a travel or documentation allowance), so a population of 3000 gets a roster
that can serve it and every skill any pathway asks for has at least one person. Shifts, breaks,
vehicle capacities and emissions below are assumptions to calibrate against OUS rosters and
OSS Transport's fleet.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from hjemme.catalogue import Catalogue
from hjemme.domain.catalogue import Site, SiteKind
from hjemme.domain.pathways import Pathway
from hjemme.domain.people import Enrolment, Staff, StaffRole, Vehicle, VehicleKind
from hjemme.domain.time import TimeWindow
from hjemme.synthetic import names
from hjemme.synthetic.params import SyntheticParams

SAMPLING_SKILL = "sampling"  # the skill hjemme.domain.workload gives a sampling-only visit
NURSE_SKILL = "nurse"
ROLE_OF_SKILL: Mapping[str, StaffRole] = {
    "doctor": StaffRole.DOCTOR,
    "physio": StaffRole.PHYSIOTHERAPIST,
    "psychologist": StaffRole.PSYCHOLOGIST,
    SAMPLING_SKILL: StaffRole.PARAMEDIC,
}  # any other skill is a nurse speciality

DAY_SHIFT = TimeWindow(7 * 60 + 30, 15 * 60 + 30)
DAY_BREAK = TimeWindow(11 * 60, 13 * 60)
EVENING_SHIFT = TimeWindow(14 * 60, 22 * 60)
EVENING_BREAK = TimeWindow(19 * 60 + 30, 21 * 60)
DRIVER_SHIFT = TimeWindow(6 * 60, 14 * 60)  # deliveries must arrive before morning visits
DRIVER_BREAK = TimeWindow(10 * 60, 12 * 60)
COURIER_SHIFT = TimeWindow(7 * 60, 15 * 60)
COURIER_BREAK = TimeWindow(11 * 60, 12 * 60 + 30)
LATE_COURIER_SHIFT = TimeWindow(11 * 60, 19 * 60)  # afternoon samples still reach the lab
LATE_COURIER_BREAK = TimeWindow(14 * 60 + 30, 16 * 60)
BREAK_MIN = 30
MAX_WORK_MIN = 450  # 7.5 h: a Norwegian 37.5-hour week
TRANSPORT_CLINIC = "transport"  # OSS Transport, the hospital's transport service

# Where each clinic's home-care staff start their day (assumption; unknown clinics rotate).
CLINIC_SITES: Mapping[str, str] = {
    "haematology": "rikshospitalet",
    "paediatrics": "rikshospitalet",
    "cardiology": "rikshospitalet",
    "nephrology": "rikshospitalet",
    "pulmonology": "ullevaal",
    "infectious_diseases": "ullevaal",
    "palliative_care": "ullevaal",
    "dermatology": "ullevaal",
    "oncology": "radiumhospitalet",
    "psychiatry": "aker",
    "clinical_service": "aker",
}


@dataclass(frozen=True, slots=True)
class VehicleSpec:
    """Capacity and running figures of one kind of vehicle (assumptions)."""

    label: str
    kind: VehicleKind
    volume_l: float
    weight_kg: float
    cold_chain: bool
    qualified_carrier: bool
    electric: bool
    co2_g_per_km: float  # well-to-wheel on the Norwegian grid for electric vehicles
    cost_nok_per_km: float


POOL_CAR = VehicleSpec("Bilpool elbil", VehicleKind.CAR, 350.0, 400.0, False, False, True, 15.0, 2.5)
VAN = VehicleSpec("Varebil", VehicleKind.VAN, 4600.0, 900.0, False, False, True, 25.0, 4.0)
COLD_VAN = VehicleSpec("Kjølebil", VehicleKind.COLD_VAN, 3500.0, 800.0, True, False, True, 30.0, 5.0)
COURIER_CAR = VehicleSpec("Kurerbil", VehicleKind.COURIER, 400.0, 250.0, True, True, True, 15.0, 3.0)


def draw_roster(
    rng: np.random.Generator,
    catalogue: Catalogue,
    enrolments: Sequence[Enrolment],
    params: SyntheticParams,
) -> tuple[list[Staff], list[Vehicle]]:
    """Staff (clinicians per skill and shift, paramedics, drivers, couriers) and vehicles."""
    hospitals = _sites(catalogue, SiteKind.HOSPITAL)
    if not hospitals:
        raise ValueError("the catalogue has no hospital site to base staff at")
    demand, clinics = _skill_demand(catalogue, enrolments, params)
    n_patients = len(enrolments)
    nurse_specialities = sorted(
        skill for skill, _ in demand if skill not in ROLE_OF_SKILL and skill != NURSE_SKILL
    )

    staff: list[Staff] = []

    def add(
        role: StaffRole,
        skills: frozenset[str],
        site: str,
        shift: TimeWindow,
        break_window: TimeWindow,
        clinic: str,
        qualified: bool = False,
    ) -> Staff:
        member = Staff(
            id=f"S{len(staff) + 1:04d}",
            name=_staff_name(rng),
            role=role,
            skills=skills,
            home_base_site_id=site,
            shift=shift,
            break_window=break_window,
            break_min=BREAK_MIN,
            max_work_min=MAX_WORK_MIN,
            clinic=clinic,
            qualified_carrier=qualified,
        )
        staff.append(member)
        return member

    for (skill, evening), minutes in sorted(demand.items()):
        needed = math.ceil(minutes * params.staffing_headroom / params.productive_min_per_shift)
        count = max(needed, 1)
        role = ROLE_OF_SKILL.get(skill, StaffRole.NURSE)
        skill_clinics = clinics[skill]
        for i in range(count):
            clinic = skill_clinics[i % len(skill_clinics)]
            skills = {skill}
            if role is StaffRole.NURSE:
                skills |= {NURSE_SKILL, SAMPLING_SKILL}
                others = [s for s in nurse_specialities if s != skill]
                if others and rng.random() < params.cross_training_share:
                    skills.add(others[int(rng.integers(0, len(others)))])
            add(
                role,
                frozenset(skills),
                _home_site(clinic, i, catalogue, hospitals),
                EVENING_SHIFT if evening else DAY_SHIFT,
                EVENING_BREAK if evening else DAY_BREAK,
                clinic,
            )
    for i in range(max(1, math.ceil(n_patients / params.patients_per_paramedic))):
        add(
            StaffRole.PARAMEDIC,
            frozenset({SAMPLING_SKILL}),
            hospitals[i % len(hospitals)].id,
            DAY_SHIFT,
            DAY_BREAK,
            "prehospital",
        )
    clinicians = list(staff)

    vehicles: list[Vehicle] = []

    def add_vehicle(spec: VehicleSpec, site: str) -> None:
        number = sum(v.kind is spec.kind for v in vehicles) + 1
        vehicles.append(
            Vehicle(
                id=f"{spec.kind.value.upper()}{number:03d}",
                name=f"{spec.label} {number}",
                kind=spec.kind,
                volume_l=spec.volume_l,
                weight_kg=spec.weight_kg,
                cold_chain=spec.cold_chain,
                qualified_carrier=spec.qualified_carrier,
                electric=spec.electric,
                co2_g_per_km=spec.co2_g_per_km,
                cost_nok_per_km=spec.cost_nok_per_km,
                home_site_id=site,
            )
        )

    for member in clinicians[: math.ceil(len(clinicians) * params.pool_cars_per_clinician)]:
        add_vehicle(POOL_CAR, member.home_base_site_id)
    depot = (_sites(catalogue, SiteKind.LOGISTICS_CENTRE) or hospitals)[0].id
    for _ in range(max(2, math.ceil(n_patients / params.patients_per_van))):
        add_vehicle(VAN, depot)
        add(StaffRole.DRIVER, frozenset(), depot, DRIVER_SHIFT, DRIVER_BREAK, TRANSPORT_CLINIC)
    for _ in range(max(1, math.ceil(n_patients / params.patients_per_cold_van))):
        add_vehicle(COLD_VAN, depot)
        add(StaffRole.DRIVER, frozenset(), depot, DRIVER_SHIFT, DRIVER_BREAK, TRANSPORT_CLINIC)
    pharmacy = (_sites(catalogue, SiteKind.PHARMACY) or hospitals)[0].id
    for i in range(max(2, math.ceil(n_patients / params.patients_per_courier))):
        add_vehicle(COURIER_CAR, pharmacy)
        late = i % 3 == 2  # two of three couriers take the morning cytostatics round
        add(
            StaffRole.COURIER,
            frozenset(),
            pharmacy,
            LATE_COURIER_SHIFT if late else COURIER_SHIFT,
            LATE_COURIER_BREAK if late else COURIER_BREAK,
            TRANSPORT_CLINIC,
            qualified=True,
        )
    return staff, vehicles


def _skill_demand(
    catalogue: Catalogue, enrolments: Sequence[Enrolment], params: SyntheticParams
) -> tuple[dict[tuple[str, bool], float], dict[str, list[str]]]:
    """Expected clinician minutes per day per (skill, evening shift), and each skill's clinics
    ordered by how much of that skill they need.

    Every skill of every catalogue pathway appears (with zero minutes if no patient needs it),
    so that the roster covers the whole catalogue, not only today's mix.
    """
    demand: dict[tuple[str, bool], float] = defaultdict(float)
    clinic_minutes: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for key in sorted(catalogue.pathways):
        pathway = catalogue.pathways[key]
        for spec in (*pathway.visits, *pathway.videos):
            demand[(spec.skill, _evening(spec.window, spec.duration_min))] += 0.0
            clinic_minutes[spec.skill][pathway.clinic] += 0.0
    cache: dict[tuple[str, int], list[tuple[str, bool, float]]] = {}
    for enrolment in enrolments:
        cache_key = (enrolment.pathway_id, enrolment.length_days)
        if cache_key not in cache:
            cache[cache_key] = _pathway_minutes(
                catalogue.pathways[enrolment.pathway_id], enrolment.length_days, params
            )
        pathway = catalogue.pathways[enrolment.pathway_id]
        for skill, evening, minutes in cache[cache_key]:
            demand[(skill, evening)] += minutes
            clinic_minutes[skill][pathway.clinic] += minutes
    clinics = {
        skill: sorted(by_clinic, key=lambda c: (-by_clinic[c], c))
        for skill, by_clinic in clinic_minutes.items()
    }
    return dict(demand), clinics


def _pathway_minutes(
    pathway: Pathway, length_days: int, params: SyntheticParams
) -> list[tuple[str, bool, float]]:
    minutes = [
        (
            spec.skill,
            _evening(spec.window, spec.duration_min),
            spec.schedule.occurrences_per_week(length_days)
            / 7.0
            * (spec.duration_min + params.visit_travel_allowance_min),
        )
        for spec in pathway.visits
    ]
    minutes += [
        (
            spec.skill,
            _evening(spec.window, spec.duration_min),
            spec.schedule.occurrences_per_week(length_days)
            / 7.0
            * (spec.duration_min + params.video_overhead_min),
        )
        for spec in pathway.videos
    ]
    return minutes


def _evening(window: TimeWindow, duration_min: int) -> bool:
    """True when the activity cannot be finished within the day shift."""
    return window.start_min + duration_min > DAY_SHIFT.end_min


def _sites(catalogue: Catalogue, kind: SiteKind) -> list[Site]:
    return [catalogue.sites[k] for k in sorted(catalogue.sites) if catalogue.sites[k].kind is kind]


def _home_site(clinic: str, index: int, catalogue: Catalogue, hospitals: Sequence[Site]) -> str:
    site = CLINIC_SITES.get(clinic)
    if site in catalogue.sites:
        return site  # type: ignore[return-value]
    return hospitals[index % len(hospitals)].id


def _staff_name(rng: np.random.Generator) -> str:
    first = names.FEMALE_FIRST_NAMES if rng.random() < 0.6 else names.MALE_FIRST_NAMES
    return (
        f"{first[int(rng.integers(0, len(first)))]} "
        f"{names.SURNAMES[int(rng.integers(0, len(names.SURNAMES)))]}"
    )
