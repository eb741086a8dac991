"""Emergency access and the research export over HTTP (issue 12)."""

from __future__ import annotations

import io
import zipfile

import pyarrow.parquet as pq
from fastapi.testclient import TestClient

from hjemme.api.app import create_app
from hjemme.api.deps import get_now
from hjemme.domain.security import Role
from hjemme.monitoring.alarms import Alarm
from hjemme.monitoring.rules import FindingKind, Severity
from hjemme.services.monitoring import save_transition
from hjemme.store.database import session_scope
from tests.api.conftest import NOW, SETTINGS, THIRD, Api

REASON = {"reason": "Called by the patient's daughter, own nurse off sick"}


def test_emergency_access_opens_a_patient_outside_care_and_is_reviewed(api: Api) -> None:
    """A clinician refused a patient states a reason, then reads them; the admin sees it for review."""
    clinician, admin = api.headers(Role.CLINICIAN), api.headers(Role.ADMIN)
    assert api.client.get(f"/api/patients/{THIRD}", headers=clinician).status_code == 403
    granted = api.client.post(f"/api/patients/{THIRD}/emergency-access", json=REASON, headers=clinician)
    assert granted.status_code == 201
    assert granted.json()["expires_at"] == "2026-11-23T19:30:00Z"  # 12 hours by default
    assert api.client.get(f"/api/patients/{THIRD}", headers=clinician).status_code == 200
    assert api.client.get(f"/fhir/Patient/{THIRD}", headers=clinician).status_code == 200
    log = api.client.get("/api/audit/access-log", params={"patient": THIRD}, headers=admin).json()
    assert [r["action"] for r in log][-1] == "emergency" and "daughter" in log[-1]["resource"]
    (listed,) = api.client.get("/api/audit/emergency-access?unreviewed=true", headers=admin).json()
    assert (listed["username"], listed["patient_id"]) == ("clinician1", THIRD)
    reviewed = api.client.post(f"/api/audit/emergency-access/{listed['id']}/review", headers=admin)
    assert reviewed.json()["reviewed_by"] == "admin1"
    assert api.client.get("/api/audit/emergency-access?unreviewed=true", headers=admin).json() == []


def test_emergency_access_without_a_reason_is_422_and_grants_nothing(api: Api) -> None:
    """A too-short reason is 422 naming the field; the patient stays closed."""
    clinician = api.headers(Role.CLINICIAN)
    response = api.client.post(f"/api/patients/{THIRD}/emergency-access", json={"reason": "x"}, headers=clinician)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "reason"]
    assert api.client.get(f"/api/patients/{THIRD}", headers=clinician).status_code == 403


def test_clinicians_alarm_worklist_holds_only_their_patients(api: Api) -> None:
    """A clinician's alarm list leaves out alarms of patients outside their care; the detail is 404."""
    inside, outside = _seed_alarm_for(api, "P00002"), _seed_alarm_for(api, THIRD)
    listed = api.client.get("/api/alarms", headers=api.headers(Role.CLINICIAN)).json()
    assert [a["alarm_id"] for a in listed] == [inside]
    assert api.client.get(f"/api/alarms/{outside}", headers=api.headers(Role.CLINICIAN)).status_code == 404
    assert api.client.post(f"/api/alarms/{outside}/ack", headers=api.headers(Role.CLINICIAN)).status_code == 404
    responder = api.client.get("/api/alarms", headers=api.headers(Role.RESPONDER)).json()
    assert {a["alarm_id"] for a in responder} == {inside, outside}


def _seed_alarm_for(api: Api, patient_id: str) -> str:
    alarm = Alarm(alarm_id=f"A-{patient_id}", patient_id=patient_id, kind=FindingKind.THRESHOLD,
                  severity=Severity.RED, dedup_key=f"{patient_id}:spo2:low", cause="SpO2 84 %", evidence=(),
                  opened_at=NOW)
    with session_scope(api.engine) as session:
        save_transition(session, [alarm], [])
    return alarm.alarm_id


def _small_k_client(api: Api) -> TestClient:
    app = create_app(SETTINGS.model_copy(update={"research_k": 3}), engine=api.engine)
    app.dependency_overrides[get_now] = lambda: NOW
    return TestClient(app)


def test_research_export_is_a_zip_of_the_four_tables(api: Api) -> None:
    """With k=3 the three-patient world exports: a ZIP of four Parquet tables, no patient id inside."""
    with _small_k_client(api) as client:
        response = client.get("/api/exports/research?format=parquet", headers=api.headers(Role.RESEARCHER))
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["measurements.parquet", "pathways.parquet", "plan_kpis.parquet",
                                          "proms.parquet"]
    pathways = pq.read_table(io.BytesIO(archive.read("pathways.parquet"))).to_pylist()
    assert len(pathways) == 3 and not any("P0000" in str(v) for row in pathways for v in row.values())


def test_research_export_below_k_is_409_naming_the_group(api: Api) -> None:
    """With the default k=5 the three-patient world is refused, naming the too-rare combination."""
    response = api.client.get("/api/exports/research", headers=api.headers(Role.RESEARCHER))
    assert response.status_code == 409
    assert "age_band=70-79, area=st_hanshaugen" in response.json()["detail"]


def test_bad_export_options_are_422_naming_them(api: Api) -> None:
    """An unknown format or age band width is 422 naming the query field."""
    headers = api.headers(Role.RESEARCHER)
    assert api.client.get("/api/exports/research?format=xlsx", headers=headers).json()["detail"][0]["loc"] == [
        "query", "format"]
    response = api.client.get("/api/exports/research?age_band_years=7", headers=headers)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["age_band_years"]
