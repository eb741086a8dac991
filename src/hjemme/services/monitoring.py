"""Response-centre use cases (issue 5): evaluate rules, the alarm worklist, acknowledge, escalate,
resolve, personal thresholds and the periodic tick (PROM answers: :mod:`hjemme.services.proms`).

Each public function is one transaction (``engine`` in, :func:`session_scope` inside) except the
``…_in_session`` helpers, which ingest calls inside its own transaction so that an observation and
the alarm it causes are committed together. Alarm transitions come from the pure state machine in
:mod:`hjemme.monitoring.alarms`; this module only loads, saves and writes the access log.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain.pathways import MonitoredParameter, PromSpec
from hjemme.domain.people import Enrolment
from hjemme.domain.security import CLINICAL_ACCESS, Role
from hjemme.errors import InputError, NotFoundError
from hjemme.monitoring import alarms as sm
from hjemme.monitoring.alarms import Alarm, AlarmEvent, AlarmStatus, EscalationParams
from hjemme.monitoring.news2 import News2Params
from hjemme.monitoring.observations import Observation, Parameter
from hjemme.monitoring.proms import (
    prom_reminders,
)
from hjemme.monitoring.rules import (
    BaselineParams,
    Finding,
    FindingKind,
    PersonalThreshold,
    Reminder,
    RulesParams,
    Severity,
    evaluate_missing_data,
    evaluate_news2,
    evaluate_thresholds,
    evaluate_trends,
    personal_thresholds,
)
from hjemme.services.access import log_access, require_role
from hjemme.services.care import care_scope, require_in_care
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.monitoring_tables import (
    AlarmEventRecord,
    AlarmRecord,
    DeadLetterRecord,
    ObservationRecord,
    PersonalThresholdRecord,
    PromResponseRecord,
    ReminderRecord,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from hjemme.services.auth import Principal

OSLO = ZoneInfo("Europe/Oslo")
ALARM_ROLES = CLINICAL_ACCESS  # admin, coordinator, clinician, responder
MONITORING_START_LOCAL = dt.time(12, 0)  # assumption: the device kit is at home by noon on day 0
PROM_START_LOCAL = dt.time(9, 0)  # assumption: questionnaires open at 09:00 on their day
STATUS_FILTERS = {
    "open": (AlarmStatus.OPEN, AlarmStatus.ACKNOWLEDGED),  # everything not yet resolved
    "unacknowledged": (AlarmStatus.OPEN,),
    "acknowledged": (AlarmStatus.ACKNOWLEDGED,),
    "resolved": (AlarmStatus.RESOLVED,),
}


@dataclass(frozen=True, slots=True)
class PatientMonitoring:
    """What the rules need to know about one patient today, gathered from enrolments + catalogue."""

    patient_id: str
    parameters: tuple[MonitoredParameter, ...]
    proms: tuple[tuple[Enrolment, PromSpec], ...]
    news2: News2Params
    monitoring_start: dt.datetime | None


@dataclass(frozen=True, slots=True)
class TickResult:
    """What one run of the periodic tick did."""

    escalations: int
    reminders: int
    alarms_changed: int


# -- mapping ---------------------------------------------------------------------------------------


def _alarm(record: AlarmRecord) -> Alarm:
    return Alarm(
        alarm_id=record.alarm_id, patient_id=record.patient_id, kind=FindingKind(record.kind),
        severity=Severity(record.severity), dedup_key=record.dedup_key, cause=record.cause,
        evidence=tuple(record.evidence), opened_at=record.opened_at, status=AlarmStatus(record.status),
        owner=record.owner, escalation_level=record.escalation_level, level_since=record.level_since,
        score=record.score, acknowledged_at=record.acknowledged_at, acknowledged_by=record.acknowledged_by,
        resolved_at=record.resolved_at, resolved_by=record.resolved_by,
        resolution_note=record.resolution_note,
    )


def _alarm_row(alarm: Alarm) -> dict[str, Any]:
    return {
        "alarm_id": alarm.alarm_id, "patient_id": alarm.patient_id, "kind": str(alarm.kind),
        "severity": str(alarm.severity), "dedup_key": alarm.dedup_key, "cause": alarm.cause,
        "evidence": list(alarm.evidence), "status": str(alarm.status), "owner": alarm.owner,
        "escalation_level": alarm.escalation_level, "level_since": alarm.level_since, "score": alarm.score,
        "opened_at": alarm.opened_at, "acknowledged_at": alarm.acknowledged_at,
        "acknowledged_by": alarm.acknowledged_by, "resolved_at": alarm.resolved_at,
        "resolved_by": alarm.resolved_by, "resolution_note": alarm.resolution_note,
    }


def _observation(record: ObservationRecord) -> Observation:
    return Observation(record.observation_id, record.patient_id, Parameter(record.parameter), record.value,
                       record.unit, record.effective_at, record.received_at, record.device_id)


def _event(record: AlarmEventRecord) -> AlarmEvent:
    return AlarmEvent(record.alarm_id, sm.AlarmEventKind(record.kind), record.at, record.actor, record.level,
                      Severity(record.severity), record.note)


def save_transition(session: Session, alarms: Iterable[Alarm], events: Iterable[AlarmEvent]) -> None:
    """Insert or update alarms and append their audit events (in the caller's transaction)."""
    for alarm in alarms:
        record = session.get(AlarmRecord, alarm.alarm_id)
        if record is None:
            session.add(AlarmRecord(**_alarm_row(alarm)))
        else:
            for key, value in _alarm_row(alarm).items():
                setattr(record, key, value)
    session.flush()
    session.add_all(AlarmEventRecord(alarm_id=e.alarm_id, kind=str(e.kind), at=e.at, actor=e.actor,
                                     level=e.level, severity=str(e.severity), note=e.note) for e in events)
    session.flush()


# -- evaluation ------------------------------------------------------------------------------------


def patient_monitoring(
    session: Session, patient_id: str, now: dt.datetime, catalogue: Catalogue | None = None
) -> PatientMonitoring:
    """The monitored parameters, PROMs and NEWS2 scale of the patient's enrolments active today."""
    catalogue = catalogue or load_catalogue()
    today = now.astimezone(OSLO).date()
    enrolments = repo.list_enrolments(session, active_on=today, patient_id=patient_id)
    parameters: dict[str, MonitoredParameter] = {}
    proms: list[tuple[Enrolment, PromSpec]] = []
    for enrolment in enrolments:
        pathway = catalogue.pathways.get(enrolment.pathway_id)
        if pathway is None:
            continue
        for spec in pathway.monitoring:
            parameters.setdefault(spec.code, spec)  # first enrolment wins on a duplicate parameter
        proms += [(enrolment, spec) for spec in pathway.proms]
    start = min((e.start_date for e in enrolments), default=None)
    monitoring_start = (dt.datetime.combine(start, MONITORING_START_LOCAL, OSLO) if start else None)
    target = any(e.spo2_target_88_92 for e in enrolments)
    return PatientMonitoring(patient_id, tuple(parameters.values()), tuple(proms),
                             News2Params.for_target(target), monitoring_start)


def _recent_observations(session: Session, patient_id: str, since: dt.datetime) -> list[Observation]:
    query = select(ObservationRecord).where(ObservationRecord.patient_id == patient_id,
                                            ObservationRecord.effective_at >= since)
    return [_observation(r) for r in session.scalars(query)]


def _rule_history(session: Session, setup: PatientMonitoring, now: dt.datetime) -> list[Observation]:
    """Just what the ingest-time rules read: the latest value of every parameter (NEWS2, thresholds)
    and the trend parameters' series over their window, instead of every recent row (a patient
    streaming vitals every few seconds must not make each batch slower than the last)."""
    newest_first = (ObservationRecord.effective_at.desc(), ObservationRecord.id.desc())
    rank = func.row_number().over(partition_by=ObservationRecord.parameter, order_by=newest_first)
    ranked = (select(ObservationRecord.id.label("id"), rank.label("rank"))
              .where(ObservationRecord.patient_id == setup.patient_id, ObservationRecord.effective_at <= now)
              .subquery())
    latest = (select(ObservationRecord).join(ranked, ranked.c.id == ObservationRecord.id)
              .where(ranked.c.rank == 1))
    rows = {r.id: r for r in session.scalars(latest)}
    for spec in setup.parameters:
        if spec.rise_limit is None or spec.rise_days is None:
            continue
        since = now - dt.timedelta(days=spec.rise_days + 1)
        series = select(ObservationRecord).where(
            ObservationRecord.patient_id == setup.patient_id, ObservationRecord.parameter == spec.code,
            ObservationRecord.effective_at >= since, ObservationRecord.effective_at <= now)
        rows.update((r.id, r) for r in session.scalars(series))
    return [_observation(r) for r in rows.values()]


def _personal(session: Session, patient_id: str) -> list[PersonalThreshold]:
    query = select(PersonalThresholdRecord).where(PersonalThresholdRecord.patient_id == patient_id)
    return [PersonalThreshold(r.parameter, r.low, r.high) for r in session.scalars(query)]


def apply_findings_in_session(
    session: Session, patient_id: str, findings: Sequence[Finding], now: dt.datetime
) -> list[Alarm]:
    """Open or update alarms for one patient's findings; returns the alarms that changed."""
    if not findings:
        return []
    keys = {f.dedup_key for f in findings}
    query = select(AlarmRecord).where(AlarmRecord.patient_id == patient_id, AlarmRecord.dedup_key.in_(keys))
    existing = [_alarm(r) for r in session.scalars(query)]
    outcome = sm.apply_findings(existing, findings, now, (uuid.uuid4().hex for _ in iter(int, 1)))
    save_transition(session, outcome.changed, outcome.events)
    return list(outcome.changed)


def evaluate_patients_in_session(
    session: Session,
    patient_ids: Iterable[str],
    now: dt.datetime,
    *,
    params: RulesParams | None = None,
    catalogue: Catalogue | None = None,
) -> list[Alarm]:
    """Run NEWS2, threshold and trend rules for each patient and open/update alarms."""
    params = params or RulesParams()
    changed: list[Alarm] = []
    for patient_id in dict.fromkeys(patient_ids):
        setup = patient_monitoring(session, patient_id, now, catalogue)
        history = _rule_history(session, setup, now)
        findings = evaluate_news2(patient_id, history, setup.news2, now, params)
        findings += evaluate_thresholds(patient_id, history, setup.parameters, now,
                                        _personal(session, patient_id), params)
        findings += evaluate_trends(patient_id, history, setup.parameters, now, params)
        changed += apply_findings_in_session(session, patient_id, findings, now)
    return changed


def evaluate_patients(*, engine: Engine, patient_ids: Iterable[str], now: dt.datetime) -> list[Alarm]:
    """Re-run the rules for patients (after a catalogue or threshold change); one transaction."""
    with session_scope(engine) as session:
        return evaluate_patients_in_session(session, patient_ids, now)


# -- the worklist and the alarm actions -------------------------------------------------------------


def list_alarms(
    *,
    engine: Engine,
    principal: Principal,
    at: dt.datetime,
    status: str | None = "open",
    patient_id: str | None = None,
    client: str | None = None,
    limit: int = 500,
) -> list[Alarm]:
    """The response centre's worklist, most urgent first (``GET /api/alarms?status=open``).

    ``status``: ``open`` (not resolved: open or acknowledged), ``unacknowledged``, ``acknowledged``,
    ``resolved`` or ``None`` for all. A clinician sees their own patients' alarms only
    (:mod:`hjemme.services.care`); the response centre sees all.
    """
    require_role(principal, ALARM_ROLES)
    query = select(AlarmRecord)
    if status is not None:
        if status not in STATUS_FILTERS:
            raise InputError("status", f"ukjent status '{status}'; bruk {', '.join(STATUS_FILTERS)}")
        query = query.where(AlarmRecord.status.in_([str(s) for s in STATUS_FILTERS[status]]))
    if patient_id is not None:
        query = query.where(AlarmRecord.patient_id == patient_id)
    with session_scope(engine) as session:
        scope = care_scope(session, principal, at)
        if scope.patient_ids is not None:
            query = query.where(AlarmRecord.patient_id.in_(sorted(scope.patient_ids)))
        alarms = sm.worklist_order(_alarm(r) for r in session.scalars(query))[:limit]
        log_access(session=session, principal=principal, patient_ids=[a.patient_id for a in alarms],
                   resource="alarms", client=client, at=at)
    return alarms


def get_alarm(
    *, engine: Engine, principal: Principal, alarm_id: str, at: dt.datetime, client: str | None = None
) -> tuple[Alarm, list[AlarmEvent], list[Observation]]:
    """One alarm with its audit trail and the observations it cites as evidence."""
    require_role(principal, ALARM_ROLES)
    with session_scope(engine) as session:
        alarm = _alarm_in_care(session, principal, alarm_id, at)
        trail = select(AlarmEventRecord).where(AlarmEventRecord.alarm_id == alarm_id)
        events = [_event(r) for r in session.scalars(trail.order_by(AlarmEventRecord.id))]
        evidence = [_observation(r) for r in session.scalars(
            select(ObservationRecord).where(ObservationRecord.observation_id.in_(alarm.evidence)))]
        log_access(session=session, principal=principal, patient_ids=[alarm.patient_id],
                   resource=f"alarm {alarm_id}", client=client, at=at)
    return alarm, events, sorted(evidence, key=lambda o: o.effective_at)


def load_alarm(session: Session, alarm_id: str) -> Alarm:
    record = session.get(AlarmRecord, alarm_id)
    if record is None:
        raise NotFoundError("alarm", alarm_id)
    return _alarm(record)


def _alarm_in_care(session: Session, principal: Principal, alarm_id: str, at: dt.datetime) -> Alarm:
    """The alarm, if its patient is in the caller's care; otherwise "not found", as for an unknown id."""
    alarm = load_alarm(session, alarm_id)
    if not care_scope(session, principal, at).allows(alarm.patient_id):
        raise NotFoundError("alarm", alarm_id)
    return alarm


def _act(
    engine: Engine, principal: Principal, alarm_id: str, at: dt.datetime, client: str | None, action: str,
    step: Any,
) -> Alarm:
    require_role(principal, ALARM_ROLES)
    with session_scope(engine) as session:
        transition = step(_alarm_in_care(session, principal, alarm_id, at))
        save_transition(session, [transition.alarm], transition.events)
        log_access(session=session, principal=principal, patient_ids=[transition.alarm.patient_id],
                   resource=f"alarm {alarm_id} {action}", client=client, at=at, action="write")
    return transition.alarm  # type: ignore[no-any-return]


def acknowledge_alarm(
    *, engine: Engine, principal: Principal, alarm_id: str, at: dt.datetime, client: str | None = None
) -> Alarm:
    """``POST /api/alarms/{id}/ack``: the caller has seen it; escalation stops."""
    return _act(engine, principal, alarm_id, at, client, "ack",
                lambda a: sm.acknowledge_alarm(a, principal.username, at))


def escalate_alarm(
    *, engine: Engine, principal: Principal, alarm_id: str, at: dt.datetime, note: str = "",
    client: str | None = None, params: EscalationParams | None = None,
) -> Alarm:
    """``POST /api/alarms/{id}/escalate``: hand it to the next level now."""
    return _act(engine, principal, alarm_id, at, client, "escalate",
                lambda a: sm.escalate_alarm(a, principal.username, at, params or EscalationParams(), note))


def resolve_alarm(
    *, engine: Engine, principal: Principal, alarm_id: str, note: str, at: dt.datetime,
    client: str | None = None,
) -> Alarm:
    """``POST /api/alarms/{id}/resolve`` with a required note of what was done."""
    return _act(engine, principal, alarm_id, at, client, "resolve",
                lambda a: sm.resolve_alarm(a, principal.username, note, at))


def assign_alarm(
    *, engine: Engine, principal: Principal, alarm_id: str, owner: str, at: dt.datetime,
    client: str | None = None,
) -> Alarm:
    """Give the alarm an owner (``POST /api/alarms/{id}/assign``)."""
    return _act(engine, principal, alarm_id, at, client, "assign",
                lambda a: sm.assign_alarm(a, owner, principal.username, at))


# -- the periodic tick -----------------------------------------------------------------------------


def run_monitoring_tick(
    *,
    engine: Engine,
    now: dt.datetime,
    escalation: EscalationParams | None = None,
    params: RulesParams | None = None,
    catalogue: Catalogue | None = None,
) -> TickResult:
    """Escalate overdue alarms, send missing-data and PROM reminders, raise missing-data alarms.

    Run every minute by ``hjemme monitoring tick --every 60`` (or the server's scheduler); safe to run
    more often, late or twice: escalations happen once per level, reminders once per key.
    """
    escalation = escalation or EscalationParams()
    params = params or RulesParams()
    catalogue = catalogue or load_catalogue()
    with session_scope(engine) as session:
        escalations = 0
        for record in session.scalars(select(AlarmRecord).where(AlarmRecord.status == str(AlarmStatus.OPEN))):
            step = sm.escalate_overdue(_alarm(record), now, escalation)
            if step.events:
                save_transition(session, [step.alarm], step.events)
                escalations += len(step.events)
        reminders: list[Reminder] = []
        changed = 0
        today = now.astimezone(OSLO).date()
        for patient_id in dict.fromkeys(e.patient_id for e in repo.list_enrolments(session, active_on=today)):
            setup = patient_monitoring(session, patient_id, now, catalogue)
            if setup.parameters and setup.monitoring_start is not None:
                lookback = max(p.interval_hours for p in setup.parameters) * 3
                history = _recent_observations(session, patient_id, now - dt.timedelta(hours=lookback))
                due, findings = evaluate_missing_data(patient_id, history, setup.parameters,
                                                      setup.monitoring_start, now, params)
                reminders += due
                changed += len(apply_findings_in_session(session, patient_id, findings, now))
            for enrolment, spec in setup.proms:
                start = dt.datetime.combine(enrolment.start_date, PROM_START_LOCAL, OSLO)
                answered = session.scalars(select(PromResponseRecord.authored_at).where(
                    PromResponseRecord.patient_id == patient_id,
                    PromResponseRecord.questionnaire_id == spec.questionnaire_id))
                reminders += prom_reminders(patient_id, spec, start, list(answered), now)
        sent = _record_reminders(session, reminders, now)
    return TickResult(escalations, sent, changed)


def _record_reminders(session: Session, reminders: Sequence[Reminder], now: dt.datetime) -> int:
    keys = [r.dedup_key for r in reminders]
    if not keys:
        return 0
    known = set(session.scalars(select(ReminderRecord.dedup_key).where(ReminderRecord.dedup_key.in_(keys))))
    new = [r for r in dict((r.dedup_key, r) for r in reminders).values() if r.dedup_key not in known]
    session.add_all(ReminderRecord(dedup_key=r.dedup_key, patient_id=r.patient_id, subject=r.subject,
                                   due_at=r.due_at, created_at=now, message=r.message) for r in new)
    session.flush()
    return len(new)


# -- personal thresholds and dead letters ---------------------------------------------------------


def set_personal_thresholds(
    *, engine: Engine, principal: Principal, patient_id: str, baseline_start: dt.datetime,
    baseline_end: dt.datetime, at: dt.datetime, params: BaselineParams | None = None,
    client: str | None = None,
) -> list[PersonalThreshold]:
    """Set the patient's own limits from a baseline period of their measurements (clinicians)."""
    require_role(principal, ALARM_ROLES)
    if baseline_end <= baseline_start:
        raise InputError("baseline_end", "slutten av perioden må komme etter starten")
    with session_scope(engine) as session:
        require_in_care(session, principal, patient_id, at)
        setup = patient_monitoring(session, patient_id, at)
        history = [o for o in _recent_observations(session, patient_id, baseline_start)
                   if o.effective_at <= baseline_end]
        limits = personal_thresholds(history, setup.parameters, baseline_start, baseline_end, params)
        for limit in limits:
            record = session.get(PersonalThresholdRecord, (patient_id, limit.parameter))
            if record is None:
                session.add(PersonalThresholdRecord(patient_id=patient_id, parameter=limit.parameter,
                                                    low=limit.low, high=limit.high, set_at=at,
                                                    set_by=principal.username))
            else:
                record.low, record.high = limit.low, limit.high
                record.set_at, record.set_by = at, principal.username
        log_access(session=session, principal=principal, patient_ids=[patient_id],
                   resource="personal thresholds", client=client, at=at, action="write")
    return limits


def list_dead_letters(*, engine: Engine, principal: Principal, limit: int = 100) -> list[dict[str, Any]]:
    """The newest unusable messages with their reasons, for the technician or the admin."""
    require_role(principal, {Role.ADMIN, Role.TECHNICIAN, Role.RESPONDER})
    query = select(DeadLetterRecord).order_by(DeadLetterRecord.id.desc()).limit(limit)
    with session_scope(engine) as session:
        return [{"id": r.id, "received_at": r.received_at, "source": r.source, "reason": r.reason,
                 "payload": r.payload, "device_id": r.device_id, "topic": r.topic}
                for r in session.scalars(query)]
