"""The day's journal (issue 11): every change to a date's plan as an event, and the answers to
repeated API requests (``Idempotency-Key``).

A journal entry is written in the same transaction as its effect (the plan version it produced, a
status mark), so the journal and the plans never disagree. ``alarm_id`` is unique: an alarm can
order at most one urgent visit, whoever presses the button and however often.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hjemme.store.base import Base
from hjemme.store.tables import ID_LENGTH, UtcDateTime


class JournalRecord(Base):
    """One change to a day: who (user and role), when, why, against which plan version, with what
    effect (``result_version``: the plan version it produced or that was current after it)."""

    __tablename__ = "plan_journal"
    __table_args__ = (UniqueConstraint("date", "seq"), UniqueConstraint("alarm_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    username: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    base_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    result_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    alarm_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), nullable=True)
    reverted_by: Mapped[int | None] = mapped_column(Integer, nullable=True)


class IdempotencyRecord(Base):
    """The first answer to an API write sent with an ``Idempotency-Key``; a repeat gets it again."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("username", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
