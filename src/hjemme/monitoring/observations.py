"""Observations: one measurement of one parameter of one patient, however it reached hjemme.

FHIR over HTTP, MQTT messages and CSV imports all end up as :class:`Observation`, in the
parameter's canonical UCUM unit, so that rules never see a pound or a Fahrenheit (issue 5).
``observation_id`` is the sender's identifier and the key for idempotent ingest: a device that
re-sends after a lost acknowledgement must not create a second measurement.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from dataclasses import dataclass

from hjemme.errors import InputError
from hjemme.monitoring.news2 import Consciousness


class Parameter(enum.StrEnum):
    """hjemme's parameter codes; the same strings as ``MonitoredParameter.code`` in the catalogue."""

    RESPIRATORY_RATE = "respiratory_rate"
    SPO2 = "spo2"
    PULSE = "pulse"
    TEMPERATURE = "temperature"
    SYSTOLIC_BP = "systolic_bp"
    DIASTOLIC_BP = "diastolic_bp"
    WEIGHT = "weight"
    CONSCIOUSNESS = "consciousness"
    OXYGEN_FLOW = "oxygen_flow"  # supplemental O2; > 0 L/min means "on oxygen" for NEWS2


CANONICAL_UNIT: dict[Parameter, str] = {
    Parameter.RESPIRATORY_RATE: "/min",
    Parameter.SPO2: "%",
    Parameter.PULSE: "/min",
    Parameter.TEMPERATURE: "Cel",
    Parameter.SYSTOLIC_BP: "mm[Hg]",
    Parameter.DIASTOLIC_BP: "mm[Hg]",
    Parameter.WEIGHT: "kg",
    Parameter.CONSCIOUSNESS: "{ACVPU}",
    Parameter.OXYGEN_FLOW: "L/min",
}

# LOINC codes of the vital signs (FHIR vital-signs profile plus the NEWS2 extras).
LOINC_TO_PARAMETER: dict[str, Parameter] = {
    "9279-1": Parameter.RESPIRATORY_RATE,
    "59408-5": Parameter.SPO2,  # SpO2 by pulse oximetry
    "2708-6": Parameter.SPO2,  # oxygen saturation in arterial blood (vital-signs profile code)
    "2710-2": Parameter.SPO2,  # oxygen saturation in capillary blood by oximetry
    "8867-4": Parameter.PULSE,  # heart rate
    "8889-8": Parameter.PULSE,  # heart rate by pulse oximetry
    "8310-5": Parameter.TEMPERATURE,
    "8480-6": Parameter.SYSTOLIC_BP,
    "8462-4": Parameter.DIASTOLIC_BP,
    "29463-7": Parameter.WEIGHT,
    "3141-9": Parameter.WEIGHT,  # body weight measured
    "80288-4": Parameter.CONSCIOUSNESS,  # level of consciousness (ACVPU answers)
    "3151-8": Parameter.OXYGEN_FLOW,  # inhaled oxygen flow rate
}
PARAMETER_TO_LOINC: dict[Parameter, str] = {
    Parameter.RESPIRATORY_RATE: "9279-1",
    Parameter.SPO2: "59408-5",
    Parameter.PULSE: "8867-4",
    Parameter.TEMPERATURE: "8310-5",
    Parameter.SYSTOLIC_BP: "8480-6",
    Parameter.DIASTOLIC_BP: "8462-4",
    Parameter.WEIGHT: "29463-7",
    Parameter.CONSCIOUSNESS: "80288-4",
    Parameter.OXYGEN_FLOW: "3151-8",
}
BLOOD_PRESSURE_PANEL_LOINC = frozenset({"85354-9", "55284-4"})

# Consciousness is stored as its ACVPU ordinal so that every observation has a numeric value.
ACVPU_ORDINAL: dict[Consciousness, int] = {
    Consciousness.ALERT: 0,
    Consciousness.NEW_CONFUSION: 1,
    Consciousness.VOICE: 2,
    Consciousness.PAIN: 3,
    Consciousness.UNRESPONSIVE: 4,
}
_ORDINAL_ACVPU = {ordinal: level for level, ordinal in ACVPU_ORDINAL.items()}
_ACVPU_WORDS = {
    "a": "A", "alert": "A", "c": "C", "confusion": "C", "new confusion": "C", "confused": "C",
    "v": "V", "voice": "V", "p": "P", "pain": "P", "u": "U", "unresponsive": "U",
}


def parse_acvpu(text: str) -> Consciousness:
    """An ACVPU letter or its English word, any case; ``InputError`` otherwise."""
    letter = _ACVPU_WORDS.get(text.strip().lower())
    if letter is None:
        raise InputError("consciousness", f"'{text}' er ikke en av A, C, V, P, U")
    return Consciousness(letter)


def consciousness_of(observation: Observation) -> Consciousness:
    """The ACVPU level a consciousness observation stands for."""
    return _ORDINAL_ACVPU[int(observation.value)]


def parameter_for_loinc(code: str) -> Parameter | None:
    return LOINC_TO_PARAMETER.get(code.strip())


@dataclass(frozen=True, slots=True)
class Observation:
    """One measurement, in the canonical unit of its parameter, with when it was taken and received.

    ``effective_at`` is when the patient measured; ``received_at`` when hjemme got it. Devices
    buffer while offline, so observations arrive late and out of order: rules always order by
    ``effective_at``.
    """

    observation_id: str
    patient_id: str
    parameter: Parameter
    value: float
    unit: str
    effective_at: dt.datetime
    received_at: dt.datetime
    device_id: str | None = None

    def __post_init__(self) -> None:
        if not self.observation_id.strip():
            raise InputError("observation_id", "mangler id")
        if not self.patient_id.strip():
            raise InputError("patient_id", "mangler pasient")
        if not math.isfinite(self.value):
            raise InputError("value", f"{self.value!r} er ikke et endelig tall")
        if self.unit != CANONICAL_UNIT[self.parameter]:
            raise InputError("unit", f"{self.parameter} skal lagres i {CANONICAL_UNIT[self.parameter]}")
        for name in ("effective_at", "received_at"):
            moment = getattr(self, name)
            if moment.tzinfo is None or moment.utcoffset() is None:
                raise InputError(name, "tidspunkt mangler tidssone")
        if self.parameter is Parameter.CONSCIOUSNESS and self.value not in _ORDINAL_ACVPU:
            raise InputError("value", "bevissthet må være ACVPU-nivå 0–4")
