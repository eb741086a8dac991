"""Planning and re-planning a rota as background jobs with progress (issue 17): the search may take
tens of seconds, so the page and the API start it, answer at once, and show where it is.

A job calls the same service as the CLI (``rota.plan_rota`` / ``rota.replan_rota``) in a thread and
follows the stages it reports; during the search the bar advances with the time spent against the
solver's time limit (the search may end sooner, when it has proved its rota best). Jobs are kept in
memory (a restart forgets unfinished ones; a finished one is a stored draft). The same request
started again while its job runs (a double click, a retry) gets that job, not a second plan.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from hjemme.errors import HjemmeError
from hjemme.rota.problem import RotaParams
from hjemme.services import rota as service
from hjemme.services.access import require_role
from hjemme.services.auth import Principal

JOB_ID = re.compile(r"^[0-9a-f]{32}$")
STAGES = ("queued", "demand", "search", "store", "done", "failed")
KEPT = 200
"""Jobs remembered at most (a page that follows a job forgotten since says so)."""
Run = Callable[[Callable[[str], None]], int]
"""``run(progress)`` plans and returns the id of the draft it stored."""


@dataclass
class RotaJob:
    """One plan or re-plan: who asked, what for, the stage it is at and the draft it made."""

    job_id: str
    kind: str  # "plan" | "replan"
    username: str
    team: str
    time_limit_s: float
    stage: str = "queued"
    rota_id: int | None = None
    error: str = ""
    search_started: float | None = field(default=None, repr=False)
    ended: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def finished(self) -> bool:
        return self.stage in ("done", "failed")

    @property
    def percent(self) -> int:
        if self.stage == "search" and self.search_started is not None:
            spent = (time.monotonic() - self.search_started) / max(self.time_limit_s, 0.1)
            return 20 + round(70 * min(spent, 1.0))
        return {"queued": 2, "demand": 10, "search": 20, "store": 95, "done": 100, "failed": 100}[self.stage]

    def advance(self, stage: str) -> None:
        if stage == "search":
            self.search_started = time.monotonic()
        self.stage = stage


class RotaJobs:
    """The app's rota jobs; safe to use from many request threads."""

    def __init__(self) -> None:
        self._jobs: dict[str, RotaJob] = {}
        self._running: dict[Hashable, RotaJob] = {}
        self._guard = threading.Lock()

    def start(
        self, key: Hashable, *, kind: str, username: str, team: str, time_limit_s: float, run: Run
    ) -> RotaJob:
        """Run ``run(progress)`` in a thread, unless the same ``key`` (user and request) runs already."""
        with self._guard:
            running = self._running.get((username, key))
            if running is not None and not running.finished:
                return running
            job = RotaJob(uuid.uuid4().hex, kind, username, team, time_limit_s)
            self._forget_old()
            self._jobs[job.job_id] = job
            self._running[(username, key)] = job

        def work() -> None:
            try:
                job.rota_id = run(job.advance)
                job.stage = "done"
            except HjemmeError as error:
                job.error, job.stage = str(error), "failed"
            except Exception as error:  # noqa: BLE001 - a failed job is shown, never lost silently
                job.error, job.stage = f"{type(error).__name__}: {error}", "failed"
            finally:
                job.ended.set()
                with self._guard:
                    if self._running.get((username, key)) is job:
                        del self._running[(username, key)]

        threading.Thread(target=work, name=f"rota-{job.job_id[:8]}", daemon=True).start()
        return job

    def _forget_old(self) -> None:
        """Keep at most :data:`KEPT` jobs: the oldest finished ones go first (their drafts are stored)."""
        finished = [job_id for job_id, job in self._jobs.items() if job.finished]  # oldest first
        for job_id in finished[: max(0, len(self._jobs) - KEPT + 1)]:
            del self._jobs[job_id]

    def get(self, job_id: str, username: str) -> RotaJob | None:
        """The job, for the user who started it only."""
        if not JOB_ID.match(job_id):
            return None
        job = self._jobs.get(job_id)
        return job if job is not None and job.username == username else None


_MAKING = threading.Lock()


def jobs_of(state: object) -> RotaJobs:
    """The app's job registry, kept on ``app.state`` (made on first use) and shared by API and pages."""
    with _MAKING:
        jobs: RotaJobs | None = getattr(state, "rota_jobs", None)
        if jobs is None:
            jobs = RotaJobs()
            state.rota_jobs = jobs  # type: ignore[attr-defined]
        return jobs


def start_plan(
    jobs: RotaJobs,
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
    return jobs.start(
        key, kind="plan", username=principal.username, team=team, time_limit_s=params.time_limit_s, run=run
    )


def start_replan(
    jobs: RotaJobs,
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

    return jobs.start(
        ("replan", rota_id),
        kind="replan",
        username=principal.username,
        team=team,
        time_limit_s=params.time_limit_s,
        run=run,
    )
