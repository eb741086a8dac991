"""The alarm lifecycle: dedup, ownership, acknowledgement, escalation once per level, resolution."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hjemme.errors import ConflictError, InputError
from hjemme.monitoring.alarms import (
    AlarmEventKind,
    AlarmStatus,
    EscalationParams,
    acknowledge_alarm,
    apply_findings,
    assign_alarm,
    escalate_alarm,
    escalate_overdue,
    open_alarm,
    resolve_alarm,
    worklist_order,
)
from hjemme.monitoring.rules import Finding, FindingKind, Severity
from tests.monitoring.helpers import at

PARAMS = EscalationParams(ack_minutes_red=15, ack_minutes_yellow=60, max_level=2)


def finding(severity: Severity = Severity.RED, evidence: tuple[str, ...] = ("o1",), key: str = "P1:news2",
            score: float | None = 7.0) -> Finding:
    return Finding("P1", FindingKind.NEWS2, severity, key, "NEWS2 7 (high)", evidence, at(0), score)


def test_open_audits_and_dedups() -> None:
    """A repeat of an open problem adds evidence to the same alarm instead of opening another."""
    first = apply_findings([], [finding()], at(0), ["A1", "A2"])
    assert [e.kind for e in first.events] == [AlarmEventKind.OPENED]
    (alarm,) = first.changed
    again = apply_findings([alarm], [finding(evidence=("o2",))], at(5), ["A2"])
    (updated,) = again.changed
    assert updated.alarm_id == "A1" and updated.evidence == ("o1", "o2")
    assert [e.kind for e in again.events] == [AlarmEventKind.REPEATED]
    assert apply_findings([updated], [finding(evidence=("o2",))], at(6), ["A3"]).changed == ()


def test_resolved_evidence_is_not_reopened_but_new_evidence_is() -> None:
    """Re-evaluating the same observations after resolution opens nothing; a new breach opens anew."""
    alarm = open_alarm("A1", finding(), at(0)).alarm
    done = resolve_alarm(alarm, "nurse", "ringt pasient, ok", at(10)).alarm
    assert apply_findings([done], [finding()], at(20), ["A2"]).changed == ()
    (reopened,) = apply_findings([done], [finding(evidence=("o9",))], at(20), ["A2"]).changed
    assert reopened.alarm_id == "A2"


def test_worse_finding_raises_severity_and_needs_new_ack() -> None:
    """A yellow alarm that turns red is raised, and an earlier acknowledgement no longer counts."""
    alarm = open_alarm("A1", finding(Severity.YELLOW), at(0)).alarm
    alarm = acknowledge_alarm(alarm, "nurse", at(1)).alarm
    (raised,) = apply_findings([alarm], [finding(Severity.RED, ("o2",))], at(30), []).changed
    assert raised.severity is Severity.RED and raised.status is AlarmStatus.OPEN
    assert escalate_overdue(raised, at(45), PARAMS).alarm.escalation_level == 1


def test_escalates_once_per_level_never_repeats() -> None:
    """An unacknowledged red alarm escalates at 15 and 30 minutes, then never again."""
    alarm = open_alarm("A1", finding(), at(0)).alarm
    assert escalate_overdue(alarm, at(14), PARAMS).events == ()
    step = escalate_overdue(alarm, at(15), PARAMS)
    assert [e.level for e in step.events] == [1]
    assert escalate_overdue(step.alarm, at(16), PARAMS).events == ()
    step2 = escalate_overdue(step.alarm, at(30), PARAMS)
    assert [e.level for e in step2.events] == [2]
    assert escalate_overdue(step2.alarm, at(600), PARAMS).events == ()


def test_late_tick_escalates_through_each_level_once() -> None:
    """A tick an hour late escalates level by level, with the deadline times, one event each."""
    alarm = open_alarm("A1", finding(), at(0)).alarm
    step = escalate_overdue(alarm, at(60), PARAMS)
    assert [(e.level, e.at) for e in step.events] == [(1, at(15)), (2, at(30))]


def test_acknowledged_alarm_does_not_escalate() -> None:
    """Acknowledgement in time stops escalation and makes the responder the owner."""
    alarm = acknowledge_alarm(open_alarm("A1", finding(), at(0)).alarm, "nurse-7", at(10)).alarm
    assert alarm.owner == "nurse-7"
    assert escalate_overdue(alarm, at(120), PARAMS).events == ()


def test_manual_escalation_counts_for_its_level() -> None:
    """A manual escalation to level 1 is not repeated automatically at the level-0 deadline."""
    alarm = escalate_alarm(open_alarm("A1", finding(), at(0)).alarm, "nurse", at(5), PARAMS).alarm
    assert escalate_overdue(alarm, at(15), PARAMS).events == ()
    assert escalate_overdue(alarm, at(20), PARAMS).alarm.escalation_level == 2
    top = escalate_alarm(alarm, "nurse", at(6), PARAMS).alarm
    with pytest.raises(ConflictError):
        escalate_alarm(top, "nurse", at(7), PARAMS)


def test_resolution_requires_a_note() -> None:
    """Resolving without a note is refused; with one it is recorded and audited."""
    alarm = open_alarm("A1", finding(), at(0)).alarm
    with pytest.raises(InputError):
        resolve_alarm(alarm, "nurse", "  ", at(5))
    step = resolve_alarm(alarm, "nurse", "Besøk bestilt", at(5))
    assert step.alarm.status is AlarmStatus.RESOLVED and step.alarm.resolution_note == "Besøk bestilt"
    assert step.events[0].note == "Besøk bestilt"
    with pytest.raises(ConflictError):
        acknowledge_alarm(step.alarm, "nurse", at(6))


def test_every_transition_is_audited() -> None:
    """Open, assign, acknowledge and resolve each produce exactly one audit event with the actor."""
    t1 = open_alarm("A1", finding(), at(0))
    t2 = assign_alarm(t1.alarm, "nurse-2", "coordinator", at(1))
    t3 = acknowledge_alarm(t2.alarm, "nurse-2", at(2))
    t4 = resolve_alarm(t3.alarm, "nurse-2", "ok", at(3))
    events = [e for t in (t1, t2, t3, t4) for e in t.events]
    assert [(e.kind, e.actor) for e in events] == [
        (AlarmEventKind.OPENED, "system"), (AlarmEventKind.ASSIGNED, "coordinator"),
        (AlarmEventKind.ACKNOWLEDGED, "nurse-2"), (AlarmEventKind.RESOLVED, "nurse-2")]


def test_worklist_sorted_by_urgency() -> None:
    """Red before yellow, unacknowledged before acknowledged, older first among equals."""
    red_new = open_alarm("R2", finding(key="a"), at(10)).alarm
    red_old = open_alarm("R1", finding(key="b"), at(0)).alarm
    red_acked = acknowledge_alarm(open_alarm("R0", finding(key="c"), at(0)).alarm, "n", at(1)).alarm
    yellow = open_alarm("Y1", finding(Severity.YELLOW, key="d"), at(0)).alarm
    assert [a.alarm_id for a in worklist_order([yellow, red_acked, red_new, red_old])] == [
        "R1", "R2", "R0", "Y1"]


@given(st.lists(st.integers(0, 300), max_size=20), st.sampled_from(Severity))
def test_escalation_events_never_repeat_a_level(ticks: list[int], severity: Severity) -> None:
    """Whatever the tick times, each level is reached at most once and never beyond the top."""
    alarm = open_alarm("A1", finding(severity), at(0)).alarm
    levels: list[int] = []
    for minute in sorted(ticks):
        step = escalate_overdue(alarm, at(minute), PARAMS)
        alarm = step.alarm
        levels += [e.level for e in step.events]
    assert levels == list(range(1, len(levels) + 1))
    assert alarm.escalation_level <= PARAMS.max_level
