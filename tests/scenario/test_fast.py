"""Fast-mode invariants over the default scenario."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hjemme.scenario.config import ScenarioConfig
from hjemme.scenario.fast import CensusParams, evaluate, expected_census, interpolate, run_fast
from hjemme.scenario.model import ProjectionModel, sample_params

PATHWAYS = (
    "ahs_blood", "ahs_children", "ahs_lung", "ambulant_rehab", "dho_copd", "dho_heart_failure",
    "front_psychiatry", "home_dialysis", "iv_antibiotics", "palliative", "self_sampling", "wound_care",
)
census_st = st.fixed_dictionaries({p: st.integers(0, 400) for p in PATHWAYS})


def test_trajectory_is_linear_between_table_years() -> None:
    """Between 2027 (3 %) and 2030 (5 %) the AHS share grows linearly."""
    assert interpolate({2024: 0.01, 2027: 0.03, 2030: 0.05}, 2028) == 0.03 + 0.02 / 3


def test_census_grows_with_the_trajectory(default_model: ProjectionModel, default_config: ScenarioConfig) -> None:
    """More of the hospital's activity at home in 2030 than in 2024 means more patients at home."""
    params = sample_params(default_config, None)
    c24 = sum(expected_census(default_model, params, 2024, CensusParams()).values())
    c30 = sum(expected_census(default_model, params, 2030, CensusParams()).values())
    assert 0 < c24 < c30


def test_fixed_patient_total_is_respected(default_model: ProjectionModel, default_config: ScenarioConfig) -> None:
    """A sweep's fixed number of patients and mix give that many patients, split as asked."""
    params = sample_params(default_config, None)
    census = expected_census(default_model, params, 2030, CensusParams(1000, {"ahs": 1, "ambulant": 0, "dho": 1}))
    assert abs(sum(census.values()) - 1000) < 1e-9
    assert census["wound_care"] == 0


@settings(max_examples=40, deadline=None)
@given(base=census_st, extra=census_st)
def test_more_patients_never_fewer_transports(
    default_model: ProjectionModel, default_config: ScenarioConfig, base: dict[str, int], extra: dict[str, int]
) -> None:
    """Adding patients never lowers transports, km or vehicles under any alternative."""
    params = sample_params(default_config, None)
    more = {p: base[p] + extra[p] for p in PATHWAYS}
    for alt in ("alt1", "alt2", "alt3"):
        a = evaluate(default_model, params, {p: float(v) for p, v in base.items()}, alt, 2027)
        b = evaluate(default_model, params, {p: float(v) for p, v in more.items()}, alt, 2027)
        assert b["transports_per_week"] >= a["transports_per_week"] - 1e-9
        assert b["vehicles"] >= a["vehicles"]


@settings(max_examples=40, deadline=None)
@given(census=census_st)
def test_alt1_never_more_deliveries_per_patient_than_alt2(
    default_model: ProjectionModel, default_config: ScenarioConfig, census: dict[str, int]
) -> None:
    """The logistics centre's consolidated delivery never gives a patient more deliveries than direct deliveries."""
    params = sample_params(default_config, None)
    c = {p: float(v) for p, v in census.items()}
    alt1 = evaluate(default_model, params, c, "alt1", 2030)["deliveries_per_patient_week"]
    alt2 = evaluate(default_model, params, c, "alt2", 2030)["deliveries_per_patient_week"]
    assert alt1 <= alt2 + 1e-9


def test_same_seed_same_numbers(default_model: ProjectionModel) -> None:
    """Two runs with one seed agree exactly; another seed differs."""
    a = run_fast(default_model, replications=3, seed=5, years=[2030], alternatives=["alt1"])
    b = run_fast(default_model, replications=3, seed=5, years=[2030], alternatives=["alt1"])
    c = run_fast(default_model, replications=3, seed=6, years=[2030], alternatives=["alt1"])
    assert a == b and a != c


def test_worker_processes_give_the_same_numbers_in_the_same_order(default_model: ProjectionModel) -> None:
    """A run spread over two worker processes gives exactly the serial run's samples, break-even
    included, and reports every replication's progress once."""
    kwargs = {"replications": 9, "seed": 5, "years": [2029, 2030], "alternatives": ["alt0", "alt1", "alt2"]}
    serial = run_fast(default_model, **kwargs)
    done: list[int] = []
    parallel = run_fast(default_model, processes=2, on_replication=done.append, **kwargs)
    assert parallel == serial
    assert sorted(done) == list(range(9))
    assert sum(s.metric == "break_even_patients_per_day" for s in parallel) == 9


def test_pooling_shows_in_alt1_not_alt3(default_model: ProjectionModel) -> None:
    """The logistics centre's pooled stock saves area; the clinics' separate stocks save none."""
    samples = run_fast(default_model, replications=2, seed=1, years=[2030], alternatives=["alt1", "alt3"])
    saving = {s.alternative: s.value for s in samples if s.metric == "risk_pooling_saving_m2"}
    assert saving["alt1"] > 0 and saving["alt3"] == 0
