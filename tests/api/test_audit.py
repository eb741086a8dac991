"""The access log through the API: every read leaves a row, only admins read them."""

from __future__ import annotations

from typing import Any

from hjemme.domain.security import Role
from tests.api.conftest import OTHER, SELF, Api


def _log(api: Api, **query: str) -> list[dict[str, Any]]:
    response = api.client.get("/api/audit/access-log", params=query, headers=api.headers(Role.ADMIN))
    assert response.status_code == 200
    rows: list[dict[str, Any]] = response.json()
    return rows


def test_detail_read_is_logged(api: Api) -> None:
    """A clinician's read of a patient leaves a row with user, role, patient, what, when and client."""
    api.client.get(f"/api/patients/{OTHER}", headers=api.headers(Role.CLINICIAN))
    assert _log(api, patient=OTHER) == [
        {"at": "2026-11-23T07:30:00Z", "username": "clinician1", "role": "clinician", "patient_id": OTHER,
         "action": "read", "resource": "patient", "client": "testclient"}
    ]


def test_list_read_logs_every_patient_listed(routed_api: Api) -> None:
    """A logistics user's patient list leaves one row per patient it showed."""
    api = routed_api
    api.client.get("/api/patients", headers=api.headers(Role.LOGISTICS))
    rows = _log(api, user="logistics1")
    assert sorted(r["patient_id"] for r in rows) == [OTHER, "P00003"]  # those it delivers to today
    assert {r["resource"] for r in rows} == {"patient list"}


def test_fhir_reads_are_logged(api: Api) -> None:
    """FHIR Patient and CarePlan reads each leave a row naming the resource."""
    api.client.get(f"/fhir/Patient/{SELF}", headers=api.headers(Role.PATIENT))
    api.client.get(f"/fhir/CarePlan?patient={SELF}", headers=api.headers(Role.PATIENT))
    assert sorted(r["resource"] for r in _log(api, patient=SELF, user="patient1")) == [
        "fhir CarePlan", "fhir Patient"
    ]


def test_refused_and_failed_reads_leave_no_row(api: Api) -> None:
    """A 403 for another patient's record and a 404 for an unknown id write no row."""
    assert api.client.get(f"/api/patients/{OTHER}", headers=api.headers(Role.PATIENT)).status_code == 403
    assert api.client.get("/api/patients/P99999", headers=api.headers(Role.ADMIN)).status_code == 404
    assert _log(api) == []


def test_researcher_reads_are_logged_under_the_real_patient(api: Api) -> None:
    """A researcher's pseudonymised read is logged against the real patient, for the admin to see."""
    api.client.get("/api/patients", headers=api.headers(Role.RESEARCHER))
    assert {r["patient_id"] for r in _log(api, user="researcher1")} == {SELF, OTHER, "P00003"}


def test_log_filters_combine(api: Api) -> None:
    """Filtering by patient and user together returns only that user's reads of that patient."""
    api.client.get(f"/api/patients/{SELF}", headers=api.headers(Role.COORDINATOR))
    api.client.get(f"/api/patients/{OTHER}", headers=api.headers(Role.COORDINATOR))
    api.client.get(f"/api/patients/{SELF}", headers=api.headers(Role.RESPONDER))
    rows = _log(api, patient=SELF, user="coordinator1")
    assert [(r["username"], r["patient_id"]) for r in rows] == [("coordinator1", SELF)]
