"""Whole-day planning started from the day-plan page, as a background job with progress (issue 11,
item 5): the search may take a minute, so the page asks for it, shows where it is and follows it to
the new version. The job calls the same service as the API and the CLI (``journal.plan_day``).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from hjemme.errors import HjemmeError

JOB_ID = re.compile(r"^[0-9a-f]{32}$")
STAGES = ("queued", "tasks", "search", "store", "done", "failed")


@dataclass
class PlanJob:
    """One whole-day planning run: the date, who asked, the stage it is at, the version it made."""

    job_id: str
    date: dt.date
    username: str
    stage: str = "queued"
    version: int | None = None
    from_version: int | None = None
    error: str = ""
    ended: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def finished(self) -> bool:
        return self.stage in ("done", "failed")

    @property
    def percent(self) -> int:
        return {"queued": 5, "tasks": 15, "search": 50, "store": 90, "done": 100, "failed": 100}[self.stage]


class PlanJobs:
    """The page's jobs, kept in memory (a restart forgets unfinished ones; the journal keeps the rest)."""

    def __init__(self) -> None:
        self._jobs: dict[str, PlanJob] = {}
        self._guard = threading.Lock()

    def start(
        self, date: dt.date, username: str, run: Callable[[Callable[[str], None]], tuple[int, int | None]]
    ) -> PlanJob:
        """Run ``run(progress)`` in a thread; it returns (new version, previous version)."""
        job = PlanJob(uuid.uuid4().hex, date, username)
        with self._guard:
            self._jobs[job.job_id] = job

        def work() -> None:
            try:
                job.version, job.from_version = run(lambda stage: setattr(job, "stage", stage))
                job.stage = "done"
            except HjemmeError as error:
                job.error, job.stage = str(error), "failed"
            except Exception as error:  # noqa: BLE001 - a failed job is shown, never lost silently
                job.error, job.stage = f"{type(error).__name__}: {error}", "failed"
            finally:
                job.ended.set()

        threading.Thread(target=work, name=f"plan-{job.job_id[:8]}", daemon=True).start()
        return job

    def get(self, job_id: str, username: str) -> PlanJob | None:
        """The job, for the user who started it only."""
        if not JOB_ID.match(job_id):
            return None
        job = self._jobs.get(job_id)
        return job if job is not None and job.username == username else None
