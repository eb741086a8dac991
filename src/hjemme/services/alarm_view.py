"""One alarm as the response centre acts on it (issue 14): the alarm and what has been done, the
patient (name, age, phone, pathways), every monitored measurement of the last 72 hours with the
pathway's limits and the patient's own limits (personal baseline), in one read and one access-log row.

Next of kin are not part of hjemme's data model yet; the page says so instead of guessing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from hjemme.catalogue import load_catalogue
from hjemme.monitoring.alarms import Alarm, AlarmEvent
from hjemme.monitoring.observations import Observation
from hjemme.services.access import log_access, require_role
from hjemme.services.monitoring import (
    ALARM_ROLES,
    OSLO,
    _event,
    _observation,
    _personal,
    load_alarm,
    patient_monitoring,
)
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.monitoring_tables import AlarmEventRecord, ObservationRecord

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from hjemme.services.auth import Principal

CHART_HOURS = 72


@dataclass(frozen=True, slots=True)
class Series:
    """One parameter's measurements over the chart's span, with the limits that apply to it."""

    parameter: str
    unit: str
    points: tuple[Observation, ...]
    low: float | None  # the pathway's limits
    high: float | None
    own_low: float | None  # the patient's personal limits (baseline), when set
    own_high: float | None
    evidence: frozenset[str]  # observation ids the alarm cites


@dataclass(frozen=True, slots=True)
class AlarmPatient:
    patient_id: str
    name: str
    birth_year: int
    phone: str
    address: str
    pathways: tuple[tuple[str, str], ...]  # (bokmål name, English name) of the pathways active today
    next_of_kin: str = ""  # name, relation and phone, as the clinic wrote it


@dataclass(frozen=True, slots=True)
class AlarmPage:
    alarm: Alarm
    trail: tuple[AlarmEvent, ...]
    patient: AlarmPatient | None
    series: tuple[Series, ...]
    since: dt.datetime

    def age(self, on: dt.date) -> int | None:
        return on.year - self.patient.birth_year if self.patient is not None else None


def read_alarm_page(
    *, engine: Engine, principal: Principal, alarm_id: str, at: dt.datetime, client: str | None = None
) -> AlarmPage:
    """The alarm, its trail, its patient and 72 h of their measurements with limits, access-logged once."""
    require_role(principal, ALARM_ROLES)
    since = at - dt.timedelta(hours=CHART_HOURS)
    with session_scope(engine) as session:
        alarm = load_alarm(session, alarm_id)
        events = select(AlarmEventRecord).where(AlarmEventRecord.alarm_id == alarm_id)
        trail = tuple(_event(r) for r in session.scalars(events.order_by(AlarmEventRecord.id)))
        found = repo.list_patients(session, ids=[alarm.patient_id])
        setup = patient_monitoring(session, alarm.patient_id, at)
        own = {p.parameter: p for p in _personal(session, alarm.patient_id)}
        rows = session.scalars(select(ObservationRecord).where(
            ObservationRecord.patient_id == alarm.patient_id, ObservationRecord.effective_at >= since,
            ObservationRecord.effective_at <= at).order_by(ObservationRecord.effective_at))
        observations = [_observation(r) for r in rows]
        cited = set(alarm.evidence) - {o.observation_id for o in observations}
        if cited:  # evidence older than the chart's span still belongs on the page
            observations += [_observation(r) for r in session.scalars(
                select(ObservationRecord).where(ObservationRecord.observation_id.in_(cited)))]
        enrolments = repo.list_enrolments(session, active_on=at.astimezone(OSLO).date(),
                                          patient_id=alarm.patient_id)
        log_access(session=session, principal=principal, patient_ids=[alarm.patient_id],
                   resource=f"alarm {alarm_id}", client=client, at=at)
    catalogue = load_catalogue()
    pathways = tuple(
        (catalogue.pathways[e.pathway_id].name_nb, catalogue.pathways[e.pathway_id].name)
        for e in enrolments if e.pathway_id in catalogue.pathways
    )
    patient = next((
        AlarmPatient(p.id, p.name, p.birth_year, p.phone, p.address, pathways, p.next_of_kin) for p in found
    ), None)
    specs = {s.code: s for s in setup.parameters}
    by_parameter: dict[str, list[Observation]] = {}
    for o in sorted(observations, key=lambda o: o.effective_at):
        by_parameter.setdefault(str(o.parameter), []).append(o)
    order = [*specs, *sorted(set(by_parameter) - set(specs))]
    series = []
    for code in order:
        points = by_parameter.get(code, [])
        if not points:
            continue
        spec, mine = specs.get(code), own.get(code)
        series.append(Series(
            parameter=code, unit=points[-1].unit, points=tuple(points),
            low=spec.low if spec else None, high=spec.high if spec else None,
            own_low=mine.low if mine else None, own_high=mine.high if mine else None,
            evidence=frozenset(alarm.evidence),
        ))
    return AlarmPage(alarm, trail, patient, tuple(series), since)
