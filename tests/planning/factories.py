"""Plain-function factories for small hand-built planning days ("oslo_small" and friends)."""

from __future__ import annotations

import datetime as dt

from hjemme.domain.geo import Location
from hjemme.domain.pathways import GoodsLine
from hjemme.domain.resources import Resource, ResourceKind
from hjemme.domain.tasks import Goods, Task, TaskKind
from hjemme.domain.time import TimeWindow
from hjemme.geo import BuiltinTravelTimeProvider
from hjemme.planning.problem import Problem, build_problem

DAY = dt.date(2030, 3, 4)
LAB = Location(59.9440, 10.7190)
RIKSHOSPITALET = Location(59.9495, 10.7136)
ULLEVAAL = Location(59.9369, 10.7373)
LOGISTICS = Location(59.9300, 10.6611)
HOMES = (
    Location(59.905, 10.780),
    Location(59.925, 10.770),
    Location(59.937, 10.757),
    Location(59.927, 10.740),
    Location(59.918, 10.705),
    Location(59.940, 10.810),
    Location(59.890, 10.830),
    Location(59.955, 10.755),
)


def window(start: str, end: str) -> TimeWindow:
    return TimeWindow.parse(start, end)


def clinician(
    rid: str = "n1",
    skills: tuple[str, ...] = ("nursing", "sampling", "oncology"),
    shift: tuple[str, str] = ("07:30", "15:30"),
    base: Location = RIKSHOSPITALET,
    break_window: tuple[str, str] | None = ("11:00", "13:00"),
    max_work_min: int = 450,
) -> Resource:
    return Resource(
        id=rid,
        kind=ResourceKind.CLINICIAN,
        name=rid,
        staff_id=rid,
        vehicle_id=f"car-{rid}",
        skills=frozenset(skills),
        start=base,
        end=base,
        shift=window(*shift),
        break_window=window(*break_window) if break_window else None,
        break_min=30,
        max_work_min=max_work_min,
        volume_l=200,
        weight_kg=100,
        cold_chain=False,
        qualified_carrier=False,
        co2_g_per_km=0.0,
        cost_nok_per_km=2.0,
    )


def carrier(
    rid: str = "v1",
    kind: ResourceKind = ResourceKind.VAN,
    cold_chain: bool = True,
    qualified: bool = False,
    volume_l: float = 2000,
    weight_kg: float = 600,
    shift: tuple[str, str] = ("07:00", "15:00"),
    base: Location = LOGISTICS,
) -> Resource:
    return Resource(
        id=rid,
        kind=kind,
        name=rid,
        staff_id=f"d-{rid}",
        vehicle_id=f"veh-{rid}",
        skills=frozenset(),
        start=base,
        end=base,
        shift=window(*shift),
        break_window=window("11:00", "13:00"),
        break_min=30,
        max_work_min=450,
        volume_l=volume_l,
        weight_kg=weight_kg,
        cold_chain=cold_chain,
        qualified_carrier=qualified,
        co2_g_per_km=120.0,
        cost_nok_per_km=4.0,
    )


def visit(
    tid: str = "p1-V0",
    home: int = 0,
    tw: tuple[str, str] = ("08:00", "12:00"),
    duration: int = 30,
    skill: str | None = "nursing",
    **kw: object,
) -> Task:
    patient = tid.split("-")[0]
    return Task(
        id=tid,
        kind=TaskKind.VISIT,
        patient_id=patient,
        enrolment_id=f"e-{patient}",
        pathway_id="ahs_blood",
        location=HOMES[home],
        duration_min=duration,
        window=window(*tw),
        skill=skill,
        **kw,  # type: ignore[arg-type]
    )


def video(tid: str = "p1-C0", home: int = 0, tw: tuple[str, str] = ("09:00", "14:00"), **kw: object) -> Task:
    patient = tid.split("-")[0]
    return Task(
        id=tid,
        kind=TaskKind.VIDEO,
        patient_id=patient,
        enrolment_id=f"e-{patient}",
        pathway_id="heart",
        location=HOMES[home],
        duration_min=20,
        window=window(*tw),
        skill="nursing",
        **kw,  # type: ignore[arg-type]
    )


def sample(tid: str = "p1-S0", visit_id: str = "p1-V0", home: int = 0, stability_min: int = 240) -> Task:
    patient = tid.split("-")[0]
    return Task(
        id=tid,
        kind=TaskKind.SAMPLE,
        patient_id=patient,
        enrolment_id=f"e-{patient}",
        pathway_id="ahs_blood",
        location=HOMES[home],
        duration_min=2,
        window=window("07:00", "20:00"),
        sample_type="blood",
        sample_stability_min=stability_min,
        taken_at=visit_id,
    )


def goods(volume_l: float = 20, weight_kg: float = 5, cold: bool = False, qualified: bool = False) -> Goods:
    return Goods((GoodsLine("kit", 1),), volume_l, weight_kg, cold, qualified)


def delivery(
    tid: str = "p1-D",
    home: int = 0,
    tw: tuple[str, str] = ("07:00", "12:00"),
    before: tuple[str, ...] = (),
    g: Goods | None = None,
    kind: TaskKind = TaskKind.DELIVERY,
    mandatory: bool = True,
) -> Task:
    patient = tid.split("-")[0]
    return Task(
        id=tid,
        kind=kind,
        patient_id=patient,
        enrolment_id=f"e-{patient}",
        pathway_id="ahs_blood",
        location=HOMES[home],
        duration_min=7,
        window=window(*tw),
        goods=g or goods(),
        before=before,
        mandatory=mandatory,
    )


def problem(tasks: list[Task], resources: list[Resource]) -> Problem:
    return build_problem(DAY, tasks, resources, LAB, BuiltinTravelTimeProvider())


def oslo_small() -> Problem:
    """oslo_small: 4 patients, 2 nurses, 1 van, 1 qualified courier; samples, videos, a delivery."""
    tasks = [
        visit("p1-V0", 0, ("08:00", "10:00")),
        sample("p1-S0", "p1-V0", 0, 180),
        delivery("p1-D", 0, ("07:00", "11:00"), before=("p1-V0",), g=goods(cold=True)),
        visit("p2-V0", 1, ("09:00", "12:00"), skill="oncology", preferred_staff_ids=("n2",)),
        delivery("p2-DQ", 1, ("07:00", "12:00"), before=("p2-V0",), g=goods(qualified=True)),
        visit("p3-V0", 2, ("10:00", "10:00"), fixed_time=True),
        sample("p3-S0", "p3-V0", 2, 120),
        video("p4-C0", 3, ("09:00", "15:00")),
        delivery("p4-P", 3, ("09:00", "15:00"), kind=TaskKind.PICKUP, mandatory=False),
    ]
    resources = [
        clinician("n1"),
        clinician("n2", base=ULLEVAAL),
        carrier("v1"),
        carrier(
            "c1", kind=ResourceKind.COURIER, cold_chain=False, qualified=True, volume_l=300, weight_kg=100
        ),
    ]
    return problem(tasks, resources)
