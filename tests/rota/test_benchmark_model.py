"""The CP-SAT benchmark model finds the proven optimum of instance 1, and every roster it returns is
re-scored by the independent evaluator to the same objective with no hard rule broken."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hjemme.rota.benchmark import model
from hjemme.rota.benchmark.evaluate import read_roster_xml, score_roster
from hjemme.rota.benchmark.instance import read_instance
from hjemme.rota.benchmark.model import BenchmarkSolveParams, _lp_relaxation, solve_benchmark
from hjemme.rota.benchmark.roster_xml import roster_to_xml
from tests.rota.benchmark_text import tiny_instance

DATA = Path(__file__).parent / "data"
PARAMS = BenchmarkSolveParams(time_limit_s=30, workers=2)


def rescore(text: str, roster: dict[str, dict[int, str]]):
    return score_roster(text, {e: sorted(days.items()) for e, days in roster.items()})


def test_instance1_is_solved_to_its_proven_optimum():
    """Instance 1 is solved to 607, proven optimal, and the evaluator scores the roster file 607."""
    text = (DATA / "Instance1.txt").read_text()
    result = solve_benchmark(read_instance(text, "Instance1"), PARAMS)
    assert result.optimal and result.objective == 607
    score = score_roster(text, read_roster_xml(roster_to_xml("Instance1.ros", result.roster)))
    assert score.feasible, score.breaches
    assert score.objective == 607


def test_hard_rules_win_over_cover():
    """Cover of three on a day with one nurse whose day off it is stays uncovered (300), not breached."""
    text = tiny_instance(days_off="A,3", cover="3,D,3,100,1")
    result = solve_benchmark(read_instance(text), PARAMS)
    assert 3 not in result.roster["A"]
    assert result.objective == 300 == rescore(text, result.roster).objective


def test_forbidden_successor_is_respected_when_requests_pull_against_it():
    """Requests for N on day 0 and D on day 1 cannot both be met: the cheaper one is dropped."""
    text = tiny_instance(on="A,0,N,5\nA,1,D,2")
    result = solve_benchmark(read_instance(text), PARAMS)
    assert result.roster["A"].get(0) == "N" and result.roster["A"].get(1) != "D"
    assert rescore(text, result.roster).feasible


@st.composite
def instances(draw):
    horizon = draw(st.sampled_from([7, 14]))
    staff = []
    for name in "ABC"[: draw(st.integers(1, 3))]:
        max_run = draw(st.integers(2, 5))
        staff.append(
            f"{name},D={draw(st.integers(0, 10))}|N={draw(st.integers(0, 5))},{draw(st.integers(2000, 6000))},"
            f"{draw(st.integers(0, 1000))},{max_run},{draw(st.integers(1, 2))},{draw(st.integers(1, 2))},"
            f"{draw(st.integers(0, 2))}"
        )
    names = [s[0] for s in staff]
    day = st.integers(0, horizon - 1)
    req = st.tuples(st.sampled_from(names), day, st.sampled_from("DN"), st.integers(1, 5))
    on = draw(st.lists(req, max_size=4))
    off = draw(st.lists(req, max_size=4))
    cover = [f"{d},{s},{draw(st.integers(0, 2))},100,1" for d in range(horizon) for s in "DN"]
    return tiny_instance(
        horizon=horizon,
        staff="\n".join(staff),
        days_off="\n".join(f"{n},{draw(day)}" for n in names),
        on="\n".join(",".join(map(str, r)) for r in on),
        off="\n".join(",".join(map(str, r)) for r in off),
        cover="\n".join(cover),
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_model_and_evaluator_agree_on_random_instances(text):
    """On random small instances, whatever roster the model returns breaks no hard rule and the
    evaluator's objective equals the model's."""
    result = solve_benchmark(read_instance(text), BenchmarkSolveParams(time_limit_s=5, workers=1))
    if result.objective is None:
        return  # infeasible limits: nothing to check
    score = rescore(text, result.roster)
    assert score.feasible, score.breaches
    assert score.objective == result.objective


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_the_lp_bound_is_never_above_a_proven_optimum(text):
    """The LP relaxation's bound, which the neighbourhood search reports, is a true lower bound: on
    random small instances it is at most the cost, scored by the independent evaluator, of the roster
    the whole model proves optimal."""
    instance = read_instance(text)
    result = solve_benchmark(instance, BenchmarkSolveParams(time_limit_s=5, workers=1))
    relaxation = _lp_relaxation(instance, seconds=10)
    if not result.optimal or relaxation is None:
        return  # infeasible limits, or not proved in time: nothing to compare
    assert relaxation.bound <= rescore(text, result.roster).objective


def test_the_search_says_optimal_when_its_roster_meets_the_lp_bound(monkeypatch):
    """A request on a nurse's day off cannot be met (5) and the other can (0): the LP relaxation
    proves 5, so the search, though no neighbourhood it solves is the whole instance, reports its
    roster of 5 as proven optimal rather than merely feasible."""
    monkeypatch.setattr(model, "FIRST_NEIGHBOURHOOD", 4.0)
    monkeypatch.setattr(model, "LARGEST_NEIGHBOURHOOD", 4.0)  # two cells: never the whole fortnight
    text = tiny_instance(horizon=14, days_off="A,3", on="A,3,D,5\nA,9,N,2")
    params = BenchmarkSolveParams(time_limit_s=20, workers=1, full_model_up_to=0)
    result = solve_benchmark(read_instance(text), params)
    assert result.method.startswith("neighbourhood search")
    assert result.objective == 5 == rescore(text, result.roster).objective
    assert result.bound == 5 and result.optimal and result.status == "OPTIMAL"
