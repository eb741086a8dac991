"""Reading a stored day plan for people to look at: the coordinator's whole day, a clinician's route.

The planner stores each plan as JSON (``store.repositories.latest_plan``); these use cases read the
latest version for a date, join the patients its stops visit, write one access-log row per patient
shown, and return plain view objects the web pages render. They are read-only: moving tasks and
re-planning belong to the planner's services.

The JSON is read by the planner's own :func:`hjemme.planning.plan_json.plan_from_json`; a stored
plan it cannot read raises ``InputError``. Clinicians' routes are matched by staff id, which is the
planner's resource id for a clinician (``planning.resources``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from hjemme.domain.plans import BREAK_STOP, Plan, PlanKpis, Route, Stop
from hjemme.domain.resources import ResourceKind
from hjemme.domain.security import Role
from hjemme.domain.time import format_hhmm
from hjemme.errors import InputError
from hjemme.planning.plan_json import KPI_KEYS, plan_from_json
from hjemme.services.access import log_access, require_role
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from hjemme.domain.people import Patient
    from hjemme.services.auth import Principal

PLAN_READERS = frozenset({Role.COORDINATOR})
"""Roles that see the whole day plan, with every patient's name and address."""
ROUTE_READERS = frozenset({Role.CLINICIAN})
"""Roles that see their own route of the day."""
TRANSPORT_READERS = frozenset({Role.LOGISTICS})
"""Roles that see the vans' and couriers' routes: addresses and parcels, no diagnosis (DESIGN §3)."""
TRANSPORT_KINDS = frozenset({ResourceKind.VAN, ResourceKind.COURIER})


@dataclass(frozen=True, slots=True)
class StopView:
    """One stop as a page shows it; ``patient_name``/``address`` are empty for lab drops and breaks."""

    task_id: str | None
    type: str
    patient_id: str | None
    patient_name: str
    address: str
    lat: float | None
    lon: float | None
    arrive_min: int
    start_min: int
    end_min: int
    window: str
    interpreter: bool = False
    phone: str = ""
    birth_year: int | None = None
    delivery_notes: str = ""
    access_notes: str = ""  # the two below only on a clinician's own route (need-to-know)
    next_of_kin: str = ""
    partner_resource: str | None = None  # a two-person visit: who does the other half (issue 16)
    partner_start_min: int | None = None

    @property
    def start(self) -> str:
        return format_hhmm(self.start_min)

    @property
    def partner_start(self) -> str:
        return format_hhmm(self.partner_start_min) if self.partner_start_min is not None else ""

    @property
    def end(self) -> str:
        return format_hhmm(self.end_min)


@dataclass(frozen=True, slots=True)
class RouteView:
    resource_id: str
    kind: str
    vehicle_id: str | None
    staff_id: str | None
    stops: tuple[StopView, ...]

    @property
    def start_min(self) -> int:
        """Where the route's timeline begins: the earliest bar drawn, a break included."""
        return min((s.start_min for s in self.stops), default=0)

    @property
    def end_min(self) -> int:
        return max((s.end_min for s in self.stops), default=0)

    @property
    def first_stop_min(self) -> int:
        """The start of the day's work: the first real stop (visit, video, delivery, lab drop …).

        A break, or the travel before the first stop, is not where a day begins; my day once read
        08:00 from a break's arrival when the first visit was at 11:00 (issue 11).
        """
        return min((s.start_min for s in self.stops if s.type != BREAK_STOP), default=self.start_min)

    @property
    def last_stop_min(self) -> int:
        """The end of the day's work: when the last real stop ends (a break after it does not count)."""
        return max((s.end_min for s in self.stops if s.type != BREAK_STOP), default=self.end_min)

    @property
    def task_count(self) -> int:
        return sum(1 for s in self.stops if s.task_id is not None)


@dataclass(frozen=True, slots=True)
class ResourceInfo:
    """Who or what works a route, as people name it: ``role`` is nurse, doctor, physiotherapist,
    psychologist, clinician (none of those), van or courier, read from the stored problem's skills."""

    id: str
    name: str
    kind: str
    role: str
    vehicle_id: str | None


@dataclass(frozen=True, slots=True)
class UnplannedView:
    task_id: str
    patient_id: str | None
    reason: Mapping[str, str]  # language code → text
    patient_name: str = ""

    def reason_in(self, language: str) -> str:
        return self.reason.get(language) or next(iter(self.reason.values()), "")


@dataclass(frozen=True, slots=True)
class DayPlanView:
    """The latest stored plan of a date, with the patients it visits."""

    date: dt.date
    version: int
    created_at: dt.datetime
    routes: tuple[RouteView, ...]
    unplanned: tuple[UnplannedView, ...]
    kpis: Mapping[str, Any] = field(default_factory=dict)
    resources: Mapping[str, ResourceInfo] = field(default_factory=dict)

    def name_of(self, resource_id: str | None) -> str:
        """A resource's name ("Elisabeth Moen"), its id only when the plan has no stored input."""
        info = self.resources.get(resource_id or "")
        return info.name if info is not None else (resource_id or "")

    @property
    def task_count(self) -> int:
        return sum(r.task_count for r in self.routes)


def read_day_plan(
    *, engine: Engine, principal: Principal, date: dt.date, client: str | None, at: dt.datetime
) -> DayPlanView | None:
    """The latest plan for ``date`` with every stop's patient, or ``None`` when none is stored."""
    require_role(principal, PLAN_READERS)
    found = _read(engine, principal, date, client, at, "day plan", lambda plan, _staff: plan.routes,
                  with_unplanned=True)
    if found is None:
        return None
    stored, plan, routes, names = found
    problem = _problem(stored)
    patient_of = {t["id"]: t.get("patient") for t in problem.get("tasks", ())}
    return DayPlanView(
        date=stored.date,
        version=stored.version,
        created_at=stored.created_at,
        routes=tuple(_route(r, names) for r in routes),
        unplanned=tuple(
            UnplannedView(
                u.task_id, patient_of.get(u.task_id),
                {"nb": u.reason, **({"en": u.reason_en} if u.reason_en else {})},
                _name(names, patient_of.get(u.task_id)),
            )
            for u in plan.unplanned
        ),
        kpis=_kpis(plan.kpis),
        resources=_resources(problem),
    )


def read_my_route(
    *, engine: Engine, principal: Principal, date: dt.date, client: str | None, at: dt.datetime
) -> tuple[DayPlanView | None, RouteView | None]:
    """The clinician's own route in the latest plan for ``date`` (matched by their staff id).

    Returns the plan (without other routes' patients) and the route, either ``None`` when there is
    no plan or the caller has no route in it. Only the patients on the caller's route are logged.
    """
    require_role(principal, ROUTE_READERS)

    def own(plan: Plan, staff_id: str | None) -> Sequence[Route]:
        return [r for r in plan.routes if staff_id is not None and r.resource_id == staff_id]

    found = _read(engine, principal, date, client, at, "own route", own)
    if found is None:
        return None, None
    stored, _plan, mine, names = found
    view = DayPlanView(
        date=stored.date, version=stored.version, created_at=stored.created_at, routes=(), unplanned=(),
        resources=_resources(_problem(stored)),
    )
    return view, (_route(mine[0], names, clinical=True) if mine else None)


def read_transport_routes(
    *, engine: Engine, principal: Principal, date: dt.date, client: str | None, at: dt.datetime
) -> DayPlanView | None:
    """The vans' and couriers' routes of the latest plan for ``date``: stops, times, names and
    addresses (a driver needs an address and a parcel, not a diagnosis); ``None`` without a plan.
    A user linked to a driver or courier sees that person's route only (issue 12)."""
    require_role(principal, TRANSPORT_READERS)

    def transport(plan: Plan, staff_id: str | None) -> Sequence[Route]:
        return [r for r in plan.routes
                if r.kind in TRANSPORT_KINDS and (staff_id is None or r.resource_id == staff_id)]

    found = _read(engine, principal, date, client, at, "transport routes", transport)
    if found is None:
        return None
    stored, _plan, routes, names = found
    return DayPlanView(
        date=stored.date,
        version=stored.version,
        created_at=stored.created_at,
        routes=tuple(_route(r, names) for r in routes),
        unplanned=(),
        resources=_resources(_problem(stored)),
    )


def _read(
    engine: Engine,
    principal: Principal,
    date: dt.date,
    client: str | None,
    at: dt.datetime,
    what: str,
    pick: Callable[[Plan, str | None], Sequence[Route]],
    *,
    with_unplanned: bool = False,
) -> tuple[repo.StoredPlan, Plan, Sequence[Route], dict[str, Patient]] | None:
    """Load the latest plan, keep the routes ``pick`` chooses (given the caller's staff id), join
    their patients (and, ``with_unplanned``, those of the tasks that did not fit) and access-log
    exactly those patients, in one transaction."""
    with session_scope(engine) as session:
        stored = repo.latest_plan(session, date)
        if stored is None:
            return None
        user = repo.get_user(session, principal.username)
        plan = _load(stored.json)
        routes = pick(plan, user.staff_id if user is not None else None)
        patient_ids = _patient_ids(routes)
        if with_unplanned:
            unplanned = {u.task_id for u in plan.unplanned}
            extra = [t.get("patient") for t in _problem(stored).get("tasks", ()) if t["id"] in unplanned]
            patient_ids = list(dict.fromkeys([*patient_ids, *(p for p in extra if p)]))
        patients = repo.list_patients(session, ids=patient_ids, on=date) if patient_ids else []
        log_access(
            session=session,
            principal=principal,
            patient_ids=patient_ids,
            resource=f"{what} {date.isoformat()}",
            client=client,
            at=at,
        )
    return stored, plan, routes, {p.id: p for p in patients}


# -- from the planner's plan to views -------------------------------------------------------------


def _load(text: str) -> Plan:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError("plan", f"the stored plan is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputError("plan", "the stored plan is not a JSON object")
    return plan_from_json(data)


def _patient_ids(routes: Sequence[Route]) -> list[str]:
    return list(dict.fromkeys(s.patient_id for r in routes for s in r.stops if s.patient_id))


def _problem(stored: repo.StoredPlan) -> dict[str, Any]:
    """The planning input stored with the plan (empty when the plan was stored without it)."""
    if not stored.problem_json:
        return {}
    data = json.loads(stored.problem_json)
    return data if isinstance(data, dict) else {}


CLINICAL_TITLES = (("doctor", "doctor"), ("nurse", "nurse"), ("physio", "physiotherapist"),
                   ("psychologist", "psychologist"))
"""A clinician's profession as the board names it, from the first skill that gives it away."""


def _resources(problem: Mapping[str, Any]) -> dict[str, ResourceInfo]:
    found: dict[str, ResourceInfo] = {}
    for r in problem.get("resources", ()):
        skills = set(r.get("skills") or ())
        role = r["kind"]
        if role == str(ResourceKind.CLINICIAN):
            role = next((title for skill, title in CLINICAL_TITLES if skill in skills), role)
        found[r["id"]] = ResourceInfo(r["id"], r.get("name") or r["id"], r["kind"], role, r.get("vehicle"))
    # namesakes (two nurses called Thea Andreassen) are told apart by their id wherever they are named
    counts = Counter(info.name for info in found.values())
    for rid, info in found.items():
        if counts[info.name] > 1 and info.name != rid:
            found[rid] = replace(info, name=f"{info.name} ({rid})")
    return found


def _name(patients: Mapping[str, Patient], patient_id: str | None) -> str:
    patient = patients.get(patient_id or "")
    return patient.name if patient is not None else ""


def _route(route: Route, names: Mapping[str, Patient], *, clinical: bool = False) -> RouteView:
    return RouteView(
        resource_id=route.resource_id,
        kind=str(route.kind),
        vehicle_id=route.vehicle_id,
        staff_id=route.resource_id if route.kind is ResourceKind.CLINICIAN else None,
        stops=tuple(_stop(s, names, clinical=clinical) for s in route.stops),
    )


def _stop(stop: Stop, patients: Mapping[str, Patient], *, clinical: bool) -> StopView:
    patient = patients.get(stop.patient_id) if stop.patient_id else None
    return StopView(
        task_id=stop.task_id,
        type=stop.type,
        patient_id=stop.patient_id,
        patient_name=patient.name if patient else "",
        address=patient.address if patient else "",
        lat=stop.location.lat if stop.location else None,
        lon=stop.location.lon if stop.location else None,
        arrive_min=stop.arrive_min,
        start_min=stop.start_min,
        end_min=stop.end_min,
        window=str(stop.window) if stop.window else "",
        interpreter=stop.interpreter,
        phone=patient.phone if patient else "",
        birth_year=patient.birth_year if patient else None,
        delivery_notes=patient.delivery_notes if patient else "",
        access_notes=patient.access_notes if patient and clinical else "",
        next_of_kin=patient.next_of_kin if patient and clinical else "",
        partner_resource=stop.partner.resource_id if stop.partner else None,
        partner_start_min=stop.partner.start_min if stop.partner else None,
    )


def _kpis(kpis: PlanKpis) -> dict[str, Any]:
    return {key: getattr(kpis, key) for key in KPI_KEYS}
