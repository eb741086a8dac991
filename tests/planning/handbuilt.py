"""A hand-built day with exact ten-minute legs and a valid plan for it, for paired validator tests.

oslo_tiny: one nurse (base B), one cold van (depot D), one qualified courier (depot D), one
patient at H with a visit, a blood sample and a cold delivery that must precede the visit; the
lab at L. Every leg between two different places takes exactly 10 minutes and 2 km.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from hjemme.domain.geo import Location
from hjemme.domain.plans import Plan, PlanKpis, Route, SampleJourney, Stop
from hjemme.domain.resources import Resource, ResourceKind
from hjemme.domain.tasks import Task, TaskKind
from hjemme.geo import TableProvider, TravelMatrix
from tests.planning.factories import carrier, clinician, goods, window

B = Location(59.95, 10.71)
D = Location(59.93, 10.66)
H = Location(59.92, 10.77)
L = Location(59.944, 10.719)
PLACES = (B, D, H, L)
DAY = dt.date(2030, 3, 4)


def provider() -> TableProvider:
    n = len(PLACES)
    off = 1 - np.eye(n, dtype=np.int64)
    return TableProvider(PLACES, TravelMatrix(600 * off, 2000 * off))


def resources(**nurse: object) -> list[Resource]:
    options: dict[str, object] = {"skills": ("nursing",), "shift": ("08:00", "16:00"), "base": B}
    options.update(nurse)
    return [
        clinician("n1", **options),  # type: ignore[arg-type]
        carrier("v1", base=D, volume_l=100, weight_kg=50),
        carrier("c1", kind=ResourceKind.COURIER, cold_chain=False, qualified=True, base=D),
    ]


def tasks(**delivery_goods: object) -> list[Task]:
    common = {"patient_id": "p1", "enrolment_id": "e1", "pathway_id": "ahs", "location": H}
    return [
        Task(
            id="V",
            kind=TaskKind.VISIT,
            duration_min=30,
            window=window("09:00", "10:00"),
            skill="nursing",
            **common,
        ),  # type: ignore[arg-type]
        Task(
            id="S",
            kind=TaskKind.SAMPLE,
            duration_min=2,
            window=window("09:00", "20:00"),
            sample_type="blood",
            sample_stability_min=120,
            taken_at="V",
            **common,
        ),  # type: ignore[arg-type]
        Task(
            id="D",
            kind=TaskKind.DELIVERY,
            duration_min=7,
            window=window("07:00", "09:00"),
            goods=goods(volume_l=20, weight_kg=5, cold=True, **delivery_goods),
            before=("V",),  # type: ignore[arg-type]
            **common,
        ),  # type: ignore[arg-type]
    ]


def m(hhmm: str) -> int:
    h, mm = hhmm.split(":")
    return int(h) * 60 + int(mm)


def stop(
    task: str | None,
    type_: str,
    at: Location | None,
    arrive: str,
    start: str,
    end: str,
    tw: tuple[str, str] | None = None,
) -> Stop:
    return Stop(
        task, type_, "p1" if task else None, at, m(arrive), m(start), m(end), window(*tw) if tw else None
    )


BREAK = stop(None, "break", None, "11:00", "11:00", "11:30", ("11:00", "13:00"))


def valid_plan() -> Plan:
    nurse = Route(
        "n1",
        ResourceKind.CLINICIAN,
        "car-n1",
        (
            stop("V", "visit", H, "09:00", "09:00", "09:30", ("09:00", "10:00")),
            stop(None, "lab", L, "09:40", "09:40", "09:42"),
            BREAK,
        ),
    )
    van = Route(
        "v1",
        ResourceKind.VAN,
        "veh-v1",
        (
            stop("D", "delivery", H, "08:00", "08:00", "08:07", ("07:00", "09:00")),
            BREAK,
        ),
    )
    return Plan(
        date=DAY,
        routes=(nurse, van),
        samples=(SampleJourney("S", m("09:30"), m("09:40"), 120, "n1"),),
        unplanned=(),
        kpis=PlanKpis(3, 3, 12.0, 0.67, 0.5, 0.6, 10, 1.0, 0.0),
    )
