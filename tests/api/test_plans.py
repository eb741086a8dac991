"""``/api/plans``: who may plan, change, mark and read, and what each role sees."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from hjemme.domain.people import StaffRole, VehicleKind
from hjemme.domain.security import Role
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.tables import UserRecord
from tests.api.conftest import TODAY, Api
from tests.store import factories

URL = f"/api/plans/{TODAY.isoformat()}"


CLINICAL = frozenset({"nurse", "oncology", "lung", "heart_failure", "sampling", "iv_therapy", "doctor"})


@pytest.fixture
def staffed(api: Api) -> Api:
    """The API's three patients plus two nurses, a van with its driver and a qualified courier."""
    with session_scope(api.engine) as session:
        repo.add_staff(
            session,
            [
                factories.nurse("S0001", skills=CLINICAL),
                factories.nurse("S0002", skills=CLINICAL, home_base_site_id="ullevaal"),
                factories.nurse("S0003", role=StaffRole.DRIVER, skills=frozenset()),
                factories.nurse("S0004", role=StaffRole.COURIER, skills=frozenset(), qualified_carrier=True),
            ],
        )
        repo.add_vehicles(
            session,
            [
                factories.van("V001", cold_chain=True),
                factories.van("C001", kind=VehicleKind.COURIER, volume_l=300.0, qualified_carrier=True),
                factories.van("K001", kind=VehicleKind.CAR, volume_l=300.0, home_site_id="radiumhospitalet"),
            ],
        )
        # The clinician user works as nurse S0001.
        session.execute(update(UserRecord).where(UserRecord.username == "clinician1").values(staff_id="S0001"))
    return api


def _plan(api: Api) -> dict[str, object]:
    response = api.client.post(URL, json={"time_limit_s": 0.3}, headers=api.headers(Role.COORDINATOR))
    assert response.status_code == 201, response.text
    return response.json()


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.COORDINATOR, Role.ADMIN)])
def test_only_planners_may_plan(staffed: Api, role: Role) -> None:
    """Every role but coordinator and admin gets 403 when asking for a new plan."""
    response = staffed.client.post(URL, json={}, headers=staffed.headers(role))
    assert response.status_code == 403


def test_no_plan_yet_is_404_and_bad_date_is_422(staffed: Api) -> None:
    """Reading a day without a plan is 404; an impossible date is 422 naming ``date``."""
    assert staffed.client.get(URL, headers=staffed.headers(Role.COORDINATOR)).status_code == 404
    bad = staffed.client.get("/api/plans/2026-02-30", headers=staffed.headers(Role.COORDINATOR))
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "date"


def test_change_body_must_name_what_its_kind_needs(staffed: Api) -> None:
    """A change without a kind, of an unknown kind, or missing the field its kind needs is 422 naming
    the field, before anything is planned."""
    _plan(staffed)
    headers = staffed.headers(Role.COORDINATOR)
    assert staffed.client.post(f"{URL}/changes", json={}, headers=headers).status_code == 422
    assert staffed.client.post(f"{URL}/changes", json={"kind": "teleport"}, headers=headers).status_code == 422
    no_task = staffed.client.post(f"{URL}/changes", json={"kind": "cancelled"}, headers=headers)
    assert no_task.status_code == 422 and no_task.json()["detail"][0]["loc"][-1] == "task"
    bad_time = staffed.client.post(f"{URL}/changes", json={"kind": "absent", "staff": "S0001", "from": "25:00"},
                                   headers=headers)
    assert bad_time.status_code == 422
    backwards = staffed.client.post(
        f"{URL}/changes", json={"kind": "absent", "staff": "S0001", "from": "12:00", "to": "10:00"}, headers=headers
    )
    assert backwards.status_code == 422
    assert staffed.client.get(URL, headers=headers).json()["version"] == 1


def test_plan_then_read_by_role(staffed: Api) -> None:
    """After planning, the coordinator reads every route, the clinician only S0001's, logistics only transport."""
    summary = _plan(staffed)
    assert summary["version"] == 1 and summary["tasks_total"] >= 3
    full = staffed.client.get(URL, headers=staffed.headers(Role.COORDINATOR)).json()
    assert full["version"] == 1 and full["kpis"]["tasks_total"] == summary["tasks_total"]
    own = staffed.client.get(URL, headers=staffed.headers(Role.CLINICIAN)).json()
    assert {r["resource"] for r in own["routes"]} <= {"S0001"}
    transport = staffed.client.get(URL, headers=staffed.headers(Role.LOGISTICS)).json()
    assert {r["kind"] for r in transport["routes"]} <= {"van", "courier"}
    for role in (Role.RESEARCHER, Role.PATIENT, Role.TECHNICIAN, Role.RESPONDER):
        assert staffed.client.get(URL, headers=staffed.headers(role)).status_code == 403


def test_cancel_makes_version_two(staffed: Api) -> None:
    """Cancelling a planned task through the API stores version 2 without that task."""
    _plan(staffed)
    full = staffed.client.get(URL, headers=staffed.headers(Role.COORDINATOR)).json()
    task = next(s["task"] for r in full["routes"] for s in r["stops"] if s["task"])
    response = staffed.client.post(
        f"{URL}/changes", json={"kind": "cancelled", "task": task}, headers=staffed.headers(Role.COORDINATOR)
    )
    assert response.status_code == 201, response.text
    after = staffed.client.get(URL, headers=staffed.headers(Role.COORDINATOR)).json()
    assert after["version"] == 2
    assert task not in {s["task"] for r in after["routes"] for s in r["stops"]}
    missing = staffed.client.post(
        f"{URL}/changes", json={"kind": "cancelled", "task": "no-such-task"}, headers=staffed.headers(Role.COORDINATOR)
    )
    assert missing.status_code == 404
