"""Planning a rota as a background job (issue 17): the request is checked at once, the job reports its
stages and ends with the stored draft; the same request repeated while it runs is the same job."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import Engine

from hjemme.domain.security import Role
from hjemme.errors import InputError, PermissionDeniedError
from hjemme.rota.problem import RotaParams
from hjemme.services import rota as service
from hjemme.services.auth import Principal
from hjemme.services.rota_jobs import RotaJobs, start_plan, start_replan
from hjemme.services.seeding import seed_population
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope

MONDAY = dt.date(2026, 11, 30)
NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
COORDINATOR = Principal("coord", Role.COORDINATOR)
FAST = RotaParams(time_limit_s=3, workers=2)


@pytest.fixture
def seeded(db_engine: Engine) -> tuple[Engine, str]:
    seed_population(engine=db_engine, n_patients=60, seed=5, date=MONDAY)
    with session_scope(db_engine) as session:
        team = sorted(service.teams(session), key=lambda t: -len(service.team_staff(session, t)))[0]
    return db_engine, team


def test_a_plan_job_reports_its_stages_and_ends_with_the_draft(seeded):
    """The job passes demand → search → store and ends done with the id of a stored draft of the team."""
    engine, team = seeded
    jobs = RotaJobs()
    job = start_plan(
        jobs, engine=engine, principal=COORDINATOR, team=team, first_day=MONDAY, weeks=1, now=NOW, params=FAST
    )
    assert job.ended.wait(120) and job.stage == "done", job.error
    assert job.percent == 100 and jobs.get(job.job_id, "coord") is job
    assert jobs.get(job.job_id, "someone-else") is None  # a job is its starter's only
    view = service.read_rota(engine=engine, principal=COORDINATOR, rota_id=job.rota_id)
    assert view.rota.team == team and view.rota.status.value == "draft"


def test_stages_are_reported_in_order():
    """A job told each stage shows a bar that only moves forward and ends at 100 with the draft's id."""
    jobs = RotaJobs()
    seen: list[tuple[str, int]] = []
    go = threading.Event()
    holder = []

    def run(progress):
        go.wait(10)
        for stage in ("demand", "search", "store"):
            progress(stage)
            seen.append((stage, holder[0].percent))
        return 7

    holder.append(jobs.start("k", kind="plan", username="coord", team="t", time_limit_s=5, run=run))
    go.set()
    job = holder[0]
    assert job.ended.wait(10) and job.stage == "done"
    assert [s for s, _ in seen] == ["demand", "search", "store"]
    percents = [p for _, p in seen] + [job.percent]
    assert percents == sorted(percents) and percents[-1] == 100 and job.rota_id == 7


def test_the_same_request_while_it_runs_is_the_same_job():
    """A double click: the second start of the same plan returns the running job, not a second plan;
    once it has ended, the same request starts a new one."""
    team = "t"
    jobs = RotaJobs()
    gate = threading.Event()
    runs = []

    def run(progress):
        runs.append(1)
        gate.wait(30)
        return 1

    first = jobs.start(("plan", team), kind="plan", username="coord", team=team, time_limit_s=1, run=run)
    second = jobs.start(("plan", team), kind="plan", username="coord", team=team, time_limit_s=1, run=run)
    gate.set()
    assert first is second and first.ended.wait(10) and len(runs) == 1
    third = jobs.start(("plan", team), kind="plan", username="coord", team=team, time_limit_s=1, run=run)
    assert third is not first and third.ended.wait(10) and len(runs) == 2


def test_a_failed_job_keeps_its_reason():
    """A plan that fails (no rota keeps the rules) ends failed with the reason, not silently."""
    from hjemme.errors import InfeasibleError

    def run(progress):
        raise InfeasibleError("no rota keeps the rules for team t")

    job = RotaJobs().start("k", kind="plan", username="coord", team="t", time_limit_s=1, run=run)
    assert job.ended.wait(10) and job.stage == "failed" and "no rota keeps the rules" in job.error


def test_bad_requests_are_refused_before_any_job_starts(seeded):
    """An unknown team, weeks out of range, a clinician, or an unknown rota to re-plan are refused at
    once; no job is made."""
    engine, team = seeded
    jobs = RotaJobs()
    with pytest.raises(InputError, match="team"):
        start_plan(
            jobs,
            engine=engine,
            principal=COORDINATOR,
            team="nobody",
            first_day=MONDAY,
            weeks=2,
            now=NOW,
            params=FAST,
        )
    with pytest.raises(InputError, match="weeks"):
        start_plan(
            jobs,
            engine=engine,
            principal=COORDINATOR,
            team=team,
            first_day=MONDAY,
            weeks=9,
            now=NOW,
            params=FAST,
        )
    with pytest.raises(PermissionDeniedError):
        start_plan(
            jobs,
            engine=engine,
            principal=Principal("nurse1", Role.CLINICIAN),
            team=team,
            first_day=MONDAY,
            weeks=2,
            now=NOW,
            params=FAST,
        )
    from hjemme.errors import NotFoundError

    with pytest.raises(NotFoundError):
        start_replan(jobs, engine=engine, principal=COORDINATOR, rota_id=999, now=NOW, params=FAST)
    assert jobs._jobs == {}
    with session_scope(engine) as session:
        assert repo.list_staff(session)  # the population is untouched


def test_old_finished_jobs_are_forgotten_first(monkeypatch):
    """Past the limit the oldest finished job is forgotten; a running one never is."""
    from hjemme.services import rota_jobs

    monkeypatch.setattr(rota_jobs, "KEPT", 2)
    jobs = RotaJobs()
    gate = threading.Event()
    running = jobs.start(
        "a", kind="plan", username="coord", team="t", time_limit_s=1, run=lambda p: gate.wait(10) and 1
    )
    done = jobs.start("b", kind="plan", username="coord", team="t", time_limit_s=1, run=lambda p: 2)
    assert done.ended.wait(10)
    newest = jobs.start("c", kind="plan", username="coord", team="t", time_limit_s=1, run=lambda p: 3)
    assert jobs.get(done.job_id, "coord") is None
    assert jobs.get(running.job_id, "coord") is running and jobs.get(newest.job_id, "coord") is newest
    gate.set()
    assert running.ended.wait(10) and newest.ended.wait(10)
