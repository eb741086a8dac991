"""A stay change on days that already have a plan (issue 13): the patient's tasks that go and those
that come, as ``stay_changed`` journal changes (see :mod:`hjemme.services.day_sync`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Engine

from hjemme.catalogue import Catalogue
from hjemme.domain.journal import EntryKind
from hjemme.domain.people import Address, Enrolment, Patient, patient_on
from hjemme.domain.tasks import Task, TaskKind
from hjemme.domain.workload import tasks_for_day
from hjemme.services.day_sync import planned_dates, stored_problem
from hjemme.services.journal import DayChange
from hjemme.services.stay_forms import FINISHED, Admission, patient_of, stage_of


def day_changes(
    engine: Engine,
    patient: Patient,
    addresses: dict[dt.date, Address],
    stages: Sequence[Enrolment],
    start: dt.date,
    now: dt.datetime,
    catalogue: Catalogue,
    kind: str,
) -> list[tuple[dt.date, DayChange]]:
    """For each planned day from ``start``: the patient's tasks that go and those that come."""
    changes = []
    stage_ids = {s.id for s in stages}
    for date in planned_dates(engine, start=start, end=None, now=now):
        stored = stored_problem(engine, date)
        if stored is None:
            continue
        problem, statuses = stored
        had = {t.id: t for t in problem.tasks if t.patient_id == patient.id}
        wanted = {
            t.id: t
            for t in tasks_for_day(
                date,
                stages,
                {patient.id: patient_on(patient, addresses.values(), date)},
                catalogue.pathways,
                catalogue.products,
                catalogue.device_types,
            )
            if t.kind is not TaskKind.DEVICE_SWAP
        }
        active = bool(wanted)
        removed = [
            t.id
            for t in had.values()
            if statuses.get(t.id) not in FINISHED
            and (not active or (_derived(t, stage_ids) and (t.id not in wanted or _differs(t, wanted[t.id]))))
        ]
        added = [t for t in wanted.values() if t.id not in had or t.id in removed]
        if removed or added:
            changes.append(
                (
                    date,
                    DayChange(
                        EntryKind.STAY_CHANGED,
                        patient_id=patient.id,
                        removed=tuple(removed),
                        added=tuple(added),
                        reason=kind,
                    ),
                )
            )
    return changes


def admission_day_changes(
    engine: Engine, admissions: Sequence[Admission], now: dt.datetime, catalogue: Catalogue
) -> list[tuple[dt.date, DayChange]]:
    """The planned days new admissions (with their ids set) add tasks to, in date order."""
    planned = planned_dates(engine, start=dt.date.min, end=None, now=now)
    changes = []
    for a in admissions:
        stage = stage_of(a, a.patient_id, a.episode_id)
        if a.referral_only or not any(stage.start_date <= d <= stage.end_date for d in planned):
            continue
        changes += day_changes(
            engine,
            patient_of(a, catalogue, a.patient_id),
            {},
            [stage],
            stage.start_date,
            now,
            catalogue,
            "admitted",
        )
    return sorted(changes, key=lambda c: c[0])


def _derived(task: Task, stage_ids: set[str]) -> bool:
    """A task the stay's pathway caused (not an urgent visit, not a device-register swap)."""
    return (
        task.enrolment_id in stage_ids
        and "-U" not in task.id[len(task.enrolment_id) :]
        and (task.kind is not TaskKind.DEVICE_SWAP)
    )


def _differs(a: Task, b: Task) -> bool:
    return (a.kind, a.location, a.window, a.duration_min, a.skill, a.excluded_staff_ids) != (
        b.kind,
        b.location,
        b.window,
        b.duration_min,
        b.skill,
        b.excluded_staff_ids,
    )
