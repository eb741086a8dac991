"""Patient use cases for the API and the web: list, detail and the FHIR record, need-to-know applied.

Each function is one transaction: it reads through the store's repositories, writes one
access-log row per patient whose data it returns, and only then hands back a view cut down to the
caller's role (:mod:`hjemme.services.access`). A failed read leaves no log row; a returned read
always has one. Whose data a caller sees follows the care relationship (:mod:`hjemme.services.care`):
a clinician their own patients, logistics those they deliver to, a patient themself.

Researchers' views are keyed by ``research_key`` (never the signing key) and, so that they cannot be
linked to other records, come in pseudonym order with an age band and ISO weeks instead of a birth
year and dates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain.catalogue import DeviceType
from hjemme.domain.pathways import Pathway
from hjemme.domain.people import Enrolment, Patient
from hjemme.domain.research import age_band, iso_week
from hjemme.domain.security import Role
from hjemme.domain.tasks import Task
from hjemme.domain.time import format_hhmm, local_date
from hjemme.errors import InputError, NotFoundError
from hjemme.services.access import (
    FHIR_READERS,
    PATIENT_READERS,
    TASK_READERS,
    View,
    log_access,
    project_patient,
    project_task,
    pseudonym,
    require_patient,
    require_role,
)
from hjemme.services.care import care_scope, carried_tasks, require_in_care
from hjemme.services.workload import tasks_on
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from hjemme.services.auth import Principal

MAX_PAGE = 1000


@dataclass(frozen=True, slots=True)
class PatientFile:
    """A patient with their enrolments and the catalogue entries those refer to (for FHIR)."""

    patient: Patient
    enrolments: tuple[Enrolment, ...]
    pathways: Mapping[str, Pathway]
    device_types: Mapping[str, DeviceType]
    on: dt.date  # the local date the record was read on: decides which care plans are active


def list_patients(
    *,
    engine: Engine,
    principal: Principal,
    client: str | None,
    at: dt.datetime,
    research_key: str,
    limit: int = 100,
    offset: int = 0,
    catalogue: Catalogue | None = None,
) -> list[View]:
    """One page of the patients in the caller's care as their role may see them (sorted by id;
    researchers: by pseudonym)."""
    require_role(principal, PATIENT_READERS)
    if not 1 <= limit <= MAX_PAGE:
        raise InputError("limit", f"must be between 1 and {MAX_PAGE}")
    if offset < 0:
        raise InputError("offset", "must not be negative")
    catalogue = catalogue or load_catalogue()
    with session_scope(engine) as session:
        scope = care_scope(session, principal, at)
        if principal.role is Role.RESEARCHER:
            everyone = repo.list_patients(session, on=local_date(at))
            everyone.sort(key=lambda p: pseudonym(p.id, research_key=research_key))
            patients = everyone[offset : offset + limit]
        elif scope.patient_ids is None:
            patients = repo.list_patients(session, limit=limit, offset=offset, on=local_date(at))
        else:
            patients = repo.list_patients(
                session, ids=scope.patient_ids, limit=limit, offset=offset, on=local_date(at)
            )
        enrolments = _enrolments_by_patient(session, patients)
        log_access(
            session=session,
            principal=principal,
            patient_ids=[p.id for p in patients],
            resource="patient list",
            client=client,
            at=at,
        )
    on = local_date(at)
    return [
        project_patient(
            patient_view(p, enrolments[p.id], catalogue, on=on, research_key=research_key),
            principal.role,
        )
        for p in patients
    ]


def read_patient(
    *,
    engine: Engine,
    principal: Principal,
    patient_ref: str,
    client: str | None,
    at: dt.datetime,
    research_key: str,
    catalogue: Catalogue | None = None,
) -> View:
    """One patient in the caller's care as their role may see them.

    Researchers name a patient by pseudonym only: accepting a real id would let anyone who knows
    one link it to its pseudonym and so re-identify the research data.
    """
    require_role(principal, PATIENT_READERS)
    catalogue = catalogue or load_catalogue()
    with session_scope(engine) as session:
        if principal.role is Role.RESEARCHER:
            patient = _by_pseudonym(session, patient_ref, research_key=research_key)
        else:
            require_patient(principal, patient_ref)
            require_in_care(session, principal, patient_ref, at)
            patient = repo.get_patient(session, patient_ref, on=local_date(at))
        enrolments = repo.list_enrolments(session, patient_id=patient.id)
        log_access(
            session=session,
            principal=principal,
            patient_ids=[patient.id],
            resource="patient",
            client=client,
            at=at,
        )
    view = patient_view(patient, enrolments, catalogue, on=local_date(at), research_key=research_key)
    return project_patient(view, principal.role)


def read_patient_file(
    *,
    engine: Engine,
    principal: Principal,
    patient_id: str,
    resource: str,
    client: str | None,
    at: dt.datetime,
    catalogue: Catalogue | None = None,
) -> PatientFile:
    """A patient's whole record for an interoperability export (FHIR); clinical roles and self only."""
    require_role(principal, FHIR_READERS)
    require_patient(principal, patient_id)
    catalogue = catalogue or load_catalogue()
    with session_scope(engine) as session:
        require_in_care(session, principal, patient_id, at)
        patient = repo.get_patient(session, patient_id, on=local_date(at))
        enrolments = repo.list_enrolments(session, patient_id=patient_id)
        log_access(
            session=session,
            principal=principal,
            patient_ids=[patient_id],
            resource=resource,
            client=client,
            at=at,
        )
    return PatientFile(
        patient=patient,
        enrolments=tuple(enrolments),
        pathways={e.pathway_id: catalogue.pathways[e.pathway_id] for e in enrolments
                  if e.pathway_id in catalogue.pathways},
        device_types=catalogue.device_types,
        on=local_date(at),
    )


def list_tasks(
    *,
    engine: Engine,
    principal: Principal,
    date: dt.date,
    client: str | None,
    at: dt.datetime,
) -> list[View]:
    """The day's tasks as the caller's role may see them (the patient role: its own only)."""
    tasks = read_tasks(engine=engine, principal=principal, date=date, client=client, at=at)
    return [project_task(task_view(t), principal.role) for t in tasks]


def read_tasks(
    *,
    engine: Engine,
    principal: Principal,
    date: dt.date,
    client: str | None,
    at: dt.datetime,
) -> list[Task]:
    """The day's tasks the caller may see, as domain objects: a clinician's patients', the kinds a
    carrier carries (:func:`hjemme.services.care.carried_tasks`), the patient role its own.

    Tasks carry patients' locations and, for clinical roles, their pathways, so the read is logged
    once per patient whose tasks are shown.
    """
    require_role(principal, TASK_READERS)
    tasks = tasks_on(engine=engine, date=date)
    with session_scope(engine) as session:
        tasks = carried_tasks(session, principal, date, tasks, at)
        log_access(
            session=session,
            principal=principal,
            patient_ids=[t.patient_id for t in tasks],
            resource=f"tasks {date.isoformat()}",
            client=client,
            at=at,
        )
    return tasks


def task_view(task: Task) -> View:
    """Everything hjemme shows about a task (the shape of ``hjemme tasks --format json``)."""
    goods = task.goods
    return {
        "id": task.id,
        "kind": str(task.kind),
        "patient": task.patient_id,
        "enrolment_id": task.enrolment_id,
        "pathway_id": task.pathway_id,
        "lat": task.location.lat,
        "lon": task.location.lon,
        "duration_min": task.duration_min,
        "window_start": format_hhmm(task.window.start_min),
        "window_end": format_hhmm(task.window.end_min),
        "skill": task.skill,
        "goods": None if goods is None else {
            "lines": [{"product_id": line.product_id, "quantity": line.quantity} for line in goods.lines],
            "volume_l": goods.volume_l,
            "weight_kg": goods.weight_kg,
            "cold_chain": goods.cold_chain,
            "qualified_carrier": goods.qualified_carrier,
        },
        "sample_type": task.sample_type,
        "sample_stability_min": task.sample_stability_min,
        "taken_at": task.taken_at,
        "before": list(task.before),
        "mandatory": task.mandatory,
        "fixed_time": task.fixed_time,
        "interpreter": task.interpreter,
    }


def patient_view(
    patient: Patient,
    enrolments: Sequence[Enrolment],
    catalogue: Catalogue,
    *,
    on: dt.date,
    research_key: str,
) -> View:
    """Everything hjemme shows about a patient, before need-to-know cuts it down."""
    current = [e for e in enrolments if e.end_date >= on]
    return {
        "id": patient.id,
        "pseudonym": pseudonym(patient.id, research_key=research_key),
        "name": patient.name,
        "birth_year": patient.birth_year,
        "age_band": age_band(patient.birth_year, on),
        "address": patient.address,
        "location": {"lat": patient.location.lat, "lon": patient.location.lon},
        "district_id": patient.district_id,
        "phone": patient.phone,
        "language": patient.language,
        "needs_interpreter": patient.needs_interpreter,
        "lives_alone": patient.lives_alone,
        "clinic": patient.clinic,
        "delivery_notes": patient.delivery_notes,
        "enrolments": [_enrolment_view(e, catalogue.pathways.get(e.pathway_id), on) for e in enrolments],
        "devices": list(_device_views(current, catalogue)),
    }


def _enrolment_view(enrolment: Enrolment, pathway: Pathway | None, on: dt.date) -> View:
    return {
        "id": enrolment.id,
        "pathway_id": enrolment.pathway_id,
        "pathway_name": pathway.name if pathway else None,
        "service_kind": str(pathway.service_kind) if pathway else None,
        "diagnosis_code": pathway.diagnosis_code if pathway else None,
        "diagnosis_text": pathway.diagnosis_text if pathway else None,
        "start_date": enrolment.start_date,
        "end_date": enrolment.end_date,
        "start_week": iso_week(enrolment.start_date),
        "end_week": iso_week(enrolment.end_date),
        "length_days": enrolment.length_days,
        "active": enrolment.is_active(on),
        "monitoring": [
            {"code": m.code, "unit": m.unit, "interval_hours": m.interval_hours, "low": m.low,
             "high": m.high}
            for m in (pathway.monitoring if pathway else ())
        ],
        "spo2_target_88_92": enrolment.spo2_target_88_92,
    }


def _device_views(enrolments: Iterable[Enrolment], catalogue: Catalogue) -> Iterable[View]:
    """The devices a patient has (or will have) at home, with the dates they go out and come back."""
    for enrolment in enrolments:
        pathway = catalogue.pathways.get(enrolment.pathway_id)
        for spec in pathway.devices if pathway else ():
            device = catalogue.device_types.get(spec.device_type_id)
            yield {
                "device_type_id": spec.device_type_id,
                "name": device.name if device else spec.device_type_id,
                "quantity": spec.quantity,
                "from_date": enrolment.start_date,
                "to_date": enrolment.end_date,
                "from_week": iso_week(enrolment.start_date),
                "to_week": iso_week(enrolment.end_date),
            }


def _enrolments_by_patient(session: Session, patients: Sequence[Patient]) -> dict[str, list[Enrolment]]:
    wanted = {p.id for p in patients}
    grouped: dict[str, list[Enrolment]] = defaultdict(list)
    if len(wanted) == 1:
        (only,) = wanted
        grouped[only] = repo.list_enrolments(session, patient_id=only)
        return grouped
    for enrolment in repo.list_enrolments(session):
        if enrolment.patient_id in wanted:
            grouped[enrolment.patient_id].append(enrolment)
    return grouped


def _by_pseudonym(session: Session, ref: str, *, research_key: str) -> Patient:
    for patient in repo.list_patients(session):
        if pseudonym(patient.id, research_key=research_key) == ref:
            return patient
    raise NotFoundError("patient", ref)
