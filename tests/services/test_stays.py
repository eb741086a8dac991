"""Stays, staff and vehicles as registers (issue 13): changes to a planned day go through its journal,
days not yet planned follow from the stored data, and bad input writes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine, func, select

from hjemme.catalogue import load_catalogue
from hjemme.domain.journal import EntryKind
from hjemme.domain.time import at_local
from hjemme.errors import InputError, PermissionDeniedError
from hjemme.planning.params import PlannerParams
from hjemme.planning.problem_json import problem_from_json
from hjemme.services import availability, stays
from hjemme.services.access import SYSTEM
from hjemme.services.auth import Principal
from hjemme.services.journal import plan_day
from hjemme.services.seeding import seed_population
from hjemme.services.workload import tasks_on
from hjemme.store import journal as journal_repo
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.realdata_tables import StayChangeRecord
from hjemme.store.tables import AccessLogRecord, EnrolmentRecord, PatientRecord

DATE = dt.date(2026, 11, 23)
NOW = at_local(DATE, 7 * 60)
FAST = PlannerParams(time_limit_s=0.3, rounds=1)
TOMORROW = DATE + dt.timedelta(days=1)


def _admission(**changes: object) -> stays.Admission:
    values: dict[str, object] = dict(
        name="Kari Test",
        birth_year=1950,
        address="Sannergata 12, 0557 Oslo",
        district="grunerlokka",
        pathway_id="wound_care",
        start_date=DATE,
        length_days=10,
        national_id="01015012345",
        access_notes="Nøkkelboks 1234",
        next_of_kin="Ola (sønn) 98765432",
    )
    values.update(changes)
    return stays.Admission(**values)  # type: ignore[arg-type]


@pytest.fixture
def seeded(db_engine: Engine) -> Engine:
    seed_population(engine=db_engine, n_patients=12, seed=3, date=DATE)
    return db_engine


@pytest.fixture
def planned(seeded: Engine) -> Engine:
    plan_day(engine=seeded, date=DATE, now=NOW, params=FAST)
    return seeded


def _latest_tasks(engine: Engine, date: dt.date = DATE) -> set[str]:
    with session_scope(engine) as session:
        stored = repo.latest_plan(session, date)
    assert stored is not None and stored.problem_json is not None
    return {t.id for t in problem_from_json(json.loads(stored.problem_json)).tasks}


def _resources(engine: Engine, date: dt.date = DATE) -> dict[str, object]:
    with session_scope(engine) as session:
        stored = repo.latest_plan(session, date)
    assert stored is not None and stored.problem_json is not None
    return {r.staff_id: r for r in problem_from_json(json.loads(stored.problem_json)).resources}


def _counts(engine: Engine) -> tuple[int, ...]:
    with session_scope(engine) as session:
        return tuple(
            session.scalar(select(func.count()).select_from(t)) or 0
            for t in (PatientRecord, EnrolmentRecord, StayChangeRecord, AccessLogRecord)
        )


def test_admission_today_reaches_the_planned_day_through_its_journal(planned: Engine) -> None:
    """Admitting a patient for a planned day adds their tasks to a new version via a stay_changed entry."""
    result = stays.admit_patient(engine=planned, principal=SYSTEM, admission=_admission(), now=NOW)
    (effect,) = result.days
    assert effect.date == DATE and effect.version == 2
    assert any(t.startswith(f"{result.episode_id}-") for t in _latest_tasks(planned))
    with session_scope(planned) as session:
        entry = journal_repo.list_entries(session, DATE)[-1]
        patient = repo.get_patient(session, result.patient_id)
    assert entry.kind == EntryKind.STAY_CHANGED and entry.payload["patient"] == result.patient_id
    assert patient.access_notes == "Nøkkelboks 1234" and patient.national_id == "01015012345"


def test_discharge_today_cancels_the_remaining_tasks_of_the_day(planned: Engine) -> None:
    """A discharge effective today removes the patient's tasks from today's plan; tomorrow has none."""
    with session_scope(planned) as session:
        enrolment = repo.list_enrolments(session, active_on=DATE)[0]
    assert any(t.startswith(f"{enrolment.id}-") for t in _latest_tasks(planned))
    result = stays.discharge_patient(
        engine=planned, principal=SYSTEM, patient_id=enrolment.patient_id, date=DATE, now=NOW
    )
    assert [d.date for d in result.days] == [DATE]
    assert not any(t.startswith(f"{enrolment.id}-") for t in _latest_tasks(planned))
    assert not [t for t in tasks_on(engine=planned, date=TOMORROW) if t.patient_id == enrolment.patient_id]


def test_pause_and_pathway_change_for_unplanned_days_follow_from_the_stored_stay(seeded: Engine) -> None:
    """A pause tomorrow empties tomorrow's tasks; a pathway change from the day after gives that pathway."""
    result = stays.admit_patient(engine=seeded, principal=SYSTEM, admission=_admission(), now=NOW)
    pid = result.patient_id
    stays.change_stay(
        engine=seeded,
        principal=SYSTEM,
        patient_id=pid,
        now=NOW,
        change=stays.StayChangeRequest("pause", TOMORROW, until=TOMORROW),
    )
    later = TOMORROW + dt.timedelta(days=1)
    stays.change_stay(
        engine=seeded,
        principal=SYSTEM,
        patient_id=pid,
        now=NOW,
        change=stays.StayChangeRequest("pathway", later, pathway_id="palliative"),
    )
    assert not [t for t in tasks_on(engine=seeded, date=TOMORROW) if t.patient_id == pid]
    assert {t.pathway_id for t in tasks_on(engine=seeded, date=later) if t.patient_id == pid} == {
        "palliative"
    }
    assert {t.pathway_id for t in tasks_on(engine=seeded, date=DATE) if t.patient_id == pid} == {"wound_care"}


def test_a_move_applies_from_its_date(seeded: Engine) -> None:
    """A new address from tomorrow places tomorrow's visits there and leaves today's where they were."""
    result = stays.admit_patient(
        engine=seeded, principal=SYSTEM, admission=_admission(pathway_id="palliative"), now=NOW
    )
    stays.change_stay(
        engine=seeded,
        principal=SYSTEM,
        patient_id=result.patient_id,
        now=NOW,
        change=stays.StayChangeRequest(
            "address", TOMORROW, address="Mortensrudveien 1, Oslo", district="sondre_nordstrand"
        ),
    )
    where = {
        d: {t.location for t in tasks_on(engine=seeded, date=d) if t.patient_id == result.patient_id}
        for d in (DATE, TOMORROW)
    }
    assert where[DATE] and where[TOMORROW] and where[DATE] != where[TOMORROW]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pathway_id": "nope"}, "pathway"),
        ({"national_id": "123"}, "national_id"),
        ({"length_days": 0}, "length_days"),
        ({"district": "", "lat": None}, "district"),
        ({"name": " "}, "name"),
    ],
)
def test_bad_admissions_name_the_field_and_write_nothing(
    seeded: Engine, changes: dict[str, object], field: str
) -> None:
    """An invalid admission raises InputError on the offending field and stores nothing."""
    before = _counts(seeded)
    with pytest.raises(InputError) as error:
        stays.admit_patient(engine=seeded, principal=SYSTEM, admission=_admission(**changes), now=NOW)
    assert error.value.field == field
    assert _counts(seeded) == before


def test_only_coordinators_and_admins_admit(seeded: Engine) -> None:
    """A clinician may not admit a patient."""
    with pytest.raises(PermissionDeniedError):
        stays.admit_patient(
            engine=seeded,
            principal=Principal("c", SYSTEM.role.__class__("clinician")),
            admission=_admission(),
            now=NOW,
        )


def test_a_sick_day_today_goes_through_the_journal_and_a_new_day_leaves_them_out(planned: Engine) -> None:
    """Sick today: an absent entry and the person gone from today's resources; tomorrow's plan has no route."""
    staff_id = next(iter(_resources(planned)))
    result = availability.record_absence(
        engine=planned,
        principal=SYSTEM,
        staff_id=staff_id,
        kind="sick",
        from_date=DATE,
        to_date=TOMORROW,
        now=NOW,
    )
    assert [d.date for d in result.days] == [DATE]
    assert staff_id not in _resources(planned)
    plan_day(engine=planned, date=TOMORROW, now=NOW, params=FAST)
    assert staff_id not in _resources(planned, TOMORROW)


def test_a_part_day_absence_trims_the_shift_of_a_new_day(seeded: Engine) -> None:
    """Away until 12:00 tomorrow: tomorrow's route starts at 12:00."""
    with session_scope(seeded) as session:
        nurse = repo.list_staff(session)[0]
    availability.record_absence(
        engine=seeded,
        principal=SYSTEM,
        staff_id=nurse.id,
        kind="other",
        from_date=TOMORROW,
        from_min=0,
        to_min=12 * 60,
        now=NOW,
    )
    plan_day(engine=seeded, date=TOMORROW, now=NOW, params=FAST)
    resource = _resources(seeded, TOMORROW)[nurse.id]
    assert resource.shift.start_min == 12 * 60  # type: ignore[attr-defined]


def test_a_vehicle_out_of_service_is_not_planned(seeded: Engine) -> None:
    """A vehicle out of service tomorrow is on no route of tomorrow's plan."""
    with session_scope(seeded) as session:
        vehicle = repo.list_vehicles(session)[0]
    availability.record_out_of_service(
        engine=seeded, principal=SYSTEM, vehicle_id=vehicle.id, from_date=TOMORROW, now=NOW
    )
    plan_day(engine=seeded, date=TOMORROW, now=NOW, params=FAST)
    assert vehicle.id not in {r.vehicle_id for r in _resources(seeded, TOMORROW).values()}  # type: ignore[attr-defined]


def test_a_registered_nurse_is_planned(seeded: Engine) -> None:
    """A nurse registered today has a route in tomorrow's plan; a bad site is refused naming home_base."""
    nurse = availability.new_staff(
        id="N-NEW",
        name="Nina Ny",
        role="nurse",
        skills=["nurse", "wound", "sampling"],
        home_base="ullevaal",
        contract_pct=80,
        phone="+47 900 00 000",
    )
    availability.register_staff(engine=seeded, principal=SYSTEM, staff=nurse, now=NOW)
    plan_day(engine=seeded, date=TOMORROW, now=NOW, params=FAST)
    assert "N-NEW" in _resources(seeded, TOMORROW)
    with pytest.raises(InputError) as error:
        availability.register_staff(
            engine=seeded,
            principal=SYSTEM,
            now=NOW,
            staff=availability.new_staff(id="X", name="X", role="nurse", skills=["nurse"], home_base="mars"),
        )
    assert error.value.field == "home_base"


# -- the patient's own visits (issue 13) ------------------------------------------------------------


def _visits(engine: Engine, date: dt.date, patient_id: str) -> list[tuple[str, str, str]]:
    return sorted(
        (t.id.rsplit("-", 1)[1], t.skill or "", str(t.window))
        for t in tasks_on(engine=engine, date=date, catalogue=None)
        if t.patient_id == patient_id and str(t.kind) == "visit"
    )


def _change(engine: Engine, pid: str, change: stays.StayChangeRequest) -> stays.StayResult:
    return stays.change_stay(engine=engine, principal=SYSTEM, patient_id=pid, now=NOW, change=change)


def test_own_visits_apply_from_their_date_and_revert_when_cleared(seeded: Engine) -> None:
    """Two visits a day in the patient's windows from tomorrow; today keeps the pathway's one visit;
    from the day the coordinator hands them back, the pathway's visit returns."""
    pid = stays.admit_patient(
        engine=seeded, principal=SYSTEM, admission=_admission(pathway_id="palliative"), now=NOW
    ).patient_id
    today = _visits(seeded, DATE, pid)
    assert [v[:2] for v in today if v[1] == "palliative"] == [("V0", "palliative")]
    _change(
        seeded,
        pid,
        stays.StayChangeRequest(
            "visits", TOMORROW, visits_per_day=2, visit_windows=((8 * 60, 10 * 60), (16 * 60, 18 * 60))
        ),
    )
    assert _visits(seeded, DATE, pid) == today
    later = TOMORROW + dt.timedelta(days=2)
    for day in (TOMORROW, later):
        own = [v for v in _visits(seeded, day, pid) if v[1] == "palliative"]
        assert own == [("V0", "palliative", "08:00–10:00"), ("V3", "palliative", "16:00–18:00")], day
    doctor = [v for v in _visits(seeded, TOMORROW + dt.timedelta(days=2), pid) if v[1] == "doctor"]
    assert doctor == [("V1", "doctor", "12:00–15:30")]  # the doctor's visit keeps the pathway's schedule
    _change(seeded, pid, stays.StayChangeRequest("visits", later, pathway_visits=True))
    assert [v for v in _visits(seeded, later, pid) if v[1] == "palliative"] == [
        ("V0", "palliative", "08:00–12:00")
    ]
    assert len([v for v in _visits(seeded, TOMORROW, pid) if v[1] == "palliative"]) == 2
    with session_scope(seeded) as session:
        history = [(r.kind, r.effective, r.details) for r in session.scalars(select(StayChangeRecord))
                   if r.patient_id == pid]
        logged = session.scalars(
            select(AccessLogRecord.resource).where(AccessLogRecord.resource.like("stay % visits"))
        ).all()
    assert ("visits", TOMORROW, {"per_day": "2", "windows": "08:00–10:00, 16:00–18:00"}) in history
    assert ("visits", later, {"visits": "pathway"}) in history
    assert len(logged) == 2


def test_a_visit_every_other_day_counts_from_the_change(seeded: Engine) -> None:
    """Every second day from the change's date: a visit on the date, none the day after, one the day after that."""
    pid = stays.admit_patient(engine=seeded, principal=SYSTEM, admission=_admission(pathway_id="iv_antibiotics"),
                              now=NOW).patient_id
    _change(seeded, pid, stays.StayChangeRequest("visits", TOMORROW, visit_every_days=2))
    days = [TOMORROW + dt.timedelta(days=i) for i in range(4)]
    assert [len(_visits(seeded, d, pid)) for d in days] == [1, 0, 1, 0]
    assert len(_visits(seeded, DATE, pid)) == 1


def test_own_visits_for_a_planned_day_go_through_its_journal(planned: Engine) -> None:
    """A new window for today's visit of a planned patient reaches today's plan as a stay_changed entry,
    and planning the whole day again keeps it (derived from the stored stay, not replayed)."""
    with session_scope(planned) as session:
        stored = repo.latest_plan(session, DATE)
    assert stored is not None and stored.problem_json is not None
    tasks = problem_from_json(json.loads(stored.problem_json)).tasks
    visit = next(t for t in tasks if str(t.kind) == "visit" and t.window.width_min > 60)
    result = _change(
        planned, visit.patient_id, stays.StayChangeRequest("visits", DATE, visit_windows=((13 * 60, 14 * 60),))
    )
    assert [d.date for d in result.days] == [DATE] and result.days[0].version == stored.version + 1
    with session_scope(planned) as session:
        entry = journal_repo.list_entries(session, DATE)[-1]
        latest = repo.latest_plan(session, DATE)
    assert entry.kind == EntryKind.STAY_CHANGED and entry.payload["patient"] == visit.patient_id
    assert latest is not None and latest.problem_json is not None
    again = {t.id: t for t in problem_from_json(json.loads(latest.problem_json)).tasks}
    assert str(again[visit.id].window) == "13:00–14:00"
    stops = [s for r in json.loads(latest.json)["routes"] for s in r["stops"] if s.get("task") == visit.id]
    assert all("13:00" <= s["start"] <= "14:00" for s in stops)
    plan_day(engine=planned, date=DATE, now=NOW, params=FAST)  # the whole day again: from the registers
    with session_scope(planned) as session:
        whole = repo.latest_plan(session, DATE)
    assert whole is not None and whole.problem_json is not None and whole.version > latest.version
    tasks = {t.id: t for t in problem_from_json(json.loads(whole.problem_json)).tasks}
    assert str(tasks[visit.id].window) == "13:00–14:00"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"visit_windows": ((10 * 60, 9 * 60),)}, "visit_windows"),
        ({"visits_per_day": 0}, "visits_per_day"),
        ({"visit_every_days": 0}, "visit_every_days"),
        ({"visits_per_day": 2, "visit_windows": ((480, 600), (600, 700), (700, 800))}, "visit_windows"),
        ({}, "visits_per_day"),
        ({"pathway_visits": True, "visits_per_day": 2}, "visits_per_day"),
        ({"extra": {"visits_per_week": "3"}}, "visits_per_week"),
        ({"kind": "pathway", "pathway_id": "palliative", "visits_per_day": 2}, "visits_per_day"),
    ],
)
def test_bad_visit_changes_name_the_field_and_write_nothing(
    planned: Engine, changes: dict[str, object], field: str
) -> None:
    """Window ending before it starts, frequency 0, too many windows, nothing asked, an unknown field:
    an InputError naming the field, and no row, history, access-log or journal entry."""
    with session_scope(planned) as session:
        patient_id = next(
            e.patient_id
            for e in repo.list_enrolments(session, active_on=DATE)
            if load_catalogue().pathways[e.pathway_id].visits
        )
        entries = len(journal_repo.list_entries(session, DATE))
    before = _counts(planned)
    values: dict[str, object] = {"kind": "visits", "date": DATE, **changes}
    with pytest.raises(InputError) as error:
        _change(planned, patient_id, stays.StayChangeRequest(**values))  # type: ignore[arg-type]
    assert error.value.field == field
    assert _counts(planned) == before
    with session_scope(planned) as session:
        assert len(journal_repo.list_entries(session, DATE)) == entries


def test_the_same_absence_sent_twice_is_recorded_once(seeded: Engine) -> None:
    """A double click on 'register absence': the second is the first one (not created), and the
    register holds it once; a different day is a new absence."""
    from hjemme.store import realdata

    with session_scope(seeded) as session:
        nurse = repo.list_staff(session)[0]
    sick = {"engine": seeded, "principal": SYSTEM, "staff_id": nurse.id, "kind": "sick", "now": NOW}
    first = availability.record_absence(**sick, from_date=TOMORROW, to_date=TOMORROW + dt.timedelta(days=2))
    again = availability.record_absence(**sick, from_date=TOMORROW, to_date=TOMORROW + dt.timedelta(days=2))
    other = availability.record_absence(**sick, from_date=TOMORROW + dt.timedelta(days=5))
    assert first.created and not again.created and again.id == first.id
    assert other.created and other.id != first.id
    with session_scope(seeded) as session:
        assert len(realdata.absences(session, staff_id=nurse.id)) == 2


@pytest.mark.parametrize("on_planned_day", [False, True])
def test_the_same_absence_sent_at_once_from_several_clients_is_recorded_once(
    seeded: Engine, on_planned_day: bool
) -> None:
    """Six identical absences sent at the same moment (a double click, retries) leave one absence in
    the register and, on a planned day, one 'absent' change in its journal; one answer says created,
    the others name it."""
    from concurrent.futures import ThreadPoolExecutor

    from hjemme.store import realdata

    day = DATE if on_planned_day else TOMORROW
    if on_planned_day:
        plan_day(engine=seeded, date=DATE, now=NOW, params=FAST)
        nurse = next(iter(_resources(seeded, DATE)))
    else:
        with session_scope(seeded) as session:
            nurse = repo.list_staff(session)[0].id
    with session_scope(seeded) as session:
        entries = len(journal_repo.list_entries(session, DATE))

    def send(_: int) -> availability.RegisterResult:
        return availability.record_absence(
            engine=seeded, principal=SYSTEM, staff_id=nurse, kind="sick", from_date=day, now=NOW
        )

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(send, range(6)))
    assert [r.created for r in results].count(True) == 1
    assert len({r.id for r in results}) == 1
    with session_scope(seeded) as session:
        assert len(realdata.absences(session, staff_id=nurse)) == 1
        added = len(journal_repo.list_entries(session, DATE)) - entries
    assert added == (1 if on_planned_day else 0)
