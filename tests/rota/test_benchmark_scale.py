"""Large benchmark instances: generated instances at the published sizes read and score, and the
neighbourhood search used above the whole model's size returns rosters the independent evaluator
finds no hard-rule breach in, at the objective the solver reports."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from hjemme.cli.main import app
from hjemme.rota.benchmark import model
from hjemme.rota.benchmark.evaluate import read_roster_xml, score_roster
from hjemme.rota.benchmark.generate import PUBLISHED_SIZES, generate_instance, generate_published_sizes
from hjemme.rota.benchmark.instance import read_instance
from hjemme.rota.benchmark.model import (
    BenchmarkSolveParams,
    _lp_guided,
    _lp_relaxation,
    _neighbourhood,
    _starts,
    first_roster,
    solve_benchmark,
    staffing,
)
from hjemme.rota.benchmark.planted import plant_cover
from hjemme.rota.benchmark.roster_xml import roster_to_xml
from hjemme.rota.benchmark.run import markdown_table, run_rota_bench
from tests.rota.test_benchmark_model import instances

INSTANCE1 = Path(__file__).parent / "data" / "Instance1.txt"


def rescore(text: str, roster: dict[str, dict[int, str]]):
    return score_roster(text, {e: sorted(days.items()) for e, days in roster.items()})


@pytest.mark.parametrize("number", [2, 12, 13, 24])
def test_generated_instance_has_the_published_size_and_scores(number: int):
    """A generated instance has the published instance's staff, days and shift types, reads with the
    reader, and the evaluator scores it: an empty roster breaks each person's minimum minutes."""
    text = generate_published_sizes([number])[f"Gen{number}"]
    instance = read_instance(text, f"Gen{number}")
    staff, days, shifts = PUBLISHED_SIZES[number]
    assert (len(instance.employees), instance.horizon_days, len(instance.shifts)) == (staff, days, shifts)
    assert len(instance.cover) == days * shifts and instance.on_requests and instance.off_requests
    score = score_roster(text, {e.id: [] for e in instance.employees})
    assert score.under_cover > 0
    assert {b.rule for b in score.breaches} == {"total minutes"}


@pytest.mark.parametrize("number", [2, 9, 20])
def test_generated_cover_is_as_tight_as_the_published_instances(number: int):
    """Like published instances 1 and 2, the cover asks for about as many shifts as the staff's
    maximum minutes allow (there, 71 of 72 and 107 of 106), so under-cover dominates the objective."""
    instance = read_instance(generate_published_sizes([number])[f"Gen{number}"])
    lengths = {s.id: s.minutes for s in instance.shifts}
    most = 0.0
    for emp in instance.employees:
        allowed = [lengths[s] for s, n in emp.max_shifts.items() if n > 0]
        most += emp.max_total_minutes / (sum(allowed) / len(allowed))
    demand = sum(c.requirement for c in instance.cover)
    assert 0.92 * most <= demand <= 1.1 * most


@pytest.mark.parametrize("cover", [False, True])
def test_first_roster_keeps_every_hard_rule_on_a_long_generated_instance(cover: bool):
    """The line-per-employee first roster of a 26-week instance breaks no hard rule, whether each
    line is the first found or the best against the cover the earlier lines leave."""
    text = generate_instance(12, 182, 6, seed=3)
    roster = first_roster(read_instance(text), seconds=30, workers=2, cover=cover)
    assert roster is not None
    score = rescore(text, roster)
    assert score.feasible, score.breaches[:5]


def test_first_roster_with_no_time_left_still_keeps_every_hard_rule():
    """Asked for a first roster with no time to spare (a tiny ``--time-limit`` on a large instance),
    each line gets the least share and falls back to the first line found: the roster is still whole
    and breaks no hard rule."""
    text = generate_instance(30, 56, 4, seed=7)
    instance = read_instance(text)
    roster = first_roster(instance, seconds=0, workers=1, cover=True)
    assert roster is not None and set(roster) == {e.id for e in instance.employees}
    score = rescore(text, roster)
    assert score.feasible, score.breaches[:5]


def test_neighbourhood_search_roster_is_feasible_and_better_than_the_first():
    """On a generated medium instance solved by neighbourhood search (whole model switched off), the
    roster file read back breaks no hard rule, scores what the solver says, and beats the first roster."""
    text = generate_instance(20, 56, 4, seed=5)
    instance = read_instance(text, "Gen")
    start = first_roster(instance, seconds=10, workers=2)
    assert start is not None
    result = solve_benchmark(
        instance, BenchmarkSolveParams(time_limit_s=8, workers=2, full_model_up_to=0)
    )
    assert result.method.startswith("neighbourhood search")
    score = score_roster(text, read_roster_xml(roster_to_xml("Gen.ros", result.roster)))
    assert score.feasible, score.breaches[:5]
    assert score.objective == result.objective < rescore(text, start).objective


def test_the_search_reports_each_better_roster_down_to_the_one_it_returns():
    """While the search runs it tells its caller each better cost it finds, ever lower, the last
    one the cost of the roster it returns (what ``bench rota`` shows while an instance is solved)."""
    instance = read_instance(generate_published_sizes([11])["Gen11"])
    seen: list[int] = []
    params = BenchmarkSolveParams(time_limit_s=6, workers=2, full_model_up_to=0)
    result = solve_benchmark(instance, params, on_best=seen.append)
    assert len(seen) >= 2 and seen == sorted(seen, reverse=True) and len(set(seen)) == len(seen)
    assert seen[-1] == result.objective


def test_a_few_employees_neighbourhood_spans_weeks_and_shares_shift_types():
    """The search's few-employees neighbourhood frees that many people over as long a window as its
    size allows (where everyone is freed only over a week or two), chosen around one of them so that
    each shares a shift type with that one: hours can move between distant weeks and between people."""
    instance = read_instance(generate_published_sizes([20])["Gen20"])
    roster = first_roster(instance, seconds=0, workers=1)
    assert roster is not None
    rng = random.Random(4)
    _, everyone_days = _neighbourhood(instance, staffing(roster), rng, 300, None)
    people, days = _neighbourhood(instance, staffing(roster), rng, 300, None, few=3)
    assert len(people) == 3 and len(days) == 300 // 3
    assert len(everyone_days) <= 14 and days == list(range(days[0], days[0] + len(days)))
    skills = [{s for s, n in e.max_shifts.items() if n > 0} for e in instance.employees if e.id in people]
    assert any(all(centre & other for other in skills) for centre in skills)


def test_the_lp_relaxation_keeps_one_shift_a_day_and_days_off():
    """The LP relaxation read from the model keeps its rules: each employee-day's shifts add up to at
    most one, days off and shift types an employee may not work have no value, and each value is in
    [0, 1]; on instance 1, whose cover asks for nearly every shift, it is mostly whole."""
    instance = read_instance(INSTANCE1.read_text(encoding="utf-8"))
    relaxation = _lp_relaxation(instance, seconds=30)
    assert relaxation is not None
    lp = relaxation.values
    per_day: dict[tuple[str, int], float] = {}
    for (eid, day, sid), value in lp.items():
        assert -1e-9 <= value <= 1 + 1e-9
        assert day not in instance.days_off[eid]
        assert next(e for e in instance.employees if e.id == eid).max_shifts[sid] > 0
        per_day[eid, day] = per_day.get((eid, day), 0.0) + value
    assert max(per_day.values()) <= 1 + 1e-9
    whole = sum(1 for value in lp.values() if min(value, 1 - value) < 1e-6)
    assert whole > len(lp) / 2


def test_the_lp_relaxation_keeps_forbidden_successions():
    """A shift and a shift that may not follow it the next day add up to at most one in the LP
    relaxation (the model states it as a clause of negated literals); a generated instance with
    forbidden successors has such pairs."""
    instance = read_instance(generate_instance(12, 21, 4, seed=2))
    relaxation = _lp_relaxation(instance, seconds=30)
    assert relaxation is not None
    lp = relaxation.values
    successions = [
        lp[eid, day, shift.id] + lp[eid, day + 1, after]
        for (eid, day, sid) in lp
        for shift in instance.shifts
        if shift.id == sid
        for after in shift.not_followed_by
        if (eid, day + 1, after) in lp
    ]
    assert successions and max(successions) <= 1 + 1e-9


def test_an_lp_guided_neighbourhood_frees_the_cells_that_disagree_with_the_lp_then_whole_lines():
    """The LP-guided neighbourhood frees cells where the roster is not what the LP relaxation has (a
    fractional shift, another shift or rest), as many as asked; when they are fewer, it frees all of
    them and fills the rest with whole lines of other employees, so it is not the same each time."""
    instance = read_instance(INSTANCE1.read_text(encoding="utf-8"))
    horizon = instance.horizon_days
    relaxation = _lp_relaxation(instance, seconds=30)
    roster = first_roster(instance, seconds=5, workers=1)
    assert relaxation is not None and roster is not None
    lp = relaxation.values
    lp_shift = {(e, d): s for (e, d, s), v in lp.items() if v > 1 - 1e-6}
    fractional = {(e, d) for (e, d, _), v in lp.items() if 1e-6 < v < 1 - 1e-6}
    disagree = {
        (e, d)
        for e, line in roster.items()
        for d in range(horizon)
        if (e, d) in fractional or line.get(d) != lp_shift.get((e, d))
    }

    def cells_of(free: dict[str, set[int]]) -> set[tuple[str, int]]:
        return {(e, d) for e, days in free.items() for d in days}

    some = cells_of(_lp_guided(instance, roster, lp, random.Random(1), cells=5))
    assert some <= disagree and len(some) == min(5, len(disagree))
    as_lp = {e: {d: s for (e2, d), s in lp_shift.items() if e2 == e} for e in roster}
    exactly = _lp_guided(instance, as_lp, lp, random.Random(1), cells=len(fractional))
    assert cells_of(exactly) == fractional  # only what the LP left open
    wanted = len(fractional) + 2 * horizon
    padded = [_lp_guided(instance, as_lp, lp, random.Random(seed), cells=wanted) for seed in (1, 2, 3)]
    for free in padded:
        extra = {e for e, _ in cells_of(free) - fractional}
        assert fractional <= cells_of(free) and len(cells_of(free)) >= wanted
        assert extra and all(free[e] == set(range(horizon)) for e in extra)  # whole lines
    assert len({frozenset(cells_of(free)) for free in padded}) > 1  # not the same neighbourhood each time


def test_lp_guided_search_roster_is_feasible_and_better_than_the_first(monkeypatch):
    """With half the neighbourhoods after the sweep guided by the LP relaxation whatever their success,
    the roster read back still breaks no hard rule, scores what the solver says, and beats the first
    roster."""
    monkeypatch.setattr(model, "LP_SHARE_AT_LEAST", 0.5)
    text = generate_instance(20, 28, 4, seed=3)
    instance = read_instance(text, "Gen")
    start = first_roster(instance, seconds=10, workers=2)
    assert start is not None
    result = solve_benchmark(instance, BenchmarkSolveParams(time_limit_s=8, workers=2, full_model_up_to=0))
    score = rescore(text, result.roster)
    assert score.feasible, score.breaches[:5]
    assert score.objective == result.objective < rescore(text, start).objective


def test_whole_model_roster_on_a_generated_medium_instance_is_feasible():
    """A generated instance at instance 8's size, solved by the whole model, breaks no hard rule and
    the evaluator agrees with the model's objective."""
    text = generate_published_sizes([8])["Gen8"]
    result = solve_benchmark(read_instance(text), BenchmarkSolveParams(time_limit_s=10, workers=2))
    assert result.method == "whole model" and result.objective is not None
    score = rescore(text, result.roster)
    assert score.feasible, score.breaches[:5]
    assert score.objective == result.objective


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_neighbourhood_search_breaks_no_hard_rule_on_random_instances(text):
    """On random small instances solved by the neighbourhood search, whenever the solver returns a
    roster the evaluator finds no hard-rule breach in it and the same objective."""
    params = BenchmarkSolveParams(time_limit_s=1.5, workers=1, full_model_up_to=0)
    result = solve_benchmark(read_instance(text), params)
    if result.objective is None:
        return  # infeasible limits: nothing to check
    score = rescore(text, result.roster)
    assert score.feasible, score.breaches
    assert score.objective == result.objective


def test_bench_rota_generate_writes_instances_the_bench_solves(tmp_path: Path):
    """``bench rota-generate`` writes Gen<N>.txt files; ``bench rota`` solves them, reports no best
    known for them and a gap to CP-SAT's bound instead."""
    runner = CliRunner()
    result = runner.invoke(app, ["bench", "rota-generate", "--out", str(tmp_path), "--sizes", "2,4"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Gen2.txt", "Gen4.txt"]
    report = tmp_path / "bench.md"
    args = ["bench", "rota", "--instances", str(tmp_path), "--time-limit", "10", "--workers", "2"]
    result = runner.invoke(app, [*args, "--report", str(report)])
    assert result.exit_code == 0, result.output
    rows = [line for line in report.read_text().splitlines() if line.startswith("| Gen")]
    assert len(rows) == 2
    for row in rows:
        cells = [c.strip() for c in row.split("|")]
        assert cells[6] == "–" and cells[8].endswith("%")  # best known, gap to bound


def test_a_planted_cover_is_met_by_a_roster_as_cheap_as_the_planted_one():
    """Planting replaces the cover by a rule-keeping roster's staffing and nothing else: the solver
    finds a roster that breaks no hard rule and costs at most the planted roster's cost, which is an
    upper bound on the optimum."""
    text = generate_published_sizes([3])["Gen3"]
    planted, cost = plant_cover(text, "Planted3")
    original, new = read_instance(text), read_instance(planted)
    assert [c.requirement for c in new.cover] != [c.requirement for c in original.cover]
    assert new.employees == original.employees and new.on_requests == original.on_requests
    result = solve_benchmark(new, BenchmarkSolveParams(time_limit_s=10, workers=2))
    score = rescore(planted, result.roster)
    assert score.feasible, score.breaches[:5]
    assert score.objective <= cost


def test_bench_rota_generate_planted_writes_their_costs_for_the_bench_gap(tmp_path: Path):
    """``--planted`` writes Planted<N>.txt and planted.csv; with that file as ``--best-known``, ``bench
    rota`` shows each instance's gap to its planted roster, at most zero."""
    runner = CliRunner()
    args = ["bench", "rota-generate", "--out", str(tmp_path), "--sizes", "2,3", "--planted"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Planted2.txt", "Planted3.txt", "planted.csv"]
    report = tmp_path / "bench.md"
    args = ["bench", "rota", "--instances", str(tmp_path), "--time-limit", "10", "--workers", "2"]
    result = runner.invoke(app, [*args, "--report", str(report), "--best-known", str(tmp_path / "planted.csv")])
    assert result.exit_code == 0, result.output
    rows = [line for line in report.read_text().splitlines() if line.startswith("| Planted")]
    assert len(rows) == 2
    for row in rows:
        cells = [c.strip() for c in row.split("|")]
        objective, known, gap = int(cells[3]), int(cells[6]), float(cells[7].removesuffix(" %"))
        assert objective <= known and gap <= 0


def test_the_search_reports_the_lp_bound_and_the_bench_its_gap(tmp_path: Path):
    """Solved by the neighbourhood search, instance 1's row carries the LP relaxation's bound, at most
    the proven optimum 607 and at most the roster's cost, and the table shows the gap to it."""
    (tmp_path / "Instance1.txt").write_text(INSTANCE1.read_text(encoding="utf-8"), encoding="utf-8")
    params = BenchmarkSolveParams(time_limit_s=6, workers=2, full_model_up_to=0)
    [row] = run_rota_bench(tmp_path, params)
    assert row.method.startswith("neighbourhood search") and row.objective is not None
    assert row.bound is not None and row.bound <= 607 <= row.objective
    cells = [c.strip() for c in markdown_table([row]).splitlines()[-1].split("|")]
    assert cells[5] == f"{row.bound:.0f}" and cells[8] == f"{row.bound_gap_pct:.1f} %"


def test_bench_rota_generate_shift_minutes_evens_out_the_lengths_and_nothing_else(tmp_path: Path):
    """``--shift-minutes 480`` writes the same instance with every shift 480 minutes long, as in the
    published instances 1 and 2: the same staff, days off, requests, forbidden successors and cover;
    a length no shift can have is refused."""
    runner = CliRunner()
    for folder, extra in (("mixed", []), ("even", ["--shift-minutes", "480"])):
        args = ["bench", "rota-generate", "--out", str(tmp_path / folder), "--sizes", "11", *extra]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    mixed = read_instance((tmp_path / "mixed" / "Gen11.txt").read_text(encoding="utf-8"))
    even = read_instance((tmp_path / "even" / "Gen11.txt").read_text(encoding="utf-8"))
    assert any(s.minutes != 480 for s in mixed.shifts) and all(s.minutes == 480 for s in even.shifts)
    rest_rules = [(s.id, s.not_followed_by) for s in mixed.shifts]
    assert [(s.id, s.not_followed_by) for s in even.shifts] == rest_rules
    assert (even.employees, even.days_off, even.on_requests, even.off_requests, even.cover) == (
        mixed.employees,
        mixed.days_off,
        mixed.on_requests,
        mixed.off_requests,
        mixed.cover,
    )
    args = ["bench", "rota-generate", "--out", str(tmp_path / "bad"), "--sizes", "11"]
    result = runner.invoke(app, [*args, "--shift-minutes", "30"])
    assert result.exit_code == 2 and not (tmp_path / "bad").exists()


def test_bench_rota_generate_planted_names_an_instance_no_roster_can_keep(tmp_path: Path):
    """With hour-long shifts no roster of instance 2's size reaches its contracts' minimum minutes, so
    there is no cover to plant: the command says so for that instance (exit 1, no traceback) and
    writes neither its file nor a cost for it."""
    args = ["bench", "rota-generate", "--out", str(tmp_path), "--sizes", "2", "--shift-minutes", "60"]
    result = CliRunner().invoke(app, [*args, "--planted"])
    assert result.exit_code == 1 and not isinstance(result.exception, ValueError)
    assert "Planted2: no roster keeps every hard rule" in result.output
    assert not (tmp_path / "Planted2.txt").exists()
    assert "Planted2" not in (tmp_path / "planted.csv").read_text(encoding="utf-8")


def test_bench_rota_generate_refuses_an_unknown_instance_number(tmp_path: Path):
    """Only published instance numbers 1–24 can be generated (exit 2, the reason named)."""
    result = CliRunner().invoke(app, ["bench", "rota-generate", "--out", str(tmp_path), "--sizes", "25"])
    assert result.exit_code == 2
    assert "25" in result.output


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 40).flatmap(
        lambda horizon: st.tuples(
            st.just(horizon),
            st.sets(st.integers(0, horizon - 1)),
            st.integers(1, horizon + 2),
        )
    )
)
def test_the_windows_a_neighbourhood_posts_are_exactly_those_that_hold_a_free_day(case):
    """A rule over a window of days is posted for a neighbourhood exactly when the window holds one of
    its free days (the roster keeps the others): none is missed, none posted twice, whatever the days."""
    horizon, free_days, size = case
    last = horizon - size
    every = [start for start in range(last + 1) if free_days & set(range(start, start + size))]
    assert list(_starts(sorted(free_days), size, last)) == every
