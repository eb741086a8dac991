"""Planning and re-planning a rota as background jobs with progress (issue 17): the search may take
tens of seconds, so the page and the API start it, answer at once, and show where it is.

A job (:mod:`hjemme.services.jobs`) calls the same service as the CLI (``rota.plan_rota`` /
``rota.replan_rota``) and follows the stages it reports; during the search the bar advances with the
time spent against the solver's time limit. A finished job's draft is stored; the same request
started again while its job runs (a double click, a retry) gets that job, not a second plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from hjemme.rota.problem import RotaParams
from hjemme.services import rota as service
from hjemme.services.access import require_role
from hjemme.services.auth import Principal
from hjemme.services.jobs import Job, Jobs, jobs_on

STAGE_PERCENTS = {"queued": 2, "demand": 10, "search": 20, "store": 95}
"""The share done on reaching each stage; the search advances from 20 to 95 with its time limit."""


@dataclass(kw_only=True)
class RotaJob(Job):
    """One plan or re-plan of a team's rota; its result is the id of the draft it stored."""

    kind: str  # "plan" | "replan"
    team: str

    @property
    def rota_id(self) -> int | None:
        return self.result


def jobs_of(state: object) -> Jobs[RotaJob]:
    """The app's rota jobs, shared by the API and the pages: at most ``rota_solves_at_once`` (a
    setting) search at a time, the others wait their turn."""
    settings = getattr(state, "settings", None)
    return jobs_on(state, "rota_jobs", settings.rota_solves_at_once if settings is not None else None)


def _start(
    jobs: Jobs[RotaJob],
    key: tuple,
    *,
    kind: str,
    principal: Principal,
    params: RotaParams,
    team: str,
    run: Callable[[Callable[[str], None]], int],
) -> RotaJob:
    job = RotaJob(
        username=principal.username,
        percents=STAGE_PERCENTS,
        time_limit_s=params.time_limit_s,
        kind=kind,
        team=team,
    )
    return jobs.start(key, job, run)


def start_plan(
    jobs: Jobs[RotaJob],
    *,
    engine: Engine,
    principal: Principal,
    team: str,
    first_day: dt.date,
    weeks: int,
    now: dt.datetime,
    params: RotaParams,
) -> RotaJob:
    """Check the request at once (role, team, weeks: bad input is refused before anything runs),
    then plan the draft in the background."""
    service.check_plan_request(engine=engine, principal=principal, team=team, weeks=weeks)

    def run(progress: Callable[[str], None]) -> int:
        view = service.plan_rota(
            engine=engine,
            principal=principal,
            team=team,
            first_day=first_day,
            weeks=weeks,
            now=now,
            params=params,
            progress=progress,
        )
        return view.rota.id

    key = ("plan", team, first_day, weeks)
    return _start(jobs, key, kind="plan", principal=principal, team=team, params=params, run=run)


def start_replan(
    jobs: Jobs[RotaJob],
    *,
    engine: Engine,
    principal: Principal,
    rota_id: int,
    now: dt.datetime,
    params: RotaParams,
) -> RotaJob:
    """Check the rota exists and the caller may re-plan it, then re-plan in the background."""
    require_role(principal, service.PLANNERS)
    team = service.read_rota(engine=engine, principal=principal, rota_id=rota_id).rota.team

    def run(progress: Callable[[str], None]) -> int:
        view = service.replan_rota(
            engine=engine, principal=principal, rota_id=rota_id, now=now, params=params, progress=progress
        )
        return view.rota.id

    key = ("replan", rota_id)
    return _start(jobs, key, kind="replan", principal=principal, team=team, params=params, run=run)
