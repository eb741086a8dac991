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
