"""FHIR R4 in (issue 13): transaction bundles admit, change and discharge; lab results close samples;
the examples in docs/fhir.md round-trip; a bad bundle changes nothing; the same bundle twice changes
nothing the second time."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from hjemme.domain.people import EnrolmentStatus
from hjemme.domain.security import Role
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.monitoring_tables import AlarmRecord
from hjemme.store.realdata_tables import LabResultRecord, StayChangeRecord
from hjemme.store.tables import AccessLogRecord, EnrolmentRecord, PatientRecord
from tests.api.conftest import Api

DOC = Path(__file__).resolve().parents[2] / "docs" / "fhir.md"
EXAMPLES = {m[1]: json.loads(m[2]) for m in re.finditer(r"```json (\w+)\n(.*?)```", DOC.read_text(), re.S)}
NATIONAL = "urn:oid:2.16.578.1.12.4.1.4.1|01015012345"


def _post(api: Api, bundle: Any, role: Role = Role.ADMIN) -> Any:
    return api.client.post("/fhir", content=json.dumps(bundle), headers=api.headers(role))


def _counts(api: Api) -> tuple[int, ...]:
    with session_scope(api.engine) as session:
        return tuple(
            session.scalar(select(func.count()).select_from(t)) or 0
            for t in (
                PatientRecord,
                EnrolmentRecord,
                StayChangeRecord,
                AccessLogRecord,
                LabResultRecord,
                AlarmRecord,
            )
        )


def test_the_examples_are_in_the_docs() -> None:
    """docs/fhir.md carries the admit, change, discharge and lab bundles the tests post."""
    assert set(EXAMPLES) == {"admit", "change", "discharge", "lab", "pause", "resume"}


def test_admit_bundle_round_trips_and_is_idempotent(api: Api) -> None:
    """The admit example creates the patient and stay; the same bundle again changes nothing; search finds it."""
    first = _post(api, EXAMPLES["admit"])
    assert first.status_code == 200, first.text
    assert [e["response"]["status"] for e in first.json()["entry"]] == ["201 Created", "201 Created"]
    before = _counts(api)
    again = _post(api, EXAMPLES["admit"])
    assert [e["response"]["status"] for e in again.json()["entry"]] == ["200 OK", "200 OK"]
    assert _counts(api) == before
    found = api.client.get(
        "/fhir/Patient", params={"identifier": NATIONAL}, headers=api.headers(Role.CLINICIAN)
    )
    assert found.status_code == 200 and found.json()["total"] == 1
    patient = found.json()["entry"][0]["resource"]
    sent = EXAMPLES["admit"]["entry"][0]["resource"]
    assert patient["name"][0]["text"] == sent["name"][0]["text"]
    assert patient["address"][0]["text"] == sent["address"][0]["text"]
    assert patient["telecom"][0]["value"] == sent["telecom"][0]["value"]
    assert {"system": "urn:oid:2.16.578.1.12.4.1.4.1", "value": "01015012345"} in patient["identifier"]
    with session_scope(api.engine) as session:
        (stage,) = repo.list_enrolments(session, episode_id="EOC-2026-0042")
    assert (stage.pathway_id, stage.start_date, stage.end_date) == (
        "wound_care",
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 14),
    )


def test_change_then_discharge_bundles_follow_the_stay(api: Api) -> None:
    """A second CarePlan changes the pathway from its date and a new end extends; finished discharges."""
    _post(api, EXAMPLES["admit"])
    assert _post(api, EXAMPLES["change"]).status_code == 200
    with session_scope(api.engine) as session:
        stages = repo.list_enrolments(session, episode_id="EOC-2026-0042")
    assert [(s.pathway_id, s.start_date, s.end_date) for s in stages] == [
        ("wound_care", dt.date(2026, 12, 1), dt.date(2026, 12, 7)),
        ("palliative", dt.date(2026, 12, 8), dt.date(2026, 12, 20)),
    ]
    before = _counts(api)
    _post(api, EXAMPLES["change"])
    assert _counts(api) == before
    assert _post(api, EXAMPLES["discharge"]).status_code == 200
    with session_scope(api.engine) as session:
        stages = repo.list_enrolments(session, episode_id="EOC-2026-0042")
    assert stages[-1].end_date == dt.date(2026, 12, 10)
    assert stages[-1].status is EnrolmentStatus.DISCHARGED


@pytest.mark.parametrize(
    ("mutate", "expression"),
    [
        (lambda b: b["entry"][1]["resource"]["period"].pop("end"), "Bundle.entry[1].resource.period.end"),
        (
            lambda b: b["entry"][2]["resource"].update(instantiatesCanonical=["urn:hjemme:pathway/nope"]),
            "Bundle.entry[2].resource.instantiatesCanonical",
        ),
        (
            lambda b: b["entry"][1]["resource"].update(status="not-a-status"),
            "Bundle.entry[1].resource.status",
        ),
        (lambda b: b["entry"][0]["resource"].update(identifier=[]), "Bundle.entry[0].resource.identifier"),
        (lambda b: b.update(type="batch"), "Bundle.type"),
        (
            lambda b: b["entry"][1]["resource"].update(status="onhold"),
            "Bundle.entry[1].resource.statusHistory",
        ),
        (lambda b: b["entry"][1]["resource"].update(status="waitlist"), "Bundle.entry[1].resource.status"),
    ],
)
def test_a_malformed_bundle_changes_nothing(api: Api, mutate: Any, expression: str) -> None:
    """A bad entry is answered 422 with an OperationOutcome naming the element; nothing is written."""
    bundle = copy.deepcopy(EXAMPLES["admit"])
    mutate(bundle)
    before = _counts(api)
    response = _post(api, bundle)
    assert response.status_code == 422
    issue = response.json()["issue"][0]
    assert issue["expression"][0].startswith(expression), issue
    assert _counts(api) == before


def test_lab_result_closes_the_sample_and_raises_an_alarm(api: Api) -> None:
    """A result for a sample is stored with its turnaround, shown to clinicians, and LL opens a red alarm."""
    response = _post(api, EXAMPLES["lab"])
    assert response.status_code == 200, response.text
    results = api.client.get(
        "/api/lab-results", params={"patient": "P00001"}, headers=api.headers(Role.CLINICIAN)
    )
    (result,) = results.json()
    assert result["sample_task_id"] == "E00001-20261123-S0"
    assert result["turnaround_min"] == 210 and result["flag"] == "LL"
    with session_scope(api.engine) as session:
        alarm = session.scalar(select(AlarmRecord).where(AlarmRecord.patient_id == "P00001"))
    assert alarm is not None and alarm.severity == "red"
    before = _counts(api)
    _post(api, EXAMPLES["lab"])
    assert _counts(api) == before


def test_lab_result_for_an_unknown_sample_is_refused(api: Api) -> None:
    """basedOn a sample hjemme does not know is a 422 naming basedOn."""
    bundle = copy.deepcopy(EXAMPLES["lab"])
    bundle["entry"][0]["resource"]["basedOn"] = [{"reference": "ServiceRequest/E99999-20261123-S0"}]
    response = _post(api, bundle)
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"] == ["Bundle.entry[0].resource.basedOn"]


def test_capability_statement_names_the_transaction(api: Api) -> None:
    """GET /fhir/metadata states the transaction interaction and the Patient identifier search."""
    body = api.client.get("/fhir/metadata", headers=api.headers(Role.RESEARCHER)).json()
    assert body["resourceType"] == "CapabilityStatement" and body["fhirVersion"] == "4.0.1"
    rest = body["rest"][0]
    assert rest["interaction"][0]["code"] == "transaction"
    patient = next(r for r in rest["resource"] if r["type"] == "Patient")
    assert patient["searchParam"][0]["name"] == "identifier"


def _stay(api: Api) -> list[tuple[str, dt.date, dt.date, tuple[tuple[dt.date, dt.date], ...]]]:
    with session_scope(api.engine) as session:
        stages = repo.list_enrolments(session, episode_id="EOC-2026-0042")
    return [(s.pathway_id, s.start_date, s.end_date, s.pauses) for s in stages]


def test_onhold_pauses_the_stay_and_active_again_resumes_it(api: Api) -> None:
    """The pause example pauses the stay from 5 December (open: to its last day), the resume example
    ends the pause on 7 December; each bundle posted twice changes nothing the second time, and the
    stay's history and the patient read back are as sent."""
    _post(api, EXAMPLES["admit"])
    paused = _post(api, EXAMPLES["pause"])
    assert paused.status_code == 200, paused.text
    assert [e["response"]["status"] for e in paused.json()["entry"]] == ["200 OK", "200 OK"]
    day = dt.date
    assert _stay(api) == [
        ("wound_care", day(2026, 12, 1), day(2026, 12, 14), ((day(2026, 12, 5), day(2026, 12, 14)),))
    ]
    before = _counts(api)
    again = _post(api, EXAMPLES["pause"])
    assert [e["response"]["status"] for e in again.json()["entry"]] == ["200 OK", "200 OK"]
    assert _counts(api) == before
    resumed = _post(api, EXAMPLES["resume"])
    assert resumed.status_code == 200, resumed.text
    assert _stay(api) == [
        ("wound_care", day(2026, 12, 1), day(2026, 12, 14), ((day(2026, 12, 5), day(2026, 12, 7)),))
    ]
    before = _counts(api)
    _post(api, EXAMPLES["resume"])
    assert _counts(api) == before
    with session_scope(api.engine) as session:
        history = [
            (r.kind, r.effective, r.details)
            for r in session.scalars(select(StayChangeRecord).order_by(StayChangeRecord.id))
        ]
    assert history[-2:] == [
        ("pause", day(2026, 12, 5), {"until": "2026-12-14"}),
        ("resume", day(2026, 12, 8), {}),
    ]
    found = api.client.get(
        "/fhir/Patient", params={"identifier": NATIONAL}, headers=api.headers(Role.CLINICIAN)
    )
    sent = EXAMPLES["resume"]["entry"][0]["resource"]
    assert found.json()["entry"][0]["resource"]["name"][0]["text"] == sent["name"][0]["text"]


def test_a_pause_outside_the_stay_writes_nothing_of_the_bundle(api: Api) -> None:
    """An onhold period after the stay's end is a 422 naming it; the new phone in the same bundle is not stored."""
    _post(api, EXAMPLES["admit"])
    bundle = copy.deepcopy(EXAMPLES["pause"])
    bundle["entry"][0]["resource"]["telecom"] = [{"system": "phone", "value": "+47 000 00 000"}]
    bundle["entry"][1]["resource"]["statusHistory"][1]["period"] = {"start": "2027-01-10"}
    before, stay = _counts(api), _stay(api)
    response = _post(api, bundle)
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"] == ["Bundle.entry[1].resource.statusHistory[1].period"]
    assert _counts(api) == before and _stay(api) == stay
    with session_scope(api.engine) as session:
        assert {p.phone for p in repo.list_patients(session)} >= {"+47 912 34 567"}
        assert "+47 000 00 000" not in {p.phone for p in repo.list_patients(session)}


def test_active_with_an_ended_pause_needs_its_last_day(api: Api) -> None:
    """An active episode whose onhold entry has no end is refused naming that entry's period.end."""
    _post(api, EXAMPLES["admit"])
    bundle = copy.deepcopy(EXAMPLES["resume"])
    bundle["entry"][1]["resource"]["statusHistory"][1]["period"].pop("end")
    response = _post(api, bundle)
    assert response.status_code == 422
    assert response.json()["issue"][0]["expression"] == [
        "Bundle.entry[1].resource.statusHistory[1].period.end"
    ]


def test_capability_statement_lists_onhold() -> None:
    """The CapabilityStatement says which EpisodeOfCare statuses are taken, onhold among them."""
    from hjemme.api.routes.fhir_bundle import CAPABILITY

    episode = next(r for r in CAPABILITY["rest"][0]["resource"] if r["type"] == "EpisodeOfCare")
    assert "onhold" in episode["documentation"] and "not waitlist" in episode["documentation"]
