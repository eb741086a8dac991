"""``/api/alarms``: the worklist and the alarm life cycle, for clinical roles only, access-logged."""

from __future__ import annotations

import pytest

from hjemme.domain.security import CLINICAL_ACCESS, Role
from hjemme.monitoring.alarms import Alarm
from hjemme.monitoring.rules import FindingKind, Severity
from hjemme.services.monitoring import save_transition
from hjemme.store.database import session_scope
from tests.api.conftest import NOW, OTHER, Api


@pytest.fixture
def alarm_id(api: Api) -> str:
    alarm = Alarm(alarm_id="A1", patient_id=OTHER, kind=FindingKind.THRESHOLD, severity=Severity.RED,
                  dedup_key=f"{OTHER}:spo2:low", cause="SpO2 84 % under 88 %", evidence=(),
                  opened_at=NOW)
    with session_scope(api.engine) as session:
        save_transition(session, [alarm], [])
    return alarm.alarm_id


@pytest.mark.parametrize("role", list(Role))
def test_worklist_by_role(api: Api, alarm_id: str, role: Role) -> None:
    """Clinical roles get the open worklist; logistics, technicians, researchers and patients get 403."""
    response = api.client.get("/api/alarms", headers=api.headers(role))
    if role in CLINICAL_ACCESS:
        assert response.status_code == 200
        assert [a["alarm_id"] for a in response.json()] == [alarm_id]
    else:
        assert response.status_code == 403


def test_alarm_life_cycle(api: Api, alarm_id: str) -> None:
    """A responder acknowledges then resolves an alarm with a note; it leaves the open worklist."""
    headers = api.headers(Role.RESPONDER)
    ack = api.client.post(f"/api/alarms/{alarm_id}/ack", headers=headers)
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged"
    assert ack.json()["acknowledged_by"] == "responder1"
    done = api.client.post(f"/api/alarms/{alarm_id}/resolve", json={"note": "Ringte, økte O2"},
                           headers=headers)
    assert done.status_code == 200 and done.json()["resolution_note"] == "Ringte, økte O2"
    assert api.client.get("/api/alarms", headers=headers).json() == []
    again = api.client.post(f"/api/alarms/{alarm_id}/resolve", json={"note": "igjen"}, headers=headers)
    assert again.status_code == 409
    trail = api.client.get(f"/api/alarms/{alarm_id}", headers=headers).json()["events"]
    assert [e["kind"] for e in trail] == ["acknowledged", "resolved"]


def test_alarm_input_errors(api: Api, alarm_id: str) -> None:
    """Resolving without a note, an unknown status filter and an unknown alarm name the field."""
    headers = api.headers(Role.CLINICIAN)
    no_note = api.client.post(f"/api/alarms/{alarm_id}/resolve", json={}, headers=headers)
    assert no_note.status_code == 422 and no_note.json()["detail"][0]["loc"] == ["body", "note"]
    bad_status = api.client.get("/api/alarms?status=sleeping", headers=headers)
    assert bad_status.status_code == 422 and bad_status.json()["detail"][0]["loc"] == ["status"]
    assert api.client.post("/api/alarms/A404/ack", headers=headers).status_code == 404


def test_alarm_reads_and_writes_are_logged(api: Api, alarm_id: str) -> None:
    """Reading the worklist and acknowledging an alarm each leave a row for the alarm's patient."""
    api.client.get("/api/alarms", headers=api.headers(Role.RESPONDER))
    api.client.post(f"/api/alarms/{alarm_id}/ack", headers=api.headers(Role.RESPONDER))
    rows = api.client.get("/api/audit/access-log", params={"user": "responder1"},
                          headers=api.headers(Role.ADMIN)).json()
    assert [(r["patient_id"], r["action"], r["resource"]) for r in reversed(rows)] == [
        (OTHER, "read", "alarms"), (OTHER, "write", f"alarm {alarm_id} ack")
    ]


def test_alarm_times_carry_their_offset(api: Api, alarm_id: str) -> None:
    """Every moment in an alarm's JSON is ISO 8601 with an offset (UTC ``Z``), never a naive time."""
    headers = api.headers(Role.RESPONDER)
    api.client.post(f"/api/alarms/{alarm_id}/ack", headers=headers)
    body = api.client.get(f"/api/alarms/{alarm_id}", headers=headers).json()
    moments = [body["alarm"]["opened_at"], body["alarm"]["acknowledged_at"], *(e["at"] for e in body["events"])]
    assert moments == ["2026-11-23T07:30:00Z"] * 3


def test_a_naive_moment_never_reaches_the_wire() -> None:
    """An answer schema refuses a datetime without a zone instead of sending it without an offset."""
    import datetime as dt

    from pydantic import ValidationError

    from hjemme.api.schemas.alarms import AlarmEventRead

    with pytest.raises(ValidationError, match="timezone"):
        AlarmEventRead(kind="acknowledged", at=dt.datetime(2026, 11, 23, 7, 30), actor="x", level=0,
                       severity="red", note="")
