"""Who works and what drives on a date: the roster and the fleet less absences and vehicles out of
service (issue 13). The planner's day input; a helper inside the caller's transaction."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from hjemme.domain.availability import staff_on, vehicles_on
from hjemme.domain.people import Staff, Vehicle
from hjemme.store import realdata as store
from hjemme.store import repositories as repo


def working_on(session: Session, date: dt.date) -> tuple[list[Staff], list[Vehicle]]:
    """The staff who work (shifts trimmed by part-day absences) and the vehicles on the road."""
    staff = staff_on(repo.list_staff(session), store.absences(session, on=date), date)
    vehicles = vehicles_on(repo.list_vehicles(session), store.out_of_service(session, on=date), date)
    return staff, vehicles
