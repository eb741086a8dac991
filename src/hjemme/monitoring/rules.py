"""Early-warning rules: from a patient's observations to findings (alarms-to-be) and reminders.

Every rule is a named pure function of the observations, the pathway's
:class:`~hjemme.domain.pathways.MonitoredParameter` list, optional personal thresholds and ``now``
(issue 5). Rules do not know whether an alarm is already open; :mod:`hjemme.monitoring.alarms`
deduplicates findings by ``dedup_key``. Observations arrive late and out of order, so every rule
orders by ``effective_at``, never by arrival.
"""

from __future__ import annotations

import datetime as dt
import enum
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hjemme.domain.pathways import MonitoredParameter
from hjemme.domain.time import format_local
from hjemme.monitoring.news2 import (
    Consciousness,
    News2Params,
    News2Result,
    News2Vitals,
    RiskBand,
    score_news2,
)
from hjemme.monitoring.observations import Observation, Parameter, consciousness_of

PARAMETER_NAME_NB = {
    Parameter.RESPIRATORY_RATE: "respirasjonsfrekvens",
    Parameter.SPO2: "oksygenmetning",
    Parameter.PULSE: "puls",
    Parameter.TEMPERATURE: "temperatur",
    Parameter.SYSTOLIC_BP: "systolisk blodtrykk",
    Parameter.DIASTOLIC_BP: "diastolisk blodtrykk",
    Parameter.WEIGHT: "vekt",
    Parameter.CONSCIOUSNESS: "bevissthet",
    Parameter.OXYGEN_FLOW: "oksygentilførsel",
}
UNIT_TEXT = {"Cel": "°C", "mm[Hg]": "mmHg", "{ACVPU}": "", "/min": "/min"}
"""UCUM units as a nurse reads them in a cause (issue 14: no ``Cel`` or ``mm[Hg]`` on a page)."""
RISK_NB = {RiskBand.LOW: "lav", RiskBand.LOW_MEDIUM: "lav–middels", RiskBand.MEDIUM: "middels",
           RiskBand.HIGH: "høy"}


def unit_text(unit: str) -> str:
    return UNIT_TEXT.get(unit, unit)


class Severity(enum.StrEnum):
    """Traffic light of an alarm: how soon the response centre must act."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def rank(self) -> int:
        return {"green": 0, "yellow": 1, "red": 2}[self.value]


class FindingKind(enum.StrEnum):
    NEWS2 = "news2"
    THRESHOLD = "threshold"
    TREND = "trend"
    MISSING_DATA = "missing_data"
    PROM = "prom"


@dataclass(frozen=True, slots=True)
class Finding:
    """Something a rule says needs a clinician: the seed of an alarm.

    ``dedup_key`` is equal for findings that are "the same problem", so an open alarm absorbs
    repeats instead of flooding the worklist; ``evidence`` lists the observation (or questionnaire
    response) ids that made the rule fire.
    """

    patient_id: str
    kind: FindingKind
    severity: Severity
    dedup_key: str
    cause: str  # Norwegian, shown in the worklist
    evidence: tuple[str, ...]
    detected_at: dt.datetime
    score: float | None = None  # NEWS2 or PROM score, a tie-breaker for urgency


@dataclass(frozen=True, slots=True)
class Reminder:
    """A nudge to the patient (not an alarm): a measurement or a questionnaire is overdue."""

    patient_id: str
    dedup_key: str
    subject: str  # parameter code or questionnaire id
    due_at: dt.datetime
    message: str  # Norwegian, sent to the patient


@dataclass(frozen=True, slots=True)
class PersonalThreshold:
    """A patient's own limits for one parameter, replacing the pathway's where set."""

    parameter: str
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True)
class RulesParams:
    """Tunable rule settings; the defaults are assumptions to calibrate with the response centre."""

    news2_set_window_min: int = 60  # vitals this close together count as one NEWS2 set
    news2_max_age_hours: float = 24.0  # an older set is not scored again
    news2_assume_air_when_unknown: bool = True  # no oxygen-flow reading → room air
    news2_assume_alert_when_unknown: bool = True  # home devices cannot measure ACVPU
    news2_low_medium: Severity = Severity.YELLOW
    news2_medium: Severity = Severity.RED
    news2_high: Severity = Severity.RED
    threshold_severity: Severity = Severity.YELLOW
    trend_severity: Severity = Severity.YELLOW
    missing_alarm_severity: Severity = Severity.YELLOW
    missing_alarm_after_hours: float | None = None  # after the reminder; None = one more interval
    prom_severity: Severity = Severity.YELLOW

    def __post_init__(self) -> None:
        if self.news2_set_window_min <= 0 or self.news2_max_age_hours <= 0:
            raise ValueError("NEWS2 windows must be positive")
        if self.missing_alarm_after_hours is not None and self.missing_alarm_after_hours < 0:
            raise ValueError("missing_alarm_after_hours must be >= 0")


@dataclass(frozen=True, slots=True)
class BaselineParams:
    """Personal limits = baseline mean ± ``k_sd`` standard deviations, at least ``min_margin_fraction``."""

    k_sd: float = 2.0
    min_count: int = 5
    min_margin_fraction: float = 0.05

    def __post_init__(self) -> None:
        if self.k_sd <= 0 or self.min_count < 2 or self.min_margin_fraction < 0:
            raise ValueError("baseline needs k_sd > 0, min_count >= 2, min_margin_fraction >= 0")


def _latest_by_parameter(observations: Iterable[Observation]) -> dict[Parameter, Observation]:
    latest: dict[Parameter, Observation] = {}
    for obs in observations:
        current = latest.get(obs.parameter)
        if current is None or (obs.effective_at, obs.observation_id) > (
            current.effective_at, current.observation_id
        ):
            latest[obs.parameter] = obs
    return latest


NEWS2_REQUIRED = (Parameter.RESPIRATORY_RATE, Parameter.SPO2, Parameter.SYSTOLIC_BP, Parameter.PULSE,
                  Parameter.TEMPERATURE)


def latest_news2(
    observations: Sequence[Observation],
    news2_params: News2Params,
    now: dt.datetime,
    params: RulesParams | None = None,
) -> tuple[News2Result, tuple[str, ...]] | None:
    """NEWS2 over the newest complete set of vitals, with the observation ids it used.

    A set is the latest value of each NEWS2 parameter, all within ``news2_set_window_min`` of the
    newest one; ``None`` when no complete, recent set exists (home patients often measure only
    some vitals, and mixing Monday's pulse with Friday's SpO2 would be a made-up score).
    """
    params = params or RulesParams()
    latest = _latest_by_parameter(o for o in observations if o.effective_at <= now)
    if any(p not in latest for p in NEWS2_REQUIRED):
        return None
    newest = max(latest[p].effective_at for p in NEWS2_REQUIRED)
    if now - newest > dt.timedelta(hours=params.news2_max_age_hours):
        return None
    window_start = newest - dt.timedelta(minutes=params.news2_set_window_min)
    used = [latest[p] for p in NEWS2_REQUIRED]
    if any(o.effective_at < window_start for o in used):
        return None
    oxygen = latest.get(Parameter.OXYGEN_FLOW)
    if oxygen is not None and oxygen.effective_at >= window_start:
        on_oxygen = oxygen.value > 0
        used.append(oxygen)
    elif params.news2_assume_air_when_unknown:
        on_oxygen = False
    else:
        return None
    level = latest.get(Parameter.CONSCIOUSNESS)
    if level is not None and level.effective_at >= window_start:
        consciousness = consciousness_of(level)
        used.append(level)
    elif params.news2_assume_alert_when_unknown:
        consciousness = Consciousness.ALERT
    else:
        return None
    vitals = News2Vitals(
        respiration_rate_per_min=latest[Parameter.RESPIRATORY_RATE].value,
        spo2_pct=latest[Parameter.SPO2].value,
        on_oxygen=on_oxygen,
        systolic_bp_mmhg=latest[Parameter.SYSTOLIC_BP].value,
        pulse_per_min=latest[Parameter.PULSE].value,
        consciousness=consciousness,
        temperature_c=latest[Parameter.TEMPERATURE].value,
    )
    return score_news2(vitals, news2_params), tuple(sorted(o.observation_id for o in used))


def evaluate_news2(
    patient_id: str,
    observations: Sequence[Observation],
    news2_params: News2Params,
    now: dt.datetime,
    params: RulesParams | None = None,
) -> list[Finding]:
    """A finding when the newest NEWS2 set is low-medium or worse (low risk is routine care)."""
    params = params or RulesParams()
    scored = latest_news2(observations, news2_params, now, params)
    if scored is None:
        return []
    result, evidence = scored
    severity = {
        RiskBand.LOW: None,
        RiskBand.LOW_MEDIUM: params.news2_low_medium,
        RiskBand.MEDIUM: params.news2_medium,
        RiskBand.HIGH: params.news2_high,
    }[result.risk]
    if severity is None:
        return []
    cause = f"NEWS2 {result.score} ({RISK_NB[result.risk]} risiko)"
    return [Finding(patient_id, FindingKind.NEWS2, severity, f"{patient_id}:news2", cause, evidence, now,
                    float(result.score))]


def evaluate_thresholds(
    patient_id: str,
    observations: Sequence[Observation],
    parameters: Sequence[MonitoredParameter],
    now: dt.datetime,
    personal: Sequence[PersonalThreshold] = (),
    params: RulesParams | None = None,
) -> list[Finding]:
    """A finding for each parameter whose latest value is below its low or above its high limit.

    Personal thresholds (from :func:`personal_thresholds`) replace the pathway's limit on the side
    they set: a COPD patient who lives at 88 % should not alarm every morning.
    """
    params = params or RulesParams()
    own = {p.parameter: p for p in personal}
    latest = _latest_by_parameter(o for o in observations if o.effective_at <= now)
    findings = []
    for spec in parameters:
        try:
            obs = latest.get(Parameter(spec.code))
        except ValueError:
            continue
        if obs is None:
            continue
        mine = own.get(spec.code)
        low = mine.low if mine is not None and mine.low is not None else spec.low
        high = mine.high if mine is not None and mine.high is not None else spec.high
        name = PARAMETER_NAME_NB.get(obs.parameter, spec.code)
        if low is not None and obs.value < low:
            side, cause = "low", f"{name} {obs.value:g} {unit_text(obs.unit)} under grensen {low:g}"
        elif high is not None and obs.value > high:
            side, cause = "high", f"{name} {obs.value:g} {unit_text(obs.unit)} over grensen {high:g}"
        else:
            continue
        findings.append(Finding(patient_id, FindingKind.THRESHOLD, params.threshold_severity,
                                f"{patient_id}:threshold:{spec.code}:{side}", cause,
                                (obs.observation_id,), now, obs.value))
    return findings


def evaluate_trends(
    patient_id: str,
    observations: Sequence[Observation],
    parameters: Sequence[MonitoredParameter],
    now: dt.datetime,
    params: RulesParams | None = None,
) -> list[Finding]:
    """A finding when the latest value rose more than ``rise_limit`` above the lowest of the
    previous ``rise_days`` (heart failure: more than 2 kg in 3 days means fluid retention)."""
    params = params or RulesParams()
    findings = []
    for spec in parameters:
        if spec.rise_limit is None or spec.rise_days is None:
            continue
        series = sorted((o for o in observations if o.parameter == spec.code and o.effective_at <= now),
                        key=lambda o: (o.effective_at, o.observation_id))
        if len(series) < 2:
            continue
        last = series[-1]
        since = last.effective_at - dt.timedelta(days=spec.rise_days)
        earlier = [o for o in series[:-1] if o.effective_at >= since]
        if not earlier:
            continue
        lowest = min(earlier, key=lambda o: (o.value, o.effective_at))
        rise = round(last.value - lowest.value, 6)
        if rise <= spec.rise_limit:
            continue
        name = PARAMETER_NAME_NB.get(last.parameter, spec.code)
        cause = (f"{name} steg {rise:g} {unit_text(last.unit)} på {spec.rise_days} døgn "
                 f"(grense {spec.rise_limit:g})")
        findings.append(Finding(patient_id, FindingKind.TREND, params.trend_severity,
                                f"{patient_id}:trend:{spec.code}", cause,
                                (lowest.observation_id, last.observation_id), now, rise))
    return findings


def evaluate_missing_data(
    patient_id: str,
    observations: Sequence[Observation],
    parameters: Sequence[MonitoredParameter],
    monitoring_start: dt.datetime,
    now: dt.datetime,
    params: RulesParams | None = None,
) -> tuple[list[Reminder], list[Finding]]:
    """No measurement within the expected interval → a reminder; after a further interval → an alarm.

    The clock starts at the last measurement, or at ``monitoring_start`` (device kit delivered)
    when there is none yet. The dedup key carries the last measurement time, so a new gap after
    a new measurement is a new problem.
    """
    params = params or RulesParams()
    latest = _latest_by_parameter(o for o in observations if o.effective_at <= now)
    reminders: list[Reminder] = []
    findings: list[Finding] = []
    for spec in parameters:
        try:
            last_obs = latest.get(Parameter(spec.code))
        except ValueError:
            continue
        last = max(last_obs.effective_at, monitoring_start) if last_obs else monitoring_start
        due = last + dt.timedelta(hours=spec.interval_hours)
        if now <= due:
            continue
        name = PARAMETER_NAME_NB.get(Parameter(spec.code), spec.code)
        key = f"{patient_id}:missing:{spec.code}:{last.astimezone(dt.UTC).isoformat()}"
        reminders.append(Reminder(patient_id, key, spec.code, due,
                                  f"Husk å måle {name}. Siste måling var {format_local(last)}."))
        extra = params.missing_alarm_after_hours
        alarm_at = due + dt.timedelta(hours=spec.interval_hours if extra is None else extra)
        if now > alarm_at:
            cause = f"ingen måling av {name} siden {format_local(last)}"
            evidence = (last_obs.observation_id,) if last_obs else ()
            findings.append(Finding(patient_id, FindingKind.MISSING_DATA, params.missing_alarm_severity,
                                    key, cause, evidence, now))
    return reminders, findings


def personal_thresholds(
    observations: Sequence[Observation],
    parameters: Sequence[MonitoredParameter],
    baseline_start: dt.datetime,
    baseline_end: dt.datetime,
    params: BaselineParams | None = None,
) -> list[PersonalThreshold]:
    """Limits from the patient's own baseline period, on the sides the pathway has limits for."""
    params = params or BaselineParams()
    result = []
    for spec in parameters:
        if spec.low is None and spec.high is None:
            continue
        values = [o.value for o in observations
                  if o.parameter == spec.code and baseline_start <= o.effective_at <= baseline_end]
        if len(values) < params.min_count:
            continue
        mean = statistics.fmean(values)
        margin = max(params.k_sd * statistics.stdev(values), abs(mean) * params.min_margin_fraction)
        result.append(PersonalThreshold(
            spec.code,
            round(mean - margin, 1) if spec.low is not None else None,
            round(mean + margin, 1) if spec.high is not None else None,
        ))
    return result

