"""The demo's synthetic device stream: deterministic, per the pathways' devices, alarms within a minute."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hjemme.catalogue import load_catalogue
from hjemme.domain.pathways import ServiceKind
from hjemme.monitoring.news2 import Consciousness, News2Params, News2Vitals, RiskBand, score_news2
from hjemme.synthetic.device_stream import (
    NEWS2_SET,
    StreamParams,
    StreamPatient,
    as_messages,
    build_device_stream,
    first_alarm_s,
)

ORIGIN = dt.datetime(2026, 11, 29, 11, 0, tzinfo=dt.UTC)
CATALOGUE = load_catalogue()


def _patients() -> list[StreamPatient]:
    """Two patients per pathway: one with the pathway's devices, one reporting everything on the app."""
    out = []
    for index, (pathway_id, pathway) in enumerate(sorted(CATALOGUE.pathways.items())):
        devices = tuple((f"{d.device_type_id[:3].upper()}-{index}-{n}", d.device_type_id)
                        for n, d in enumerate(pathway.devices))
        kit = pathway.service_kind is ServiceKind.AHS and bool(pathway.monitoring)
        out.append(StreamPatient(f"P{index:02d}a", pathway.monitoring, devices, vitals_kit=kit))
        out.append(StreamPatient(f"P{index:02d}b", pathway.monitoring, (), vitals_kit=kit,
                                 spo2_target_88_92=pathway_id == "ahs_lung"))
    return out


def _limits(patient_id: str) -> dict[str, tuple[float | None, float | None]]:
    pathway = sorted(CATALOGUE.pathways.values(), key=lambda p: p.id)[int(patient_id[1:3])]
    return {m.code: (m.low, m.high) for m in pathway.monitoring}


def _past(value: float, limits: tuple[float | None, float | None]) -> bool:
    low, high = limits
    return (low is not None and value < low) or (high is not None and value > high)


def test_same_seed_same_stream_other_seed_other_stream() -> None:
    """The stream is a function of its seed and origin: the same seed gives the same readings."""
    one = build_device_stream(_patients(), origin=ORIGIN, seed=7).readings(0, 300)
    two = build_device_stream(_patients(), origin=ORIGIN, seed=7).readings(0, 300)
    other = build_device_stream(_patients(), origin=ORIGIN, seed=8).readings(0, 300)
    assert one == two and one != other


@settings(max_examples=25, deadline=None)
@given(cuts=st.lists(st.floats(min_value=0, max_value=600, allow_nan=False), max_size=6))
def test_any_cut_of_a_window_gives_the_same_readings(cuts: list[float]) -> None:
    """A runner ticking at any moments delivers every reading once: the pieces add up to the whole."""
    stream = build_device_stream(_patients(), origin=ORIGIN, seed=3)
    points = [0.0, *sorted(cuts), 600.0]
    pieces = [r for a, b in zip(points, points[1:], strict=False) for r in stream.readings(a, b)]
    whole = stream.readings(0, 600)
    assert sorted(r.observation_id for r in pieces) == sorted(r.observation_id for r in whole)
    assert len({r.observation_id for r in whole}) == len(whole)


def test_devices_send_what_their_pathway_monitors() -> None:
    """A patient with an oximeter sends SpO2 and pulse from it; pathways without monitoring send nothing."""
    stream = build_device_stream(_patients(), origin=ORIGIN, seed=1)
    readings = stream.readings(0, 120)
    lung_index = sorted(CATALOGUE.pathways).index("ahs_lung")
    lung = [r for r in readings if r.patient_id == f"P{lung_index:02d}a"]
    oximeter = {r.parameter for r in lung if r.device_id.startswith("PUL")}
    assert oximeter == {"spo2", "pulse"}
    assert {r.parameter for r in lung} >= {"spo2", "respiratory_rate", "pulse", "oxygen_flow"}
    quiet = [i for i, p in enumerate(sorted(CATALOGUE.pathways.values(), key=lambda p: p.id))
             if not p.monitoring]
    assert quiet and not [r for r in readings if int(r.patient_id[1:3]) in quiet]
    units = {(r.parameter, r.unit) for r in readings}
    assert ("temperature", "Cel") in units and ("systolic_bp", "mm[Hg]") in units


def test_some_patients_pass_a_limit_within_a_minute_and_the_others_stay_inside() -> None:
    """The first wave is past a pathway limit within 60 s; nobody else ever passes one."""
    stream = build_device_stream(_patients(), origin=ORIGIN, seed=11)
    assert len(stream.deteriorations) >= 3
    first_wave = {d.patient_id for d in stream.deteriorations if d.onset_s == 0}
    alarmed = {r.patient_id for r in stream.readings(0, 60) if _past(r.value, _limits(r.patient_id).get(
        r.parameter, (None, None)))}
    assert first_wave and first_wave <= alarmed
    first = first_alarm_s(stream)
    assert first is not None and first <= 60
    later = {d.patient_id for d in stream.deteriorations}
    for r in stream.readings(0, 3600):
        if r.patient_id not in later:
            assert not _past(r.value, _limits(r.patient_id).get(r.parameter, (None, None))), r


def test_later_onsets_keep_the_centre_busy_and_patients_recover() -> None:
    """After the first wave one more patient deteriorates every onset interval, and a patient recovers."""
    params = StreamParams(first_wave=1, onset_every_s=120, deteriorating_share=1.0, duration_s=60)
    stream = build_device_stream(_patients(), origin=ORIGIN, seed=5, params=params)
    onsets = sorted(d.onset_s for d in stream.deteriorations)
    assert onsets[:3] == [0.0, 120.0, 240.0]
    first = next(d for d in stream.deteriorations if d.onset_s == 0)
    limits = _limits(first.patient_id)[first.parameter]
    late = [r for r in stream.readings(200, 400)
            if r.patient_id == first.patient_id and r.parameter == first.parameter]
    assert late and not any(_past(r.value, limits) for r in late)


def test_messages_are_one_list_per_device() -> None:
    """Readings group into hjemme's compact device messages, one JSON list per device."""
    stream = build_device_stream(_patients(), origin=ORIGIN, seed=1)
    readings = stream.readings(0, 30)
    messages = as_messages(readings)
    assert sum(len(items) for items in messages.values()) == len(readings)
    item = next(iter(messages.values()))[0]
    assert set(item) == {"id", "patient_id", "parameter", "value", "unit", "effective_at"}


def test_bad_parameters_are_refused() -> None:
    """A non-positive period or a share outside [0, 1] is refused; a naive origin too."""
    with pytest.raises(ValueError):
        StreamParams(period_s=0)
    with pytest.raises(ValueError):
        StreamParams(deteriorating_share=1.5)
    with pytest.raises(ValueError):
        build_device_stream([], origin=dt.datetime(2026, 1, 1), seed=1)


def _news2_sets(stream, until_s: float) -> dict[str, list[tuple[float, RiskBand, int]]]:
    """Every complete set of a patient's readings taken together, scored by the NEWS2 chart."""
    taken: dict[tuple[str, dt.datetime], dict[str, float]] = {}
    for r in stream.readings(0, until_s):
        taken.setdefault((r.patient_id, r.effective_at), {})[r.parameter] = r.value
    scored: dict[str, list[tuple[float, RiskBand, int]]] = {}
    for (patient_id, at), values in sorted(taken.items()):
        if not set(NEWS2_SET) <= set(values):
            continue
        vitals = News2Vitals(values["respiratory_rate"], values["spo2"], values.get("oxygen_flow", 0) > 0,
                             values["systolic_bp"], values["pulse"], Consciousness.ALERT, values["temperature"])
        scale = News2Params.for_target(patient_id.endswith("b") and patient_id[1:3] == _LUNG)
        result = score_news2(vitals, scale)
        scored.setdefault(patient_id, []).append(((at - ORIGIN).total_seconds(), result.risk, result.score))
    return scored


_LUNG = f"{sorted(CATALOGUE.pathways).index('ahs_lung'):02d}"


def test_patients_in_hospital_at_home_measure_full_news2_sets_that_turn_red_only_when_they_deteriorate() -> None:
    """AHS patients send complete NEWS2 sets: stable ones score low; the first wave opens with a red one."""
    stream = build_device_stream(_patients(), origin=ORIGIN, seed=11)
    sets = _news2_sets(stream, 3600)
    assert sets, "AHS patients measure full NEWS2 sets"
    worse = {d.patient_id: d for d in stream.deteriorations}
    for patient_id, scores in sets.items():
        if patient_id not in worse:
            assert all(risk is RiskBand.LOW for _t, risk, _s in scores), (patient_id, scores)
    first = stream.deteriorations[0]
    assert first.onset_s == 0 and first.patient_id in sets
    assert any(t <= 60 and score >= 5 for t, _risk, score in sets[first.patient_id])
