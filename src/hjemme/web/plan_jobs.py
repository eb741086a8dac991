"""Whole-day planning started from the day-plan page, as a background job with progress (issue 11,
item 5): the search may take a minute, so the page asks for it, shows where it is and follows it to
the new version. The job (:mod:`hjemme.services.jobs`) calls the same service as the API and the CLI
(``journal.plan_day``); a double click while it runs follows the same job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hjemme.services.jobs import Job, Jobs, jobs_on

STAGE_PERCENTS = {"queued": 5, "tasks": 15, "search": 50, "store": 90}
"""The share done on reaching each stage of ``journal.plan_day``."""


@dataclass(kw_only=True)
class PlanJob(Job):
    """One whole-day planning run; its result is (the new version, the version it replaced)."""

    date: dt.date

    @property
    def version(self) -> int | None:
        return self.result[0] if self.result else None

    @property
    def from_version(self) -> int | None:
        return self.result[1] if self.result else None


def plan_jobs_of(state: object) -> Jobs[PlanJob]:
    """The app's day-planning jobs."""
    return jobs_on(state, "plan_jobs")


def new_plan_job(date: dt.date, username: str) -> PlanJob:
    return PlanJob(username=username, percents=STAGE_PERCENTS, date=date)
