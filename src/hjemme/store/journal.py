"""Repositories of the day's journal and of idempotent API writes (tables in ``journal_tables``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hjemme.store.journal_tables import IdempotencyRecord, JournalRecord


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One stored change to a day (see :class:`JournalRecord`)."""

    id: int
    date: dt.date
    seq: int
    kind: str
    payload: dict[str, Any]
    reason: str
    username: str
    role: str
    at: dt.datetime
    base_version: int | None
    result_version: int | None
    alarm_id: str | None
    reverted_by: int | None


def _entry(record: JournalRecord) -> JournalEntry:
    return JournalEntry(
        record.id,
        record.date,
        record.seq,
        record.kind,
        dict(record.payload),
        record.reason,
        record.username,
        record.role,
        record.at,
        record.base_version,
        record.result_version,
        record.alarm_id,
        record.reverted_by,
    )


def add_entry(
    session: Session,
    *,
    date: dt.date,
    kind: str,
    payload: dict[str, Any],
    reason: str,
    username: str,
    role: str,
    at: dt.datetime,
    base_version: int | None,
    result_version: int | None,
    alarm_id: str | None = None,
) -> JournalEntry:
    """Append a change to the day's journal (``seq`` counts from 1 per date)."""
    latest = session.scalar(select(func.max(JournalRecord.seq)).where(JournalRecord.date == date))
    record = JournalRecord(
        date=date,
        seq=(latest or 0) + 1,
        kind=kind,
        payload=payload,
        reason=reason,
        username=username,
        role=role,
        at=at,
        base_version=base_version,
        result_version=result_version,
        alarm_id=alarm_id,
    )
    session.add(record)
    session.flush()
    return _entry(record)


def list_entries(session: Session, date: dt.date) -> list[JournalEntry]:
    """The day's journal in the order the changes were made."""
    records = session.scalars(
        select(JournalRecord).where(JournalRecord.date == date).order_by(JournalRecord.seq)
    )
    return [_entry(r) for r in records]


def entry_for_alarm(session: Session, alarm_id: str) -> JournalEntry | None:
    """The urgent visit an alarm ordered, if it ordered one."""
    record = session.scalar(select(JournalRecord).where(JournalRecord.alarm_id == alarm_id))
    return _entry(record) if record is not None else None


def mark_reverted(session: Session, entry_ids: list[int], by: int) -> None:
    """Record that a restore undid these entries: they are no longer re-applied."""
    if entry_ids:
        session.execute(update(JournalRecord).where(JournalRecord.id.in_(entry_ids)).values(reverted_by=by))


# --- idempotent writes --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """The first answer to a keyed request; ``status_code`` is ``None`` while it is still running."""

    method: str
    path: str
    status_code: int | None
    body: str | None


def claim_key(
    session: Session, *, username: str, key: str, method: str, path: str, at: dt.datetime
) -> StoredAnswer | None:
    """Claim ``key`` for this user's request; ``None`` when it is new (the caller then answers and
    stores the answer), else what the first request with that key stored so far."""
    try:
        with session.begin_nested():
            session.add(
                IdempotencyRecord(username=username, key=key, method=method, path=path, created_at=at)
            )
    except IntegrityError:
        record = session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.username == username, IdempotencyRecord.key == key
            )
        )
        assert record is not None
        return StoredAnswer(record.method, record.path, record.status_code, record.body)
    return None


def store_answer(session: Session, *, username: str, key: str, status_code: int, body: str) -> None:
    session.execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.username == username, IdempotencyRecord.key == key)
        .values(status_code=status_code, body=body)
    )


def release_key(session: Session, *, username: str, key: str) -> None:
    """Forget a claimed key whose request failed before it had an answer (a retry may run it)."""
    record = session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.username == username, IdempotencyRecord.key == key)
    )
    if record is not None and record.status_code is None:
        session.delete(record)
