"""Log-in throttling (issue 12): too many failed log-ins lock a user name and a client address.

The rule: when a user name has ``per_user`` failed log-ins within the last ``window`` — or a client
address has ``per_client`` — further log-ins for that name or from that address are refused with
:class:`TooManyAttemptsError` (HTTP 429 with ``Retry-After``) *without checking the password*, until
enough failures have aged out of the window. A success does not bypass a lock; a success outside a
lock clears that user name's failures (the address keeps its count, so one valid account cannot be
used to reset an address that is guessing other users' passwords).

Failures live in the database (``login_attempts``), so the throttle holds across server workers and
restarts and doubles as the log of failed log-ins; refused attempts are stored as ``throttled`` and
do not extend the lock. Each failure and refusal is also logged at WARNING on ``hjemme.auth``.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hjemme.errors import HjemmeError
from hjemme.store.tables import LoginAttemptRecord

logger = logging.getLogger("hjemme.auth")

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


def _locked_until(
    session: Session, column: object, value: str, limit: int, since: dt.datetime
) -> dt.datetime | None:
    """When the ``limit``-th newest failure of ``value`` leaves the window, or None if not locked."""
    rows = session.scalars(
        select(LoginAttemptRecord.at)
        .where(column == value, LoginAttemptRecord.outcome == FAILED, LoginAttemptRecord.at > since)
        .order_by(LoginAttemptRecord.at.desc())
        .limit(limit)
    ).all()
    return rows[limit - 1] if len(rows) >= limit else None


def locked_for(
    session: Session, *, username: str, client: str | None, now: dt.datetime, limits: LoginLimits
) -> int | None:
    """Seconds until the user name and the address are both unlocked, or None when neither is."""
    window = dt.timedelta(minutes=limits.window_min)
    since = now - window
    until = [_locked_until(session, LoginAttemptRecord.username, username, limits.per_user, since)]
    if client is not None:
        until.append(_locked_until(session, LoginAttemptRecord.client_addr, client, limits.per_client, since))
    locked = [t for t in until if t is not None]
    if not locked:
        return None
    return max(1, math.ceil((max(locked) + window - now).total_seconds()))


def record_throttled(
    session: Session, *, username: str, client: str | None, now: dt.datetime, retry_after_s: int
) -> None:
    """Log a log-in refused unchecked because of a lock (it does not extend the lock)."""
    session.add(LoginAttemptRecord(at=now, username=username, client_addr=client, outcome=THROTTLED))
    logger.warning("log-in throttled: user %r from %s, retry after %d s", username, client, retry_after_s)


def record_failure(session: Session, *, username: str, client: str | None, now: dt.datetime) -> None:
    """Count a failed log-in against the user name and the address (and prune rows past :data:`KEEP`)."""
    session.execute(delete(LoginAttemptRecord).where(LoginAttemptRecord.at < now - KEEP))
    session.add(LoginAttemptRecord(at=now, username=username, client_addr=client, outcome=FAILED))
    logger.warning("log-in failed: user %r from %s", username, client)


def record_success(session: Session, *, username: str) -> None:
    """Clear the user name's failures after a successful log-in that was not locked."""
    session.execute(
        delete(LoginAttemptRecord).where(
            LoginAttemptRecord.username == username, LoginAttemptRecord.outcome == FAILED
        )
    )
