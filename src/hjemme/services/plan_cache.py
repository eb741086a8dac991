"""Cached plan views (issue 12, item 9): reads of the same plan version are served from memory.

``GET /api/plans/{date}`` used to parse the stored plan and problem, cut them to the role, look
up every stop's patient and serialise ~100 KB of JSON on every request (≈ 110 ms). A view depends
only on the plan version and on what the caller may see, so it is built once and kept as JSON bytes:

* **key**: the database (one cache per engine), the date, the plan version *and its creation
  time* (a re-seeded database that plans the date again starts at version 1 again), and the
  caller's *scope* — the role alone for roles whose view is the same for every user
  (:data:`ROLE_WIDE_VIEWS`), the role and the user name otherwise (a clinician sees their routes);
* **invalidation**: a new version of the date changes the key, so the next read builds afresh —
  every read still asks the database for the latest version (one indexed query);
* **staleness bound**: an entry lives at most :data:`TTL_S` seconds, so a changed patient address or
  staff link reaches an unchanged plan version within a minute; at most :data:`MAX_ENTRIES` per
  engine (least recently used go first).

The access log is not cached: every read, hit or miss, is logged by the use case with the view's
patient ids. The hook is :func:`plan_view`, called by ``services.planning.read_plan_json``.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hjemme.domain.security import Role
from hjemme.errors import NotFoundError
from hjemme.services.auth import Principal
from hjemme.store import repositories as repo
from hjemme.store.repositories import StoredPlan

TTL_S = 60.0
MAX_ENTRIES = 256
ROLE_WIDE_VIEWS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.LOGISTICS})
"""Roles whose plan view does not depend on who the user is (see ``planning._cut_to_role``)."""


@dataclass(frozen=True, slots=True)
class PlanView:
    """A plan as one scope sees it: the JSON body, and the patients it shows (for the access log)."""

    version: int
    patient_ids: tuple[str, ...]
    body: bytes

    def data(self) -> dict[str, Any]:
        """A fresh copy of the view as a dict (callers may change it; the cache keeps the bytes)."""
        loaded: dict[str, Any] = json.loads(self.body)
        return loaded


class _Lru:
    """A small thread-safe LRU map with a time-to-live per entry."""

    def __init__(self, max_entries: int, ttl_s: float, clock: Callable[[], float]) -> None:
        self._items: OrderedDict[Hashable, tuple[float, PlanView]] = OrderedDict()
        self._lock = threading.Lock()
        self._max, self._ttl, self._clock = max_entries, ttl_s, clock

    def get(self, key: Hashable) -> PlanView | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            if self._clock() - found[0] > self._ttl:
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return found[1]

    def put(self, key: Hashable, view: PlanView) -> None:
        with self._lock:
            self._items[key] = (self._clock(), view)
            self._items.move_to_end(key)
            while len(self._items) > self._max:
                self._items.popitem(last=False)


_caches: weakref.WeakKeyDictionary[Engine, _Lru] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()
clock: Callable[[], float] = time.monotonic
"""The cache's clock (monotonic); tests replace it to age entries without sleeping."""


def _cache_of(engine: Engine) -> _Lru:
    with _caches_lock:
        cache = _caches.get(engine)
        if cache is None:
            cache = _caches[engine] = _Lru(MAX_ENTRIES, TTL_S, lambda: clock())
        return cache


def view_scope(principal: Principal) -> Hashable:
    """What decides the view besides the plan: the role, plus the user for user-specific roles."""
    if principal.role in ROLE_WIDE_VIEWS:
        return (str(principal.role),)
    return (str(principal.role), principal.username)


def plan_view(
    session: Session,
    *,
    principal: Principal,
    date: dt.date,
    build: Callable[[StoredPlan], tuple[dict[str, Any], Iterable[str]]],
) -> PlanView:
    """The latest plan of ``date`` as ``principal`` sees it, from the cache or ``build(stored)``.

    ``build`` returns the JSON-ready view and the ids of the patients it shows; it runs only on a
    miss. ``NotFoundError`` when the date has no plan.
    """
    latest = repo.latest_plan_key(session, date)
    if latest is None:
        raise NotFoundError("plan", date.isoformat())
    cache = _cache_of(session.get_bind().engine)
    key = (date, *latest, view_scope(principal))
    view = cache.get(key)
    if view is not None:
        return view
    stored = repo.latest_plan(session, date)
    if stored is None:  # deleted between the two queries (a re-seed)
        raise NotFoundError("plan", date.isoformat())
    data, patient_ids = build(stored)
    view = PlanView(stored.version, tuple(patient_ids), json.dumps(data, separators=(",", ":")).encode())
    cache.put((date, stored.version, stored.created_at, view_scope(principal)), view)
    return view
