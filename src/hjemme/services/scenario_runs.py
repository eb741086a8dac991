"""Scenario runs kept by name (issue 15, item 8): the one way to store, finish, list and compare them.

A manager changes the main assumptions on the scenarios page, names the run and starts it; the run
goes on in the background (``web/scenario_runs.py``) and, when done, stores its decision and key
numbers here, so the page can put it next to earlier runs. Projections hold no patient data, so
there is nothing to access-log; the role check is that of the scenarios page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from hjemme.domain.security import Role
from hjemme.errors import ConflictError, InputError, NotFoundError
from hjemme.services.access import require_role
from hjemme.services.auth import Principal
from hjemme.store.database import session_scope
from hjemme.store.scenario_tables import ScenarioRunRecord

SCENARIO_ROLES = frozenset({Role.MANAGEMENT, Role.COORDINATOR, Role.ADMIN})
STATUSES = ("running", "done", "failed")
MAX_NAME = 200


@dataclass(frozen=True)
class StoredRun:
    """A run as the page shows it."""

    run_id: str
    name: str
    scenario: str
    username: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    replications: int
    overrides: Mapping[str, Any] = field(default_factory=dict)
    results: Mapping[str, Any] = field(default_factory=dict)
    error: str = ""


def _read(r: ScenarioRunRecord) -> StoredRun:
    return StoredRun(
        r.id,
        r.name,
        r.scenario,
        r.username,
        r.started_at,
        r.finished_at,
        r.status,
        r.replications,
        dict(r.overrides or {}),
        dict(r.results or {}),
        r.error,
    )


def record_scenario_run(
    *,
    engine: Engine,
    principal: Principal,
    run_id: str,
    name: str,
    scenario: str,
    replications: int,
    overrides: Mapping[str, Any],
    now: dt.datetime,
) -> StoredRun:
    """Keep a run that is starting under ``name`` (unique); refused before anything is written."""
    require_role(principal, SCENARIO_ROLES)
    name = " ".join(name.split())
    if not name:
        raise InputError("name", "give the run a name")
    if len(name) > MAX_NAME:
        raise InputError("name", f"at most {MAX_NAME} characters")
    with session_scope(engine) as session:
        if session.scalar(select(ScenarioRunRecord.id).where(ScenarioRunRecord.name == name)) is not None:
            raise ConflictError(f"a run named {name!r} exists already")
        record = ScenarioRunRecord(
            id=run_id,
            name=name,
            scenario=scenario,
            username=principal.username,
            started_at=now,
            finished_at=None,
            status="running",
            replications=replications,
            overrides=dict(overrides),
            results={},
            error="",
        )
        session.add(record)
        session.flush()
        return _read(record)


def finish_scenario_run(
    *,
    engine: Engine,
    principal: Principal,
    run_id: str,
    status: str,
    results: Mapping[str, Any],
    now: dt.datetime,
    error: str = "",
) -> StoredRun:
    """Store how a run ended (``done`` with its results, or ``failed`` with the reason)."""
    require_role(principal, SCENARIO_ROLES)
    if status not in STATUSES[1:]:
        raise InputError("status", f"one of {', '.join(STATUSES[1:])}")
    with session_scope(engine) as session:
        record = session.get(ScenarioRunRecord, run_id)
        if record is None:
            raise NotFoundError("scenario run", run_id)
        record.status, record.results, record.error, record.finished_at = status, dict(results), error, now
        session.flush()
        return _read(record)


def list_scenario_runs(*, engine: Engine, principal: Principal, limit: int = 50) -> list[StoredRun]:
    """The latest runs, newest first."""
    require_role(principal, SCENARIO_ROLES)
    with session_scope(engine) as session:
        rows = session.scalars(
            select(ScenarioRunRecord)
            .order_by(ScenarioRunRecord.started_at.desc(), ScenarioRunRecord.name)
            .limit(limit)
        )
        return [_read(r) for r in rows]


def get_scenario_runs(*, engine: Engine, principal: Principal, run_ids: Sequence[str]) -> list[StoredRun]:
    """The named runs in the order asked for; an unknown id is an error naming it."""
    require_role(principal, SCENARIO_ROLES)
    with session_scope(engine) as session:
        found = {
            r.id: _read(r)
            for r in session.scalars(select(ScenarioRunRecord).where(ScenarioRunRecord.id.in_(list(run_ids))))
        }
    missing = [i for i in run_ids if i not in found]
    if missing:
        raise NotFoundError("scenario run", missing[0])
    return [found[i] for i in run_ids]
