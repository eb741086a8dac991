"""A small hospital-at-home day for the web tests: patients, one user per role, a stored plan.

The plan is built as domain objects (:class:`hjemme.domain.plans.Plan`) and stored through the
planner's ``plan_to_json``, the way the planner stores it. ``big_plan`` makes a day of any size for
the benchmark.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hjemme.domain.geo import Location
from hjemme.domain.plans import Plan, PlanKpis, Route, Stop, Unplanned
from hjemme.domain.resources import ResourceKind
from hjemme.domain.security import Role
from hjemme.domain.time import TimeWindow
from hjemme.planning.params import PlannerParams
from hjemme.planning.plan_json import plan_to_json
from hjemme.services.planning import stored_problem
from hjemme.settings import Settings
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from tests.store import factories

NOW = dt.datetime(2026, 11, 23, 7, 30, tzinfo=dt.UTC)  # 08:30 in Oslo
TODAY = dt.date(2026, 11, 23)
PASSWORD = "correct horse battery staple"
SELF = "P00001"  # the patient user's own patient
NASTY = "P00004"  # a patient whose name is markup, to prove escaping
NASTY_NAME = '<script>alert("x")</script> & Ola'
NURSE = "S0001"

SETTINGS = Settings(
    database_url="sqlite://",  # unused: the app gets the fixture's engine
    secret_key="test-secret-key-that-is-long-enough-for-hs256-0123456789",
    research_key="test-research-key-that-differs-from-the-signing-key",
    token_minutes=60,
    tile_url="",
    language="nb",
    rota_page_seconds=3,  # the test teams are small; the rules and wishes hold well within this
)


def username(role: Role) -> str:
    return f"{role.value}1"


def _stop(task: str | None, kind: str, patient: str | None, lat: float, lon: float, start: int, minutes: int) -> Stop:
    return Stop(
        task_id=task, type=kind, patient_id=patient, location=Location(lat, lon),
        arrive_min=start - 5, start_min=start, end_min=start + minutes,
        window=TimeWindow(start - 30, start + 60) if task else None,
    )


def small_plan() -> Plan:
    """Two routes (the nurse's and a van's) and one task that did not fit."""
    nurse = Route(
        resource_id=NURSE, kind=ResourceKind.CLINICIAN, vehicle_id="C001",
        stops=(
            _stop("T1", "visit", SELF, 59.9301, 10.7342, 480, 45),
            _stop("T2", "visit", NASTY, 59.9250, 10.7700, 560, 30),
            _stop(None, "lab", None, 59.9440, 10.7190, 620, 5),
        ),
    )
    van = Route(
        resource_id="V001", kind=ResourceKind.VAN, vehicle_id="V001",
        stops=(_stop("T3", "delivery", "P00003", 59.9400, 10.8100, 540, 10),),
    )
    return Plan(
        date=TODAY, routes=(nurse, van), samples=(),
        unplanned=(Unplanned("T4", "ikke plass i noen rute"),),
        kpis=PlanKpis(5, 4, 42.5, 2.5, 1.2, 3.1, 80, 1.0, 0.4),
    )


def big_plan(tasks: int, *, routes: int = 40, seed: int = 7) -> tuple[Plan, list[str]]:
    """A day of ``tasks`` visits over ``routes`` resources around Oslo, and its patient ids."""
    rng = random.Random(seed)
    per_route = -(-tasks // routes)
    made: list[Route] = []
    patients: list[str] = []
    for r in range(routes):
        stops = []
        t = 450
        for _ in range(min(per_route, tasks - len(patients))):
            pid = f"P{len(patients) + 1:05d}"
            patients.append(pid)
            stops.append(_stop(f"T{len(patients)}", "visit", pid, 59.85 + rng.random() * 0.12,
                               10.65 + rng.random() * 0.28, t, 12))
            t += 20
        made.append(Route(f"R{r:03d}", ResourceKind.CLINICIAN, None, tuple(stops)))
    kpis = PlanKpis(tasks, tasks, 1234.0, 60.0, 50.0, 80.0, 90, 1.0, 30.0)
    return Plan(TODAY, tuple(made), (), (), kpis), patients


def plan_json(plan: Plan) -> str:
    """The plan as the planner stores it."""
    return json.dumps(plan_to_json(plan))


def seed_world(engine: Engine, password_hash: str, *, plan: Plan | None = None,
               patient_ids: list[str] | None = None) -> None:
    """Patients, the nurse, one user of every role and the day's plan."""
    ids = patient_ids or [SELF, "P00002", "P00003", NASTY]
    with session_scope(engine) as session:
        repo.add_patients(
            session,
            [
                factories.patient(
                    pid,
                    name=NASTY_NAME if pid == NASTY else f"Pasient {pid}",
                    address=f"Gate {i + 1}, 0{450 + i % 500} Oslo",
                )
                for i, pid in enumerate(ids)
            ],
        )
        repo.add_enrolments(session, [
            factories.enrolment("E00001", SELF, pathway_id="ahs_lung"),
            factories.enrolment("E00003", "P00003", pathway_id="wound_care", start_date=TODAY,
                                preferred_staff_ids=()),
        ])
        repo.add_staff(session, [factories.nurse(NURSE)])
        for role in Role:
            repo.add_user(
                session, username=username(role), password_hash=password_hash, role=role,
                created_at=NOW,
                patient_id=SELF if role is Role.PATIENT else None,
                staff_id=NURSE if role is Role.CLINICIAN else None,
            )
        repo.save_plan(session, date=TODAY, plan_json=plan_json(plan or small_plan()), created_at=NOW)
    if plan is None:
        seed_alarms(engine)
        seed_stock_and_orders(engine)


ALARM_RED = "A-red"
ALARM_YELLOW = "A-yellow"


def seed_alarms(engine: Engine) -> None:
    """Two open alarms for the response centre (a red one with three SpO2 measurements as evidence)."""
    from hjemme.monitoring.alarms import Alarm
    from hjemme.monitoring.observations import Observation, Parameter
    from hjemme.monitoring.rules import FindingKind, Severity
    from hjemme.services.ingest import store_observations
    from hjemme.services.monitoring import save_transition

    readings = [
        Observation(f"O{i}", SELF, Parameter.SPO2, value, "%", NOW - dt.timedelta(hours=3 - i),
                    NOW - dt.timedelta(hours=3 - i))
        for i, value in enumerate((94.0, 91.0, 87.0))
    ]
    alarms = [
        Alarm(ALARM_RED, SELF, FindingKind.THRESHOLD, Severity.RED, f"{SELF}:spo2", "SpO2 87 % < 88 %",
              tuple(o.observation_id for o in readings), NOW - dt.timedelta(minutes=20)),
        Alarm(ALARM_YELLOW, "P00002", FindingKind.MISSING_DATA, Severity.YELLOW, "P00002:weight",
              "ingen vekt på 36 timer", (), NOW - dt.timedelta(minutes=50)),
    ]
    with session_scope(engine) as session:
        store_observations(session, readings)
        save_transition(session, alarms, [])


def seed_stock_and_orders(engine: Engine) -> None:
    """Stock, a device pool and order suggestions for today and the next days, through the services."""
    from hjemme.services.logistics import seed_logistics, suggest_orders

    seed_logistics(engine=engine, date=TODAY, seed=1)
    suggest_orders(engine=engine, date=TODAY, horizon_days=3)


def seed_planned_world(engine: Engine, password_hash: str, *, patients: int = 25) -> str:
    """A synthetic day planned by the planner's own services (plan stored with its input), one user
    per role; the clinician user is the staff member of the first route with a visit. Returns that
    staff id."""
    from hjemme.planning.params import PlannerParams
    from hjemme.services.journal import plan_day
    from hjemme.services.planning import stored_problem
    from hjemme.services.seeding import seed_population

    seed_population(engine=engine, n_patients=patients, seed=3, date=TODAY)
    plan_day(engine=engine, date=TODAY, now=NOW - dt.timedelta(hours=2), params=PlannerParams(time_limit_s=0.5))
    plan, _problem = stored_problem(engine=engine, date=TODAY)
    staff_id = next(
        r["resource"] for r in plan["routes"]
        if r["kind"] == "clinician" and any(s["type"] == "visit" for s in r["stops"])
    )
    with session_scope(engine) as session:
        for role in Role:
            repo.add_user(
                session, username=username(role), password_hash=password_hash, role=role, created_at=NOW,
                patient_id=None, staff_id=staff_id if role is Role.CLINICIAN else None,
            )
    return staff_id


FAST = PlannerParams(time_limit_s=0.3, rounds=1)


@dataclass
class Planned:
    client: TestClient
    engine: Engine
    staff_id: str
    app: object

    def log_in(self, role: Role) -> None:
        response = self.client.post(
            "/login", data={"username": username(role), "password": PASSWORD}, follow_redirects=False
        )
        assert response.status_code == 303

    def plan(self) -> dict:
        return stored_problem(engine=self.engine, date=TODAY)[0]

    def version(self) -> int:
        return int(self.client.get(f"/plan?date={TODAY}").text.split('data-version="')[1].split('"')[0])
