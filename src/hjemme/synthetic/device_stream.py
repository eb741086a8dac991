"""A synthetic device stream for the demo (issue 14 item 7): what the patients' devices would send.

Each monitored patient measures every ``period_s`` seconds with the devices their pathways give
them (pulse oximeter: SpO2 and pulse; blood-pressure monitor: systolic, diastolic and pulse;
thermometer; scale; oxygen concentrator: flow), and reports on the tablet or phone app what no
device measures (respiratory rate counted by the patient). Healthy patients stay inside their
pathway's limits; a few *deteriorate*: one vital sign (and the ones that go with it: fever brings
a fast pulse and breathing) drifts past its limit over ``ramp_s`` seconds, so the response centre
has alarms to act on within a minute of the start, and one more patient every ``onset_every_s``.

The generator is pure and deterministic: every number is drawn from a random generator seeded by
``(seed, patient, parameter, reading number)``, so any window of the stream is the same however
it is cut into pieces (``readings(0, 60)`` equals ``readings(0, 30) + readings(30, 60)``), and the
same seed and origin give the same stream. It knows nothing about MQTT, CSV or the database: a
runner in :mod:`hjemme.services.demo_stream` sends the readings through the ingest services.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hjemme.domain.pathways import MonitoredParameter

DEVICE_MEASURES: dict[str, tuple[str, ...]] = {
    "pulse_oximeter": ("spo2", "pulse"),
    "bp_monitor": ("systolic_bp", "diastolic_bp", "pulse"),
    "thermometer": ("temperature",),
    "weight_scale": ("weight",),
    "oxygen_concentrator": ("oxygen_flow",),
}
"""What each device type measures (an assumption about the device kit, not catalogue data)."""
REPORTING_DEVICE = "tablet_kit"  # what no device measures, the patient reports on the tablet
UNITS = {
    "spo2": "%",
    "pulse": "/min",
    "systolic_bp": "mm[Hg]",
    "diastolic_bp": "mm[Hg]",
    "temperature": "Cel",
    "weight": "kg",
    "oxygen_flow": "L/min",
    "respiratory_rate": "/min",
}
# (mean, spread between patients, spread between readings, decimals) of a stable home patient.
_HEALTHY = {
    "spo2": (96.0, 1.2, 0.8, 0),
    "pulse": (74.0, 8.0, 3.0, 0),
    "systolic_bp": (128.0, 10.0, 4.0, 0),
    "diastolic_bp": (78.0, 6.0, 3.0, 0),
    "temperature": (36.8, 0.2, 0.15, 1),
    "weight": (78.0, 12.0, 0.2, 1),
    "oxygen_flow": (2.0, 0.0, 0.0, 1),
    "respiratory_rate": (16.0, 1.5, 1.0, 0),
}
# How far inside a pathway limit a healthy reading stays, and how far past it a deterioration goes.
_SAFE_MARGIN = {
    "spo2": 2.0,
    "pulse": 10.0,
    "systolic_bp": 12.0,
    "diastolic_bp": 8.0,
    "temperature": 0.5,
    "respiratory_rate": 3.0,
    "weight": 1.0,
    "oxygen_flow": 0.0,
}
_BEYOND = {
    "spo2": 4.0,
    "pulse": 18.0,
    "systolic_bp": 15.0,
    "diastolic_bp": 10.0,
    "temperature": 0.9,
    "respiratory_rate": 5.0,
    "weight": 2.0,
    "oxygen_flow": 0.0,
}
# What goes with a deterioration of one sign (added at full strength): fever and low oxygen make
# the heart and the breathing faster, low blood pressure the pulse.
_COMPANIONS = {
    "temperature": {"pulse": 30.0, "respiratory_rate": 9.0, "spo2": -3.0, "systolic_bp": -15.0},
    "spo2": {"pulse": 22.0, "respiratory_rate": 9.0},
    "systolic_bp": {"pulse": 30.0, "diastolic_bp": -18.0, "respiratory_rate": 5.0},
    "pulse": {"respiratory_rate": 6.0},
    "respiratory_rate": {"pulse": 18.0, "spo2": -3.0},
}
_DETERIORATING = ("temperature", "spo2", "systolic_bp", "respiratory_rate", "pulse")  # preference order
NEWS2_SET = ("respiratory_rate", "spo2", "systolic_bp", "pulse", "temperature")
"""What a vital-signs kit measures together: a complete NEWS2 set (ACVPU and oxygen are assumed)."""
# A stable patient's readings stay where no NEWS2 parameter scores 3 and the total stays below 5
# (RCP 2017 chart; SpO2 scale 2 for the 88–92 % target), so only a deterioration raises a NEWS2 alarm.
_CALM = {
    "respiratory_rate": (12.0, 20.0),
    "spo2": (94.0, 100.0),
    "pulse": (51.0, 110.0),
    "systolic_bp": (111.0, 200.0),
    "temperature": (36.1, 38.0),
}
_CALM_TARGET_SPO2 = (88.0, 92.0)
_BOUNDS = {
    "spo2": (50.0, 100.0),
    "pulse": (25.0, 220.0),
    "systolic_bp": (50.0, 250.0),
    "diastolic_bp": (30.0, 150.0),
    "temperature": (33.0, 42.5),
    "respiratory_rate": (4.0, 60.0),
    "weight": (20.0, 250.0),
    "oxygen_flow": (0.0, 15.0),
}


@dataclass(frozen=True, slots=True)
class StreamParams:
    """How the stream behaves; the defaults make a lively demo, not a clinical reality.

    ``period_s``: seconds between two measurements of one patient (real patients measure every few
    hours; the demo compresses that). ``first_wave`` patients start to deteriorate at
    ``first_onset_s`` and are past their limit ``ramp_s`` later; after them one more every
    ``onset_every_s``, up to ``deteriorating_share`` of the monitored patients. A deterioration
    lasts ``duration_s`` before the patient recovers (over another ``ramp_s``).
    """

    period_s: float = 30.0
    first_wave: int = 3
    first_onset_s: float = 0.0
    ramp_s: float = 20.0
    onset_every_s: float = 300.0
    deteriorating_share: float = 0.1
    duration_s: float = 1800.0

    def __post_init__(self) -> None:
        if self.period_s <= 0 or self.ramp_s <= 0 or self.onset_every_s <= 0 or self.duration_s <= 0:
            raise ValueError("period_s, ramp_s, onset_every_s and duration_s must be positive")
        if self.first_wave < 0 or self.first_onset_s < 0:
            raise ValueError("first_wave and first_onset_s must not be negative")
        if not 0.0 <= self.deteriorating_share <= 1.0:
            raise ValueError(f"deteriorating_share must be within [0, 1], got {self.deteriorating_share}")


@dataclass(frozen=True, slots=True)
class StreamPatient:
    """One patient as the stream sees them: what their pathways monitor and the devices they have."""

    patient_id: str
    monitoring: tuple[MonitoredParameter, ...]
    devices: tuple[tuple[str, str], ...] = ()  # (device id, device type id)
    vitals_kit: bool = False  # measures a full NEWS2 set (hospital-level care at home)
    spo2_target_88_92: bool = False  # hypercapnic: a stable SpO2 is 88–92 %


@dataclass(frozen=True, slots=True)
class DeviceReading:
    """One measurement as a device sends it (hjemme's compact message: code, value, UCUM unit)."""

    observation_id: str
    device_id: str
    patient_id: str
    parameter: str
    value: float
    unit: str
    effective_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Deterioration:
    """A patient whose ``parameter`` goes past its limit (``side`` low or high) from ``onset_s``."""

    patient_id: str
    parameter: str
    side: str
    limit: float
    onset_s: float


@dataclass(frozen=True, slots=True)
class _Channel:
    parameter: str
    device_id: str
    low: float | None
    high: float | None
    target_88_92: bool = False


@dataclass(frozen=True, slots=True)
class _Plan:
    patient_id: str
    phase_s: float
    channels: tuple[_Channel, ...]


@dataclass(frozen=True)
class DeviceStream:
    """The stream of a set of patients from ``origin``; ask it for the readings of any time window."""

    origin: dt.datetime
    seed: int
    params: StreamParams
    deteriorations: tuple[Deterioration, ...]
    _plans: tuple[_Plan, ...]

    @property
    def patient_ids(self) -> tuple[str, ...]:
        return tuple(p.patient_id for p in self._plans)

    def readings(self, since_s: float, until_s: float) -> list[DeviceReading]:
        """Every reading taken in ``(since_s, until_s]`` seconds after the origin, by time then patient."""
        out: list[tuple[float, str, DeviceReading]] = []
        period = self.params.period_s
        worse = {d.patient_id: d for d in self.deteriorations}
        for plan in self._plans:
            first = max(0, math.floor((since_s - plan.phase_s) / period) + 1)
            k = first
            while (t := plan.phase_s + k * period) <= until_s:
                if t > since_s:
                    out += [
                        (t, plan.patient_id, r) for r in self._measure(plan, k, t, worse.get(plan.patient_id))
                    ]
                k += 1
        out.sort(key=lambda item: (item[0], item[1], item[2].parameter))
        return [r for _t, _p, r in out]

    def _measure(self, plan: _Plan, k: int, t: float, worse: Deterioration | None) -> list[DeviceReading]:
        at = self.origin + dt.timedelta(milliseconds=round(t * 1000))
        strength = _strength(worse, t, self.params) if worse is not None else 0.0
        stamp = at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%f")[:-3]
        readings = []
        for channel in plan.channels:
            value = self._value(plan.patient_id, channel, k, worse, strength)
            readings.append(
                DeviceReading(
                    f"demo-{channel.device_id}-{channel.parameter}-{stamp}",
                    channel.device_id,
                    plan.patient_id,
                    channel.parameter,
                    value,
                    UNITS[channel.parameter],
                    at,
                )
            )
        return readings

    def _value(
        self, patient_id: str, channel: _Channel, k: int, worse: Deterioration | None, strength: float
    ) -> float:
        mean, between, within, decimals = _HEALTHY[channel.parameter]
        if channel.target_88_92 and channel.parameter == "spo2":
            mean = sum(_CALM_TARGET_SPO2) / 2
        base = random.Random(f"{self.seed}|{patient_id}|{channel.parameter}|base").gauss(mean, between)
        noise = random.Random(f"{self.seed}|{patient_id}|{channel.parameter}|{k}").gauss(0.0, within)
        value = _inside(channel, base + noise)
        if worse is not None and strength > 0:
            if channel.parameter == worse.parameter:
                beyond = _BEYOND[channel.parameter]
                target = worse.limit - beyond if worse.side == "low" else worse.limit + beyond
                value += (target - value) * strength
            else:
                value += _COMPANIONS.get(worse.parameter, {}).get(channel.parameter, 0.0) * strength
        low, high = _BOUNDS[channel.parameter]
        return round(min(max(value, low), high), decimals)


def _inside(channel: _Channel, value: float) -> float:
    """A healthy reading kept calm for NEWS2 and a margin inside the pathway's limits (no alarm
    without a reason)."""
    calm = _CALM_TARGET_SPO2 if channel.target_88_92 and channel.parameter == "spo2" else None
    low, high = calm or _CALM.get(channel.parameter, (-math.inf, math.inf))
    value = min(max(value, low), high)
    margin = _SAFE_MARGIN[channel.parameter]
    if channel.low is not None:
        value = max(value, channel.low + margin)
    if channel.high is not None:
        value = min(value, channel.high - margin)
    return value


def _strength(worse: Deterioration, t: float, params: StreamParams) -> float:
    """0 before the onset, rising linearly to 1 over ``ramp_s``, back to 0 after ``duration_s``."""
    rise = (t - worse.onset_s) / params.ramp_s
    fall = (worse.onset_s + params.ramp_s + params.duration_s + params.ramp_s - t) / params.ramp_s
    return max(0.0, min(1.0, rise, fall))


def _channels(patient: StreamPatient) -> tuple[_Channel, ...]:
    """The patient's parameters, each with the device that measures it and its pathway limits."""
    limits = {m.code: m for m in patient.monitoring}
    owned = sorted(patient.devices, key=lambda d: (d[1], d[0]))
    by_parameter: dict[str, str] = {}
    for device_id, type_id in owned:
        for parameter in DEVICE_MEASURES.get(type_id, ()):
            by_parameter.setdefault(parameter, device_id)
    reporter = next((d for d, t in owned if t == REPORTING_DEVICE), f"APP-{patient.patient_id}")
    for code in [*limits, *(NEWS2_SET if patient.vitals_kit else ())]:
        if code in _HEALTHY:
            by_parameter.setdefault(code, reporter)
    channels = []
    for parameter in sorted(by_parameter):
        spec = limits.get(parameter)
        low, high = (spec.low, spec.high) if spec else (None, None)
        channels.append(_Channel(parameter, by_parameter[parameter], low, high, patient.spo2_target_88_92))
    return tuple(channels)


def _deterioration_of(plan: _Plan, rng: random.Random) -> tuple[str, str, float] | None:
    """Which limited parameter of the patient goes wrong, and on which side."""
    options = []
    for channel in plan.channels:
        if channel.parameter not in _DETERIORATING:
            continue
        if channel.high is not None:
            options.append((channel.parameter, "high", channel.high))
        if channel.low is not None:
            options.append((channel.parameter, "low", channel.low))
    if not options:
        return None
    options.sort(key=lambda o: (_DETERIORATING.index(o[0]), o[1]))
    return options[0] if rng.random() < 0.6 else rng.choice(options)


def build_device_stream(
    patients: Iterable[StreamPatient],
    *,
    origin: dt.datetime,
    seed: int,
    params: StreamParams | None = None,
) -> DeviceStream:
    """The stream of ``patients`` (those with nothing to measure are left out) from ``origin``."""
    if origin.tzinfo is None:
        raise ValueError("origin must be timezone-aware")
    params = params or StreamParams()
    patients = sorted(patients, key=lambda p: p.patient_id)
    kit = {p.patient_id: p.vitals_kit for p in patients}
    plans = []
    for patient in patients:
        channels = _channels(patient)
        if channels:
            phase = random.Random(f"{seed}|{patient.patient_id}|phase").uniform(0.0, params.period_s)
            plans.append(_Plan(patient.patient_id, phase, channels))
    rng = random.Random(f"{seed}|deteriorations")
    candidates: list[tuple[_Plan, tuple[str, str, float]]] = []
    for plan in plans:
        choice = _deterioration_of(plan, random.Random(f"{seed}|{plan.patient_id}|deteriorate"))
        if choice is not None:
            candidates.append((plan, choice))
    rng.shuffle(candidates)
    # The first wave starts with a patient who measures a full NEWS2 set, when there is one, so the
    # response centre also sees a red NEWS2 alarm (the one an urgent visit is ordered for).
    first_kit = next((i for i, c in enumerate(candidates) if kit[c[0].patient_id]), None)
    if first_kit is not None:
        candidates.insert(0, candidates.pop(first_kit))
    count = min(len(candidates), max(params.first_wave, round(params.deteriorating_share * len(plans))))
    deteriorations = []
    for index, (plan, (parameter, side, limit)) in enumerate(candidates[:count]):
        later = max(0, index - params.first_wave + 1)
        onset = params.first_onset_s + later * params.onset_every_s
        deteriorations.append(Deterioration(plan.patient_id, parameter, side, limit, onset))
    return DeviceStream(origin, seed, params, tuple(deteriorations), tuple(plans))


def first_alarm_s(stream: DeviceStream) -> float | None:
    """Seconds after the origin at which the first reading past a limit is taken (``None``: never)."""
    crossing = [_crossing_s(stream, d) for d in stream.deteriorations]
    found = [c for c in crossing if c is not None]
    return min(found) if found else None


def _crossing_s(stream: DeviceStream, worse: Deterioration) -> float | None:
    horizon = worse.onset_s + stream.params.ramp_s + 2 * stream.params.period_s
    for reading in stream.readings(worse.onset_s, horizon):
        if reading.patient_id == worse.patient_id and reading.parameter == worse.parameter:
            past = reading.value < worse.limit if worse.side == "low" else reading.value > worse.limit
            if past:
                return (reading.effective_at - stream.origin).total_seconds()
    return None


def as_messages(readings: Sequence[DeviceReading]) -> dict[str, list[dict[str, object]]]:
    """Readings grouped per device as hjemme's compact device messages (one JSON list per device)."""
    messages: dict[str, list[dict[str, object]]] = {}
    for r in readings:
        messages.setdefault(r.device_id, []).append(
            {
                "id": r.observation_id,
                "patient_id": r.patient_id,
                "parameter": r.parameter,
                "value": r.value,
                "unit": r.unit,
                "effective_at": r.effective_at.isoformat(),
            }
        )
    return messages
