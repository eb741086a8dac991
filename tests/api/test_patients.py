"""``/api/patients``: content, researcher pseudonyms, unknown ids and bad paging input."""

from __future__ import annotations

from hjemme.domain.security import Role
from hjemme.services.access import pseudonym
from tests.api.conftest import OTHER, SELF, Api


def test_clinician_sees_the_pathway_and_diagnosis(api: Api) -> None:
    """A clinician's patient detail shows the enrolment's pathway, ICD-10 diagnosis and monitoring."""
    body = api.client.get(f"/api/patients/{OTHER}", headers=api.headers(Role.CLINICIAN)).json()
    (enrolment,) = body["enrolments"]
    assert enrolment["pathway_id"] == "ahs_lung"
    assert enrolment["diagnosis_code"] == "J44.1"
    assert enrolment["active"] is True
    assert enrolment["spo2_target_88_92"] is True
    assert "spo2" in {m["code"] for m in enrolment["monitoring"]}
    assert body["location"] == {"lat": 59.9301, "lon": 10.7342}


def test_researcher_reads_by_pseudonym(api: Api) -> None:
    """A researcher fetches a patient by its pseudonym and gets the pseudonymised record."""
    ref = pseudonym(OTHER, research_key=api.settings.research_key)
    listed = api.client.get("/api/patients", headers=api.headers(Role.RESEARCHER)).json()
    assert ref in {p["pseudonym"] for p in listed}
    response = api.client.get(f"/api/patients/{ref}", headers=api.headers(Role.RESEARCHER))
    assert response.status_code == 200
    assert response.json()["pseudonym"] == ref
    assert "id" not in response.json() and "name" not in response.json()


def test_pseudonyms_are_stable_across_reads(api: Api) -> None:
    """Two reads of the list give every patient the same pseudonym."""
    first = api.client.get("/api/patients", headers=api.headers(Role.RESEARCHER)).json()
    second = api.client.get("/api/patients", headers=api.headers(Role.RESEARCHER)).json()
    assert [p["pseudonym"] for p in first] == [p["pseudonym"] for p in second]


def test_unknown_patient_is_404_naming_it(api: Api) -> None:
    """An unknown patient id gets 404 naming the id."""
    response = api.client.get("/api/patients/P99999", headers=api.headers(Role.COORDINATOR))
    assert response.status_code == 404
    assert response.json()["id"] == "P99999" and "P99999" in response.json()["detail"]


def test_patient_role_gets_403_on_unknown_ids_too(api: Api) -> None:
    """The patient role gets 403 (not 404) on any other id, so it cannot probe which ids exist."""
    response = api.client.get("/api/patients/P99999", headers=api.headers(Role.PATIENT))
    assert response.status_code == 403


def test_bad_paging_names_the_field(api: Api) -> None:
    """An impossible page size or offset gets 422 whose location names the query field."""
    for query, field in (("limit=0", "limit"), ("limit=abc", "limit"), ("offset=-1", "offset")):
        response = api.client.get(f"/api/patients?{query}", headers=api.headers(Role.CLINICIAN))
        assert response.status_code == 422
        assert [e["loc"] for e in response.json()["detail"]] == [["query", field]]


def test_paging(api: Api) -> None:
    """Pages of the patient list follow id order."""
    page = api.client.get("/api/patients?limit=2&offset=1", headers=api.headers(Role.COORDINATOR)).json()
    assert [p["id"] for p in page] == [OTHER, "P00003"]
    assert SELF not in {p["id"] for p in page}


def test_pseudonyms_are_keyed_with_the_research_key_not_the_signing_key(api: Api) -> None:
    """No researcher pseudonym is the HMAC of a patient id under the signing key (#12): the signing key
    alone does not undo them."""
    listed = {p["pseudonym"] for p in api.client.get("/api/patients", headers=api.headers(Role.RESEARCHER)).json()}
    ids = ["P00001", "P00002", "P00003"]
    assert listed == {pseudonym(i, research_key=api.settings.research_key) for i in ids}
    assert not listed & {pseudonym(i, research_key=api.settings.secret_key) for i in ids}
