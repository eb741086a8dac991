"""Stock levels, expiring stock and stock movements, derived from the append-only ledger."""


from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import Engine, select

from hjemme.errors import InputError
from hjemme.logistics import stock as stock_engine
from hjemme.logistics.stock import Lot, Movement, StockLevel
from hjemme.services.access import require_role
from hjemme.services.auth import Principal
from hjemme.services.logistics._rows import (
    ORDER_ROLES,
    _append,
    _load_ledger,
    _shown,
)
from hjemme.store.database import session_scope
from hjemme.store.logistics_tables import StockLotRecord


def _home_patients(locations: Iterable[str]) -> list[str]:
    prefix = stock_engine.home_location("")
    return [loc[len(prefix) :] for loc in locations if loc.startswith(prefix)]


def stock_levels(
    *,
    engine: Engine,
    principal: Principal,
    client: str | None,
    at: dt.datetime,
    on: dt.date,
    location: str | None = None,
) -> list[StockLevel]:
    """On-hand, usable and expired units per location and product, derived from the ledger.

    A patient's home (``home:<patient>``) is a location, so each home shown is access-logged.
    """
    require_role(principal, ORDER_ROLES)
    with session_scope(engine) as session:
        ledger = _load_ledger(session)
        if location is not None and location not in ledger.locations():
            known = ", ".join(ledger.locations()) or "ingen"
            raise InputError("location", f"ukjent lagersted {location!r} (kjente: {known})")
        levels = stock_engine.stock_levels(ledger, on, location=location)
        _shown(
            session,
            principal,
            _home_patients(lv.location for lv in levels),
            resource="stock",
            client=client,
            at=at,
        )
    return levels


def expiring_stock(
    *,
    engine: Engine,
    principal: Principal,
    client: str | None,
    at: dt.datetime,
    on: dt.date,
    within_days: int,
    location: str | None = None,
) -> list[stock_engine.ExpiringStock]:
    """Lots that expire within ``within_days`` (or already have), soonest first."""
    require_role(principal, ORDER_ROLES)
    if within_days < 0:
        raise InputError("within_days", "kan ikke være negativ")
    with session_scope(engine) as session:
        ledger = _load_ledger(session)
        found = stock_engine.expiring_stock(ledger, on, within_days, location=location)
        _shown(
            session,
            principal,
            _home_patients(e.location for e in found),
            resource="expiring stock",
            client=client,
            at=at,
        )
    return found


def record_stock_movements(
    *, engine: Engine, movements: Iterable[Movement], new_lots: Iterable[Lot] = ()
) -> int:
    """Append movements to the ledger after checking them all; none is stored if one is refused."""
    lots = list(new_lots)
    moves = list(movements)
    with session_scope(engine) as session:
        ledger = _load_ledger(session).with_lots(lots)
        ledger.record_all(moves)  # raises NegativeStockError / InputError before anything is written
        known = set(session.scalars(select(StockLotRecord.id)))
        _append(session, [lot for lot in lots if lot.id not in known], moves)
    return len(moves)
