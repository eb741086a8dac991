"""Register changes that touch days already planned go through those days' journals (issue 13).

A change to a stay, an absence or a vehicle out of service is stored data: days not yet planned
simply follow from it when they are planned. A day that already has a plan (today or later) gets
the change as a journal entry and a repair of its latest version (issue 11), so the people who
work it see it at once. The register write happens in the transaction of the first such day's
journal entry (``change_day``'s ``in_transaction``), so the data and the first plan change are
committed together or not at all; when no planned day is touched, the write is its own transaction.
Later planned days (rare: tomorrow is planned ahead) follow in their own journal transactions.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hjemme.domain.time import local_date
from hjemme.planning.problem import Problem
from hjemme.planning.problem_json import problem_from_json
from hjemme.services.auth import Principal
from hjemme.services.journal import DayChange, change_day
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.tables import PlanRecord

Write = Callable[[Session], None]


@dataclass(frozen=True, slots=True)
class DayEffect:
    """What a register change did to one planned day: its journal entry and the new version."""

    date: dt.date
    version: int
    seq: int


def planned_dates(engine: Engine, *, start: dt.date, end: dt.date | None, now: dt.datetime) -> list[dt.date]:
    """Dates from ``start`` (not before today, Oslo) to ``end`` (inclusive) that have a stored plan."""
    first = max(start, local_date(now))
    with session_scope(engine) as session:
        query = select(PlanRecord.date).where(PlanRecord.date >= first).distinct().order_by(PlanRecord.date)
        if end is not None:
            query = query.where(PlanRecord.date <= end)
        return list(session.scalars(query))


def stored_problem(engine: Engine, date: dt.date) -> tuple[Problem, dict[str, str]] | None:
    """The latest plan's input of ``date`` and the statuses of its marked tasks."""
    with session_scope(engine) as session:
        latest = repo.latest_plan(session, date)
        if latest is None or latest.problem_json is None:
            return None
        return problem_from_json(json.loads(latest.problem_json)), repo.pinned_tasks(session, date)


def write_through_journal(
    *,
    engine: Engine,
    principal: Principal,
    changes: Sequence[tuple[dt.date, DayChange]],
    write: Write,
    now: dt.datetime,
    client: str | None = None,
) -> list[DayEffect]:
    """``write`` the register change with the first day's journal change; then the other days."""
    if not changes:
        with session_scope(engine) as session:
            write(session)
        return []
    effects = []
    for i, (date, change) in enumerate(changes):
        outcome = change_day(
            engine=engine,
            principal=principal,
            date=date,
            change=change,
            now=now,
            client=client,
            in_transaction=(lambda session, _outcome: write(session)) if i == 0 else None,
        )
        effects.append(DayEffect(date, outcome.version, outcome.entry.seq))
    return effects
