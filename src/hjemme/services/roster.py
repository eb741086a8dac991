"""Who works and what drives on a date: the roster and the fleet less absences and vehicles out of
service (issue 13). The planner's day input; a helper inside the caller's transaction.

Where a team has a published rota covering the date (issue 17), the rota decides who of that team
works and when: a day or evening shift gives its hours, a night shift its part before midnight, the
morning after a night its part after midnight; a member with no shift that day is off. Teams without
a published rota keep the registered shift of a normal day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from hjemme.domain.availability import staff_on, vehicles_on
from hjemme.domain.people import Staff, Vehicle
from hjemme.domain.time import MINUTES_PER_DAY, TimeWindow
from hjemme.services.rota import shift_defs
from hjemme.store import realdata as store
from hjemme.store import repositories as repo
from hjemme.store import rota as rota_store

if TYPE_CHECKING:
    from hjemme.domain.rota import RotaVersion
    from hjemme.rota.problem import ShiftDef


def working_on(session: Session, date: dt.date) -> tuple[list[Staff], list[Vehicle]]:
    """The staff who work (shifts trimmed by part-day absences) and the vehicles on the road."""
    staff = staff_on(
        rostered(session, repo.list_staff(session), date), store.absences(session, on=date), date
    )
    vehicles = vehicles_on(repo.list_vehicles(session), store.out_of_service(session, on=date), date)
    return staff, vehicles


def rostered(session: Session, staff: list[Staff], date: dt.date) -> list[Staff]:
    """``staff`` as the published rotas have them on ``date`` (unchanged for teams without one)."""
    today = {r.team: r for r in reversed(rota_store.published_on(session, date))}
    yesterday = {r.team: r for r in reversed(rota_store.published_on(session, date - dt.timedelta(days=1)))}
    out = []
    for person in staff:
        if person.clinic not in today:
            out.append(person)
            continue
        code = today[person.clinic].cells.get((person.id, date))
        shifts = _shifts(today[person.clinic])
        before = yesterday.get(person.clinic)
        last_night = before.cells.get((person.id, date - dt.timedelta(days=1))) if before else None
        earlier = _shifts(before) if before else {}
        if code in shifts:
            window = TimeWindow(shifts[code].start_min, min(shifts[code].end_min, MINUTES_PER_DAY))
        elif last_night in earlier and earlier[last_night].end_min > MINUTES_PER_DAY:
            window = TimeWindow(0, earlier[last_night].end_min - MINUTES_PER_DAY)
        else:
            continue
        brk = person.break_window
        keeps = brk is not None and window.start_min <= brk.start_min and brk.end_min <= window.end_min
        out.append(
            replace(
                person,
                shift=window,
                break_window=brk if keeps else None,
                break_min=person.break_min if keeps else 0,
                max_work_min=min(person.max_work_min, window.width_min),
            )
        )
    return out


def _shifts(rota: RotaVersion) -> dict[str, ShiftDef]:
    """The shift times the rota was planned with (its team's, issue 17)."""
    return {s.code: s for s in shift_defs(rota.shifts)}
