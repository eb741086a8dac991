"""The access log's storage rule (issue 12): one bulk statement per read, repeated reads counted.

Who saw which patient's data, when, from where — without a row per patient per refresh of a
worklist that re-reads itself every 15 seconds. The rule:

* **Reads** (``action="read"``) of one *resource* (e.g. ``plan 2026-11-23 v3``, ``alarms``) of one
  patient by one user from one client address within one **15-minute bucket** (aligned to the
  clock: 08:00, 08:15, … UTC) are **one row**: ``at`` is the first read, ``last_at`` the last,
  ``count`` the number of reads. "Who saw patient X, when" is answered to within the row's
  ``at``–``last_at`` span; nothing is lost but the moments between repeated identical reads.
* **Writes**, **refusals** (``refused``: a 403 or 404 of an authenticated caller) and reads without a
  client address (the CLI, background jobs) keep **one row each** (``bucket`` NULL).

A read of *n* patients costs one ``UPDATE … RETURNING`` (the patients already seen in this bucket)
plus, for the rest, one multi-row ``INSERT … ON CONFLICT DO UPDATE`` — never a statement per patient.
The unique index ``uq_access_log_bucket`` makes two servers racing on the same bucket add up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hjemme.services.auth import Principal
from hjemme.store.database import session_scope
from hjemme.store.tables import AccessLogRecord

READ = "read"
WRITE = "write"
REFUSED = "refused"
BUCKET = dt.timedelta(minutes=15)
BUCKET_COLUMNS = ("username", "patient_id", "resource", "action", "client_addr", "bucket")
RESOURCE_LENGTH = 300


def bucket_of(at: dt.datetime) -> dt.datetime:
    """The start of the 15-minute bucket holding ``at`` (UTC)."""
    seconds = int(BUCKET.total_seconds())
    stamp = int(at.timestamp()) // seconds * seconds
    return dt.datetime.fromtimestamp(stamp, dt.UTC)


def write_access(
    session: Session,
    *,
    principal: Principal,
    patient_ids: Iterable[str | None],
    resource: str,
    client: str | None,
    at: dt.datetime,
    action: str = READ,
) -> int:
    """Record that ``principal`` did ``action`` on ``resource`` of each patient; the patient count."""
    ids = list(dict.fromkeys(patient_ids))
    if not ids:
        return 0
    resource = resource[:RESOURCE_LENGTH]
    base = {"username": principal.username, "role": str(principal.role), "action": action,
            "resource": resource, "client_addr": client, "at": at}
    if action != READ or client is None or None in ids:
        session.execute(insert(AccessLogRecord), [{**base, "patient_id": p} for p in ids])
        return len(ids)
    bucket = bucket_of(at)
    table = AccessLogRecord
    seen = set(
        session.scalars(
            update(table)
            .where(
                table.username == principal.username,
                table.resource == resource,
                table.action == action,
                table.client_addr == client,
                table.bucket == bucket,
                table.patient_id.in_(ids),
            )
            .values(count=table.count + 1, last_at=at)
            .returning(table.patient_id)
            .execution_options(synchronize_session=False)
        )
    )
    fresh = [
        {**base, "patient_id": p, "bucket": bucket, "last_at": at, "count": 1} for p in ids if p not in seen
    ]
    if fresh:
        session.execute(_upsert(session), fresh)
    return len(ids)


def _upsert(session: Session) -> Any:
    """A multi-row INSERT that adds to the bucket's row when another transaction made it first."""
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(AccessLogRecord)
    return statement.on_conflict_do_update(
        index_elements=list(BUCKET_COLUMNS),
        set_={
            "count": AccessLogRecord.count + statement.excluded.count,
            "last_at": statement.excluded.last_at,
        },
    )


@dataclass(frozen=True, slots=True)
class AccessLogEntry:
    """One access-log row: who, in which role, did what to which patient's data, when, from where.

    ``count`` reads between ``at`` and ``last_at`` for a bucketed read (see the module docstring).
    """

    at: dt.datetime
    username: str
    role: str
    patient_id: str | None
    action: str  # "read", "write" or "refused"
    resource: str  # what was read, e.g. "patient", "tasks 2026-11-23", "fhir CarePlan"
    client: str | None
    last_at: dt.datetime | None = None
    count: int = 1


def read_log(
    *,
    engine: Engine,
    principal: Principal,
    patient_id: str | None,
    username: str | None,
    limit: int,
    client: str | None,
    at: dt.datetime,
) -> list[AccessLogEntry]:
    """The newest rows (by last read), filtered; the reading itself is logged in the same transaction,
    about the patient searched for, so "who looked up patient X's log" is in the log too."""
    query = select(AccessLogRecord)
    if patient_id is not None:
        query = query.where(AccessLogRecord.patient_id == patient_id)
    if username is not None:
        query = query.where(AccessLogRecord.username == username)
    newest = func.coalesce(AccessLogRecord.last_at, AccessLogRecord.at)
    query = query.order_by(newest.desc(), AccessLogRecord.id.desc()).limit(limit)
    what = "access log" + "".join(
        f" {name}={value}" for name, value in (("patient", patient_id), ("user", username)) if value
    )
    with session_scope(engine) as session:
        entries = [
            AccessLogEntry(
                at=row.at, username=row.username, role=row.role, patient_id=row.patient_id,
                action=row.action, resource=row.resource, client=row.client_addr,
                last_at=row.last_at, count=row.count,
            )
            for row in session.scalars(query)
        ]
        write_access(session, principal=principal, patient_ids=[patient_id], resource=what,
                     client=client, at=at)
    return entries


def log_refused(
    *,
    engine: Engine,
    principal: Principal,
    patient_id: str | None,
    resource: str,
    client: str | None,
    at: dt.datetime,
) -> None:
    """Record a refused (403) or failed (404) request of an authenticated caller, in its own
    transaction: the request's own transaction has rolled back."""
    with session_scope(engine) as session:
        write_access(session, principal=principal, patient_ids=[patient_id], resource=resource,
                     client=client, at=at, action=REFUSED)
