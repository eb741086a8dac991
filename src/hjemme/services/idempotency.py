"""Idempotent API writes (issue 11, item 3): a request repeated with the same ``Idempotency-Key``
(a double click, a client's retry) has the effect of one and gets the first answer again."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from hjemme.store import journal as store
from hjemme.store.database import session_scope
from hjemme.store.journal import StoredAnswer


def claim_request(
    *, engine: Engine, username: str, key: str, method: str, path: str, at: dt.datetime
) -> StoredAnswer | None:
    """``None`` when the key is new for this user (answer the request, then :func:`keep_answer`);
    otherwise what the first request with that key stored (``status_code`` ``None``: still running)."""
    with session_scope(engine) as session:
        return store.claim_key(session, username=username, key=key, method=method, path=path, at=at)


def keep_answer(*, engine: Engine, username: str, key: str, status_code: int, body: str) -> None:
    with session_scope(engine) as session:
        store.store_answer(session, username=username, key=key, status_code=status_code, body=body)


def release_request(*, engine: Engine, username: str, key: str) -> None:
    """The request failed on the server's side: a retry with the same key may run it again."""
    with session_scope(engine) as session:
        store.release_key(session, username=username, key=key)
