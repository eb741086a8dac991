"""UCUM conversion of the vital signs on ingest."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hjemme.errors import InputError
from hjemme.monitoring.observations import Parameter
from hjemme.monitoring.units import normalise_unit, to_canonical


@pytest.mark.parametrize(
    ("parameter", "value", "unit", "expected"),
    [
        (Parameter.TEMPERATURE, 98.6, "[degF]", 37.0),
        (Parameter.TEMPERATURE, 100.4, "°F", 38.0),
        (Parameter.TEMPERATURE, 310.15, "K", 37.0),
        (Parameter.TEMPERATURE, 37.2, "Cel", 37.2),
        (Parameter.WEIGHT, 176.37, "[lb_av]", 80.0),
        (Parameter.WEIGHT, 80500, "g", 80.5),
        (Parameter.SYSTOLIC_BP, 16, "kPa", 120.0),
        (Parameter.SYSTOLIC_BP, 120, "mmHg", 120.0),
        (Parameter.PULSE, 72, "{beats}/min", 72.0),
        (Parameter.RESPIRATORY_RATE, 18, "/min", 18.0),
        (Parameter.SPO2, 0.95, "1", 95.0),
        (Parameter.SPO2, 95, "%", 95.0),
    ],
)
def test_conversions_to_canonical_units(parameter: Parameter, value: float, unit: str, expected: float) -> None:
    """°F, K, pounds, grams, kPa, annotated rates and fractions arrive in the canonical unit."""
    assert to_canonical(parameter, value, unit) == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(
    ("parameter", "unit"),
    [(Parameter.PULSE, "kg"), (Parameter.TEMPERATURE, "mm[Hg]"), (Parameter.WEIGHT, "furlong")],
)
def test_impossible_unit_is_refused_with_a_reason(parameter: Parameter, unit: str) -> None:
    """A unit that cannot express the parameter is refused, naming the unit and the target unit."""
    with pytest.raises(InputError) as error:
        to_canonical(parameter, 1.0, unit)
    assert error.value.field == "unit"
    assert unit in error.value.problem


def test_implausible_value_is_refused() -> None:
    """A saturation of 140 % is a device error and is not stored."""
    with pytest.raises(InputError) as error:
        to_canonical(Parameter.SPO2, 140, "%")
    assert error.value.field == "value"


def test_display_units_map_to_ucum() -> None:
    """Display strings from devices map to their UCUM code."""
    assert normalise_unit(" lbs ") == "[lb_av]"
    assert normalise_unit("bpm") == "/min"


@given(st.floats(min_value=59.0, max_value=114.8))
def test_fahrenheit_round_trip(fahrenheit: float) -> None:
    """Converting °F to °C and back gives the reading again."""
    celsius = to_canonical(Parameter.TEMPERATURE, fahrenheit, "[degF]")
    assert celsius * 9 / 5 + 32 == pytest.approx(fahrenheit)
