"""``/api/alarms``: the response centre's worklist and the alarm life cycle (clinical roles only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from hjemme.api.deps import ClientDep, EngineDep, NowDep, require_roles
from hjemme.api.schemas.alarms import (
    AlarmAssignCreate,
    AlarmDetailRead,
    AlarmEventRead,
    AlarmNoteCreate,
    AlarmRead,
    AlarmResolveCreate,
)
from hjemme.api.schemas.fhir_ingest import UrgentVisitRead
from hjemme.services import monitoring as service
from hjemme.services.auth import Principal
from hjemme.services.urgent_visits import URGENT_VISIT_ROLES, request_urgent_visit

router = APIRouter(prefix="/api/alarms", tags=["alarms"])

Responder = Annotated[Principal, Depends(require_roles(*service.ALARM_ROLES))]
AlarmId = Annotated[str, Path(min_length=1, max_length=64)]


def _read(alarm: Any) -> AlarmRead:
    return AlarmRead(
        alarm_id=alarm.alarm_id, patient_id=alarm.patient_id, kind=str(alarm.kind),
        severity=str(alarm.severity), cause=alarm.cause, evidence=list(alarm.evidence),
        opened_at=alarm.opened_at, status=str(alarm.status), owner=alarm.owner,
        escalation_level=alarm.escalation_level, score=alarm.score,
        acknowledged_at=alarm.acknowledged_at, acknowledged_by=alarm.acknowledged_by,
        resolved_at=alarm.resolved_at, resolved_by=alarm.resolved_by,
        resolution_note=alarm.resolution_note,
    )


@router.get("", response_model=list[AlarmRead])
def list_alarms(
    principal: Responder,
    engine: EngineDep,
    now: NowDep,
    client: ClientDep,
    status: Annotated[str | None, Query(description="open (default), unacknowledged, acknowledged, "
                                        "resolved; empty for all")] = "open",
    patient: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> list[AlarmRead]:
    """The worklist, most urgent first; each patient shown is access-logged."""
    alarms = service.list_alarms(engine=engine, principal=principal, at=now, status=status or None,
                                 patient_id=patient, client=client, limit=limit)
    return [_read(a) for a in alarms]


@router.get("/{alarm_id}", response_model=AlarmDetailRead)
def read_alarm(principal: Responder, engine: EngineDep, now: NowDep, client: ClientDep,
               alarm_id: AlarmId) -> AlarmDetailRead:
    """One alarm with its audit trail."""
    alarm, events, _evidence = service.get_alarm(engine=engine, principal=principal, alarm_id=alarm_id,
                                                 at=now, client=client)
    return AlarmDetailRead(
        alarm=_read(alarm),
        events=[AlarmEventRead(kind=str(e.kind), at=e.at, actor=e.actor, level=e.level,
                               severity=str(e.severity), note=e.note) for e in events],
    )


@router.post("/{alarm_id}/ack", response_model=AlarmRead)
def acknowledge_alarm(principal: Responder, engine: EngineDep, now: NowDep, client: ClientDep,
                      alarm_id: AlarmId) -> AlarmRead:
    """The caller has seen the alarm; escalation stops."""
    return _read(service.acknowledge_alarm(engine=engine, principal=principal, alarm_id=alarm_id, at=now,
                                           client=client))


@router.post("/{alarm_id}/escalate", response_model=AlarmRead)
def escalate_alarm(principal: Responder, engine: EngineDep, now: NowDep, client: ClientDep,
                   alarm_id: AlarmId, body: AlarmNoteCreate | None = None) -> AlarmRead:
    """Hand the alarm to the next level now."""
    note = body.note if body else ""
    return _read(service.escalate_alarm(engine=engine, principal=principal, alarm_id=alarm_id, at=now,
                                        note=note, client=client))


@router.post("/{alarm_id}/resolve", response_model=AlarmRead)
def resolve_alarm(principal: Responder, engine: EngineDep, now: NowDep, client: ClientDep,
                  alarm_id: AlarmId, body: AlarmResolveCreate) -> AlarmRead:
    """Close the alarm with a note of what was done (409 when already resolved)."""
    return _read(service.resolve_alarm(engine=engine, principal=principal, alarm_id=alarm_id,
                                       note=body.note, at=now, client=client))


@router.post("/{alarm_id}/assign", response_model=AlarmRead)
def assign_alarm(principal: Responder, engine: EngineDep, now: NowDep, client: ClientDep,
                 alarm_id: AlarmId, body: AlarmAssignCreate) -> AlarmRead:
    """Give the alarm an owner."""
    return _read(service.assign_alarm(engine=engine, principal=principal, alarm_id=alarm_id,
                                      owner=body.owner, at=now, client=client))


@router.post("/{alarm_id}/urgent-visit", response_model=UrgentVisitRead)
def request_alarm_urgent_visit(
    principal: Annotated[Principal, Depends(require_roles(*URGENT_VISIT_ROLES))],
    engine: EngineDep, now: NowDep, client: ClientDep, alarm_id: AlarmId,
) -> UrgentVisitRead:
    """A red alarm's patient gets an urgent visit on today's plan (re-planned; 409 unless red and open)."""
    result = request_urgent_visit(engine=engine, principal=principal, alarm_id=alarm_id, at=now,
                                  client=client)
    minute = result.start_min
    start = None if minute is None else f"{minute // 60:02d}:{minute % 60:02d}"
    return UrgentVisitRead(alarm_id=result.alarm_id, patient_id=result.patient_id, date=result.date,
                           plan_version=result.plan_version, task_id=result.task_id, staff_id=result.staff_id,
                           start=start)
