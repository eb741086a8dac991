"""Reading the registers for the coordinator's page (issue 13): the stays that are open, a patient's
stay with its history, addresses and lab results. Reads of patient data are access-logged."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine

from hjemme.domain import stays as life
from hjemme.domain.people import Enrolment, EnrolmentStatus, Patient
from hjemme.domain.time import local_date
from hjemme.services.access import log_access, require_role
from hjemme.services.auth import Principal
from hjemme.services.stays import ADMITTERS
from hjemme.store import realdata as store
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.realdata import LabResult, StayChange


@dataclass(frozen=True, slots=True)
class StayRow:
    patient: Patient
    episode_id: str
    pathway_id: str  # the stage running on the date (or the first one)
    first_day: dt.date
    last_day: dt.date
    status: EnrolmentStatus
    paused: bool


@dataclass(frozen=True, slots=True)
class StayDetail:
    patient: Patient
    stages: tuple[Enrolment, ...]
    history: tuple[StayChange, ...]
    lab_results: tuple[LabResult, ...]


def list_open_stays(
    *,
    engine: Engine,
    principal: Principal,
    on: dt.date,
    now: dt.datetime,
    client: str | None = None,
    limit: int = 500,
) -> list[StayRow]:
    """Referred stays and stays not ended before ``on``, by first day (at most ``limit``)."""
    require_role(principal, ADMITTERS)
    with session_scope(engine) as session:
        episodes: dict[str, list[Enrolment]] = {}
        for stage in repo.list_enrolments(session):
            episodes.setdefault(stage.episode, []).append(stage)
        rows = []
        for episode, stages in episodes.items():
            alive = life.live(stages)
            if not alive or (alive[-1].end_date < on and alive[-1].status is not EnrolmentStatus.REFERRED):
                continue
            running = next((s for s in alive if s.start_date <= on <= s.end_date), alive[0])
            rows.append((episode, alive, running))
        rows.sort(key=lambda r: (r[1][0].start_date, r[0]))
        rows = rows[:limit]
        ids = sorted({r[2].patient_id for r in rows})
        patients = {p.id: p for p in repo.list_patients(session, ids=ids, on=on)}
        log_access(
            session=session,
            principal=principal,
            patient_ids=sorted(patients),
            resource="stay list",
            client=client,
            at=now,
        )
    return [
        StayRow(
            patients[running.patient_id],
            episode,
            running.pathway_id,
            alive[0].start_date,
            alive[-1].end_date,
            alive[-1].status,
            running.is_paused(on),
        )
        for episode, alive, running in rows
        if running.patient_id in patients
    ]


def read_stay(
    *, engine: Engine, principal: Principal, patient_id: str, now: dt.datetime, client: str | None = None
) -> StayDetail:
    """A patient with every stage of their stays, the history of changes and the lab results."""
    require_role(principal, ADMITTERS)
    with session_scope(engine) as session:
        patient = repo.get_patient(session, patient_id, on=local_date(now))
        detail = StayDetail(
            patient,
            tuple(repo.list_enrolments(session, patient_id=patient_id)),
            tuple(store.stay_changes(session, patient_id)),
            tuple(store.lab_results(session, patient_id)),
        )
        log_access(
            session=session,
            principal=principal,
            patient_ids=[patient_id],
            resource="stay",
            client=client,
            at=now,
        )
    return detail
