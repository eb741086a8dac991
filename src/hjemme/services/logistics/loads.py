"""Van loads and FEFO pick lists for a stored plan."""


from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import Engine

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.errors import NotFoundError
from hjemme.logistics import picking as picking_engine
from hjemme.logistics.picking import PickLine, PickShortage, VanLoad
from hjemme.planning.plan_json import plan_from_json
from hjemme.planning.problem_json import problem_from_json
from hjemme.services.access import require_role
from hjemme.services.auth import Principal
from hjemme.services.logistics._rows import (
    ORDER_ROLES,
    WAREHOUSE,
    _load_ledger,
    _shown,
)
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope


@dataclass(frozen=True, slots=True)
class PlanLoads:
    """What each van of a stored plan loads (reverse stop order) and what the warehouse picks.

    ``picks`` are first-expiry-first-out lots from :data:`WAREHOUSE`'s stock; nothing is moved
    in the ledger (the pick is confirmed separately). No pathway or diagnosis is carried.
    """

    date: dt.date
    version: int
    warehouse: str
    loads: tuple[VanLoad, ...]
    picks: tuple[PickLine, ...]
    shortages: tuple[PickShortage, ...]


def pick_lists(
    *,
    engine: Engine,
    principal: Principal,
    client: str | None,
    at: dt.datetime,
    date: dt.date,
    warehouse: str = WAREHOUSE,
    catalogue: Catalogue | None = None,
) -> PlanLoads:
    """Van loads and FEFO pick lists for the latest stored plan of ``date``.

    The plan and the problem it was made from (for each task's goods lines) are read in the same
    transaction as the stock ledger and the access-log rows, so they belong to one plan version.
    """
    require_role(principal, ORDER_ROLES)
    catalogue = catalogue or load_catalogue()
    with session_scope(engine) as session:
        stored = repo.latest_plan(session, date)
        if stored is None or stored.problem_json is None:
            raise NotFoundError("plan", date.isoformat())
        plan = plan_from_json(json.loads(stored.json))
        tasks = {t.id: t for t in problem_from_json(json.loads(stored.problem_json)).tasks}
        result = picking_engine.pick_lists(
            plan,
            tasks,
            _load_ledger(session),
            catalogue.products,
            warehouse=warehouse,
            user_id=principal.username,
            at=at,
        )
        shown = [i.patient_id for load in result.loads for i in load.items]
        _shown(
            session,
            principal,
            shown,
            resource=f"van loads {date.isoformat()} v{stored.version}",
            client=client,
            at=at,
        )
    return PlanLoads(date, stored.version, warehouse, result.loads, result.picks, result.shortages)
