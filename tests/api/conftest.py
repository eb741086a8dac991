"""An API over a small real database: three patients, one user per role, a pinned clock.

Care relationships (issue 12): ``clinician1`` is assigned to ``SELF`` and ``OTHER``; ``THIRD`` is
outside their care. :func:`seed_routes` (the ``routed_api`` fixture) adds today's stored plan: the
clinician, now nurse ``CLINICIAN_STAFF`` of a clinic no patient has, visits ``OTHER``; the van
delivers ``THIRD``'s device kit and swaps a device at ``OTHER`` (so logistics sees ``THIRD`` and
``OTHER``, technicians ``OTHER``).

``api`` is a :class:`Api` on the ``db_engine`` fixture (SQLite always, PostgreSQL when
configured): ``api.client`` is a ``TestClient`` of ``create_app()``, ``api.headers(role)`` the
``Authorization`` header of that role's user. Passwords are hashed once per session (argon2 is
slow on purpose); log-in itself is tested through the token endpoint.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete

from hjemme.api.app import create_app
from hjemme.api.deps import get_now
from hjemme.domain.geo import Location
from hjemme.domain.plans import Plan, PlanKpis, Route, Stop
from hjemme.domain.resources import ResourceKind
from hjemme.domain.security import Role
from hjemme.domain.time import TimeWindow
from hjemme.planning.plan_json import plan_to_json
from hjemme.services.auth import Principal, create_access_token, hash_password
from hjemme.settings import Settings
from hjemme.store import repositories as repo
from hjemme.store.care_tables import CareAssignmentRecord
from hjemme.store.database import session_scope
from tests.store import factories

NOW = dt.datetime(2026, 11, 23, 7, 30, tzinfo=dt.UTC)  # 08:30 in Oslo
TODAY = dt.date(2026, 11, 23)
PASSWORD = "correct horse battery staple"
SELF = "P00001"  # the patient user's own patient
OTHER = "P00002"
THIRD = "P00003"
CLINICIAN_STAFF = "S-CARE-1"

SETTINGS = Settings(
    database_url="sqlite://",  # unused: the app gets the fixture's engine
    secret_key="test-secret-key-that-is-long-enough-for-hs256-0123456789",
    research_key="test-research-key-that-differs-from-the-signing-key",
    token_minutes=60,
)


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


def _username(role: Role) -> str:
    return f"{role.value}1"


@dataclass
class Api:
    client: TestClient
    engine: Engine
    settings: Settings

    def principal(self, role: Role) -> Principal:
        return Principal(_username(role), role, SELF if role is Role.PATIENT else None)

    def headers(self, role: Role) -> dict[str, str]:
        token = create_access_token(self.principal(role), settings=self.settings, now=NOW)
        return {"Authorization": f"Bearer {token}"}


def seed_world(engine: Engine, password_hash: str) -> None:
    """Three patients in three pathways (all active today), and one user of every role."""
    with session_scope(engine) as session:
        repo.add_patients(
            session,
            [
                factories.patient(SELF, name="Kari Nordmann"),
                factories.patient(OTHER, name="Per Hansen", address="Trondheimsveien 2, 0560 Oslo"),
                factories.patient("P00003", name="Aisha Ali", language="so", needs_interpreter=True),
            ],
        )
        repo.add_enrolments(
            session,
            [
                factories.enrolment("E00001", SELF, pathway_id="ahs_blood"),
                factories.enrolment("E00002", OTHER, pathway_id="ahs_lung", spo2_target_88_92=True),
                # Starts today: day 0 brings the device kit, so the day has a delivery.
                factories.enrolment("E00003", "P00003", pathway_id="dho_heart_failure",
                                    start_date=TODAY, length_days=30, preferred_staff_ids=()),
            ],
        )
        for role in Role:
            repo.add_user(
                session,
                username=_username(role),
                password_hash=password_hash,
                role=role,
                created_at=NOW,
                patient_id=SELF if role is Role.PATIENT else None,
            )
        session.add_all(CareAssignmentRecord(username=_username(Role.CLINICIAN), patient_id=p, until=None,
                                             assigned_by="admin1", assigned_at=NOW) for p in (SELF, OTHER))


def seed_routes(engine: Engine) -> None:
    """Today's stored plan, and the clinician as the nurse on it instead of by assignment to ``OTHER``."""
    with session_scope(engine) as session:
        session.execute(delete(CareAssignmentRecord).where(CareAssignmentRecord.patient_id == OTHER))
        repo.add_staff(session, [factories.nurse(CLINICIAN_STAFF, clinic="geriatrics")])
        repo.link_user_to_staff(session, _username(Role.CLINICIAN), CLINICIAN_STAFF)
        repo.save_plan(session, date=TODAY, plan_json=json.dumps(plan_to_json(_todays_plan())), created_at=NOW)


def _stop(task_id: str, kind: str, patient_id: str, start: int) -> Stop:
    return Stop(task_id, kind, patient_id, Location(59.93, 10.73), start, start, start + 20, TimeWindow(480, 960))


def _todays_plan() -> Plan:
    """The nurse visits ``OTHER``; the van delivers ``THIRD``'s device kit and swaps a device at ``OTHER``."""
    kpis = PlanKpis(0, 0, 0.0, 0.0, 0.0, 0.0, 0, 0.0, 0.0)
    return Plan(
        date=TODAY,
        routes=(
            Route(CLINICIAN_STAFF, ResourceKind.CLINICIAN, None, (_stop("E00002-20261123-V0", "visit", OTHER, 540),)),
            Route("S0002", ResourceKind.VAN, "V001", (
                _stop("E00003-20261123-D", "delivery", THIRD, 500),
                _stop("swap-1", "device_swap", OTHER, 600),
            )),
        ),
        samples=(), unplanned=(), kpis=kpis,
    )


@pytest.fixture
def api(db_engine: Engine, password_hash: str) -> Iterator[Api]:
    """The app on a seeded database with the clock pinned at ``NOW``."""
    seed_world(db_engine, password_hash)
    app = create_app(SETTINGS, engine=db_engine)
    app.dependency_overrides[get_now] = lambda: NOW
    with TestClient(app) as client:
        yield Api(client=client, engine=db_engine, settings=SETTINGS)


@pytest.fixture
def routed_api(api: Api) -> Api:
    """``api`` with today's stored plan (see :func:`seed_routes`)."""
    seed_routes(api.engine)
    return api
