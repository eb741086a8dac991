"""Log-in throttling (issue 12): too many failed log-ins lock a user name and a client address.

The rule: when a user name has ``per_user`` failed log-ins within the last ``window`` — or a client
address has ``per_client`` — further log-ins for that name or from that address are refused with
:class:`TooManyAttemptsError` (HTTP 429 with ``Retry-After``) *without checking the password*, until
enough failures have aged out of the window. A success does not bypass a lock; a success outside a
lock clears that user name's failures (the address keeps its count, so one valid account cannot be
used to reset an address that is guessing other users' passwords).

Parallel floods: every attempt is first stored as ``pending`` (committed), *then* the lock is
checked counting failed and pending attempts, and only then is the password verified. So the k-th
attempt to reach the password check has seen the k − 1 before it, and at most ``per_user`` passwords
are tried per window however many requests arrive at once. A pending attempt becomes ``failed``,
``throttled`` or — on success — is deleted with the user name's other failures.

Attempts live in the database (``login_attempts``), so the throttle holds across server workers and
restarts and doubles as the log of failed log-ins (kept :data:`KEEP`); refused attempts are stored as
``throttled`` and do not extend the lock. Each failure and refusal is also logged at WARNING on
``hjemme.auth``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from hjemme.errors import HjemmeError
from hjemme.store.tables import LoginAttemptRecord

PENDING = "pending"
FAILED = "failed"
THROTTLED = "throttled"
KEEP = dt.timedelta(days=30)
"""How long failed and refused log-ins are kept (as their log); older rows are pruned on the next failure."""


@dataclass(frozen=True, slots=True)
class LoginLimits:
    """How many failures within ``window_min`` minutes lock a user name or a client address."""

    per_user: int = 5
    per_client: int = 20
    window_min: int = 15

    def __post_init__(self) -> None:
        if self.per_user < 1 or self.per_client < 1 or self.window_min < 1:
            raise ValueError("login limits must be at least 1")


class TooManyAttemptsError(HjemmeError):
    """Too many failed log-ins for this user name or from this address; try again later."""

    def __init__(self, retry_after_s: int) -> None:
        self.retry_after_s = retry_after_s
        super().__init__(f"too many failed log-ins: try again in {retry_after_s} seconds")


def begin_attempt(session: Session, *, username: str, client: str | None, now: dt.datetime) -> int:
    """Store a log-in attempt as ``pending`` (it counts as a failure until it succeeds); its id."""
    record = LoginAttemptRecord(at=now, username=username, client_addr=client, outcome=PENDING)
    session.add(record)
    session.flush()
    return record.id


def _locked_until(
    session: Session, column: object, value: str, limit: int, since: dt.datetime, attempt_id: int
) -> dt.datetime | None:
    """When the ``limit``-th newest other failed or pending attempt of ``value`` leaves the window,
    or None if there are fewer than ``limit`` of them."""
    rows = session.scalars(
        select(LoginAttemptRecord.at)
        .where(
            column == value,
            LoginAttemptRecord.outcome.in_((FAILED, PENDING)),
            LoginAttemptRecord.at > since,
            LoginAttemptRecord.id != attempt_id,
        )
        .order_by(LoginAttemptRecord.at.desc())
        .limit(limit)
    ).all()
    return rows[limit - 1] if len(rows) >= limit else None


def locked_for(
    session: Session,
    *,
    username: str,
    client: str | None,
    now: dt.datetime,
    limits: LoginLimits,
    attempt_id: int,
) -> int | None:
    """Seconds until the user name and the address are both unlocked, or None when neither is."""
    window = dt.timedelta(minutes=limits.window_min)
    since = now - window
    attempts = LoginAttemptRecord
    until = [_locked_until(session, attempts.username, username, limits.per_user, since, attempt_id)]
    if client is not None:
        by_client = _locked_until(session, attempts.client_addr, client, limits.per_client, since, attempt_id)
        until.append(by_client)
    locked = [t for t in until if t is not None]
    if not locked:
        return None
    return max(1, math.ceil((max(locked) + window - now).total_seconds()))


def finish_attempt(session: Session, *, attempt_id: int, outcome: str, now: dt.datetime) -> None:
    """Mark a pending attempt ``failed`` or ``throttled`` (and prune rows older than :data:`KEEP`)."""
    attempts = LoginAttemptRecord
    session.execute(update(attempts).where(attempts.id == attempt_id).values(outcome=outcome))
    session.execute(delete(LoginAttemptRecord).where(LoginAttemptRecord.at < now - KEEP))


def record_success(session: Session, *, username: str) -> None:
    """Clear the user name's failed and pending attempts after a successful log-in (not locked)."""
    session.execute(
        delete(LoginAttemptRecord).where(
            LoginAttemptRecord.username == username, LoginAttemptRecord.outcome.in_((FAILED, PENDING))
        )
    )
