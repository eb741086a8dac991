"""NEWS2 on the RCP 2017 chart: every band edge of every parameter, bands and invariants."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hjemme.errors import InputError
from hjemme.monitoring.news2 import (
    Consciousness,
    News2Params,
    News2Vitals,
    RiskBand,
    SpO2Scale,
    risk_band,
    score_air_or_oxygen,
    score_consciousness,
    score_news2,
    score_pulse,
    score_respiration_rate,
    score_spo2,
    score_systolic_bp,
    score_temperature,
)

NORMAL = {
    "respiration_rate_per_min": 16,
    "spo2_pct": 97,
    "on_oxygen": False,
    "systolic_bp_mmhg": 120,
    "pulse_per_min": 70,
    "consciousness": Consciousness.ALERT,
    "temperature_c": 37.0,
}


def vitals(**changes: object) -> News2Vitals:
    return News2Vitals(**{**NORMAL, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rate", "expected"),
    [(0, 3), (8, 3), (9, 1), (11, 1), (12, 0), (20, 0), (21, 2), (24, 2), (25, 3), (60, 3)],
)
def test_respiration_rate_band_edges(rate: int, expected: int) -> None:
    """Respiration rate scores exactly as the chart's row at each band edge."""
    assert score_respiration_rate(rate) == expected


@pytest.mark.parametrize(
    ("spo2", "expected"),
    [(70, 3), (91, 3), (92, 2), (93, 2), (94, 1), (95, 1), (96, 0), (100, 0)],
)
@pytest.mark.parametrize("on_oxygen", [False, True])
def test_spo2_scale_1_band_edges(spo2: int, expected: int, on_oxygen: bool) -> None:
    """SpO2 on scale 1 scores by saturation alone, whether on air or oxygen."""
    assert score_spo2(spo2, SpO2Scale.SCALE_1, on_oxygen) == expected


@pytest.mark.parametrize(
    ("spo2", "on_oxygen", "expected"),
    [
        (70, False, 3), (83, False, 3), (83, True, 3), (84, False, 2), (85, True, 2),
        (86, False, 1), (87, True, 1), (88, False, 0), (88, True, 0), (92, False, 0),
        (92, True, 0), (93, False, 0), (97, False, 0), (100, False, 0), (93, True, 1),
        (94, True, 1), (95, True, 2), (96, True, 2), (97, True, 3), (100, True, 3),
    ],
)
def test_spo2_scale_2_band_edges(spo2: int, on_oxygen: bool, expected: int) -> None:
    """SpO2 on scale 2 is 0 in the 88–92 % target and scores high saturations only on oxygen."""
    assert score_spo2(spo2, SpO2Scale.SCALE_2, on_oxygen) == expected


def test_air_or_oxygen() -> None:
    """Supplemental oxygen adds 2 points; room air adds none."""
    assert score_air_or_oxygen(True) == 2
    assert score_air_or_oxygen(False) == 0


@pytest.mark.parametrize(
    ("sbp", "expected"),
    [(50, 3), (90, 3), (91, 2), (100, 2), (101, 1), (110, 1), (111, 0), (219, 0), (220, 3), (260, 3)],
)
def test_systolic_bp_band_edges(sbp: int, expected: int) -> None:
    """Systolic blood pressure scores exactly as the chart's row at each band edge."""
    assert score_systolic_bp(sbp) == expected


@pytest.mark.parametrize(
    ("pulse", "expected"),
    [(30, 3), (40, 3), (41, 1), (50, 1), (51, 0), (90, 0), (91, 1), (110, 1), (111, 2), (130, 2),
     (131, 3), (180, 3)],
)
def test_pulse_band_edges(pulse: int, expected: int) -> None:
    """Pulse scores exactly as the chart's row at each band edge."""
    assert score_pulse(pulse) == expected


@pytest.mark.parametrize(
    ("level", "expected"),
    [("A", 0), ("C", 3), ("V", 3), ("P", 3), ("U", 3)],
)
def test_consciousness_acvpu(level: str, expected: int) -> None:
    """Only an alert patient scores 0; new confusion, voice, pain and unresponsive score 3."""
    assert score_consciousness(Consciousness(level)) == expected


@pytest.mark.parametrize(
    ("temp", "expected"),
    [(33.0, 3), (35.0, 3), (35.1, 1), (36.0, 1), (36.1, 0), (38.0, 0), (38.1, 1), (39.0, 1),
     (39.1, 2), (41.0, 2)],
)
def test_temperature_band_edges(temp: float, expected: int) -> None:
    """Temperature scores exactly as the chart's row at each band edge."""
    assert score_temperature(temp) == expected


@pytest.mark.parametrize(
    ("value", "scorer", "expected"),
    [
        (11.4, score_respiration_rate, 1),
        (11.5, score_respiration_rate, 0),
        (95.5, lambda v: score_spo2(v, SpO2Scale.SCALE_1, False), 0),
        (36.04, score_temperature, 1),
        (36.05, score_temperature, 0),
        (35.04, score_temperature, 3),
        (90.5, score_pulse, 1),
    ],
)
def test_device_precision_is_rounded_to_the_chart(value: float, scorer, expected: int) -> None:
    """Values finer than the chart's resolution are rounded half-up, leaving no gaps between bands."""
    assert scorer(value) == expected


@pytest.mark.parametrize(
    ("score", "red", "band"),
    [
        (0, False, RiskBand.LOW), (4, False, RiskBand.LOW), (3, True, RiskBand.LOW_MEDIUM),
        (4, True, RiskBand.LOW_MEDIUM), (5, False, RiskBand.MEDIUM), (5, True, RiskBand.MEDIUM),
        (6, True, RiskBand.MEDIUM), (7, False, RiskBand.HIGH), (20, True, RiskBand.HIGH),
    ],
)
def test_risk_band_edges(score: int, red: bool, band: RiskBand) -> None:
    """The risk band follows the total, with a single red score lifting a low total to low-medium."""
    assert risk_band(score, red) is band


def test_normal_vitals_score_zero() -> None:
    """A well patient on air scores 0, low risk."""
    result = score_news2(vitals())
    assert (result.score, result.risk) == (0, RiskBand.LOW)


def test_single_red_score_is_low_medium() -> None:
    """New confusion alone gives 3 points and the low-medium band."""
    result = score_news2(vitals(consciousness=Consciousness.NEW_CONFUSION))
    assert (result.score, result.risk) == (3, RiskBand.LOW_MEDIUM)
    assert result.has_red_score


def test_worked_example_high() -> None:
    """A septic-looking patient on oxygen adds up row by row to a high score."""
    result = score_news2(
        vitals(respiration_rate_per_min=24, spo2_pct=93, on_oxygen=True, systolic_bp_mmhg=100,
               pulse_per_min=115, temperature_c=38.5)
    )
    # RR 2 + SpO2 2 + O2 2 + SBP 2 + pulse 2 + temp 1
    assert (result.score, result.risk) == (11, RiskBand.HIGH)


def test_scale_2_needs_the_recorded_target() -> None:
    """A COPD patient at 89 % on air scores 3 on scale 1 but 0 on scale 2 with the 88–92 % target."""
    assert score_news2(vitals(spo2_pct=89), News2Params.for_target(False)).score == 3
    assert score_news2(vitals(spo2_pct=89), News2Params.for_target(True)).score == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("spo2_pct", 101), ("respiration_rate_per_min", -1), ("temperature_c", float("nan")),
     ("pulse_per_min", "70"), ("systolic_bp_mmhg", True)],
)
def test_impossible_vitals_are_rejected(field: str, value: object) -> None:
    """Values no patient can have are refused with the field named, instead of being scored."""
    with pytest.raises(InputError) as error:
        vitals(**{field: value})
    assert error.value.field == field


vitals_strategy = st.builds(
    News2Vitals,
    respiration_rate_per_min=st.integers(0, 60),
    spo2_pct=st.integers(60, 100),
    on_oxygen=st.booleans(),
    systolic_bp_mmhg=st.integers(40, 300),
    pulse_per_min=st.integers(20, 250),
    consciousness=st.sampled_from(Consciousness),
    temperature_c=st.integers(300, 430).map(lambda t: t / 10),
)


@given(vitals_strategy, st.sampled_from(SpO2Scale))
def test_score_is_sum_of_parameter_scores(v: News2Vitals, scale: SpO2Scale) -> None:
    """The total is always the sum of the seven row scores, each between 0 and 3."""
    result = score_news2(v, News2Params(scale))
    assert result.score == sum(result.parameters.as_tuple())
    assert all(0 <= s <= 3 for s in result.parameters.as_tuple())
    assert 0 <= result.score <= 20


@given(st.integers(0, 20), st.integers(0, 20), st.booleans())
def test_band_is_monotone_in_score(a: int, b: int, red: bool) -> None:
    """A higher total never gives a lower risk band, and a red score never lowers it either."""
    low, high = sorted((a, b))
    assert risk_band(low, red).rank <= risk_band(high, red).rank
    assert risk_band(low, False).rank <= risk_band(low, True).rank


@given(vitals_strategy, st.sampled_from(SpO2Scale), st.integers(1, 40))
def test_worse_pulse_never_lowers_the_band(v: News2Vitals, scale: SpO2Scale, step: int) -> None:
    """Moving the pulse further from normal never lowers the score or the risk band."""
    base = score_news2(v, News2Params(scale))
    away = v.pulse_per_min + step if v.pulse_per_min >= 70 else max(0, v.pulse_per_min - step)
    worse = score_news2(vitals(**{**_as_dict(v), "pulse_per_min": away}), News2Params(scale))
    assert worse.score >= base.score
    assert worse.risk.rank >= base.risk.rank


def _as_dict(v: News2Vitals) -> dict[str, object]:
    return {name: getattr(v, name) for name in NORMAL}
