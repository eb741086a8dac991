"""Need-to-know by care relationship (issue 12): which patients may this principal see today?

The role decides *which fields* a caller sees (:mod:`hjemme.services.access`); the care
relationship decides *whose*. One function, :func:`care_scope`, answers it for every read of
patient data (API, FHIR, alarms, web pages and the CLI), so the rule has one home:

================  ======================================================================
role              patients in scope on day *D* (horizon *N*, ``HJEMME_CARE_HORIZON_DAYS``)
================  ======================================================================
clinician         on their own routes in the stored plans of *D* … *D+N*; their **team's
                  list**: patients of their clinic (the staff row's ``clinic``) enrolled
                  in the period; patients **assigned** to them (enrolment's preferred
                  staff, or a ``care_assignments`` row); patients opened by **emergency
                  access** that has not expired
logistics         patients they deliver to or collect from: deliveries, pick-ups and
                  device swaps on van/courier routes in the stored plans of the period
                  (a user linked to a driver or courier: that person's route only)
technician        likewise, device swaps only
patient           themself
coordinator,      everyone (they plan, monitor and administer the whole service; the
responder, admin  access log shows what they opened)
researcher        everyone, pseudonymised (see :mod:`hjemme.services.research`)
management        nobody
================  ======================================================================

A refused read raises :class:`~hjemme.errors.PermissionDeniedError` whether the patient exists
or not, so the answer never tells a caller which ids exist. Emergency access
(:func:`request_emergency_access`) is the clinician's way past the refusal: a stated reason,
a row in ``emergency_access`` for the administrator's review, and an access-log row with the
action ``emergency``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from hjemme.domain.plans import Plan
from hjemme.domain.resources import ResourceKind
from hjemme.domain.security import Role
from hjemme.domain.tasks import Task, TaskKind
from hjemme.domain.time import local_date
from hjemme.errors import InputError, NotFoundError, PermissionDeniedError
from hjemme.planning.plan_json import plan_from_json
from hjemme.services.access import log_access, require_role
from hjemme.services.auth import Principal
from hjemme.settings import get_settings
from hjemme.store import repositories as repo
from hjemme.store.care_tables import CareAssignmentRecord, EmergencyAccessRecord
from hjemme.store.database import session_scope
from hjemme.store.tables import EnrolmentRecord, PatientRecord, PlanRecord

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

UNRESTRICTED = frozenset({Role.ADMIN, Role.COORDINATOR, Role.RESPONDER, Role.RESEARCHER})
"""Roles whose work spans every patient; their reads are still access-logged one row per patient."""

CARRIED_KINDS: Mapping[Role, frozenset[TaskKind]] = {
    Role.LOGISTICS: frozenset({TaskKind.DELIVERY, TaskKind.PICKUP, TaskKind.DEVICE_SWAP}),
    Role.TECHNICIAN: frozenset({TaskKind.DEVICE_SWAP}),
}
"""The tasks a carrier role carries: no visits, video consultations or samples."""

TRANSPORT_ROUTES = frozenset({ResourceKind.VAN, ResourceKind.COURIER})
ASSIGNERS = frozenset({Role.ADMIN, Role.COORDINATOR})
EMERGENCY_ROLES = frozenset({Role.CLINICIAN})
REVIEWERS = frozenset({Role.ADMIN})
MIN_REASON = 10
MAX_REASON = 500


@dataclass(frozen=True, slots=True)
class CareScope:
    """Whose data a principal may see on ``on``: ``patient_ids`` ``None`` means everyone's.

    ``why`` says, per patient, the first relationship found (``route``, ``team``, ``assigned``,
    ``emergency``, ``carried``, ``self``): shown on the clinician's patient list.
    """

    on: dt.date
    patient_ids: frozenset[str] | None
    why: Mapping[str, str]

    def allows(self, patient_id: str) -> bool:
        return self.patient_ids is None or patient_id in self.patient_ids


@dataclass(frozen=True, slots=True)
class EmergencyAccess:
    """One emergency access as the administrator reviews it."""

    id: int
    username: str
    role: str
    patient_id: str
    reason: str
    granted_at: dt.datetime
    expires_at: dt.datetime
    client: str | None
    reviewed_by: str | None
    reviewed_at: dt.datetime | None


def horizon_days(value: int | None = None) -> int:
    """``value``, or the configured horizon (``HJEMME_CARE_HORIZON_DAYS``, default 7)."""
    return get_settings().care_horizon_days if value is None else value


# -- the scope ------------------------------------------------------------------------------------


def care_scope(
    session: Session, principal: Principal, at: dt.datetime, *, horizon: int | None = None
) -> CareScope:
    """The patients ``principal`` may see at ``at`` (in the caller's transaction)."""
    on = local_date(at)
    role = principal.role
    if role in UNRESTRICTED:
        return CareScope(on, None, {})
    if role is Role.PATIENT:
        own = {principal.patient_id: "self"} if principal.patient_id else {}
        return CareScope(on, frozenset(own), own)
    last = on + dt.timedelta(days=horizon_days(horizon))
    why: dict[str, str] = {}
    user = repo.get_user(session, principal.username)
    staff_id = user.staff_id if user is not None else None
    if role is Role.CLINICIAN:
        plans = _plans(session, on, last)
        _add(why, "route", _route_patients(plans, staff_id, None, None))
        _add(why, "team", _team_patients(session, staff_id, on, last))
        _add(why, "assigned", _assigned_patients(session, principal.username, staff_id, on, last))
        _add(why, "emergency", _emergency_patients(session, principal.username, at))
    elif role in CARRIED_KINDS:
        plans = _plans(session, on, last)
        _add(why, "carried", _route_patients(plans, staff_id, TRANSPORT_ROUTES, CARRIED_KINDS[role]))
    return CareScope(on, frozenset(why), why)


def my_scope(*, engine: Engine, principal: Principal, at: dt.datetime) -> CareScope:
    """:func:`care_scope` of the caller in a transaction of its own (the clinician's patient list)."""
    with session_scope(engine) as session:
        return care_scope(session, principal, at)


def scope_of_user(*, engine: Engine, principal: Principal, username: str, at: dt.datetime) -> CareScope:
    """Whose data ``username`` may see at ``at``: for coordinators and admins checking a user's
    need-to-know (``hjemme care patients``)."""
    require_role(principal, ASSIGNERS)
    with session_scope(engine) as session:
        user = repo.get_user(session, username)
        if user is None:
            raise NotFoundError("user", username)
        subject = Principal(user.username, user.role, user.patient_id)
        return care_scope(session, subject, at)


def require_in_care(session: Session, principal: Principal, patient_id: str, at: dt.datetime) -> None:
    """Refuse a read of ``patient_id`` outside the caller's care; the same answer whether or not
    the patient exists."""
    if not care_scope(session, principal, at).allows(patient_id):
        hint = " (emergency access: state a reason)" if principal.role in EMERGENCY_ROLES else ""
        raise PermissionDeniedError(f"patient {patient_id} is not in your care{hint}")


def carried_tasks(session: Session, principal: Principal, date: dt.date, tasks: Iterable[Task],
                  at: dt.datetime) -> list[Task]:
    """The tasks of ``date`` the caller may see: carriers the kinds they carry that are on the day's
    van and courier routes (a driver or courier linked to staff: their own route; before the day
    is planned, a logistics planner sees every task of their kinds); others their patients'."""
    role = principal.role
    if role in CARRIED_KINDS:
        kinds = CARRIED_KINDS[role]
        kept = [t for t in tasks if t.kind in kinds]
        user = repo.get_user(session, principal.username)
        staff_id = user.staff_id if user is not None else None
        plans = _plans(session, date, date)
        if plans or staff_id is not None:  # before the day is planned, a planner sees all it carries
            carried = _route_tasks(plans, staff_id)
            kept = [t for t in kept if t.id in carried]
        return kept
    scope = care_scope(session, principal, at)
    return [t for t in tasks if scope.allows(t.patient_id)]


def _add(why: dict[str, str], reason: str, patient_ids: Iterable[str]) -> None:
    for patient_id in patient_ids:
        why.setdefault(patient_id, reason)


@dataclass(frozen=True, slots=True)
class _RouteStops:
    """What the care rules read of a stored route: who works it, its kind, and its stops'
    (type, patient, task)."""

    resource_id: str
    kind: str
    stops: tuple[tuple[str, str | None, str | None], ...]


_ROUTES: OrderedDict[bytes, tuple[_RouteStops, ...]] = OrderedDict()
_ROUTES_LOCK = threading.Lock()
_ROUTES_KEPT = 64
"""Route summaries by a digest of the stored plan's JSON: a clinician's scope reads up to eight
plans of several hundred kilobytes each, and hashing one costs far less than reading it again."""


def _plans(session: Session, first: dt.date, last: dt.date) -> list[tuple[_RouteStops, ...]]:
    """The routes of the latest stored plan of each date from ``first`` to ``last``."""
    newest = (select(PlanRecord.date, func.max(PlanRecord.version).label("version"))
              .where(PlanRecord.date >= first, PlanRecord.date <= last).group_by(PlanRecord.date).subquery())
    query = select(PlanRecord.json).join(
        newest, (PlanRecord.date == newest.c.date) & (PlanRecord.version == newest.c.version))
    found = []
    for text in session.scalars(query):
        key = hashlib.blake2b(text.encode(), digest_size=20).digest()
        with _ROUTES_LOCK:
            routes = _ROUTES.get(key)
        if routes is None:
            routes = _summary(plan_from_json(json.loads(text)))
            with _ROUTES_LOCK:
                _ROUTES[key] = routes
                while len(_ROUTES) > _ROUTES_KEPT:
                    _ROUTES.popitem(last=False)
        found.append(routes)
    return found


def _summary(plan: Plan) -> tuple[_RouteStops, ...]:
    return tuple(_RouteStops(r.resource_id, str(r.kind), tuple((s.type, s.patient_id, s.task_id)
                                                                for s in r.stops))
                 for r in plan.routes)


def _route_patients(
    plans: Iterable[tuple[_RouteStops, ...]], staff_id: str | None,
    route_kinds: Collection[ResourceKind] | None, stop_kinds: Collection[TaskKind] | None,
) -> list[str]:
    """Patients on routes: ``staff_id``'s own (or, for carriers without a staff link, every route of
    ``route_kinds``), counting only stops of ``stop_kinds`` when given."""
    if staff_id is None and route_kinds is None:
        return []
    found: list[str] = []
    for routes in plans:
        for route in routes:
            mine = route.resource_id == staff_id if staff_id is not None else True
            if not mine or (route_kinds is not None and route.kind not in route_kinds):
                continue
            found += [patient for kind, patient, _task in route.stops
                      if patient and (stop_kinds is None or kind in stop_kinds)]
    return found


def _route_tasks(plans: Iterable[tuple[_RouteStops, ...]], staff_id: str | None) -> set[str]:
    """Task ids on ``staff_id``'s routes, or on every van and courier route without a staff link."""
    return {task for routes in plans for r in routes
            if (r.resource_id == staff_id if staff_id is not None else r.kind in TRANSPORT_ROUTES)
            for _kind, _patient, task in r.stops if task}


def _team_patients(session: Session, staff_id: str | None, first: dt.date, last: dt.date) -> list[str]:
    """The team's list: patients of the clinician's clinic with an enrolment in the period."""
    if staff_id is None:
        return []
    try:
        clinic = repo.get_staff(session, staff_id).clinic
    except NotFoundError:
        return []
    query = (select(EnrolmentRecord.patient_id)
             .join(PatientRecord, PatientRecord.id == EnrolmentRecord.patient_id)
             .where(PatientRecord.clinic == clinic, EnrolmentRecord.start_date <= last,
                    EnrolmentRecord.end_date >= first).distinct())
    return list(session.scalars(query))


def _assigned_patients(session: Session, username: str, staff_id: str | None, first: dt.date,
                       last: dt.date) -> list[str]:
    """Patients whose enrolment prefers this member of staff, and explicit care assignments."""
    found: list[str] = []
    if staff_id is not None:
        query = select(EnrolmentRecord.patient_id, EnrolmentRecord.preferred_staff_ids).where(
            EnrolmentRecord.start_date <= last, EnrolmentRecord.end_date >= first)
        found += [patient for patient, preferred in session.execute(query) if staff_id in (preferred or ())]
    rows = select(CareAssignmentRecord.patient_id).where(
        CareAssignmentRecord.username == username,
        (CareAssignmentRecord.until.is_(None)) | (CareAssignmentRecord.until >= first))
    return found + list(session.scalars(rows))


def _emergency_patients(session: Session, username: str, at: dt.datetime) -> list[str]:
    query = select(EmergencyAccessRecord.patient_id).where(
        EmergencyAccessRecord.username == username, EmergencyAccessRecord.expires_at > at)
    return list(session.scalars(query))


# -- assignments ----------------------------------------------------------------------------------


def assign_patient(*, engine: Engine, principal: Principal, username: str, patient_id: str,
                   at: dt.datetime, until: dt.date | None = None) -> None:
    """Put ``patient_id`` on ``username``'s list (until ``until``, inclusive, or for good)."""
    require_role(principal, ASSIGNERS)
    if until is not None and until < local_date(at):
        raise InputError("until", "must not be in the past")
    with session_scope(engine) as session:
        if repo.get_user(session, username) is None:
            raise NotFoundError("user", username)
        repo.get_patient(session, patient_id)
        session.add(CareAssignmentRecord(username=username, patient_id=patient_id, until=until,
                                         assigned_by=principal.username, assigned_at=at))
        log_access(session=session, principal=principal, patient_ids=[patient_id],
                   resource=f"care assignment to {username}", client=None, at=at, action="write")


def unassign_patient(*, engine: Engine, principal: Principal, username: str, patient_id: str,
                     at: dt.datetime) -> int:
    """Take ``patient_id`` off ``username``'s list; how many assignments were removed."""
    require_role(principal, ASSIGNERS)
    with session_scope(engine) as session:
        rows = list(session.scalars(select(CareAssignmentRecord).where(
            CareAssignmentRecord.username == username, CareAssignmentRecord.patient_id == patient_id)))
        for row in rows:
            session.delete(row)
        if rows:
            log_access(session=session, principal=principal, patient_ids=[patient_id],
                       resource=f"care assignment of {username} ended", client=None, at=at, action="write")
    return len(rows)


# -- emergency access -----------------------------------------------------------------------------


def request_emergency_access(
    *, engine: Engine, principal: Principal, patient_id: str, reason: str, at: dt.datetime,
    client: str | None, hours: int | None = None,
) -> EmergencyAccess:
    """Open ``patient_id`` outside the caller's care for ``hours`` with a stated reason ("nødtilgang").

    The grant is kept for the administrator's review and the access log gets a row with the action
    ``emergency`` and the reason; the reads that follow are logged as usual.
    """
    require_role(principal, EMERGENCY_ROLES)
    reason = " ".join(reason.split())
    if not MIN_REASON <= len(reason) <= MAX_REASON:
        raise InputError("reason", f"state the reason in {MIN_REASON} to {MAX_REASON} characters")
    hours = get_settings().emergency_access_hours if hours is None else hours
    with session_scope(engine) as session:
        repo.get_patient(session, patient_id)
        record = EmergencyAccessRecord(
            username=principal.username, role=str(principal.role), patient_id=patient_id, reason=reason,
            granted_at=at, expires_at=at + dt.timedelta(hours=hours), client_addr=client)
        session.add(record)
        session.flush()
        log_access(session=session, principal=principal, patient_ids=[patient_id],
                   resource=f"emergency access: {reason}"[:300], client=client, at=at, action="emergency")
        return _emergency(record)


def list_emergency_access(*, engine: Engine, principal: Principal, unreviewed_only: bool = False,
                          limit: int = 500) -> list[EmergencyAccess]:
    """Emergency accesses, newest first, for the administrator's review."""
    require_role(principal, REVIEWERS)
    query = select(EmergencyAccessRecord)
    if unreviewed_only:
        query = query.where(EmergencyAccessRecord.reviewed_at.is_(None))
    newest_first = (EmergencyAccessRecord.granted_at.desc(), EmergencyAccessRecord.id.desc())
    query = query.order_by(*newest_first).limit(limit)
    with session_scope(engine) as session:
        return [_emergency(r) for r in session.scalars(query)]


def review_emergency_access(*, engine: Engine, principal: Principal, access_id: int,
                            at: dt.datetime) -> EmergencyAccess:
    """Mark one emergency access as reviewed by the administrator."""
    require_role(principal, REVIEWERS)
    with session_scope(engine) as session:
        record = session.get(EmergencyAccessRecord, access_id)
        if record is None:
            raise NotFoundError("emergency access", access_id)
        record.reviewed_by, record.reviewed_at = principal.username, at
        session.flush()
        return _emergency(record)


def _emergency(record: EmergencyAccessRecord) -> EmergencyAccess:
    return EmergencyAccess(record.id, record.username, record.role, record.patient_id, record.reason,
                           record.granted_at, record.expires_at, record.client_addr, record.reviewed_by,
                           record.reviewed_at)
