"""Need-to-know by care relationship (issue 12): each rule of ``services.care`` holds and is violated.

The world: nurses ``N1`` (clinic ``haematology``) and ``N2`` (clinic ``lung``), van driver ``D1``
and ``D2``; users ``nurse1`` (``N1``), ``nurse0`` (no staff link), ``driver1`` (logistics, ``D1``),
``planner`` (logistics, no link), ``mta`` (technician). Today is 2026-11-23 (Oslo).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine, select

from hjemme.domain.geo import Location
from hjemme.domain.plans import Plan, PlanKpis, Route, Stop
from hjemme.domain.resources import ResourceKind
from hjemme.domain.security import Role
from hjemme.domain.tasks import Task, TaskKind
from hjemme.domain.time import TimeWindow
from hjemme.errors import InputError, NotFoundError, PermissionDeniedError
from hjemme.planning.plan_json import plan_to_json
from hjemme.services import care
from hjemme.services.auth import Principal
from hjemme.services.patients import read_patient
from hjemme.services.plans_view import read_transport_routes
from hjemme.store import repositories as repo
from hjemme.store.care_tables import EmergencyAccessRecord
from hjemme.store.database import session_scope
from hjemme.store.tables import AccessLogRecord
from tests.store import factories

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 23)
NURSE = Principal("nurse1", Role.CLINICIAN)
UNLINKED = Principal("nurse0", Role.CLINICIAN)
DRIVER = Principal("driver1", Role.LOGISTICS)
PLANNER = Principal("planner", Role.LOGISTICS)
MTA = Principal("mta", Role.TECHNICIAN)
ADMIN = Principal("admin", Role.ADMIN)
KEY = "research-key-for-tests-0123456789-0123456789"


def _stop(task_id: str, kind: str, patient_id: str) -> Stop:
    return Stop(task_id, kind, patient_id, Location(59.93, 10.73), 540, 540, 560, TimeWindow(480, 960))


def _plan(date: dt.date, *routes: Route) -> str:
    return json.dumps(plan_to_json(Plan(date, routes, (), (), PlanKpis(0, 0, 0.0, 0.0, 0.0, 0.0, 0, 0.0, 0.0))))


@pytest.fixture
def world(db_engine: Engine) -> Engine:
    """Patients P01–P12 (see each test), two nurses, two drivers, the users and no plans yet."""
    with session_scope(db_engine) as session:
        clinics = {"P05": "haematology", "P06": "haematology", "P07": "lung"}
        repo.add_patients(session, [factories.patient(f"P{i:02d}", clinic=clinics.get(f"P{i:02d}", "other"))
                                    for i in range(1, 13)])
        repo.add_enrolments(session, [
            factories.enrolment("E05", "P05", start_date=TODAY, length_days=5, preferred_staff_ids=()),
            # P06 is of N1's clinic but left before today (and does not come back in the period).
            factories.enrolment("E06", "P06", start_date=TODAY - dt.timedelta(days=10), length_days=5,
                                preferred_staff_ids=()),
            factories.enrolment("E07", "P07", start_date=TODAY, length_days=5, preferred_staff_ids=()),
            factories.enrolment("E08", "P08", start_date=TODAY, length_days=5, preferred_staff_ids=("N1",)),
            factories.enrolment("E09", "P09", start_date=TODAY, length_days=5, preferred_staff_ids=("N2",)),
        ])
        repo.add_staff(session, [factories.nurse("N1", clinic="haematology"), factories.nurse("N2", clinic="lung"),
                                 factories.nurse("D1", clinic="transport"), factories.nurse("D2", clinic="transport")])
        for name, role, staff in (("nurse1", Role.CLINICIAN, "N1"), ("nurse0", Role.CLINICIAN, None),
                                  ("driver1", Role.LOGISTICS, "D1"), ("planner", Role.LOGISTICS, None),
                                  ("mta", Role.TECHNICIAN, None), ("admin", Role.ADMIN, None)):
            repo.add_user(session, username=name, password_hash="x", role=role, created_at=NOW, staff_id=staff)
    return db_engine


def _save(engine: Engine, date: dt.date, *routes: Route) -> None:
    with session_scope(engine) as session:
        repo.save_plan(session, date=date, plan_json=_plan(date, *routes), created_at=NOW)


def _scope(engine: Engine, principal: Principal, horizon: int | None = None) -> care.CareScope:
    with session_scope(engine) as session:
        return care.care_scope(session, principal, NOW, horizon=horizon)


def test_own_route_today_is_in_care_and_another_nurses_route_is_not(world: Engine) -> None:
    """A patient on the clinician's own route today is in their care; one on a colleague's is not."""
    _save(world, TODAY, Route("N1", ResourceKind.CLINICIAN, None, (_stop("t1", "visit", "P01"),)),
          Route("N2", ResourceKind.CLINICIAN, None, (_stop("t2", "visit", "P02"),)))
    scope = _scope(world, NURSE)
    assert scope.allows("P01") and scope.why["P01"] == "route"
    assert not scope.allows("P02")


def test_routes_count_up_to_the_horizon_and_not_beyond(world: Engine) -> None:
    """Routes of the coming days count up to the horizon (inclusive); a later one does not."""
    _save(world, TODAY + dt.timedelta(days=2), Route("N1", ResourceKind.CLINICIAN, None, (_stop("a", "visit", "P03"),)))
    _save(world, TODAY + dt.timedelta(days=3), Route("N1", ResourceKind.CLINICIAN, None, (_stop("b", "visit", "P04"),)))
    scope = _scope(world, NURSE, horizon=2)
    assert scope.allows("P03") and not scope.allows("P04")
    assert _scope(world, NURSE, horizon=3).allows("P04")


def test_only_the_latest_plan_version_counts(world: Engine) -> None:
    """A patient moved off the clinician's route by a re-plan is no longer in their care through it."""
    _save(world, TODAY, Route("N1", ResourceKind.CLINICIAN, None, (_stop("t1", "visit", "P01"),)))
    _save(world, TODAY, Route("N2", ResourceKind.CLINICIAN, None, (_stop("t1", "visit", "P01"),)))
    assert not _scope(world, NURSE).allows("P01")


def test_team_list_is_the_clinics_enrolled_patients(world: Engine) -> None:
    """The clinic's patients enrolled in the period are the team's list; those who left or belong to
    another clinic are not."""
    scope = _scope(world, NURSE)
    assert scope.allows("P05") and scope.why["P05"] == "team"
    assert not scope.allows("P06")  # enrolment ended before today
    assert not scope.allows("P07")  # another clinic


def test_preferred_staff_of_an_enrolment_is_an_assignment(world: Engine) -> None:
    """An enrolment naming the clinician as preferred staff puts its patient in their care; one naming
    a colleague does not."""
    scope = _scope(world, NURSE)
    assert scope.why.get("P08") == "assigned"
    assert not scope.allows("P09")


def test_explicit_assignment_holds_until_its_end_and_can_be_ended(world: Engine) -> None:
    """An assignment puts the patient in care until its last day; an expired or ended one does not."""
    care.assign_patient(engine=world, principal=ADMIN, username="nurse0", patient_id="P10", at=NOW)
    assert _scope(world, UNLINKED).why.get("P10") == "assigned"
    care.assign_patient(engine=world, principal=ADMIN, username="nurse0", patient_id="P11", at=NOW, until=TODAY)
    later = NOW + dt.timedelta(days=1)
    with session_scope(world) as session:
        assert not care.care_scope(session, UNLINKED, later).allows("P11")
    assert care.unassign_patient(engine=world, principal=ADMIN, username="nurse0", patient_id="P10", at=NOW) == 1
    assert not _scope(world, UNLINKED).allows("P10")


def test_only_coordinators_and_admins_assign_and_not_into_the_past(world: Engine) -> None:
    """A clinician may not assign patients to themself; an end date in the past is refused naming it."""
    with pytest.raises(PermissionDeniedError):
        care.assign_patient(engine=world, principal=NURSE, username="nurse1", patient_id="P12", at=NOW)
    with pytest.raises(InputError) as error:
        care.assign_patient(engine=world, principal=ADMIN, username="nurse1", patient_id="P12", at=NOW,
                            until=TODAY - dt.timedelta(days=1))
    assert error.value.field == "until"
    with pytest.raises(NotFoundError):
        care.assign_patient(engine=world, principal=ADMIN, username="nobody", patient_id="P12", at=NOW)


def test_a_clinician_without_staff_link_or_assignment_sees_nobody(world: Engine) -> None:
    """A clinician account with no staff link and no assignment has nobody in its care."""
    _save(world, TODAY, Route("N1", ResourceKind.CLINICIAN, None, (_stop("t1", "visit", "P01"),)))
    assert _scope(world, UNLINKED).patient_ids == frozenset()


def test_refused_read_is_the_same_for_an_unknown_and_a_known_patient(world: Engine) -> None:
    """Outside their care a clinician gets the same refusal whether or not the patient exists."""
    for ref in ("P12", "P99"):
        with pytest.raises(PermissionDeniedError) as refused:
            read_patient(engine=world, principal=NURSE, patient_ref=ref, client=None, at=NOW, research_key=KEY)
        assert "not in your care" in str(refused.value)


def test_emergency_access_opens_the_patient_until_it_expires(world: Engine) -> None:
    """Emergency access with a reason opens the patient, is logged as such and expires."""
    grant = care.request_emergency_access(engine=world, principal=NURSE, patient_id="P12",
                                          reason="Patient rang the ward, own nurse ill", at=NOW, client="10.0.0.1",
                                          hours=2)
    assert grant.expires_at == NOW + dt.timedelta(hours=2)
    assert _scope(world, NURSE).why.get("P12") == "emergency"
    view = read_patient(engine=world, principal=NURSE, patient_ref="P12", client=None, at=NOW, research_key=KEY)
    assert view["id"] == "P12"
    with session_scope(world) as session:
        expired = care.care_scope(session, NURSE, NOW + dt.timedelta(hours=2))
        rows = list(session.scalars(select(AccessLogRecord).where(AccessLogRecord.action == "emergency")))
    assert not expired.allows("P12")
    assert [(r.username, r.patient_id, r.client_addr) for r in rows] == [("nurse1", "P12", "10.0.0.1")]
    assert "own nurse ill" in rows[0].resource


def test_emergency_access_needs_a_reason_and_writes_nothing_without(world: Engine) -> None:
    """A reason shorter than ten characters is refused naming the field, and nothing is stored."""
    with pytest.raises(InputError) as error:
        care.request_emergency_access(engine=world, principal=NURSE, patient_id="P12", reason="  need  ",
                                      at=NOW, client=None)
    assert error.value.field == "reason"
    with session_scope(world) as session:
        assert session.scalars(select(EmergencyAccessRecord)).first() is None
    with pytest.raises(PermissionDeniedError):  # only clinicians ask for it
        care.request_emergency_access(engine=world, principal=DRIVER, patient_id="P12",
                                      reason="I want to see it all", at=NOW, client=None)


def test_emergency_accesses_are_listed_and_reviewed_by_admins_only(world: Engine) -> None:
    """The administrator lists emergency accesses, newest first, and marks them reviewed; nobody else may."""
    grant = care.request_emergency_access(engine=world, principal=NURSE, patient_id="P12",
                                          reason="Urgent call from home", at=NOW, client=None)
    (listed,) = care.list_emergency_access(engine=world, principal=ADMIN, unreviewed_only=True)
    assert (listed.username, listed.patient_id, listed.reason) == ("nurse1", "P12", "Urgent call from home")
    care.review_emergency_access(engine=world, principal=ADMIN, access_id=grant.id, at=NOW)
    assert care.list_emergency_access(engine=world, principal=ADMIN, unreviewed_only=True) == []
    assert care.list_emergency_access(engine=world, principal=ADMIN)[0].reviewed_by == "admin"
    with pytest.raises(PermissionDeniedError):
        care.list_emergency_access(engine=world, principal=NURSE)


def test_logistics_sees_only_the_patients_it_delivers_to_or_collects_from(world: Engine) -> None:
    """A logistics planner sees the patients of deliveries, pick-ups and swaps on van and courier routes,
    not those of visits or samples."""
    _save(world, TODAY,
          Route("D1", ResourceKind.VAN, "V1", (_stop("d", "delivery", "P01"), _stop("p", "pickup", "P02"))),
          Route("D2", ResourceKind.COURIER, "C1", (_stop("s", "sample", "P03"), _stop("w", "device_swap", "P04"))),
          Route("N1", ResourceKind.CLINICIAN, None, (_stop("v", "visit", "P05"),)))
    scope = _scope(world, PLANNER)
    assert scope.patient_ids == frozenset({"P01", "P02", "P04"})


def test_a_driver_sees_only_their_own_route(world: Engine) -> None:
    """A logistics user linked to a driver sees the patients on that driver's route, not on another van's."""
    _save(world, TODAY, Route("D1", ResourceKind.VAN, "V1", (_stop("d", "delivery", "P01"),)),
          Route("D2", ResourceKind.VAN, "V2", (_stop("e", "delivery", "P02"),)))
    scope = _scope(world, DRIVER)
    assert scope.allows("P01") and not scope.allows("P02")


def test_technicians_see_device_swaps_only(world: Engine) -> None:
    """A technician sees the patients of device swaps, not those of deliveries."""
    _save(world, TODAY, Route("D1", ResourceKind.VAN, "V1", (_stop("d", "delivery", "P01"),
                                                              _stop("w", "device_swap", "P02"))))
    assert _scope(world, MTA).patient_ids == frozenset({"P02"})


def _task(task_id: str, kind: TaskKind, patient_id: str) -> Task:
    return Task(task_id, kind, patient_id, "E", "ahs_blood", Location(59.9, 10.7), 20, TimeWindow(480, 960))


def test_carriers_get_only_the_tasks_they_carry(world: Engine) -> None:
    """Logistics gets deliveries, pick-ups and swaps (on the day's transport routes once planned); a
    driver only those on their route; visits, videos and samples never."""
    tasks = [_task("v", TaskKind.VISIT, "P01"), _task("c", TaskKind.VIDEO, "P01"), _task("s", TaskKind.SAMPLE, "P01"),
             _task("d", TaskKind.DELIVERY, "P02"), _task("p", TaskKind.PICKUP, "P03"),
             _task("w", TaskKind.DEVICE_SWAP, "P04")]
    with session_scope(world) as session:
        before = [t.id for t in care.carried_tasks(session, PLANNER, TODAY, tasks, NOW)]
    assert before == ["d", "p", "w"]  # nothing planned yet: all the kinds it carries
    _save(world, TODAY, Route("D1", ResourceKind.VAN, "V1", (_stop("d", "delivery", "P02"),)),
          Route("D2", ResourceKind.VAN, "V2", (_stop("w", "device_swap", "P04"),)))
    with session_scope(world) as session:
        assert [t.id for t in care.carried_tasks(session, PLANNER, TODAY, tasks, NOW)] == ["d", "w"]
        assert [t.id for t in care.carried_tasks(session, DRIVER, TODAY, tasks, NOW)] == ["d"]
        assert [t.id for t in care.carried_tasks(session, MTA, TODAY, tasks, NOW)] == ["w"]


def test_clinicians_get_the_tasks_of_their_patients_only(world: Engine) -> None:
    """A clinician's task list holds their patients' tasks of every kind and nobody else's."""
    tasks = [_task("a", TaskKind.VISIT, "P08"), _task("b", TaskKind.DELIVERY, "P08"), _task("c", TaskKind.VISIT, "P09")]
    with session_scope(world) as session:
        assert [t.id for t in care.carried_tasks(session, NURSE, TODAY, tasks, NOW)] == ["a", "b"]


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR, Role.RESPONDER, Role.RESEARCHER])
def test_service_wide_roles_are_not_limited(world: Engine, role: Role) -> None:
    """Coordinators, responders, admins and (pseudonymised) researchers work across all patients."""
    assert _scope(world, Principal("x", role)).patient_ids is None


def test_the_patient_sees_only_itself_and_management_nobody(world: Engine) -> None:
    """The patient role's scope is itself; management has no patient in scope."""
    assert _scope(world, Principal("p", Role.PATIENT, "P01")).patient_ids == frozenset({"P01"})
    assert _scope(world, Principal("m", Role.MANAGEMENT)).patient_ids == frozenset()


def test_a_drivers_van_page_shows_their_route_and_a_planners_every_van(world: Engine) -> None:
    """The transport routes read (the van page) gives a driver their own route, a planner every van's."""
    _save(world, TODAY, Route("D1", ResourceKind.VAN, "V1", (_stop("d", "delivery", "P01"),)),
          Route("D2", ResourceKind.VAN, "V2", (_stop("e", "delivery", "P02"),)))
    driver = read_transport_routes(engine=world, principal=DRIVER, date=TODAY, client=None, at=NOW)
    planner = read_transport_routes(engine=world, principal=PLANNER, date=TODAY, client=None, at=NOW)
    assert driver is not None and [r.resource_id for r in driver.routes] == ["D1"]
    assert planner is not None and [r.resource_id for r in planner.routes] == ["D1", "D2"]
