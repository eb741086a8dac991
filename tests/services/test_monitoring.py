"""Response-centre use cases: worklist, acknowledge/escalate/resolve, tick, PROMs, thresholds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, select

from hjemme.domain.security import Role
from hjemme.errors import ConflictError, InputError, PermissionDeniedError
from hjemme.monitoring.proms import load_questionnaires
from hjemme.services.auth import Principal
from hjemme.services.ingest import ingest_fhir
from hjemme.services.monitoring import (
    acknowledge_alarm,
    escalate_alarm,
    get_alarm,
    list_alarms,
    resolve_alarm,
    run_monitoring_tick,
    set_personal_thresholds,
)
from hjemme.services.proms import submit_questionnaire_response
from hjemme.store.database import session_scope
from hjemme.store.monitoring_tables import AlarmRecord, PromResponseRecord, ReminderRecord
from hjemme.store.tables import AccessLogRecord
from tests.services.monitoring_fixtures import DRIVER, NOW, RESPONDER, count, observation, seed

MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def engine(db_engine: Engine) -> Engine:
    seed(db_engine)
    return db_engine


def open_pulse_alarm(engine: Engine) -> str:
    ingest_fhir(engine=engine, payload=observation("p1", "HF", "pulse", 130, NOW - 5 * MINUTE), now=NOW)
    (alarm,) = list_alarms(engine=engine, principal=RESPONDER, at=NOW)
    return alarm.alarm_id


def test_ack_escalate_resolve_are_audited_and_logged(engine: Engine) -> None:
    """Each action changes the alarm, appends an audit event and an access-log row."""
    alarm_id = open_pulse_alarm(engine)
    acked = acknowledge_alarm(engine=engine, principal=RESPONDER, alarm_id=alarm_id, at=NOW + MINUTE)
    assert (acked.status, acked.owner) == ("acknowledged", "rita")
    escalate_alarm(engine=engine, principal=RESPONDER, alarm_id=alarm_id, at=NOW + 2 * MINUTE, note="lege")
    with pytest.raises(InputError):
        resolve_alarm(engine=engine, principal=RESPONDER, alarm_id=alarm_id, note="", at=NOW + 3 * MINUTE)
    resolve_alarm(engine=engine, principal=RESPONDER, alarm_id=alarm_id, note="Ringte, ok", at=NOW + 4 * MINUTE)
    alarm, events, evidence = get_alarm(engine=engine, principal=RESPONDER, alarm_id=alarm_id, at=NOW)
    assert [e.kind for e in events] == ["opened", "acknowledged", "escalated", "resolved"]
    assert alarm.resolution_note == "Ringte, ok" and [o.observation_id for o in evidence] == ["p1"]
    assert list_alarms(engine=engine, principal=RESPONDER, at=NOW) == []
    assert len(list_alarms(engine=engine, principal=RESPONDER, at=NOW, status="resolved")) == 1
    with session_scope(engine) as session:
        resources = list(session.scalars(select(AccessLogRecord.resource).where(
            AccessLogRecord.action == "write")))
    assert any(r.endswith("ack") for r in resources) and any(r.endswith("resolve") for r in resources)
    with pytest.raises(ConflictError):
        acknowledge_alarm(engine=engine, principal=RESPONDER, alarm_id=alarm_id, at=NOW + 5 * MINUTE)


def test_drivers_and_patients_cannot_see_alarms(engine: Engine) -> None:
    """Need-to-know: logistics and patient roles may not read the worklist."""
    open_pulse_alarm(engine)
    for principal in (DRIVER, Principal("pia", Role.PATIENT, "HF")):
        with pytest.raises(PermissionDeniedError):
            list_alarms(engine=engine, principal=principal, at=NOW)


def test_unknown_status_filter_is_refused(engine: Engine) -> None:
    """An unknown worklist status is an input error listing the valid ones."""
    with pytest.raises(InputError, match="unacknowledged"):
        list_alarms(engine=engine, principal=RESPONDER, at=NOW, status="nope")


def test_tick_escalates_once_per_level(engine: Engine) -> None:
    """An unacknowledged yellow alarm escalates at 60 and 120 minutes, once each, however often the tick runs."""
    alarm_id = open_pulse_alarm(engine)
    levels = []
    for minutes in (30, 60, 61, 90, 120, 121, 600, 601):
        run_monitoring_tick(engine=engine, now=NOW + minutes * MINUTE)
        with session_scope(engine) as session:
            record = session.get(AlarmRecord, alarm_id)
            assert record is not None
            levels.append(record.escalation_level)
    assert levels == [0, 1, 1, 1, 2, 2, 2, 2]
    _, events, _ = get_alarm(engine=engine, principal=RESPONDER, alarm_id=alarm_id, at=NOW)
    assert [e.kind for e in events].count("escalated") == 2


def test_tick_sends_reminders_once_and_raises_missing_data_alarm(engine: Engine) -> None:
    """A heart-failure patient without measurements gets one reminder per gap and then an alarm."""
    first = run_monitoring_tick(engine=engine, now=NOW)
    again = run_monitoring_tick(engine=engine, now=NOW + MINUTE)
    assert first.reminders > 0 and again.reminders == 0
    with session_scope(engine) as session:
        subjects = set(session.scalars(select(ReminderRecord.subject).where(ReminderRecord.patient_id == "HF")))
    assert {"weight", "systolic_bp", "pulse"} <= subjects
    kinds = {(a.patient_id, a.kind) for a in list_alarms(engine=engine, principal=RESPONDER, at=NOW)}
    assert ("HF", "missing_data") in kinds
    assert count(engine, ReminderRecord) == first.reminders


def cat_response(ident: str, value: int, patient: str = "LUNG") -> dict[str, Any]:
    q = load_questionnaires()["cat"]
    return {"resourceType": "QuestionnaireResponse", "id": ident, "status": "completed",
            "questionnaire": q.url, "subject": {"reference": f"Patient/{patient}"},
            "authored": (NOW - MINUTE).isoformat(),
            "item": [{"linkId": i.link_id, "answer": [{"valueInteger": value}]} for i in q.items]}


def test_prom_answer_scores_stores_once_and_alarms(engine: Engine) -> None:
    """A patient's CAT answer of 32 crosses the lung pathway's 25 and opens a PROM alarm, once."""
    patient = Principal("lars", Role.PATIENT, "LUNG")
    scored = submit_questionnaire_response(engine=engine, principal=patient, document=cat_response("qr-1", 4),
                                           at=NOW)
    assert (scored.score, scored.alert) == (32.0, True)
    submit_questionnaire_response(engine=engine, principal=patient, document=cat_response("qr-1", 4), at=NOW)
    assert count(engine, PromResponseRecord) == 1
    (alarm,) = list_alarms(engine=engine, principal=RESPONDER, at=NOW)
    assert (alarm.kind, alarm.evidence) == ("prom", ("qr-1",))
    low = submit_questionnaire_response(engine=engine, principal=patient, document=cat_response("qr-2", 1),
                                        at=NOW)
    assert low.alert is False


def test_patient_cannot_answer_for_another(engine: Engine) -> None:
    """The patient role may only submit its own questionnaire responses (refused, nothing stored)."""
    patient = Principal("lars", Role.PATIENT, "LUNG")
    with pytest.raises(PermissionDeniedError, match="deg selv"):
        submit_questionnaire_response(engine=engine, principal=patient, document=cat_response("qr-3", 1, "HF"),
                                      at=NOW)
    assert count(engine, PromResponseRecord) == 0


def test_personal_thresholds_from_baseline_silence_habitual_values(engine: Engine) -> None:
    """After a baseline at 85–87 %, a COPD patient's 86 % no longer alarms against the pathway's 88 %."""
    for i, value in enumerate([86, 85, 87, 86, 85, 87]):
        ingest_fhir(engine=engine, payload=observation(f"b{i}", "LUNG", "spo2", value, NOW - (60 - i) * MINUTE),
                    now=NOW - (59 - i) * MINUTE)
    assert list_alarms(engine=engine, principal=RESPONDER, at=NOW)
    limits = set_personal_thresholds(engine=engine, principal=RESPONDER, patient_id="LUNG",
                                     baseline_start=NOW - 2 * dt.timedelta(hours=1), baseline_end=NOW, at=NOW)
    assert limits[0].parameter == "spo2" and limits[0].low is not None and limits[0].low < 85
    for alarm in list_alarms(engine=engine, principal=RESPONDER, at=NOW):
        resolve_alarm(engine=engine, principal=RESPONDER, alarm_id=alarm.alarm_id, note="baseline", at=NOW)
    ingest_fhir(engine=engine, payload=observation("b9", "LUNG", "spo2", 86, NOW), now=NOW + MINUTE)
    assert list_alarms(engine=engine, principal=RESPONDER, at=NOW + MINUTE) == []
