"""FHIR writes: devices post Observations with device tokens, patients post QuestionnaireResponses,
and a red alarm's urgent-visit route; the RBAC of these routes is the matrix at the end."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from hjemme.domain.security import Role
from hjemme.monitoring.alarms import Alarm
from hjemme.monitoring.proms import load_questionnaires
from hjemme.monitoring.rules import FindingKind, Severity
from hjemme.services.auth import Principal
from hjemme.services.device_tokens import issue_device_token, revoke_device_tokens
from hjemme.services.monitoring import save_transition
from hjemme.store.database import session_scope
from hjemme.store.monitoring_tables import (
    DeadLetterRecord,
    DeviceTokenRecord,
    ObservationRecord,
    PromResponseRecord,
)
from hjemme.store.tables import AccessLogRecord
from tests.api.conftest import NOW, OTHER, SELF, Api
from tests.services.monitoring_fixtures import bundle, count, observation

TECHNICIAN = Principal("technician1", Role.TECHNICIAN)
AT = NOW - dt.timedelta(minutes=5)


def device_headers(api: Api, device: str = "oxi-1", patient: str = SELF) -> dict[str, str]:
    issued = issue_device_token(engine=api.engine, principal=TECHNICIAN, device_id=device, patient_id=patient,
                                at=NOW)
    return {"Authorization": f"Bearer {issued.token}"}


def stored_nothing(api: Api) -> bool:
    return count(api.engine, ObservationRecord) == 0 and count(api.engine, DeadLetterRecord) == 0


def test_device_posts_an_observation_for_its_patient(api: Api) -> None:
    """A device with a valid token stores an observation (201, its id) and the write is access-logged
    as the device."""
    headers = device_headers(api)
    response = api.client.post("/fhir/Observation", json=observation("o-1", SELF, "spo2", 96, AT), headers=headers)
    assert response.status_code == 201, response.text
    assert response.json() == {"stored": 1, "duplicates": 0, "rejected": 0, "observation_ids": ["o-1"],
                               "alarm_ids": []}
    again = api.client.post("/fhir/Observation", json=observation("o-1", SELF, "spo2", 96, AT), headers=headers)
    assert again.status_code == 200 and again.json()["duplicates"] == 1
    with session_scope(api.engine) as session:
        rows = session.scalars(select(AccessLogRecord).where(AccessLogRecord.username == "device:oxi-1")).all()
        assert [(r.patient_id, r.action, r.role) for r in rows] == [(SELF, "write", "device")]
        assert session.scalar(select(ObservationRecord.device_id)) == "oxi-1"


def test_token_is_stored_only_as_a_hash(api: Api) -> None:
    """The register holds the SHA-256 of the token, never the token itself."""
    token = device_headers(api)["Authorization"].removeprefix("Bearer ")
    with session_scope(api.engine) as session:
        record = session.scalars(select(DeviceTokenRecord)).one()
        assert record.token_sha256 != token and len(record.token_sha256) == 64
        assert token not in {record.token_sha256, record.device_id, record.patient_id}


def test_device_posting_for_another_patient_is_403_and_stores_nothing(api: Api) -> None:
    """A device may only post for its own patient: another patient's observation (even inside a batch
    with its own patient's) is 403 and nothing at all is stored."""
    headers = device_headers(api)
    alone = api.client.post("/fhir/Observation", json=observation("o-x", OTHER, "spo2", 96, AT), headers=headers)
    assert alone.status_code == 403
    assert alone.json()["resourceType"] == "OperationOutcome"
    mixed = bundle(observation("o-own", SELF, "spo2", 96, AT), observation("o-other", OTHER, "pulse", 80, AT))
    assert api.client.post("/fhir/Observation", json=mixed, headers=headers).status_code == 403
    assert stored_nothing(api)


@pytest.mark.parametrize("token", ["hjd_not-a-real-token", "garbage", None])
def test_unknown_token_is_401_and_stores_nothing(api: Api, token: str | None) -> None:
    """An unknown, malformed or missing device token gets 401 and nothing is stored."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = api.client.post("/fhir/Observation", json=observation("o-1", SELF, "spo2", 96, AT), headers=headers)
    assert response.status_code == 401
    assert stored_nothing(api)


def test_revoked_and_replaced_tokens_are_401(api: Api) -> None:
    """Issuing a new token revokes the device's old one; revoking the device revokes the new one."""
    old = device_headers(api)
    new = device_headers(api)
    body = observation("o-1", SELF, "spo2", 96, AT)
    assert api.client.post("/fhir/Observation", json=body, headers=old).status_code == 401
    assert api.client.post("/fhir/Observation", json=body, headers=new).status_code == 201
    assert revoke_device_tokens(engine=api.engine, principal=TECHNICIAN, device_id="oxi-1", at=NOW) == 1
    assert api.client.post("/fhir/Observation", json=body, headers=new).status_code == 401


def test_a_user_bearer_token_is_not_a_device_token(api: Api) -> None:
    """A user's log-in token does not let a user post device observations."""
    body = observation("o-1", SELF, "spo2", 96, AT)
    assert api.client.post("/fhir/Observation", json=body, headers=api.headers(Role.ADMIN)).status_code == 401


def test_batch_with_one_bad_entry_answers_per_entry(api: Api) -> None:
    """A batch with one impossible unit stores the good entries; the response has one entry per posted
    entry, the bad one 422 with an OperationOutcome naming the element."""
    payload = bundle(observation("b-0", SELF, "spo2", 96, AT), observation("b-1", SELF, "spo2", 96, AT, unit="kg"),
                     observation("b-2", SELF, "pulse", 72, AT))
    response = api.client.post("/fhir/Observation", json=payload, headers=device_headers(api))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["resourceType"] == "Bundle" and body["type"] == "batch-response"
    statuses = [e["response"]["status"] for e in body["entry"]]
    assert statuses == ["201 Created", "422 Unprocessable Entity", "201 Created"]
    issue = body["entry"][1]["response"]["outcome"]["issue"][0]
    assert issue["expression"] == ["Bundle.entry[1].resource.valueQuantity.code"]
    assert "kg" in issue["diagnostics"]
    assert body["entry"][0]["response"]["location"] == "Observation/b-0"
    assert count(api.engine, ObservationRecord) == 2 and count(api.engine, DeadLetterRecord) == 1


def test_transaction_with_one_bad_entry_stores_nothing(api: Api) -> None:
    """A transaction is all or nothing: one entry without a time → 422 naming it, nothing stored."""
    bad = observation("t-1", SELF, "pulse", 72, AT)
    del bad["effectiveDateTime"]
    payload = bundle(observation("t-0", SELF, "spo2", 96, AT), bad, kind="transaction")
    response = api.client.post("/fhir/Observation", json=payload, headers=device_headers(api))
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"] == ["Bundle.entry[1].resource.effective"]
    assert count(api.engine, ObservationRecord) == 0


def test_single_bad_observation_is_422_with_the_path(api: Api) -> None:
    """A single Observation with an unknown status is 422 with an OperationOutcome naming ``status``;
    a body that is not JSON is 400."""
    bad = observation("s-1", SELF, "spo2", 96, AT)
    bad["status"] = "entered-in-error"
    headers = device_headers(api)
    response = api.client.post("/fhir/Observation", json=bad, headers=headers)
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"] == ["Observation.status"]
    garbage = api.client.post("/fhir/Observation", content=b"{not json", headers=headers)
    assert garbage.status_code == 400 and garbage.json()["resourceType"] == "OperationOutcome"
    assert count(api.engine, ObservationRecord) == 0


# -- questionnaires -----------------------------------------------------------------------------------


def cat_response(ident: str, patient: str = SELF, answer: int = 3) -> dict[str, Any]:
    q = load_questionnaires()["cat"]
    return {"resourceType": "QuestionnaireResponse", "id": ident, "status": "completed", "questionnaire": q.url,
            "subject": {"reference": f"Patient/{patient}"}, "authored": AT.isoformat(),
            "item": [{"linkId": i.link_id, "answer": [{"valueInteger": answer}]} for i in q.items]}


def test_patient_posts_a_questionnaire_response_and_it_scores(api: Api) -> None:
    """The patient answers the CAT form for itself: 201 with the score (8 items × 3 = 24) and it is stored."""
    response = api.client.post("/fhir/QuestionnaireResponse", json=cat_response("qr-1"),
                               headers=api.headers(Role.PATIENT))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["score"] == 24 and body["patient_id"] == SELF and body["questionnaire"] == "cat"
    assert body["alert"] is False
    assert count(api.engine, PromResponseRecord) == 1


def test_patient_cannot_answer_for_another_patient(api: Api) -> None:
    """A patient posting a response about someone else gets 403 and nothing is stored."""
    response = api.client.post("/fhir/QuestionnaireResponse", json=cat_response("qr-2", OTHER),
                               headers=api.headers(Role.PATIENT))
    assert response.status_code == 403
    assert count(api.engine, PromResponseRecord) == 0


def test_bad_questionnaire_response_names_the_item(api: Api) -> None:
    """An answer out of range is 422 with an OperationOutcome whose expression names the item."""
    response = api.client.post("/fhir/QuestionnaireResponse", json=cat_response("qr-3", answer=9),
                               headers=api.headers(Role.PATIENT))
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"] == ["QuestionnaireResponse.item.where(linkId='cough')"]
    unknown = cat_response("qr-4")
    unknown["questionnaire"] = "https://example.org/Questionnaire/nope"
    response = api.client.post("/fhir/QuestionnaireResponse", json=unknown, headers=api.headers(Role.PATIENT))
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"] == ["QuestionnaireResponse.questionnaire"]


def test_patient_app_fetches_the_questionnaires(api: Api) -> None:
    """GET /fhir/Questionnaire is a searchset Bundle of the three forms."""
    response = api.client.get("/fhir/Questionnaire", headers=api.headers(Role.PATIENT))
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "searchset"
    assert {e["resource"]["resourceType"] for e in body["entry"]} == {"Questionnaire"}
    assert {e["resource"]["id"] for e in body["entry"]} >= {"cat", "esas-r", "hf-checkin"}


# -- the urgent-visit route ---------------------------------------------------------------------------


def make_alarm(api: Api, severity: Severity) -> str:
    alarm = Alarm(alarm_id=f"A-{severity}", patient_id=OTHER, kind=FindingKind.NEWS2, severity=severity,
                  dedup_key=f"{OTHER}:news2:{severity}", cause="NEWS2", evidence=(), opened_at=NOW)
    with session_scope(api.engine) as session:
        save_transition(session, [alarm], [])
    return alarm.alarm_id


def test_urgent_visit_refused_for_a_yellow_alarm(api: Api) -> None:
    """Only a red alarm may create an urgent visit: a yellow one is 409."""
    response = api.client.post(f"/api/alarms/{make_alarm(api, Severity.YELLOW)}/urgent-visit",
                               headers=api.headers(Role.RESPONDER))
    assert response.status_code == 409


def test_urgent_visit_without_a_plan_is_recorded_on_the_alarm(api: Api) -> None:
    """Without a plan for today, a red alarm's request is answered with no plan version and kept in
    the alarm's audit trail."""
    alarm_id = make_alarm(api, Severity.RED)
    response = api.client.post(f"/api/alarms/{alarm_id}/urgent-visit", headers=api.headers(Role.RESPONDER))
    assert response.status_code == 200, response.text
    assert response.json()["plan_version"] is None and response.json()["date"] == "2026-11-23"
    trail = api.client.get(f"/api/alarms/{alarm_id}", headers=api.headers(Role.RESPONDER)).json()["events"]
    assert [e["kind"] for e in trail] == ["urgent_visit"]


# -- who may call what --------------------------------------------------------------------------------

QUESTIONNAIRE_READERS = {Role.ADMIN, Role.COORDINATOR, Role.CLINICIAN, Role.RESPONDER, Role.PATIENT}
URGENT = {Role.ADMIN, Role.COORDINATOR, Role.RESPONDER}


@pytest.mark.parametrize("role", list(Role))
def test_rbac_matrix(api: Api, role: Role) -> None:
    """Questionnaires: clinical roles and patients; QuestionnaireResponse likewise (a clinician may enter
    one for a patient); urgent visits: responders, coordinators and admins; everyone else 403."""
    headers = api.headers(role)
    listed = api.client.get("/fhir/Questionnaire", headers=headers).status_code
    assert listed == (200 if role in QUESTIONNAIRE_READERS else 403)
    answered = api.client.post("/fhir/QuestionnaireResponse", json=cat_response(f"qr-{role}"),
                               headers=headers).status_code
    assert answered == (201 if role in QUESTIONNAIRE_READERS else 403)
    urgent = api.client.post(f"/api/alarms/{make_alarm(api, Severity.YELLOW)}/urgent-visit",
                             headers=headers).status_code
    assert urgent == (409 if role in URGENT else 403)
