"""UCUM units of the vital signs and the conversions home devices need.

Devices bought abroad report °F and pounds; rules compare against catalogue limits in canonical
units (``observations.CANONICAL_UNIT``). Everything is converted on ingest, and a unit that cannot
mean the parameter (kilograms of pulse) is refused with a reason instead of being stored (issue 5).
Only the handful of units the vitals need are known: this is not a general UCUM engine.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from hjemme.errors import InputError
from hjemme.monitoring.observations import CANONICAL_UNIT, Parameter

# Common display strings (FHIR Quantity.unit, CSV headers) mapped to their UCUM code.
_SYNONYMS = {
    "°c": "Cel", "c": "Cel", "cel": "Cel", "degc": "Cel", "celsius": "Cel",
    "°f": "[degF]", "f": "[degF]", "[degf]": "[degF]", "degf": "[degF]", "fahrenheit": "[degF]",
    "k": "K",
    "kg": "kg", "g": "g", "lb": "[lb_av]", "lbs": "[lb_av]", "[lb_av]": "[lb_av]", "pound": "[lb_av]",
    "mmhg": "mm[Hg]", "mm[hg]": "mm[Hg]", "mm hg": "mm[Hg]", "kpa": "kPa",
    "/min": "/min", "1/min": "/min", "min-1": "/min", "bpm": "/min", "beats/min": "/min",
    "breaths/min": "/min", "{beats}/min": "/min", "{breaths}/min": "/min", "per min": "/min",
    "%": "%", "percent": "%", "1": "1",
    "l/min": "L/min", "{acvpu}": "{ACVPU}",
}

_FACTORS: dict[tuple[str, str], Callable[[float], float]] = {
    ("Cel", "Cel"): lambda v: v,
    ("[degF]", "Cel"): lambda v: (v - 32.0) * 5.0 / 9.0,
    ("K", "Cel"): lambda v: v - 273.15,
    ("kg", "kg"): lambda v: v,
    ("g", "kg"): lambda v: v / 1000.0,
    ("[lb_av]", "kg"): lambda v: v * 0.45359237,
    ("mm[Hg]", "mm[Hg]"): lambda v: v,
    ("kPa", "mm[Hg]"): lambda v: v * 7.500615758,
    ("/min", "/min"): lambda v: v,
    ("%", "%"): lambda v: v,
    ("1", "%"): lambda v: v * 100.0,  # SpO2 sent as a fraction 0–1
    ("L/min", "L/min"): lambda v: v,
    ("{ACVPU}", "{ACVPU}"): lambda v: v,
}

# Values outside these canonical ranges are device or typing errors, never a living patient.
PLAUSIBLE_RANGE: dict[Parameter, tuple[float, float]] = {
    Parameter.RESPIRATORY_RATE: (0.0, 100.0),
    Parameter.SPO2: (0.0, 100.0),
    Parameter.PULSE: (0.0, 350.0),
    Parameter.TEMPERATURE: (15.0, 46.0),
    Parameter.SYSTOLIC_BP: (0.0, 400.0),
    Parameter.DIASTOLIC_BP: (0.0, 300.0),
    Parameter.WEIGHT: (0.2, 500.0),
    Parameter.CONSCIOUSNESS: (0.0, 4.0),
    Parameter.OXYGEN_FLOW: (0.0, 60.0),
}


def normalise_unit(unit: str) -> str:
    """A UCUM code for ``unit``; annotations like ``{beats}/min`` and display strings are accepted."""
    cleaned = unit.strip()
    return _SYNONYMS.get(cleaned.lower(), cleaned)


def to_canonical(parameter: Parameter, value: float, unit: str) -> float:
    """``value`` in ``unit`` converted to the parameter's canonical unit and range-checked.

    Raises ``InputError`` (field ``unit`` or ``value``) with a Norwegian reason when the unit cannot
    express the parameter or the converted value is impossible.
    """
    target = CANONICAL_UNIT[parameter]
    source = normalise_unit(unit) if unit.strip() else target
    convert = _FACTORS.get((source, target))
    if convert is None:
        raise InputError("unit", f"kan ikke konvertere enheten '{unit}' til '{target}' for {parameter}")
    if isinstance(value, bool) or not math.isfinite(value):
        raise InputError("value", f"{value!r} er ikke et endelig tall")
    converted = convert(float(value))
    low, high = PLAUSIBLE_RANGE[parameter]
    if not low <= converted <= high:
        raise InputError(
            "value", f"{converted:g} {target} er utenfor mulig område {low:g}–{high:g} for {parameter}"
        )
    return converted
