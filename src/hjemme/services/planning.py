"""Reading day plans: a plan cut to the caller's role, its journal, the difference between two
versions, where a task could move, and the day's work the planner starts from.

Every *change* to a day goes through :mod:`hjemme.services.journal` (issue 11); this module only
reads. Plans are stored with the problem they were made from, so a re-plan starts from exactly the
tasks and resources of the plan it changes, and ``hjemme validate`` can re-check any stored plan.

Where the day's deliveries and device swaps come from (issue 6 feeds issue 3):

* deliveries: the pathway-driven defaults of :func:`hjemme.domain.workload.tasks_for_day`, except
  for patients whose goods a coordinator manages through accepted order lines — for them the
  accepted lines' delivery tasks replace the defaults, so nothing is delivered twice;
* device swaps: once the MTU register holds devices, its due list is the source of swap and pick-up
  tasks and the pathway's calendar-based swaps are dropped.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hjemme.catalogue import Catalogue
from hjemme.domain.plans import Plan, Route
from hjemme.domain.resources import ResourceKind
from hjemme.domain.security import Role
from hjemme.domain.tasks import TRANSPORT_KINDS, Task, TaskKind
from hjemme.domain.time import MINUTES_PER_DAY, local_date, local_minute
from hjemme.errors import NotFoundError
from hjemme.geo import make_provider
from hjemme.logistics.orders import LineStatus
from hjemme.planning.diff import PlanDiff, diff_plans
from hjemme.planning.params import PlannerParams
from hjemme.planning.placements import Placement, placements
from hjemme.planning.plan_json import plan_from_json, plan_to_json
from hjemme.planning.problem import build_problem
from hjemme.planning.problem_json import problem_from_json
from hjemme.planning.repair import frozen_pins
from hjemme.services import plan_cache
from hjemme.services.access import log_access, require_role
from hjemme.services.auth import Principal
from hjemme.services.logistics import device_tasks, list_order_lines, order_delivery_tasks
from hjemme.services.workload import tasks_on
from hjemme.store import journal as journal_repo
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.journal import JournalEntry
from hjemme.store.logistics_tables import DeviceRecord

PLANNERS = frozenset({Role.COORDINATOR, Role.ADMIN})
"""Roles that may make, change and pin plans."""
PLAN_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN, Role.CLINICIAN, Role.LOGISTICS})
"""Roles that may read (their part of) a plan."""


def read_journal(*, engine: Engine, principal: Principal, date: dt.date) -> list[JournalEntry]:
    """The day's journal (who changed what, when, why, against which version), oldest first."""
    require_role(principal, PLANNERS)
    with session_scope(engine) as session:
        return journal_repo.list_entries(session, date)


def list_versions(*, engine: Engine, principal: Principal, date: dt.date) -> list[tuple[int, dt.datetime]]:
    """Every version of the day's plan with when it was stored (for undo)."""
    require_role(principal, PLANNERS)
    with session_scope(engine) as session:
        return repo.plan_versions(session, date)


def plan_diff(
    *, engine: Engine, principal: Principal, date: dt.date, from_version: int, to_version: int
) -> PlanDiff:
    """What changed between two versions, per person and vehicle; a clinician gets only their own.

    Task ids only (no patient data), so it is not access-logged.
    """
    require_role(principal, PLAN_ROLES)
    with session_scope(engine) as session:
        old = repo.get_plan(session, date, from_version)
        new = repo.get_plan(session, date, to_version)
        if old is None:
            raise NotFoundError("plan version", f"{date} v{from_version}")
        if new is None:
            raise NotFoundError("plan version", f"{date} v{to_version}")
        a, b = plan_from_json(json.loads(old.json)), plan_from_json(json.loads(new.json))
        if principal.role not in PLANNERS:
            a = _cut_to_role(session, principal, a, ())
            b = _cut_to_role(session, principal, b, ())
    return diff_plans(a, b)


def plan_at(*, engine: Engine, principal: Principal, date: dt.date, version: int) -> Plan:
    """Version ``version`` of the day's plan, cut to the caller's role (task ids, no patient data)."""
    require_role(principal, PLAN_ROLES)
    with session_scope(engine) as session:
        stored = repo.get_plan(session, date, version)
        if stored is None:
            raise NotFoundError("plan version", f"{date} v{version}")
        plan = plan_from_json(json.loads(stored.json))
        return plan if principal.role in PLANNERS else _cut_to_role(session, principal, plan, ())


def now_minute(date: dt.date, now: dt.datetime) -> int | None:
    """Where ``now`` stands in ``date`` for re-planning: the Oslo minute on the day itself, the end of
    the day for a day gone by (everything on it has happened), ``None`` for a day still to come."""
    today = local_date(now)
    if date < today:
        return MINUTES_PER_DAY
    return local_minute(now) if date == today else None


def list_placements(
    *,
    engine: Engine,
    principal: Principal,
    date: dt.date,
    task_id: str,
    now: dt.datetime,
    params: PlannerParams | None = None,
    provider_name: str = "builtin",
    limit: int = 5,
) -> tuple[int, list[Placement]]:
    """The latest version and the feasible places of ``task_id`` in it, best first (what a move offers)."""
    require_role(principal, PLANNERS)
    with session_scope(engine) as session:
        stored = repo.latest_plan(session, date)
        if stored is None or stored.problem_json is None:
            raise NotFoundError("plan", date.isoformat())
        statuses = repo.pinned_tasks(session, date)
    source = problem_from_json(json.loads(stored.problem_json))
    if task_id not in {t.id for t in source.tasks}:
        raise NotFoundError("task", task_id)
    problem = build_problem(date, source.tasks, source.resources, source.lab, make_provider(provider_name))
    plan = plan_from_json(json.loads(stored.json))
    params = params or PlannerParams(time_limit_s=0.5, rounds=1)
    now_min = now_minute(date, now)
    pins = frozen_pins(plan, now_min=now_min, horizon_min=params.freeze_horizon_min, statuses=statuses)
    pins.pop(task_id, None)
    return stored.version, placements(problem, plan, task_id, pins, params, limit=limit, now_min=now_min)


def task_statuses(*, engine: Engine, date: dt.date) -> dict[str, str]:
    """Task id → confirmed/started/done/… for the date's marked tasks (no patient data, not logged)."""
    with session_scope(engine) as session:
        return repo.pinned_tasks(session, date)


def day_state(*, engine: Engine, principal: Principal, date: dt.date) -> tuple[int | None, dict[str, str]]:
    """The latest version of the day's plan and its tasks' status marks (what the live board follows;
    task ids only, not logged)."""
    require_role(principal, PLANNERS)
    with session_scope(engine) as session:
        versions = repo.plan_versions(session, date)
        return (versions[-1][0] if versions else None), repo.pinned_tasks(session, date)


def read_plan(
    *, engine: Engine, principal: Principal, date: dt.date, client: str | None, at: dt.datetime
) -> dict[str, Any]:
    """:func:`read_plan_json` as a dict."""
    loaded: dict[str, Any] = json.loads(read_plan_json(engine=engine, principal=principal, date=date,
                                                       client=client, at=at))
    return loaded


def read_plan_json(
    *, engine: Engine, principal: Principal, date: dt.date, client: str | None, at: dt.datetime
) -> bytes:
    """The latest plan of ``date`` in its JSON form, cut to what the caller's role may see.

    Coordinators and admins get everything; a clinician only their own routes, the samples taken
    on them and the patients on them; logistics only van and courier routes and transport tasks
    (addresses and parcels, no clinical fields). Stops carry the patient's name and address.
    Every patient shown is access-logged in the same transaction. Views of one plan version are
    cached per role (issue 12: :mod:`hjemme.services.plan_cache`).
    """
    require_role(principal, PLAN_ROLES)
    with session_scope(engine) as session:
        view = plan_cache.plan_view(
            session, principal=principal, date=date,
            build=lambda stored: _plan_view(session, principal, stored),
        )
        log_access(
            session=session,
            principal=principal,
            patient_ids=view.patient_ids,
            resource=f"plan {date.isoformat()} v{view.version}",
            client=client,
            at=at,
        )
    return view.body


def _plan_view(
    session: Session, principal: Principal, stored: repo.StoredPlan
) -> tuple[dict[str, Any], list[str]]:
    """The JSON-ready view of ``stored`` for ``principal`` and the patients it shows."""
    tasks = problem_from_json(json.loads(stored.problem_json)).tasks if stored.problem_json else ()
    plan = _cut_to_role(session, principal, plan_from_json(json.loads(stored.json)), tasks)
    patient_ids = sorted({s.patient_id for r in plan.routes for s in r.stops if s.patient_id})
    patients = (
        {p.id: p for p in repo.list_patients(session, ids=patient_ids, on=stored.date)} if patient_ids else {}
    )
    data = plan_to_json(plan)
    for route in data["routes"]:
        for stop in route["stops"]:
            patient = patients.get(stop.get("patient") or "")
            if patient is not None:
                stop["patient_name"], stop["address"] = patient.name, patient.address
    data["version"] = stored.version
    return data, patient_ids


def stored_problem(*, engine: Engine, date: dt.date) -> tuple[dict[str, Any], dict[str, Any]]:
    """The latest plan of ``date`` and its problem, both as JSON, for ``hjemme plan --out``."""
    with session_scope(engine) as session:
        stored = repo.latest_plan(session, date)
    if stored is None or stored.problem_json is None:
        raise NotFoundError("plan", date.isoformat())
    return json.loads(stored.json), json.loads(stored.problem_json)


def day_tasks(*, engine: Engine, date: dt.date, catalogue: Catalogue) -> list[Task]:
    """The day's tasks with deliveries and swaps taken from the order book and device register."""
    tasks = tasks_on(engine=engine, date=date, catalogue=catalogue)
    accepted = list_order_lines(engine=engine, status=LineStatus.ACCEPTED)
    managed = {ln.patient_id for ln in accepted if ln.delivery_date <= date <= ln.needed_by}
    if managed:
        tasks = [t for t in tasks if not (t.kind is TaskKind.DELIVERY and t.patient_id in managed)]
        tasks += order_delivery_tasks(engine=engine, date=date, catalogue=catalogue)
    with session_scope(engine) as session:
        register_in_use = bool(session.scalar(select(func.count()).select_from(DeviceRecord)))
    if register_in_use:
        tasks = [t for t in tasks if t.kind is not TaskKind.DEVICE_SWAP]
        tasks += [d.task for d in device_tasks(engine=engine, within_days=7, today=date) if d.date == date]
    known = {t.id for t in tasks}
    return [replace(t, before=tuple(b for b in t.before if b in known)) for t in tasks]


def own_staff_id(session: Session, principal: Principal) -> str | None:
    """The member of staff a user is linked to (a clinician's own routes), if any."""
    user = repo.get_user(session, principal.username)
    return user.staff_id if user is not None else None


def _own_routes(session: Session, principal: Principal, plan: Plan) -> list[Route]:
    staff_id = own_staff_id(session, principal)
    return [r for r in plan.routes if staff_id is not None and r.resource_id == staff_id]


def _cut_to_role(session: Session, principal: Principal, plan: Plan, tasks: Iterable[Task]) -> Plan:
    by_id = {t.id: t for t in tasks}
    if principal.role in PLANNERS:
        return plan
    if principal.role is Role.CLINICIAN:
        routes = tuple(_own_routes(session, principal, plan))
        own_tasks = {s.task_id for r in routes for s in r.stops if s.task_id}
        resource_ids = {r.resource_id for r in routes}
        # A sample is the clinician's when they carry it or took it at one of their visits.
        samples = tuple(
            s
            for s in plan.samples
            if s.carried_by in resource_ids or getattr(by_id.get(s.task_id), "taken_at", None) in own_tasks
        )
        return replace(plan, routes=routes, samples=samples, unplanned=())
    transport = tuple(r for r in plan.routes if r.kind in (ResourceKind.VAN, ResourceKind.COURIER))
    carriers = {r.resource_id for r in transport}
    return replace(
        plan,
        routes=transport,
        samples=tuple(s for s in plan.samples if s.carried_by in carriers),
        unplanned=tuple(
            u for u in plan.unplanned if u.task_id in by_id and by_id[u.task_id].kind in TRANSPORT_KINDS
        ),
    )
