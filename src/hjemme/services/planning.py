"""Day planning use cases: plan a date, re-plan it after a change, pin tasks, read a plan by role.

Each use case loads what the pure planner needs, calls it, re-checks the result with the
independent validator and stores plan *and* problem together (a new version per date), so a
re-plan starts from exactly the tasks and resources of the plan it changes, and ``hjemme validate``
can re-check any stored plan against its own input.

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
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain.plans import Plan, Route
from hjemme.domain.resources import ResourceKind
from hjemme.domain.security import Role
from hjemme.domain.tasks import TRANSPORT_KINDS, Task, TaskKind
from hjemme.domain.time import MINUTES_PER_DAY, TimeWindow, local_date, local_minute
from hjemme.errors import InfeasibleError, InputError, NotFoundError
from hjemme.geo import make_provider
from hjemme.logistics.orders import LineStatus
from hjemme.planning.params import PlannerParams
from hjemme.planning.plan_json import plan_from_json, plan_to_json
from hjemme.planning.problem import Problem, build_problem
from hjemme.planning.problem_json import problem_from_json, problem_to_json
from hjemme.planning.replan import AbsentStaff, AddUrgentVisit, CancelTask, Change, replan
from hjemme.planning.resources import build_resources
from hjemme.planning.solve import solve
from hjemme.planning.validate import Violation, validate_plan
from hjemme.services import plan_cache
from hjemme.services.access import SYSTEM, log_access, require_role
from hjemme.services.auth import Principal
from hjemme.services.logistics import device_tasks, list_order_lines, order_delivery_tasks
from hjemme.services.workload import tasks_on
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.logistics_tables import DeviceRecord

PLANNERS = frozenset({Role.COORDINATOR, Role.ADMIN})
"""Roles that may make, change and pin plans."""
PLAN_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN, Role.CLINICIAN, Role.LOGISTICS})
"""Roles that may read (their part of) a plan."""
PIN_STATUSES = frozenset({"confirmed", "started", "done"})
URGENT_VISIT_MIN = 45
URGENT_WINDOW_MIN = 240


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    """A stored plan: its version for the date, the plan, and the problem it was made from."""

    version: int
    plan: Plan
    problem: Problem


@dataclass(frozen=True, slots=True)
class ReplanRequest:
    """One change to today's plan; exactly one of the three is set."""

    add_urgent_patient: str | None = None
    cancel_task: str | None = None
    absent_staff: str | None = None

    def __post_init__(self) -> None:
        given = [v for v in (self.add_urgent_patient, self.cancel_task, self.absent_staff) if v]
        if len(given) != 1:
            raise InputError("add-urgent", "give exactly one of --add-urgent, --cancel or --absent")


def plan_day(
    *,
    engine: Engine,
    date: dt.date,
    now: dt.datetime,
    params: PlannerParams | None = None,
    provider_name: str = "builtin",
    catalogue: Catalogue | None = None,
    principal: Principal = SYSTEM,
    client: str | None = None,
) -> PlanOutcome:
    """Plan ``date`` from the stored enrolments, roster and fleet; store it as the next version.

    The plan is a write of every planned patient's data: it is access-logged as ``principal``
    (the ``system`` user when a background job plans).
    """
    require_role(principal, PLANNERS)
    catalogue = catalogue or load_catalogue()
    tasks = day_tasks(engine=engine, date=date, catalogue=catalogue)
    with session_scope(engine) as session:
        staff = repo.list_staff(session)
        vehicles = repo.list_vehicles(session)
    if not staff:
        raise InputError("date", "no staff on the roster: seed the database first (hjemme seed)")
    resources = build_resources(staff, vehicles, catalogue.sites)
    problem = build_problem(date, tasks, resources, catalogue.lab.location, make_provider(provider_name))
    plan = solve(problem, params)
    return store_plan(engine=engine, problem=problem, plan=plan, now=now, principal=principal, client=client)


def replan_day(
    *,
    engine: Engine,
    date: dt.date,
    request: ReplanRequest,
    now: dt.datetime,
    extra_pins: Iterable[str] = (),
    params: PlannerParams | None = None,
    provider_name: str = "builtin",
    principal: Principal = SYSTEM,
    client: str | None = None,
) -> PlanOutcome:
    """Apply one change to the latest plan of ``date`` and plan again, keeping pinned stops in place.

    Pinned are the tasks marked confirmed, started or done, those given in ``extra_pins``, and —
    when ``now`` falls on ``date`` in the hospital's time zone — every stop that has already begun.
    """
    require_role(principal, PLANNERS)
    with session_scope(engine) as session:
        stored = repo.latest_plan(session, date)
        if stored is None:
            raise NotFoundError("plan", date.isoformat())
        if stored.problem_json is None:
            raise InputError("date", f"plan {date} v{stored.version} has no stored input; plan again")
        pins = set(repo.pinned_tasks(session, date)) | set(extra_pins)
        urgent: Task | None = None
        problem_input = problem_from_json(json.loads(stored.problem_json))
        if request.add_urgent_patient:
            urgent = _urgent_visit(session, date, request.add_urgent_patient, problem_input.tasks, now)
    previous = plan_from_json(json.loads(stored.json))
    problem = build_problem(
        date, problem_input.tasks, problem_input.resources, problem_input.lab, make_provider(provider_name)
    )
    change = _change(problem, request, urgent)
    unknown = sorted(pins - set(problem.tasks_by_id))
    if unknown:
        raise InputError("pin", f"unknown task(s) {', '.join(unknown)} in the plan of {date}")
    if local_date(now) == date:
        minute = local_minute(now)
        pins |= {s.task_id for r in previous.routes for s in r.stops if s.task_id and s.start_min <= minute}
    params = params or PlannerParams(time_limit_s=0.5, rounds=1)
    changed, plan = replan(problem, previous, change, pins, params)
    return store_plan(engine=engine, problem=changed, plan=plan, now=now, principal=principal, client=client)


def pin_task(
    *, engine: Engine, principal: Principal, date: dt.date, task_id: str, status: str, at: dt.datetime
) -> None:
    """Mark a task confirmed, started or done: re-planning then keeps it where it is.

    Coordinators may pin any task of the plan; a clinician only the tasks on their own route.
    """
    if status not in PIN_STATUSES:
        raise InputError("status", f"must be one of {', '.join(sorted(PIN_STATUSES))}, not {status!r}")
    require_role(principal, PLANNERS | {Role.CLINICIAN})
    with session_scope(engine) as session:
        stored = repo.latest_plan(session, date)
        if stored is None:
            raise NotFoundError("plan", date.isoformat())
        plan = plan_from_json(json.loads(stored.json))
        routes = plan.routes
        if principal.role is Role.CLINICIAN:
            routes = tuple(_own_routes(session, principal, plan))
        stop = next((s for r in routes for s in r.stops if s.task_id == task_id), None)
        if stop is None:
            raise NotFoundError("task on your plan", task_id)
        repo.pin_task(session, date=date, task_id=task_id, status=status, username=principal.username, at=at)
        if stop.patient_id:
            log_access(
                session=session,
                principal=principal,
                patient_ids=[stop.patient_id],
                resource=f"task {task_id} {status}",
                client=None,
                at=at,
                action="write",
            )


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
    patients = {p.id: p for p in repo.list_patients(session, ids=patient_ids)} if patient_ids else {}
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


def store_plan(
    *,
    engine: Engine,
    problem: Problem,
    plan: Plan,
    now: dt.datetime,
    principal: Principal,
    client: str | None,
    pin: tuple[str, str] | None = None,
) -> PlanOutcome:
    """Re-check ``plan`` independently and store it with its problem as the date's next version.

    An invalid plan is refused (:class:`InfeasibleError`) and nothing is stored. ``pin`` (task id,
    status) records a task fixed by hand in the same transaction. The write is access-logged for
    every patient of the day.
    """
    violations = validate_plan(plan, problem.tasks, problem.resources, problem.provider, problem.lab)
    if violations:
        raise InfeasibleError(_violations_text(violations))
    problem_json = problem_to_json(problem.date, problem.lab, problem.tasks, problem.resources)
    with session_scope(engine) as session:
        stored = repo.save_plan(
            session,
            date=problem.date,
            plan_json=json.dumps(plan_to_json(plan), ensure_ascii=False),
            problem_json=json.dumps(problem_json, ensure_ascii=False),
            created_at=now,
        )
        if pin is not None:
            repo.pin_task(
                session, date=problem.date, task_id=pin[0], status=pin[1], username=principal.username, at=now
            )
        log_access(
            session=session,
            principal=principal,
            patient_ids=sorted({t.patient_id for t in problem.tasks}),
            resource=f"plan {problem.date.isoformat()} v{stored.version}",
            client=client,
            at=now,
            action="write",
        )
    return PlanOutcome(stored.version, plan, problem)


def _violations_text(violations: list[Violation]) -> str:
    shown = "; ".join(str(v) for v in violations[:5])
    more = f" (and {len(violations) - 5} more)" if len(violations) > 5 else ""
    return f"the planner produced an invalid plan, not stored: {shown}{more}"


def _change(problem: Problem, request: ReplanRequest, urgent: Task | None) -> Change:
    if urgent is not None:
        return AddUrgentVisit(urgent)
    if request.cancel_task:
        if request.cancel_task not in problem.tasks_by_id:
            raise NotFoundError("task", request.cancel_task)
        return CancelTask(request.cancel_task)
    staff_id = request.absent_staff or ""
    if not any(r.staff_id == staff_id for r in problem.resources):
        raise NotFoundError("staff on today's plan", staff_id)
    return AbsentStaff(staff_id)


def _urgent_visit(
    session: Session, date: dt.date, patient_id: str, tasks: Iterable[Task], now: dt.datetime
) -> Task:
    """An urgent, mandatory visit for ``patient_id`` from now (or 07:00) for up to four hours."""
    patient = repo.get_patient(session, patient_id)
    if patient is None:
        raise NotFoundError("patient", patient_id)
    enrolments = repo.list_enrolments(session, patient_id=patient_id, active_on=date)
    if not enrolments:
        raise InputError("add-urgent", f"patient {patient_id} has no enrolment active on {date}")
    enrolment = enrolments[0]
    pathway = load_catalogue().pathways.get(enrolment.pathway_id)
    skill = pathway.visits[0].skill if pathway is not None and pathway.visits else "nurse"
    start = 7 * 60 if local_date(now) != date else max(7 * 60, local_minute(now))
    start = min(start, MINUTES_PER_DAY - URGENT_VISIT_MIN)
    taken = sum(1 for t in tasks if t.id.startswith(f"{enrolment.id}-{date:%Y%m%d}-U"))
    return Task(
        id=f"{enrolment.id}-{date:%Y%m%d}-U{taken}",
        kind=TaskKind.VISIT,
        patient_id=patient.id,
        enrolment_id=enrolment.id,
        pathway_id=enrolment.pathway_id,
        location=patient.location,
        duration_min=URGENT_VISIT_MIN,
        window=TimeWindow(start, min(MINUTES_PER_DAY, start + URGENT_WINDOW_MIN)),
        skill=skill,
        interpreter=patient.needs_interpreter,
        excluded_staff_ids=enrolment.excluded_staff_ids,
    )


def _own_routes(session: Session, principal: Principal, plan: Plan) -> list[Route]:
    user = repo.get_user(session, principal.username)
    staff_id = user.staff_id if user is not None else None
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
