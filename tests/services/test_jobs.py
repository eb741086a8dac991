"""Background jobs (the day plan's and the rota's): a job reports its stages with a bar that only
moves forward, keeps the reason it failed, is its starter's only, and the same request repeated
while it runs is the same job."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from hjemme.errors import InfeasibleError
from hjemme.services import jobs as jobs_module
from hjemme.services import rota_jobs
from hjemme.services.jobs import Job, Jobs, jobs_on
from hjemme.settings import Settings

PERCENTS = {"queued": 2, "demand": 10, "search": 20, "store": 95}


def _job(username: str = "coord", time_limit_s: float | None = 5) -> Job:
    return Job(username=username, percents=PERCENTS, time_limit_s=time_limit_s)


def test_stages_are_reported_in_order_and_the_result_kept():
    """A job told each stage shows a bar that only moves forward and ends at 100 with its result."""
    jobs: Jobs[Job] = Jobs()
    seen: list[tuple[str, int]] = []
    go = threading.Event()
    job = _job()

    def run(progress):
        go.wait(10)
        for stage in ("demand", "search", "store"):
            progress(stage)
            seen.append((stage, job.percent))
        return 7

    assert jobs.start("k", job, run) is job and job.percent == 2
    go.set()
    assert job.ended.wait(10) and job.stage == "done"
    assert [s for s, _ in seen] == ["demand", "search", "store"]
    percents = [p for _, p in seen] + [job.percent]
    assert percents == sorted(percents) and percents[-1] == 100 and job.result == 7


@given(st.floats(min_value=0, max_value=1000), st.floats(min_value=0.1, max_value=600))
def test_the_search_bar_stays_between_its_stage_and_the_next(spent: float, limit: float):
    """However long the search has run against its limit, the bar is between the search stage's
    share and the next stage's: it never passes 'store' nor goes back."""
    job = _job(time_limit_s=limit)
    job.advance("search")
    job.search_started -= spent  # as if the search had run this long
    assert PERCENTS["search"] <= job.percent <= PERCENTS["store"]


def test_a_job_without_a_time_limit_stays_at_its_stage():
    job = _job(time_limit_s=None)
    job.advance("search")
    job.search_started -= 100
    assert job.percent == PERCENTS["search"]


def test_the_same_request_while_it_runs_is_the_same_job():
    """A double click: the second start of the same request returns the running job, not a second
    run; once it has ended, the same request starts a new one. Another user's request is their own."""
    jobs: Jobs[Job] = Jobs()
    gate = threading.Event()
    runs = []

    def run(progress):
        runs.append(1)
        gate.wait(30)
        return 1

    first = jobs.start(("plan", "t"), _job(), run)
    second = jobs.start(("plan", "t"), _job(), run)
    other = jobs.start(("plan", "t"), _job("someone-else"), run)
    gate.set()
    assert first is second and other is not first
    assert first.ended.wait(10) and other.ended.wait(10) and len(runs) == 2
    third = jobs.start(("plan", "t"), _job(), run)
    assert third is not first and third.ended.wait(10) and len(runs) == 3


def test_a_job_is_its_starters_only_and_a_bad_id_is_unknown():
    jobs: Jobs[Job] = Jobs()
    job = jobs.start("k", _job(), lambda progress: 1)
    assert job.ended.wait(10)
    assert jobs.get(job.job_id, "coord") is job
    assert jobs.get(job.job_id, "someone-else") is None
    assert jobs.get("../etc/passwd", "coord") is None and jobs.get("0" * 32, "coord") is None


def test_a_failed_job_keeps_its_reason():
    """A run that fails ends failed with the reason, not silently; an unexpected error names its type."""

    def infeasible(progress):
        raise InfeasibleError("no rota keeps the rules for team t")

    def broken(progress):
        raise ZeroDivisionError("division by zero")

    jobs: Jobs[Job] = Jobs()
    first = jobs.start("a", _job(), infeasible)
    second = jobs.start("b", _job(), broken)
    assert first.ended.wait(10) and first.stage == "failed" and "no rota keeps the rules" in first.error
    assert second.ended.wait(10) and second.error == "ZeroDivisionError: division by zero"
    assert first.percent == 100


def test_old_finished_jobs_are_forgotten_first(monkeypatch):
    """Past the limit the oldest finished job is forgotten; a running one never is."""
    monkeypatch.setattr(jobs_module, "KEPT", 2)
    jobs: Jobs[Job] = Jobs()
    gate = threading.Event()
    running = jobs.start("a", _job(), lambda p: gate.wait(10) and 1)
    done = jobs.start("b", _job(), lambda p: 2)
    assert done.ended.wait(10)
    newest = jobs.start("c", _job(), lambda p: 3)
    assert jobs.get(done.job_id, "coord") is None
    assert jobs.get(running.job_id, "coord") is running and jobs.get(newest.job_id, "coord") is newest
    gate.set()
    assert running.ended.wait(10) and newest.ended.wait(10)


def test_one_registry_per_name_on_the_app_state():
    class State:
        pass

    state = State()
    assert jobs_on(state, "rota_jobs") is jobs_on(state, "rota_jobs")
    assert jobs_on(state, "rota_jobs") is not jobs_on(state, "plan_jobs")


def _wait_until(condition, seconds: float = 10) -> bool:
    """Poll ``condition`` (the job threads move on their own) until it holds or time runs out."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_past_the_limit_jobs_wait_their_turn_in_the_order_they_came():
    """With one search at a time, the second and third plan wait, queued, each knowing how many go
    before it; they start in the order they came, one after another."""
    jobs: Jobs[Job] = Jobs(at_once=1)
    gates = [threading.Event() for _ in range(3)]
    started: list[int] = []

    def run_as(n):
        def run(progress):
            started.append(n)
            progress("search")
            gates[n].wait(30)
            return n

        return run

    first, second, third = (jobs.start(n, _job(), run_as(n)) for n in range(3))
    assert _wait_until(lambda: first.stage == "search")
    assert second.stage == third.stage == "queued" and (second.ahead, third.ahead) == (1, 2)
    assert second.percent == PERCENTS["queued"] and started == [0]
    gates[0].set()
    assert _wait_until(lambda: second.stage == "search")
    assert third.stage == "queued" and third.ahead == 1 and second.ahead == 0
    gates[2].set()  # the third is ready to end, yet still waits for the second
    assert not third.ended.wait(0.3) and third.stage == "queued"
    gates[1].set()
    assert third.ended.wait(10) and started == [0, 1, 2]
    assert [j.result for j in (first, second, third)] == [0, 1, 2]


def test_a_failed_job_gives_its_turn_to_the_next():
    jobs: Jobs[Job] = Jobs(at_once=1)

    def infeasible(progress):
        raise InfeasibleError("no rota keeps the rules for team t")

    failed = jobs.start("a", _job(), infeasible)
    after = jobs.start("b", _job(), lambda progress: 2)
    assert failed.ended.wait(10) and after.ended.wait(10)
    assert failed.stage == "failed" and after.stage == "done" and after.result == 2


@settings(max_examples=15, deadline=None)
@given(st.integers(min_value=1, max_value=3), st.integers(min_value=1, max_value=6))
def test_never_more_than_the_limit_run_at_once(at_once: int, count: int):
    """However many start together, at most ``at_once`` run at any moment and every one ends."""
    jobs: Jobs[Job] = Jobs(at_once=at_once)
    guard = threading.Lock()
    now = {"running": 0, "most": 0}

    def run(progress):
        with guard:
            now["running"] += 1
            now["most"] = max(now["most"], now["running"])
        time.sleep(0.005)
        with guard:
            now["running"] -= 1
        return 1

    started = [jobs.start(n, _job(), run) for n in range(count)]
    assert all(job.ended.wait(10) and job.stage == "done" for job in started)
    assert 1 <= now["most"] <= at_once


def test_the_rota_registry_takes_its_limit_from_the_settings(monkeypatch):
    """``HJEMME_ROTA_SOLVES_AT_ONCE`` bounds the rota searches; 0 is refused with the setting named."""

    class State:
        pass

    monkeypatch.setenv("HJEMME_ROTA_SOLVES_AT_ONCE", "1")
    state = State()
    state.settings = Settings()
    jobs = rota_jobs.jobs_of(state)
    gate = threading.Event()
    first = jobs.start("a", _job(), lambda progress: gate.wait(30) and 1)
    second = jobs.start("b", _job(), lambda progress: 2)
    assert not second.ended.wait(0.3) and second.stage == "queued" and second.ahead == 1
    gate.set()
    assert first.ended.wait(10) and second.ended.wait(10) and second.result == 2
    monkeypatch.setenv("HJEMME_ROTA_SOLVES_AT_ONCE", "0")
    with pytest.raises(ValidationError, match="rota_solves_at_once"):
        Settings()
