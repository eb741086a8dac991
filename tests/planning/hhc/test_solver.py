"""The HHCRSP solver: published optima matched, every solution valid by the independent checker."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hjemme.planning.hhc.check import score_solution
from hjemme.planning.hhc.format import instance_from_json, read_instance, read_solution
from hjemme.planning.hhc.generate import mankowska_like
from hjemme.planning.hhc.solver import HhcParams, solve_hhc

MANKOWSKA = Path("/work/shared/benchmarks/hhc/mankowska-small")
EXTENDED = Path("/work/shared/benchmarks/hhc/extended")


def _instances(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(f for f in directory.glob("*.json") if not f.name.startswith("sol-"))


class Steps:
    """A clock that advances one unit per reading: the search's length in iterations, not seconds."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


@pytest.mark.parametrize("path", _instances(MANKOWSKA), ids=lambda p: p.stem[-5:])
def test_each_published_10_patient_optimum_is_matched(path: Path) -> None:
    """The solver's solution is valid with exact comparisons and as good as the published optimum."""
    instance = read_instance(path)
    published = score_solution(instance, read_solution(next(MANKOWSKA.glob(f"sol-{path.stem}-*.json"))), 1e-3)
    solution = solve_hhc(instance, HhcParams(time_limit_s=400, seed=1), clock=Steps())
    score = score_solution(instance, solution)
    assert score.valid, score.violations
    assert score.objective <= published.objective + 1e-3


@pytest.mark.parametrize("path", _instances(EXTENDED)[:1], ids=lambda p: p.stem[:10])
def test_extended_solutions_respect_shifts_and_incompatibilities(path: Path) -> None:
    """On an extended instance every service is done, nobody incompatible, shifts start respected."""
    instance = read_instance(path)
    score = score_solution(instance, solve_hhc(instance, HhcParams(time_limit_s=20, seed=1), clock=Steps()))
    assert score.valid, score.violations


@settings(max_examples=8, deadline=None)
@given(patients=st.integers(min_value=4, max_value=30), seed=st.integers(min_value=0, max_value=10_000))
def test_generated_instances_always_get_a_valid_solution(patients: int, seed: int) -> None:
    """Whatever the mix of simultaneous and sequential pairs, the schedule passes the exact checker."""
    instance = instance_from_json(mankowska_like(patients, seed), name="generated")
    score = score_solution(
        instance, solve_hhc(instance, HhcParams(time_limit_s=10, seed=seed), clock=Steps())
    )
    assert score.valid, score.violations


def _crowded_day(visits: int) -> dict:
    """One depot, 10 minutes from ``visits`` + 1 hour-long visits a minute apart; nurse 0 works
    0–240, nurse 1 0–80 (just the trip out, one visit and back)."""
    n = visits + 2
    distances = [[0 if a == b else (10 if 0 in (a, b) else 1) for b in range(n)] for a in range(n)]
    patients = [
        {"id": f"p{k}", "location": [10.7, 59.9], "time_window": [0, 2000],
         "required_caregivers": [{"service": "s0", "duration": 60}], "distance_matrix_index": k + 1}
        for k in range(visits + 1)
    ]
    caregivers = [
        {"id": f"c{k}", "abilities": ["s0"], "distance_matrix_index": 0, "starting_point_id": "d0",
         "working_shift": [0, end]}
        for k, end in enumerate((240, 80))
    ]
    return {"name": "crowded", "area": [10.7, 59.9], "distances": distances,
            "departing_points": [{"id": "d0", "location": [10.7, 59.9]}], "patients": patients,
            "caregivers": caregivers, "services": [{"id": "s0", "default_duration": 60, "type": "t0"}]}


def test_a_nurse_not_yet_out_takes_the_visit_that_would_put_the_busy_one_into_overtime() -> None:
    """With shifts, a visit added to a full day goes to the nurse not yet out: there it costs 20
    minutes' travel, on the busy nurse an hour's overtime. The busy day has more places than the
    search tries, each as cheap by travel (1 minute) as the next, and dear only by the overtime."""
    from hjemme.planning.hhc.schedule import Model, State
    from hjemme.planning.hhc.solver import _insert_patient

    visits = 14  # 14 hour-long visits on a 240-minute shift: nurse 0 is in overtime already
    instance = instance_from_json(_crowded_day(visits), name="crowded")
    state = State(Model(instance))
    state.commit([(k, 0, k) for k in range(visits)])
    assert state.rc[0][3] > 0 and not state.routes[1]
    assert _insert_patient(state, visits)
    assert state.where[visits] == 1
