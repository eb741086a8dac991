"""Planning a rota as a background job (issue 17): the request is checked at once and the job ends
with the stored draft (the registry itself: ``test_jobs.py``)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from hjemme.domain.security import Role
from hjemme.errors import InputError, PermissionDeniedError
from hjemme.rota.problem import RotaParams
from hjemme.services import rota as service
from hjemme.services.auth import Principal
from hjemme.services.jobs import Jobs
from hjemme.services.rota_jobs import start_plan, start_replan
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
    jobs = Jobs()
    job = start_plan(
        jobs, engine=engine, principal=COORDINATOR, team=team, first_day=MONDAY, weeks=1, now=NOW, params=FAST
    )
    assert job.ended.wait(120) and job.stage == "done", job.error
    assert job.percent == 100 and jobs.get(job.job_id, "coord") is job
    assert jobs.get(job.job_id, "someone-else") is None  # a job is its starter's only
    view = service.read_rota(engine=engine, principal=COORDINATOR, rota_id=job.rota_id)
    assert view.rota.team == team and view.rota.status.value == "draft"


def test_bad_requests_are_refused_before_any_job_starts(seeded):
    """An unknown team, weeks out of range, a clinician, or an unknown rota to re-plan are refused at
    once; no job is made."""
    engine, team = seeded
    jobs = Jobs()
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
