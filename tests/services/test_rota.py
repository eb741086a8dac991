"""Rota use cases on SQLite and PostgreSQL: plan from the forecast, check, edit, publish, the day
planner taking who works from the published rota, re-plan after a sick call, export, my rota, team
shift times, staff wishes."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from hjemme.catalogue import load_catalogue
from hjemme.domain.availability import Absence, AbsenceKind
from hjemme.domain.rota import StaffWish
from hjemme.domain.security import Role
from hjemme.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from hjemme.rota.problem import DEFAULT_SHIFTS, RotaParams
from hjemme.services.auth import Principal
from hjemme.services.roster import working_on
from hjemme.services.rota import (
    CellEdit,
    edit_rota,
    export_rota_xlsx,
    my_rota,
    plan_rota,
    publish_rota,
    read_rota,
    replan_rota,
    team_demand,
)
from hjemme.services.rota_team import add_wish, remove_wish, set_team_shifts, shift_times
from hjemme.services.seeding import seed_population
from hjemme.services.users import add_user
from hjemme.store import realdata
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope

MONDAY = dt.date(2026, 11, 30)
NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)
COORDINATOR = Principal("coord", Role.COORDINATOR)
FAST = RotaParams(time_limit_s=3, workers=2)


@pytest.fixture
def seeded(db_engine: Engine) -> tuple[Engine, str]:
    """A seeded population and its largest nursing team."""
    seed_population(engine=db_engine, n_patients=120, seed=5, date=MONDAY)
    with session_scope(db_engine) as session:
        team = Counter(s.clinic for s in repo.list_staff(session) if s.role.value == "nurse").most_common(1)[
            0
        ][0]
    return db_engine, team


def _plan(engine: Engine, team: str):
    return plan_rota(
        engine=engine, principal=COORDINATOR, team=team, first_day=MONDAY, weeks=2, now=NOW, params=FAST
    )


def test_planned_rota_keeps_the_rules_and_shows_demand(seeded):
    """A two-week draft for the team breaks no rule; demand per shift comes from the team's stays."""
    engine, team = seeded
    view = _plan(engine, team)
    assert view.rota.status.value == "draft" and view.rota.version == 1
    assert view.hard_breaches == ()
    assert view.problem.demand and any(c.total > 0 for c in view.problem.demand if c.shift == "D")
    assert view.rota.cells


def test_day_planner_takes_who_works_from_the_published_rota(seeded):
    """Before publishing every team member is on the day's roster; after, only those with a shift that
    day, with the rota's hours."""
    engine, team = seeded
    view = _plan(engine, team)
    day = MONDAY + dt.timedelta(days=2)
    members = {s.id for s in view.staff}
    with session_scope(engine) as session:
        before = {s.id for s in working_on(session, day)[0]} & members
    publish_rota(engine=engine, principal=COORDINATOR, rota_id=view.rota.id, now=NOW)
    with session_scope(engine) as session:
        after = {s.id: s for s in working_on(session, day)[0] if s.id in members}
    rostered = {sid: code for (sid, date), code in view.rota.cells.items() if date == day}
    assert before == members
    night_before = {
        sid for (sid, date), c in view.rota.cells.items() if date == day - dt.timedelta(days=1) and c == "N"
    }
    assert set(after) == set(rostered) | night_before
    for sid, code in rostered.items():
        start = {"D": 450, "E": 900, "N": 1335}[code]
        assert after[sid].shift.start_min == start


def test_an_edit_breaking_the_rest_rule_is_named_and_blocks_publishing(seeded):
    """An evening followed by a day shift is checked at once (named in bokmål) and cannot be published."""
    engine, team = seeded
    view = _plan(engine, team)
    person = view.staff[0].id
    edits = [
        CellEdit(person, MONDAY + dt.timedelta(days=3), "E"),
        CellEdit(person, MONDAY + dt.timedelta(days=4), "D"),
    ]
    edited = edit_rota(engine=engine, principal=COORDINATOR, rota_id=view.rota.id, edits=edits, now=NOW)
    assert any("hvile mellom vakter" in m for m in edited.messages("nb"))
    with pytest.raises(ConflictError, match="breaks"):
        publish_rota(engine=engine, principal=COORDINATOR, rota_id=edited.rota.id, now=NOW)


def test_a_missing_skill_is_named_in_the_readers_language(seeded):
    """A day shift needing a skill, emptied by hand: the warning names the skill from the catalogue,
    in bokmål on the Norwegian pages and in English on the English ones (not as its code)."""
    engine, team = seeded
    view = _plan(engine, team)
    cell = next(c for c in view.problem.demand if c.shift == "D" and c.by_skill)
    day = MONDAY + dt.timedelta(days=cell.day)
    edits = [CellEdit(p.id, day, None) for p in view.staff]
    edited = edit_rota(engine=engine, principal=COORDINATOR, rota_id=view.rota.id, edits=edits, now=NOW)
    skill = next(iter(cell.by_skill))
    catalogue = load_catalogue()
    nb, en = catalogue.skills[skill], catalogue.skills_en[skill]
    assert nb != en
    assert any(f"med {nb}" in m for m in edited.messages("nb"))
    assert any(f"with {en}" in m for m in edited.messages("en"))


def test_an_edit_of_a_cell_someone_changed_meanwhile_is_refused_and_changes_nothing(seeded):
    """Two planners read the same cell; the first sets an evening, the second (who saw the old value)
    asks for a night: refused as a conflict, and the whole edit (a second cell too) is not made."""
    engine, team = seeded
    view = _plan(engine, team)
    person, day = view.staff[0].id, MONDAY + dt.timedelta(days=5)
    seen = view.rota.cells.get((person, day))
    first = edit_rota(
        engine=engine,
        principal=COORDINATOR,
        rota_id=view.rota.id,
        edits=[CellEdit(person, day, "E" if seen != "E" else None, was=seen)],
        now=NOW,
    )
    after = dict(first.rota.cells)
    other = MONDAY + dt.timedelta(days=9)
    with pytest.raises(ConflictError, match="changed by someone else"):
        edit_rota(
            engine=engine,
            principal=COORDINATOR,
            rota_id=view.rota.id,
            edits=[CellEdit(person, other, None), CellEdit(person, day, "N", was=seen)],
            now=NOW,
        )
    assert read_rota(engine=engine, principal=COORDINATOR, rota_id=view.rota.id).rota.cells == after
    # an edit that says nothing of what it saw (the CLI) is made as before
    made = edit_rota(
        engine=engine,
        principal=COORDINATOR,
        rota_id=view.rota.id,
        edits=[CellEdit(person, day, None)],
        now=NOW,
    )
    assert (person, day) not in made.rota.cells


def test_sick_call_replans_with_few_changes_and_supersedes_on_publish(seeded):
    """A nurse sick for three days: the re-plan is a new draft that takes them off, counts the changed
    cells (few), and once published replaces the earlier published rota."""
    engine, team = seeded
    first = _plan(engine, team)
    publish_rota(engine=engine, principal=COORDINATOR, rota_id=first.rota.id, now=NOW)
    sick = next(
        sid
        for (sid, date), _ in sorted(first.rota.cells.items(), key=lambda kv: kv[0][1])
        if date >= MONDAY + dt.timedelta(days=2)
    )
    with session_scope(engine) as session:
        realdata.add_absence(
            session,
            Absence(sick, AbsenceKind.SICK, MONDAY + dt.timedelta(days=2), MONDAY + dt.timedelta(days=4)),
            username="coord",
            at=NOW,
        )
    again = replan_rota(engine=engine, principal=COORDINATOR, rota_id=first.rota.id, now=NOW, params=FAST)
    assert again.rota.based_on == first.rota.id and again.hard_breaches == ()
    assert not any(again.rota.cells.get((sick, MONDAY + dt.timedelta(days=d))) for d in (2, 3, 4))
    assert 1 <= again.rota.changed <= len(first.rota.cells) // 3
    # the grid lists whom the re-plan affects: as many cells as the solver counted, the sick nurse's
    # lost shifts among them
    changes = again.changes()
    assert len(changes) == again.rota.changed
    for day in (2, 3, 4):
        date = MONDAY + dt.timedelta(days=day)
        if (lost := first.rota.cells.get((sick, date))) is not None:
            assert changes[sick, date] == (lost, None)
    assert first.changes() == {}  # a first plan is made from nothing
    book = load_workbook(io.BytesIO(export_rota_xlsx(engine=engine, principal=COORDINATOR, rota_id=again.rota.id)))
    rows = list(book[f"Endringer fra v{first.rota.version}"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(changes) and all(before != after for _, _, before, after in rows)
    publish_rota(engine=engine, principal=COORDINATOR, rota_id=again.rota.id, now=NOW)
    with session_scope(engine) as session:
        from hjemme.store import rota as store

        assert [r.id for r in store.published_on(session, MONDAY)] == [again.rota.id]


def test_publishing_a_replanned_draft_retires_the_draft_it_was_made_from(seeded):
    """A draft re-planned before it was ever published: publishing the re-plan leaves no stale draft
    behind (it read as work still to do, and offered a publish of the rota before the sick call)."""
    engine, team = seeded
    first = _plan(engine, team)
    again = replan_rota(engine=engine, principal=COORDINATOR, rota_id=first.rota.id, now=NOW, params=FAST)
    unrelated = _plan(engine, team)  # another draft for the period, not an ancestor: left alone
    publish_rota(engine=engine, principal=COORDINATOR, rota_id=again.rota.id, now=NOW)
    def status(view) -> str:
        return read_rota(engine=engine, principal=COORDINATOR, rota_id=view.rota.id).rota.status.value

    assert [status(first), status(again), status(unrelated)] == ["superseded", "published", "draft"]
    with pytest.raises(ConflictError, match="superseded"):
        publish_rota(engine=engine, principal=COORDINATOR, rota_id=first.rota.id, now=NOW)


def test_export_is_a_formatted_workbook(seeded):
    """The Excel export has a bold header of dates, a row per person with their hours and nights, the
    rota's shift times and a sheet of breaches."""
    engine, team = seeded
    view = _plan(engine, team)
    book = load_workbook(
        io.BytesIO(export_rota_xlsx(engine=engine, principal=COORDINATOR, rota_id=view.rota.id))
    )
    sheet = book["Turnus"]
    assert sheet["A1"].value == "Navn" and sheet["B1"].font.bold
    assert [sheet.cell(row=i + 2, column=1).value for i in range(len(view.staff))] == [
        s.name for s in view.staff
    ]
    assert [c.value for c in sheet[1]][1:5] == ["Timer", "Timer etter avtale", "Netter", "Helger"]
    minutes = {s.code: s.minutes for s in view.problem.shifts}
    for row, person in enumerate(view.staff, start=2):
        mine = [code for (sid, _), code in view.rota.cells.items() if sid == person.id]
        assert sheet.cell(row=row, column=2).value == round(sum(minutes[c] for c in mine) / 60, 1)
        assert sheet.cell(row=row, column=4).value == mine.count("N")
    assert "Brudd" in book.sheetnames
    last = [c.value for c in sheet[sheet.max_row]][:4]
    assert last == ["Vakttider", "D 07:30–15:30", "E 15:00–22:30", "N 22:15–07:45"]


def test_a_clinician_cannot_plan_but_sees_their_own_published_rota(seeded):
    """Planning needs a coordinator; a clinician linked to a member of staff reads their own shifts."""
    engine, team = seeded
    clinician = Principal("nurse1", Role.CLINICIAN)
    with pytest.raises(PermissionDeniedError):
        plan_rota(engine=engine, principal=clinician, team=team, first_day=MONDAY, weeks=2, now=NOW)
    view = _plan(engine, team)
    publish_rota(engine=engine, principal=COORDINATOR, rota_id=view.rota.id, now=NOW)
    person = view.staff[0].id
    add_user(
        engine=engine,
        username="nurse1",
        password="a long enough password",
        role=Role.CLINICIAN,
        now=NOW,
        staff_id=person,
    )
    mine = my_rota(engine=engine, principal=clinician, first=MONDAY, days=14)
    assert [(m.date, m.shift) for m in mine if m.shift] == sorted(
        (date, code) for (sid, date), code in view.rota.cells.items() if sid == person
    )


def _log_rows(engine: Engine, text: str) -> list[str]:
    from sqlalchemy import select

    from hjemme.store.tables import AccessLogRecord

    with session_scope(engine) as session:
        resources = session.scalars(select(AccessLogRecord.resource))
        return [r for r in resources if text in r]


def test_team_shift_times_shape_the_plan_the_rules_and_the_day(seeded):
    """A team with a 07:00 day shift and an evening to 23:00: the next plan is made with those times,
    the rest rule is measured on them (an evening before a day shift leaves 8 h, named so), and once
    published the day planner and the nurse's own rota start the day shift at 07:00."""
    engine, team = seeded
    times = {"D": shift_times("D", "07:00", "15:00"), "E": shift_times("E", "15:00", "23:00")}
    shifts = set_team_shifts(engine=engine, principal=COORDINATOR, team=team, times=times, now=NOW)
    assert [(s.code, s.start_min, s.end_min) for s in shifts] == [
        ("D", 420, 900),
        ("E", 900, 1380),
        ("N", 1335, 1905),  # the night keeps its default
    ]
    view = _plan(engine, team)
    assert [(s.start_min, s.end_min) for s in view.problem.shifts][:2] == [(420, 900), (900, 1380)]
    assert view.hard_breaches == ()
    publish_rota(engine=engine, principal=COORDINATOR, rota_id=view.rota.id, now=NOW)
    day = next(date for (sid, date), code in sorted(view.rota.cells.items()) if code == "D")
    on_day = {sid for (sid, date), code in view.rota.cells.items() if date == day and code == "D"}
    with session_scope(engine) as session:
        starts = {s.shift.start_min for s in working_on(session, day)[0] if s.id in on_day}
    assert starts == {420}
    person = view.staff[0].id
    edits = [
        CellEdit(person, MONDAY + dt.timedelta(days=3), "E"),
        CellEdit(person, MONDAY + dt.timedelta(days=4), "D"),
    ]
    edited = edit_rota(engine=engine, principal=COORDINATOR, rota_id=view.rota.id, edits=edits, now=NOW)
    assert edited.rota.shifts == view.rota.shifts  # the new draft keeps the times it was planned with
    assert any("bare 8 t hvile mellom vakter" in m for m in edited.messages("nb"))
    assert _log_rows(engine, f"rota shift times of {team} set")


def test_bad_shift_times_are_refused_and_change_nothing(seeded):
    """A 12-hour shift, a time that is no time, an unknown shift code and a clinician are refused with
    the field named; the team keeps the default times."""
    engine, team = seeded
    with pytest.raises(InputError, match="D_end: a shift lasts 1–10 h, not 12 h"):
        shift_times("D", "07:00", "19:00")
    with pytest.raises(InputError, match="E_start: a time of day"):
        shift_times("E", "25:00", "07:00")
    with pytest.raises(InputError, match="shift: one of D, E, N"):
        set_team_shifts(engine=engine, principal=COORDINATOR, team=team, times={"X": (420, 900)}, now=NOW)
    with pytest.raises(PermissionDeniedError):
        set_team_shifts(
            engine=engine,
            principal=Principal("nurse1", Role.CLINICIAN),
            team=team,
            times={"D": (420, 900)},
            now=NOW,
        )
    view = _plan(engine, team)
    assert view.problem.shifts == DEFAULT_SHIFTS and view.rota.shifts == [
        {"code": s.code, "start_min": s.start_min, "end_min": s.end_min, "night": s.night}
        for s in DEFAULT_SHIFTS
    ]


def test_a_planner_wish_is_stored_once_weighed_by_the_plan_and_withdrawn(seeded):
    """A day-off wish of weight 5 entered by the planner: stored once (recorded again it keeps its id
    and takes the new weight), access-logged, granted by the next plan and shown as granted; withdrawn,
    it is gone. Bad wishes are refused with the field named and store nothing."""
    engine, team = seeded
    first = _plan(engine, team)
    person, day = next((sid, date) for (sid, date), code in sorted(first.rota.cells.items()) if date > MONDAY)
    wish = StaffWish(person, day, "day_off", None, 2)
    wish_id = add_wish(engine=engine, principal=COORDINATOR, wish=wish, now=NOW)
    again = add_wish(
        engine=engine, principal=COORDINATOR, wish=StaffWish(person, day, "day_off", None, 5), now=NOW
    )
    assert again == wish_id and _log_rows(engine, f"rota wish {wish_id} for {person}")
    for bad, field in [
        (StaffWish(person, day, "day_off", "D", 3), "shift"),
        (StaffWish(person, day, "shift_wanted", None, 3), "shift"),
        (StaffWish(person, day, "shift_wanted", "X", 3), "shift"),
        (StaffWish(person, day, "holiday", None, 3), "kind"),
        (StaffWish(person, day, "day_off", None, 9), "weight"),
        (StaffWish(person, dt.date(2026, 11, 1), "day_off", None, 3), "date"),
    ]:
        with pytest.raises(InputError) as refused:
            add_wish(engine=engine, principal=COORDINATOR, wish=bad, now=NOW)
        assert refused.value.field == field
    planned = _plan(engine, team)
    assert [(w.id, w.weight) for w in planned.wishes] == [(wish_id, 5)]
    assert (person, day) not in planned.rota.cells and planned.wish_met(planned.wishes[0])
    assert not first.wish_met(planned.wishes[0])  # the earlier rota had them working
    remove_wish(engine=engine, principal=COORDINATOR, wish_id=wish_id, now=NOW)
    assert read_rota(engine=engine, principal=COORDINATOR, rota_id=planned.rota.id).wishes == ()
    with pytest.raises(NotFoundError):
        remove_wish(engine=engine, principal=COORDINATOR, wish_id=wish_id, now=NOW)


def test_a_clinician_wishes_for_themself_only(seeded):
    """A nurse records and withdraws their own wish; another's wish they can neither record nor withdraw."""
    engine, team = seeded
    members = [s.id for s in _plan(engine, team).staff]
    add_user(
        engine=engine,
        username="nurse1",
        password="a long enough password",
        role=Role.CLINICIAN,
        now=NOW,
        staff_id=members[0],
    )
    nurse = Principal("nurse1", Role.CLINICIAN)
    own = add_wish(
        engine=engine,
        principal=nurse,
        wish=StaffWish(members[0], MONDAY, "shift_not_wanted", "N", 4),
        now=NOW,
    )
    with pytest.raises(InputError, match="themself"):
        add_wish(engine=engine, principal=nurse, wish=StaffWish(members[1], MONDAY, "day_off"), now=NOW)
    other = add_wish(
        engine=engine, principal=COORDINATOR, wish=StaffWish(members[1], MONDAY, "day_off"), now=NOW
    )
    with pytest.raises(NotFoundError):
        remove_wish(engine=engine, principal=nurse, wish_id=other, now=NOW)
    assert remove_wish(engine=engine, principal=nurse, wish_id=own, now=NOW).shift == "N"


def test_a_rota_two_weeks_ahead_is_staffed_for_todays_census(seeded):
    """The team's stays known today mostly end within two weeks; a rota for a week two weeks ahead
    still needs the people today's census needs (each pathway's census held steady from today), not
    one person a day shift (the floor of a forecast that starts when those stays have ended)."""
    engine, team = seeded
    catalogue = load_catalogue()
    ahead = MONDAY + dt.timedelta(days=14)
    with session_scope(engine) as session:
        now = sum(c.total for c in team_demand(session, team, MONDAY, 7, catalogue, MONDAY))
        later = sum(c.total for c in team_demand(session, team, ahead, 7, catalogue, MONDAY))
        as_if_today_then = sum(c.total for c in team_demand(session, team, ahead, 7, catalogue, ahead))
    assert later >= 0.8 * now > 7
    assert as_if_today_then < 0.5 * later  # the known stays alone, two weeks on
