"""The access log through the API: every read is recorded, refusals too, only admins read them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hjemme.api.deps import get_now
from hjemme.domain.security import Role
from tests.api.conftest import NOW, OTHER, SELF, Api


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
         "action": "read", "resource": "patient", "client": "testclient",
         "last_at": "2026-11-23T07:30:00Z", "count": 1}
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


def test_refused_and_failed_reads_are_logged(api: Api) -> None:
    """A 403 for another patient's record and a 404 for an unknown id each leave a ``refused`` row
    naming the user, the patient asked for and the status."""
    assert api.client.get(f"/api/patients/{OTHER}", headers=api.headers(Role.PATIENT)).status_code == 403
    assert api.client.get("/api/patients/P99999", headers=api.headers(Role.ADMIN)).status_code == 404
    rows = [(r["username"], r["patient_id"], r["action"], r["resource"]) for r in _log(api)]
    assert rows == [
        ("admin1", "P99999", "refused", "404 GET /api/patients/P99999"),
        ("patient1", OTHER, "refused", f"403 GET /api/patients/{OTHER}"),
    ]


def test_role_refusal_is_logged(api: Api) -> None:
    """A role that may not open a route at all is logged as refused too."""
    assert api.client.get("/api/audit/access-log", headers=api.headers(Role.CLINICIAN)).status_code == 403
    assert [(r["username"], r["action"]) for r in _log(api)] == [("clinician1", "refused")]


def test_reading_the_log_is_logged(api: Api) -> None:
    """The admin's search of the log is itself a row, about the patient searched for."""
    _log(api, patient=OTHER)
    rows = _log(api, user="admin1")
    assert [(r["patient_id"], r["resource"]) for r in rows] == [(OTHER, f"access log patient={OTHER}")]


def test_repeated_reads_are_one_row_with_a_count(api: Api) -> None:
    """Reading the same patient list four times within 15 minutes leaves one row per patient with
    count 4 and the first and last time, not four rows per patient."""
    for minute in (0, 3, 6, 9):
        api.client.app.dependency_overrides[get_now] = lambda m=minute: NOW + dt.timedelta(minutes=m)
        assert api.client.get("/api/patients", headers=api.headers(Role.COORDINATOR)).status_code == 200
    rows = _log(api, user="coordinator1")
    assert sorted(r["patient_id"] for r in rows) == sorted([SELF, OTHER, "P00003"])
    assert {(r["count"], r["at"], r["last_at"]) for r in rows} == {
        (4, "2026-11-23T07:30:00Z", "2026-11-23T07:39:00Z")
    }


def test_reads_in_the_next_bucket_get_a_new_row(api: Api) -> None:
    """A read after the 15-minute bucket has turned starts a new row, so "when" stays answerable."""
    for minute in (0, 20):
        api.client.app.dependency_overrides[get_now] = lambda m=minute: NOW + dt.timedelta(minutes=m)
        api.client.get(f"/api/patients/{SELF}", headers=api.headers(Role.COORDINATOR))
    rows = _log(api, patient=SELF, user="coordinator1")
    assert [(r["at"], r["count"]) for r in rows] == [("2026-11-23T07:50:00Z", 1), ("2026-11-23T07:30:00Z", 1)]


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
