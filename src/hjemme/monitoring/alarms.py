"""The alarm lifecycle of the response centre, as a pure state machine.

An alarm is opened from a :class:`~hjemme.monitoring.rules.Finding`, absorbs repeats of the same
problem while open (``dedup_key``), has an owner, must be acknowledged, escalates one level each
time the acknowledgement deadline for its severity passes (each level exactly once, never again
after acknowledgement) and is resolved only with a note (issue 5). Every transition returns the
new alarm *and* the audit events it caused; the service stores both in one transaction.

Time is always passed in: the same code runs in a request, in a test and in a simulated year.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from hjemme.errors import ConflictError, InputError
from hjemme.monitoring.rules import Finding, FindingKind, Severity

SYSTEM_ACTOR = "system"


class AlarmStatus(enum.StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"
    URGENT_VISIT = "urgent_visit"  # a visit was added to the day's plan (services.urgent_visits)


class AlarmEventKind(enum.StrEnum):
    OPENED = "opened"
    REPEATED = "repeated"  # the same problem again while open: evidence added
    SEVERITY_RAISED = "severity_raised"
    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    URGENT_VISIT = "urgent_visit"  # a visit was added to the day's plan (services.urgent_visits)


@dataclass(frozen=True, slots=True)
class EscalationParams:
    """Minutes allowed before acknowledgement, per severity and per level; and how many levels.

    Level 0 is the response-centre nurse on duty; level 1 the coordinating nurse; level 2 the
    doctor on call. These defaults are assumptions for the response centre to set.
    """

    ack_minutes_red: int = 15
    ack_minutes_yellow: int = 60
    ack_minutes_green: int = 240
    max_level: int = 2

    def __post_init__(self) -> None:
        if min(self.ack_minutes_red, self.ack_minutes_yellow, self.ack_minutes_green) <= 0:
            raise ValueError("acknowledgement minutes must be positive")
        if self.max_level < 0:
            raise ValueError("max_level must be >= 0")

    def ack_minutes(self, severity: Severity) -> int:
        return {
            Severity.RED: self.ack_minutes_red,
            Severity.YELLOW: self.ack_minutes_yellow,
            Severity.GREEN: self.ack_minutes_green,
        }[severity]


@dataclass(frozen=True, slots=True)
class Alarm:
    """One problem of one patient that a human must own, acknowledge and resolve."""

    alarm_id: str
    patient_id: str
    kind: FindingKind
    severity: Severity
    dedup_key: str
    cause: str
    evidence: tuple[str, ...]
    opened_at: dt.datetime
    status: AlarmStatus = AlarmStatus.OPEN
    owner: str | None = None
    escalation_level: int = 0
    level_since: dt.datetime | None = None  # when the current level's ack deadline started
    score: float | None = None
    acknowledged_at: dt.datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: dt.datetime | None = None
    resolved_by: str | None = None
    resolution_note: str | None = None

    @property
    def is_open(self) -> bool:
        """Open or acknowledged: not yet resolved, so it absorbs repeats of its problem."""
        return self.status is not AlarmStatus.RESOLVED

    def ack_deadline(self, params: EscalationParams) -> dt.datetime:
        start = self.level_since or self.opened_at
        return start + dt.timedelta(minutes=params.ack_minutes(self.severity))


@dataclass(frozen=True, slots=True)
class AlarmEvent:
    """One audited step of an alarm's life: who did what, when, and with which note."""

    alarm_id: str
    kind: AlarmEventKind
    at: dt.datetime
    actor: str
    level: int
    severity: Severity
    note: str = ""


@dataclass(frozen=True, slots=True)
class AlarmTransition:
    """The alarm after a step and the audit events the step produced (possibly none)."""

    alarm: Alarm
    events: tuple[AlarmEvent, ...]


def _event(alarm: Alarm, kind: AlarmEventKind, at: dt.datetime, actor: str, note: str = "") -> AlarmEvent:
    return AlarmEvent(alarm.alarm_id, kind, at, actor, alarm.escalation_level, alarm.severity, note)


def open_alarm(
    alarm_id: str, finding: Finding, now: dt.datetime, owner: str | None = None
) -> AlarmTransition:
    """A new alarm from a finding; ``alarm_id`` comes from the caller (the engine has no RNG)."""
    alarm = Alarm(alarm_id, finding.patient_id, finding.kind, finding.severity, finding.dedup_key,
                  finding.cause, finding.evidence, now, owner=owner, level_since=now, score=finding.score)
    return AlarmTransition(alarm, (_event(alarm, AlarmEventKind.OPENED, now, SYSTEM_ACTOR, finding.cause),))


def absorb_finding(alarm: Alarm, finding: Finding, now: dt.datetime) -> AlarmTransition:
    """The same problem again while the alarm is open: add evidence, raise severity if worse.

    A raised severity restarts the acknowledgement clock at the stricter deadline, and an
    acknowledged alarm that got worse must be acknowledged again.
    """
    if not alarm.is_open:
        raise ConflictError("alarmen er allerede løst")
    new_evidence = tuple(e for e in finding.evidence if e not in alarm.evidence)
    if not new_evidence and finding.severity.rank <= alarm.severity.rank:
        return AlarmTransition(alarm, ())
    updated = replace(alarm, evidence=alarm.evidence + new_evidence, cause=finding.cause,
                      score=finding.score if finding.score is not None else alarm.score)
    if finding.severity.rank > alarm.severity.rank:
        updated = replace(updated, severity=finding.severity, level_since=now, status=AlarmStatus.OPEN,
                          acknowledged_at=None, acknowledged_by=None)
        kind = AlarmEventKind.SEVERITY_RAISED
    else:
        kind = AlarmEventKind.REPEATED
    return AlarmTransition(updated, (_event(updated, kind, now, SYSTEM_ACTOR, finding.cause),))


def assign_alarm(alarm: Alarm, owner: str, actor: str, now: dt.datetime) -> AlarmTransition:
    """Give the alarm an owner (the nurse who will follow it up)."""
    if not alarm.is_open:
        raise ConflictError("alarmen er allerede løst")
    if not owner.strip():
        raise InputError("owner", "eier må oppgis")
    updated = replace(alarm, owner=owner)
    return AlarmTransition(updated, (_event(updated, AlarmEventKind.ASSIGNED, now, actor, owner),))


def acknowledge_alarm(alarm: Alarm, actor: str, now: dt.datetime) -> AlarmTransition:
    """The responder has seen the alarm: escalation stops; an unowned alarm becomes theirs."""
    if alarm.status is AlarmStatus.RESOLVED:
        raise ConflictError("alarmen er allerede løst")
    if alarm.status is AlarmStatus.ACKNOWLEDGED:
        raise ConflictError("alarmen er allerede kvittert")
    updated = replace(alarm, status=AlarmStatus.ACKNOWLEDGED, acknowledged_at=now, acknowledged_by=actor,
                      owner=alarm.owner or actor)
    return AlarmTransition(updated, (_event(updated, AlarmEventKind.ACKNOWLEDGED, now, actor),))


def escalate_alarm(
    alarm: Alarm, actor: str, now: dt.datetime, params: EscalationParams, note: str = ""
) -> AlarmTransition:
    """A responder escalates by hand to the next level (counts as that level's escalation)."""
    if not alarm.is_open:
        raise ConflictError("alarmen er allerede løst")
    if alarm.escalation_level >= params.max_level:
        raise ConflictError("alarmen er allerede eskalert til høyeste nivå")
    updated = replace(alarm, escalation_level=alarm.escalation_level + 1, level_since=now)
    return AlarmTransition(updated, (_event(updated, AlarmEventKind.ESCALATED, now, actor, note),))


def escalate_overdue(alarm: Alarm, now: dt.datetime, params: EscalationParams) -> AlarmTransition:
    """Escalate an unacknowledged alarm one level per passed deadline, each level exactly once.

    Safe to call at any frequency: a late tick escalates through every level whose deadline has
    passed (one event each) and a second call at the same ``now`` does nothing.
    """
    if alarm.status is not AlarmStatus.OPEN:
        return AlarmTransition(alarm, ())
    events: list[AlarmEvent] = []
    step = dt.timedelta(minutes=params.ack_minutes(alarm.severity))
    while alarm.escalation_level < params.max_level and now >= alarm.ack_deadline(params):
        at = alarm.ack_deadline(params)
        alarm = replace(alarm, escalation_level=alarm.escalation_level + 1, level_since=at)
        events.append(_event(alarm, AlarmEventKind.ESCALATED, at, SYSTEM_ACTOR,
                             f"ikke kvittert innen {int(step.total_seconds()) // 60} minutter"))
    return AlarmTransition(alarm, tuple(events))


def resolve_alarm(alarm: Alarm, actor: str, note: str, now: dt.datetime) -> AlarmTransition:
    """Close the alarm; the note (what was done) is required for the record."""
    if not alarm.is_open:
        raise ConflictError("alarmen er allerede løst")
    if not note or not note.strip():
        raise InputError("note", "løsning krever et notat")
    updated = replace(alarm, status=AlarmStatus.RESOLVED, resolved_at=now, resolved_by=actor,
                      resolution_note=note.strip(), owner=alarm.owner or actor)
    return AlarmTransition(updated, (_event(updated, AlarmEventKind.RESOLVED, now, actor, note.strip()),))


@dataclass(frozen=True, slots=True)
class FindingsOutcome:
    """Alarms opened or changed by a batch of findings, and their audit events."""

    changed: tuple[Alarm, ...]
    events: tuple[AlarmEvent, ...]


def apply_findings(
    alarms: Sequence[Alarm],
    findings: Iterable[Finding],
    now: dt.datetime,
    new_alarm_ids: Iterable[str],
    owner: str | None = None,
) -> FindingsOutcome:
    """Open, update or ignore alarms for ``findings`` given the patient's existing ``alarms``.

    A finding whose key matches an open alarm is absorbed; one whose evidence was already handled
    by a resolved alarm with the same key is ignored (re-evaluation must not reopen it); anything
    else opens a new alarm with the next id from ``new_alarm_ids``.
    """
    ids = iter(new_alarm_ids)
    open_by_key = {a.dedup_key: a for a in alarms if a.is_open}
    resolved = [a for a in alarms if not a.is_open]
    changed: dict[str, Alarm] = {}
    events: list[AlarmEvent] = []
    for finding in findings:
        current = open_by_key.get(finding.dedup_key)
        if current is not None:
            step = absorb_finding(current, finding, now)
        elif any(a.dedup_key == finding.dedup_key and set(finding.evidence) <= set(a.evidence)
                 for a in resolved):
            continue
        else:
            step = open_alarm(next(ids), finding, now, owner)
        if step.events:
            open_by_key[finding.dedup_key] = step.alarm
            changed[step.alarm.alarm_id] = step.alarm
            events.extend(step.events)
    return FindingsOutcome(tuple(changed.values()), tuple(events))


def urgency_key(alarm: Alarm) -> tuple[int, int, int, int, float, dt.datetime, str]:
    """Sort key for the worklist: unresolved first, red before yellow before green, unacknowledged
    before acknowledged, higher escalation and score first, then oldest first."""
    return (
        0 if alarm.is_open else 1,
        -alarm.severity.rank,
        0 if alarm.status is AlarmStatus.OPEN else 1,
        -alarm.escalation_level,
        -(alarm.score or 0.0),
        alarm.opened_at,
        alarm.alarm_id,
    )


def worklist_order(alarms: Iterable[Alarm]) -> list[Alarm]:
    """Alarms in the order the response centre should handle them."""
    return sorted(alarms, key=urgency_key)
