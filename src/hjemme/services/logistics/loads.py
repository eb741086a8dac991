"""Van loads and FEFO pick lists for a stored plan."""


from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
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


@dataclass(frozen=True, slots=True)
class SheetLine:
    """One product of one stop as the picker reads it: units, and the lots to take them from."""

    product_id: str
    quantity: int
    picks: tuple[PickLine, ...]  # FEFO lots (none for an MTU device or a product out of stock)
    missing: int  # units the warehouse could not pick


@dataclass(frozen=True, slots=True)
class SheetStop:
    """One stop's goods; ``position`` 1 goes into the van first (it is the last stop driven)."""

    position: int
    stop_number: int  # 1 = the first stop the van drives to
    start_min: int
    task_id: str
    patient_name: str
    address: str
    delivery_notes: str
    lines: tuple[SheetLine, ...]


@dataclass(frozen=True, slots=True)
class VanSheet:
    """The pick list of one van (or courier): who drives, which vehicle, and its stops in loading order."""

    resource_id: str
    driver_name: str
    vehicle_id: str | None
    vehicle_name: str
    volume_l: float
    weight_kg: float
    stops: tuple[SheetStop, ...]


@dataclass(frozen=True, slots=True)
class VanSheets:
    date: dt.date
    version: int
    warehouse: str
    sheets: tuple[VanSheet, ...]


def van_pick_sheets(
    *,
    engine: Engine,
    principal: Principal,
    client: str | None,
    at: dt.datetime,
    date: dt.date,
    warehouse: str = WAREHOUSE,
    catalogue: Catalogue | None = None,
) -> VanSheets:
    """One printable pick list per van of the latest stored plan of ``date``, in loading order.

    The loading order is the picking engine's (:func:`hjemme.logistics.picking.pick_lists`):
    reverse stop order, so the last stop's goods go in first and each stop's goods are at the door
    when the van gets there. Each product carries its first-expiry-first-out lots. Plan, input,
    ledger, patients and vehicles are read in one transaction with the access-log rows (a driver
    gets a name, an address and the parcels, never a pathway).
    """
    require_role(principal, ORDER_ROLES)
    catalogue = catalogue or load_catalogue()
    with session_scope(engine) as session:
        stored = repo.latest_plan(session, date)
        if stored is None or stored.problem_json is None:
            raise NotFoundError("plan", date.isoformat())
        plan = plan_from_json(json.loads(stored.json))
        problem = problem_from_json(json.loads(stored.problem_json))
        tasks = {t.id: t for t in problem.tasks}
        result = picking_engine.pick_lists(
            plan, tasks, _load_ledger(session), catalogue.products,
            warehouse=warehouse, user_id=principal.username, at=at,
        )
        ids = sorted({i.patient_id for load in result.loads for i in load.items})
        patients = {p.id: p for p in repo.list_patients(session, ids=ids)} if ids else {}
        vehicles = {v.id: v.name for v in repo.list_vehicles(session)}
        _shown(session, principal, ids, resource=f"van loads {date.isoformat()} v{stored.version}",
               client=client, at=at)
    drivers = {r.id: r.name for r in problem.resources}
    routes = {r.resource_id: r for r in plan.routes}
    picks: dict[tuple[str, str], list[PickLine]] = defaultdict(list)
    for p in result.picks:
        picks[(p.task_id, p.product_id)].append(p)
    missing: dict[tuple[str, str], int] = defaultdict(int)
    for s in result.shortages:
        missing[(s.task_id, s.product_id)] += s.missing
    sheets = []
    for load in result.loads:
        stops = routes[load.resource_id].stops
        numbers = {}
        n = 0
        for index, stop in enumerate(stops):
            if stop.task_id is not None and stop.patient_id is not None:
                n += 1
                numbers[index] = n
        sheet_stops = []
        for item in load.items:
            patient = patients.get(item.patient_id)
            sheet_stops.append(
                SheetStop(
                    position=item.position,
                    stop_number=numbers.get(item.stop_index, item.stop_index + 1),
                    start_min=stops[item.stop_index].start_min,
                    task_id=item.task_id,
                    patient_name=patient.name if patient else item.patient_id,
                    address=patient.address if patient else "",
                    delivery_notes=patient.delivery_notes if patient else "",
                    lines=tuple(
                        SheetLine(
                            line.product_id,
                            line.quantity,
                            tuple(picks.get((item.task_id, line.product_id), ())),
                            missing.get((item.task_id, line.product_id), 0),
                        )
                        for line in item.lines
                    ),
                )
            )
        sheets.append(
            VanSheet(
                resource_id=load.resource_id,
                driver_name=drivers.get(load.resource_id, load.resource_id),
                vehicle_id=load.vehicle_id,
                vehicle_name=vehicles.get(load.vehicle_id or "", load.vehicle_id or ""),
                volume_l=load.volume_l,
                weight_kg=load.weight_kg,
                stops=tuple(sheet_stops),
            )
        )
    return VanSheets(date, stored.version, warehouse, tuple(sheets))
