"""Early-warning rules: NEWS2 over the latest vitals, thresholds, trends, missing data, baselines."""

from __future__ import annotations

from hjemme.domain.pathways import MonitoredParameter
from hjemme.monitoring.news2 import News2Params
from hjemme.monitoring.rules import (
    FindingKind,
    PersonalThreshold,
    Severity,
    evaluate_missing_data,
    evaluate_news2,
    evaluate_thresholds,
    evaluate_trends,
    latest_news2,
    personal_thresholds,
)
from tests.monitoring.helpers import at, obs

SCALE_1 = News2Params()


def vitals_set(minutes: float = 0, **values: float) -> list:
    base = {"respiratory_rate": 16, "spo2": 97, "systolic_bp": 120, "pulse": 70, "temperature": 37.0}
    base.update(values)
    return [obs(p, v, minutes + i) for i, (p, v) in enumerate(base.items())]


def test_news2_uses_the_latest_complete_set() -> None:
    """NEWS2 is scored from the newest value of each vital, out-of-order arrivals included."""
    history = vitals_set(0) + vitals_set(120, pulse=135)
    history.reverse()
    result, evidence = latest_news2(history, SCALE_1, at(hours=3))
    assert result.score == 3
    assert "pulse-123" in evidence


def test_news2_not_scored_from_vitals_hours_apart() -> None:
    """Vitals further apart than the set window are not mixed into one score."""
    history = vitals_set(0) + [obs("pulse", 135, 240)]
    assert latest_news2(history, SCALE_1, at(hours=5)) is None


def test_news2_finding_for_medium_is_red() -> None:
    """A medium NEWS2 opens a red finding keyed per patient with the observations as evidence."""
    history = vitals_set(0, respiratory_rate=22, pulse=115, temperature=38.5)  # 2 + 2 + 1
    (finding,) = evaluate_news2("P1", history, SCALE_1, at(10))
    assert (finding.kind, finding.severity, finding.score) == (FindingKind.NEWS2, Severity.RED, 5.0)
    assert finding.dedup_key == "P1:news2"
    assert len(finding.evidence) == 5


def test_news2_low_gives_no_finding() -> None:
    """A low NEWS2 is routine and opens nothing."""
    assert evaluate_news2("P1", vitals_set(0, pulse=95), SCALE_1, at(10)) == []


def test_news2_oxygen_and_consciousness_observations_are_used() -> None:
    """Recorded oxygen flow and new confusion within the window count towards the score."""
    history = vitals_set(0) + [obs("oxygen_flow", 2, 3), obs("consciousness", 1, 4)]
    result, _ = latest_news2(history, SCALE_1, at(10))
    assert result.score == 5


def test_news2_scale_2_for_target_patients() -> None:
    """A patient with the 88–92 % target at 89 % on air scores 0 for SpO2."""
    result, _ = latest_news2(vitals_set(0, spo2=89), News2Params.for_target(True), at(10))
    assert result.score == 0


HF_WEIGHT = MonitoredParameter("weight", "kg", 24, rise_limit=2.0, rise_days=3)
SPO2 = MonitoredParameter("spo2", "%", 24, low=88)
PULSE = MonitoredParameter("pulse", "/min", 24, low=45, high=110)


def test_threshold_holds_and_violated() -> None:
    """Only the latest value outside its limit fires, with the side in the key."""
    assert evaluate_thresholds("P1", [obs("pulse", 120, 0), obs("pulse", 90, 60)], [PULSE], at(70)) == []
    (finding,) = evaluate_thresholds("P1", [obs("pulse", 90, 0), obs("pulse", 120, 60)], [PULSE], at(70))
    assert finding.dedup_key == "P1:threshold:pulse:high"
    assert finding.evidence == ("pulse-60",)
    assert "over grensen 110" in finding.cause


def test_personal_threshold_replaces_the_pathway_limit() -> None:
    """A COPD patient's own low limit of 85 % silences alarms at 87 %."""
    history = [obs("spo2", 87, 0)]
    assert evaluate_thresholds("P1", history, [SPO2], at(5))
    assert evaluate_thresholds("P1", history, [SPO2], at(5), [PersonalThreshold("spo2", low=85)]) == []


def test_weight_gain_over_two_kg_in_three_days() -> None:
    """Heart failure: +2.1 kg within 3 days fires; exactly +2.0 kg does not."""
    day = 24 * 60
    rising = [obs("weight", 80.0, 0), obs("weight", 80.5, day), obs("weight", 82.1, 3 * day)]
    (finding,) = evaluate_trends("P1", rising, [HF_WEIGHT], at(days=3, minutes=1))
    assert finding.evidence == ("weight-0", f"weight-{3 * day}")
    at_limit = [obs("weight", 80.0, 0), obs("weight", 82.0, 3 * day)]
    assert evaluate_trends("P1", at_limit, [HF_WEIGHT], at(days=3, minutes=1)) == []


def test_slow_weight_gain_outside_the_window_is_fine() -> None:
    """A gain spread over more than the trend window does not fire."""
    day = 24 * 60
    slow = [obs("weight", 80.0, 0), obs("weight", 81.0, 2 * day), obs("weight", 82.5, 4 * day)]
    assert evaluate_trends("P1", slow, [HF_WEIGHT], at(days=4, minutes=1)) == []


def test_missing_data_reminder_then_alarm() -> None:
    """No weight for 24 h gives a reminder; after another 24 h, also an alarm."""
    history = [obs("weight", 80.0, 0)]
    reminders, findings = evaluate_missing_data("P1", history, [HF_WEIGHT], at(-60), at(hours=23))
    assert (reminders, findings) == ([], [])
    reminders, findings = evaluate_missing_data("P1", history, [HF_WEIGHT], at(-60), at(hours=25))
    assert len(reminders) == 1 and findings == []
    assert "Husk å måle vekt" in reminders[0].message
    reminders, findings = evaluate_missing_data("P1", history, [HF_WEIGHT], at(-60), at(hours=49))
    assert len(reminders) == 1 and findings[0].kind is FindingKind.MISSING_DATA
    assert findings[0].dedup_key == reminders[0].dedup_key


def test_missing_data_messages_name_the_last_measurement_in_oslo_time() -> None:
    """The reminder and the alarm say when the last weight was taken on Oslo's clock, with the date."""
    history = [obs("weight", 80.0, -540)]  # 23:00 UTC on 22 November: already the 23rd in Oslo
    reminders, findings = evaluate_missing_data("P1", history, [HF_WEIGHT], at(-600), at(hours=49))
    assert reminders[0].message.endswith("Siste måling var 23.11.2026 00:00.")
    assert findings[0].cause == "ingen måling av vekt siden 23.11.2026 00:00"


def test_missing_data_counts_from_monitoring_start() -> None:
    """A patient who never measured is reminded one interval after the kit arrived."""
    reminders, _ = evaluate_missing_data("P1", [], [HF_WEIGHT], at(0), at(hours=25))
    assert reminders[0].subject == "weight"


def test_personal_thresholds_from_baseline() -> None:
    """Baseline mean ± 2 SD sets the sides the pathway has limits for."""
    values = [88, 89, 90, 89, 88, 90]
    history = [obs("spo2", v, i * 60) for i, v in enumerate(values)]
    (limit,) = personal_thresholds(history, [SPO2, HF_WEIGHT], at(-1), at(hours=6))
    assert limit.parameter == "spo2" and limit.high is None
    assert 84 < limit.low < 88


def test_too_short_baseline_sets_nothing() -> None:
    """Fewer measurements than the minimum leave the pathway's limits in force."""
    history = [obs("spo2", 89, 0), obs("spo2", 90, 60)]
    assert personal_thresholds(history, [SPO2], at(-1), at(hours=6)) == []
