"""NEWS2, the National Early Warning Score 2 (Royal College of Physicians, 2017).

The response centre ranks home patients by how sick their latest vital signs make them look; NEWS2
is the score Norwegian hospitals already use on the wards, so a home score means the same as a ward
score (issue 5). Every band below is transcribed from the RCP 2017 chart, one function per
parameter so that each band edge is tested on its own.

The chart records respiration rate, SpO2, blood pressure and pulse as whole numbers and temperature
to one decimal. Device values with more precision are first rounded half-up to the chart's
resolution (an SpO2 of 95.5 % is recorded as 96 %), so there are no gaps between the chart's bands
(36.04 °C is recorded as 36.0 °C and scores 1, as a nurse reading the thermometer would record it).

SpO2 scale 2 is only for patients for whom a clinician has recorded a target of 88–92 %
(hypercapnic respiratory failure, ``Enrolment.spo2_target_88_92``); everybody else is on scale 1.
On scale 2, saturations of 93 % or more score only when the patient is on oxygen.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from hjemme.errors import InputError


class SpO2Scale(enum.IntEnum):
    """Which SpO2 row of the chart applies to the patient."""

    SCALE_1 = 1
    SCALE_2 = 2  # only with a clinician-recorded target of 88–92 %


class Consciousness(enum.StrEnum):
    """ACVPU: alert, new confusion, responds to voice, responds to pain, unresponsive."""

    ALERT = "A"
    NEW_CONFUSION = "C"
    VOICE = "V"
    PAIN = "P"
    UNRESPONSIVE = "U"


class RiskBand(enum.StrEnum):
    """The clinical risk a NEWS2 total (and a single red score) stands for."""

    LOW = "low"
    LOW_MEDIUM = "low-medium"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        """0 (low) … 3 (high): lets the worklist sort by risk."""
        return _BAND_RANK[self]


_BAND_RANK = {RiskBand.LOW: 0, RiskBand.LOW_MEDIUM: 1, RiskBand.MEDIUM: 2, RiskBand.HIGH: 3}

# Physiologically possible ranges; values outside are typing or device errors, not patients.
_RANGES: dict[str, tuple[float, float]] = {
    "respiration_rate_per_min": (0.0, 100.0),
    "spo2_pct": (0.0, 100.0),
    "systolic_bp_mmhg": (0.0, 400.0),
    "pulse_per_min": (0.0, 350.0),
    "temperature_c": (15.0, 46.0),
}


@dataclass(frozen=True, slots=True)
class News2Vitals:
    """One set of vital signs, in the chart's units, as measured at (about) the same time."""

    respiration_rate_per_min: float
    spo2_pct: float
    on_oxygen: bool
    systolic_bp_mmhg: float
    pulse_per_min: float
    consciousness: Consciousness
    temperature_c: float

    def __post_init__(self) -> None:
        for name, (low, high) in _RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError(name, f"{value!r} er ikke et tall")
            if not math.isfinite(value) or not low <= value <= high:
                raise InputError(name, f"{value:g} er utenfor mulig område {low:g}–{high:g}")
        if not isinstance(self.consciousness, Consciousness):
            raise InputError("consciousness", f"{self.consciousness!r} er ikke en av A, C, V, P, U")


@dataclass(frozen=True, slots=True)
class News2Params:
    """Per-patient choices the chart leaves to the clinician: which SpO2 scale applies."""

    spo2_scale: SpO2Scale = SpO2Scale.SCALE_1

    def __post_init__(self) -> None:
        if not isinstance(self.spo2_scale, SpO2Scale):
            raise InputError("spo2_scale", f"{self.spo2_scale!r} må være 1 eller 2")

    @classmethod
    def for_target(cls, spo2_target_88_92: bool) -> News2Params:
        """Scale 2 exactly when a clinician recorded the 88–92 % target (``Enrolment``)."""
        return cls(SpO2Scale.SCALE_2 if spo2_target_88_92 else SpO2Scale.SCALE_1)


@dataclass(frozen=True, slots=True)
class News2ParameterScores:
    """The score of each of the seven chart rows; kept so a nurse can see *why* a total is high."""

    respiration_rate: int
    spo2: int
    air_or_oxygen: int
    systolic_bp: int
    pulse: int
    consciousness: int
    temperature: int

    def as_tuple(self) -> tuple[int, ...]:
        return (
            self.respiration_rate,
            self.spo2,
            self.air_or_oxygen,
            self.systolic_bp,
            self.pulse,
            self.consciousness,
            self.temperature,
        )


@dataclass(frozen=True, slots=True)
class News2Result:
    """The aggregate score, its risk band and the per-row scores it is the sum of."""

    score: int
    risk: RiskBand
    parameters: News2ParameterScores

    @property
    def has_red_score(self) -> bool:
        """A single row scoring 3 ("red score") calls for an urgent ward-level response."""
        return max(self.parameters.as_tuple()) >= 3


def _whole(value: float) -> int:
    """Round half-up to the chart's whole-number resolution."""
    return int(Decimal(repr(float(value))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _tenths(value: float) -> Decimal:
    """Round half-up to the chart's one-decimal temperature resolution."""
    return Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def score_respiration_rate(rate_per_min: float) -> int:
    """≤8 → 3, 9–11 → 1, 12–20 → 0, 21–24 → 2, ≥25 → 3."""
    rate = _whole(rate_per_min)
    if rate <= 8:
        return 3
    if rate <= 11:
        return 1
    if rate <= 20:
        return 0
    if rate <= 24:
        return 2
    return 3


def score_spo2(spo2_pct: float, scale: SpO2Scale, on_oxygen: bool) -> int:
    """SpO2 row of the chart; on scale 2, ≥93 % scores only on oxygen (risk of hyperoxia)."""
    spo2 = _whole(spo2_pct)
    if scale is SpO2Scale.SCALE_1:
        if spo2 <= 91:
            return 3
        if spo2 <= 93:
            return 2
        if spo2 <= 95:
            return 1
        return 0
    if spo2 <= 83:
        return 3
    if spo2 <= 85:
        return 2
    if spo2 <= 87:
        return 1
    if spo2 <= 92 or not on_oxygen:
        return 0
    if spo2 <= 94:
        return 1
    if spo2 <= 96:
        return 2
    return 3


def score_air_or_oxygen(on_oxygen: bool) -> int:
    """Supplemental oxygen → 2, room air → 0."""
    return 2 if on_oxygen else 0


def score_systolic_bp(systolic_mmhg: float) -> int:
    """≤90 → 3, 91–100 → 2, 101–110 → 1, 111–219 → 0, ≥220 → 3."""
    sbp = _whole(systolic_mmhg)
    if sbp <= 90:
        return 3
    if sbp <= 100:
        return 2
    if sbp <= 110:
        return 1
    if sbp <= 219:
        return 0
    return 3


def score_pulse(pulse_per_min: float) -> int:
    """≤40 → 3, 41–50 → 1, 51–90 → 0, 91–110 → 1, 111–130 → 2, ≥131 → 3."""
    pulse = _whole(pulse_per_min)
    if pulse <= 40:
        return 3
    if pulse <= 50:
        return 1
    if pulse <= 90:
        return 0
    if pulse <= 110:
        return 1
    if pulse <= 130:
        return 2
    return 3


def score_consciousness(level: Consciousness) -> int:
    """Alert → 0; new confusion, voice, pain or unresponsive → 3."""
    return 0 if level is Consciousness.ALERT else 3


def score_temperature(temperature_c: float) -> int:
    """≤35.0 → 3, 35.1–36.0 → 1, 36.1–38.0 → 0, 38.1–39.0 → 1, ≥39.1 → 2."""
    temp = _tenths(temperature_c)
    if temp <= Decimal("35.0"):
        return 3
    if temp <= Decimal("36.0"):
        return 1
    if temp <= Decimal("38.0"):
        return 0
    if temp <= Decimal("39.0"):
        return 1
    return 2


def risk_band(score: int, has_red_score: bool) -> RiskBand:
    """≥7 high, 5–6 medium, a single red score with total ≤4 low-medium, else low."""
    if score >= 7:
        return RiskBand.HIGH
    if score >= 5:
        return RiskBand.MEDIUM
    if has_red_score:
        return RiskBand.LOW_MEDIUM
    return RiskBand.LOW


def score_news2(vitals: News2Vitals, params: News2Params | None = None) -> News2Result:
    """Score one set of vitals on the RCP 2017 chart."""
    scale = (params or News2Params()).spo2_scale
    parameters = News2ParameterScores(
        respiration_rate=score_respiration_rate(vitals.respiration_rate_per_min),
        spo2=score_spo2(vitals.spo2_pct, scale, vitals.on_oxygen),
        air_or_oxygen=score_air_or_oxygen(vitals.on_oxygen),
        systolic_bp=score_systolic_bp(vitals.systolic_bp_mmhg),
        pulse=score_pulse(vitals.pulse_per_min),
        consciousness=score_consciousness(vitals.consciousness),
        temperature=score_temperature(vitals.temperature_c),
    )
    total = sum(parameters.as_tuple())
    return News2Result(total, risk_band(total, max(parameters.as_tuple()) >= 3), parameters)
