"""Background jobs with progress, shared by the day plan (issue 11) and the rota (issue 17): a search
that takes tens of seconds runs in a thread, the page or the API answers at once and then follows
the job's stage.

A job calls the same service as the CLI and reports its stages; a job that knows its solver's time
limit advances its bar with the time spent in the search stage (the search may end sooner, when it
has proved its answer best). Jobs are kept in memory — a restart forgets unfinished ones, a finished
one's result is stored by its service — and at most :data:`KEPT` of them, the oldest finished ones
forgotten first. The same request started again while its job runs (a double click, a retry) gets
that job, not a second run.

A registry may run at most ``at_once`` of its jobs at a time; the others wait their turn in the order
they came, in the stage ``queued``, each knowing how many jobs go before it (``ahead``). A solver's
time limit is wall-clock time, so ten solves sharing two cores would each return a worse answer in the
same time, unseen; one after another, each gets the machine it was measured on.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from hjemme.errors import HjemmeError

JOB_ID = re.compile(r"^[0-9a-f]{32}$")
KEPT = 200
"""Jobs remembered at most (a page that follows a job forgotten since says so)."""
SEARCH = "search"
Run = Callable[[Callable[[str], None]], Any]
"""``run(progress)`` does the work, calling ``progress(stage)`` as it goes, and returns the result."""


def new_job_id() -> str:
    return uuid.uuid4().hex


@dataclass(kw_only=True)
class Job:
    """One run: who asked, the stage it is at, and its result or the reason it failed."""

    job_id: str = field(default_factory=new_job_id)
    username: str
    percents: Mapping[str, int] = field(repr=False)
    """Per stage, the share done on reaching it; ``done`` and ``failed`` are 100."""
    time_limit_s: float | None = None
    stage: str = "queued"
    result: Any = None
    error: str = ""
    search_started: float | None = field(default=None, repr=False)
    ahead: int = 0
    """While ``queued`` in a registry with a limit: the jobs that run before this one starts."""
    ended: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def finished(self) -> bool:
        return self.stage in ("done", "failed")

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        at = self.percents.get(self.stage, 0)
        if self.stage == SEARCH and self.time_limit_s and self.search_started is not None:
            after = min((p for p in self.percents.values() if p > at), default=100)
            spent = (time.monotonic() - self.search_started) / max(self.time_limit_s, 0.1)
            return at + round((after - at) * min(spent, 1.0))
        return at

    def advance(self, stage: str) -> None:
        if stage == SEARCH:
            self.search_started = time.monotonic()
        self.stage = stage


J = TypeVar("J", bound=Job)


class Jobs(Generic[J]):
    """An app's jobs of one kind, at most ``at_once`` running at a time (no limit when None); safe
    to use from many request threads."""

    def __init__(self, at_once: int | None = None) -> None:
        if at_once is not None and at_once < 1:
            raise ValueError("at_once must be at least 1")
        self._jobs: dict[str, J] = {}
        self._running: dict[tuple[str, Hashable], J] = {}
        self._guard = threading.Lock()
        self._at_once = at_once
        self._waiting: list[J] = []  # queued for a turn, first come first
        self._active = 0  # jobs that have their turn
        self._turn = threading.Condition(self._guard)

    def start(self, key: Hashable, job: J, run: Run) -> J:
        """Run ``run(job.advance)`` in a thread for ``job``, unless the same user's ``key`` runs
        already: then that job is returned and ``job`` is dropped."""
        with self._guard:
            running = self._running.get((job.username, key))
            if running is not None and not running.finished:
                return running
            self._forget_old()
            self._jobs[job.job_id] = job
            self._running[(job.username, key)] = job
            self._waiting.append(job)  # in line now, so turns go in the order the requests came
            self._number_the_queue()

        def work() -> None:
            self._wait_turn(job)
            try:
                job.result = run(job.advance)
                job.stage = "done"
            except HjemmeError as error:
                job.error, job.stage = str(error), "failed"
            except Exception as error:  # noqa: BLE001 - a failed job is shown, never lost silently
                job.error, job.stage = f"{type(error).__name__}: {error}", "failed"
            finally:
                with self._guard:
                    if self._running.get((job.username, key)) is job:
                        del self._running[(job.username, key)]
                    self._active -= 1
                    self._number_the_queue()
                    self._turn.notify_all()
                job.ended.set()

        threading.Thread(target=work, name=f"job-{job.job_id[:8]}", daemon=True).start()
        return job

    def _wait_turn(self, job: J) -> None:
        """Block until ``job`` may run: it is first in the queue and fewer than ``at_once`` run."""
        with self._turn:
            while self._at_once is not None and (
                self._waiting[0] is not job or self._active >= self._at_once
            ):
                self._turn.wait()
            self._waiting.remove(job)
            self._active += 1
            job.ahead = 0
            self._number_the_queue()
            self._turn.notify_all()  # the next in line may have a free turn too

    def _number_the_queue(self) -> None:
        """Tell each waiting job how many go before it: those running and those ahead in line
        (called with the guard held)."""
        for place, waiting in enumerate(self._waiting):
            waiting.ahead = self._active + place

    def _forget_old(self) -> None:
        """Keep at most :data:`KEPT` jobs: the oldest finished ones go first."""
        finished = [job_id for job_id, job in self._jobs.items() if job.finished]  # oldest first
        for job_id in finished[: max(0, len(self._jobs) - KEPT + 1)]:
            del self._jobs[job_id]

    def get(self, job_id: str, username: str) -> J | None:
        """The job, for the user who started it only."""
        if not JOB_ID.match(job_id):
            return None
        job = self._jobs.get(job_id)
        return job if job is not None and job.username == username else None


_MAKING = threading.Lock()


def jobs_on(state: object, name: str, at_once: int | None = None) -> Jobs[Any]:
    """The app's registry ``name``, kept on ``app.state`` (made on first use, running at most
    ``at_once`` jobs at a time) and shared by the API and the pages."""
    with _MAKING:
        jobs: Jobs[Any] | None = getattr(state, name, None)
        if jobs is None:
            jobs = Jobs(at_once)
            setattr(state, name, jobs)
        return jobs
