"""Stays through their life (issue 13, item 1): referral, admission, changes from a date,
discharge or death — the only way a patient and an enrolment get into hjemme.

Every use case is one service function and one transaction: it validates everything first
(:class:`InputError` naming the field, nothing written), stores the patient, the stay's stages
(:mod:`hjemme.domain.stays`), the address from its date and one row of the stay's history, writes
the access log, and — when a day that already has a plan (today or later) is touched — records a
``stay_changed`` journal entry on that day with the tasks that go and come, so the day's plan
follows at once (:mod:`hjemme.services.day_sync`). Days not yet planned follow from the stored stay.

``admit_in`` is the bulk form inside the caller's transaction: the importer and the seeder use it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain import stays
from hjemme.domain.people import Address, Enrolment, EnrolmentStatus, Patient, VisitPlan
from hjemme.domain.time import local_date
from hjemme.errors import ConflictError, InputError, NotFoundError
from hjemme.services.access import log_access, require_role
from hjemme.services.auth import Principal
from hjemme.services.day_sync import write_through_journal
from hjemme.services.stay_days import day_changes
from hjemme.services.stay_forms import (
    ADMITTERS,
    CHANGE_KINDS,
    MAX_STAY_DAYS,
    Admission,
    StayChangeRequest,
    StayResult,
    _location,
    _raise_first,
    admission_of,
    check_admission,
    new_id,
    parse_windows,
    patient_of,
    stage_of,
    visit_plan_of,
)
from hjemme.store import realdata as store
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.realdata import StayChange

__all__ = [
    "ADMITTERS",
    "Admission",
    "StayChangeRequest",
    "StayResult",
    "admission_of",
    "admit_in",
    "admit_patient",
    "change_stay",
    "check_admission",
    "discharge_patient",
    "new_id",
    "parse_windows",
    "visit_details",
]

# -- admission ------------------------------------------------------------------------------------


def admit_in(
    session: Session,
    *,
    principal: Principal,
    admissions: Sequence[Admission],
    now: dt.datetime,
    catalogue: Catalogue,
    client: str | None = None,
    resource: str = "admission",
) -> list[tuple[str, str]]:
    """Store new patients with their stays inside the caller's transaction; (patient, episode) ids.

    The bulk form of :func:`admit_patient` for the importer and the seeder: no planned day is
    changed here (callers admit for days not yet planned, or re-plan afterwards).
    """
    require_role(principal, ADMITTERS)
    patients, stages, ids = [], [], []
    for a in admissions:
        _raise_first(check_admission(a, catalogue))
        patient_id = a.patient_id or new_id("P")
        episode_id = a.episode_id or new_id("E")
        patients.append(patient_of(a, catalogue, patient_id))
        stages.append(stage_of(a, patient_id, episode_id))
        ids.append((patient_id, episode_id))
    for chunk in range(0, len(patients), repo.IN_CHUNK):
        repo.add_patients(session, patients[chunk : chunk + repo.IN_CHUNK])
        repo.add_enrolments(session, stages[chunk : chunk + repo.IN_CHUNK])
    store.add_addresses(
        session, [(p.id, _address_of(p, s.start_date)) for p, s in zip(patients, stages, strict=True)]
    )
    store.add_stay_changes(
        session,
        [
            (
                s.patient_id,
                StayChange(
                    "referred" if a.referral_only else "admitted",
                    s.episode,
                    s.start_date,
                    {"pathway": s.pathway_id, "length_days": str(s.length_days)},
                    "",
                    principal.username,
                    now,
                ),
            )
            for a, s in zip(admissions, stages, strict=True)
        ],
    )
    log_access(
        session=session,
        principal=principal,
        patient_ids=[p for p, _ in ids],
        resource=resource,
        client=client,
        at=now,
        action="write",
    )
    return ids


def _address_of(patient: Patient, valid_from: dt.date) -> Address:
    return Address(
        valid_from,
        patient.address,
        patient.location,
        patient.district_id,
        patient.access_notes,
        patient.delivery_notes,
    )


def record_history(
    session: Session,
    principal: Principal,
    stage: Enrolment,
    kind: str,
    effective: dt.date,
    details: dict[str, object],
    reason: str,
    now: dt.datetime,
) -> None:
    store.add_stay_change(
        session,
        stage.patient_id,
        StayChange(
            kind,
            stage.episode,
            effective,
            {k: str(v) for k, v in details.items()},
            reason,
            principal.username,
            now,
        ),
    )


def admit_patient(
    *,
    engine: Engine,
    principal: Principal,
    admission: Admission,
    now: dt.datetime,
    client: str | None = None,
    catalogue: Catalogue | None = None,
) -> StayResult:
    """Refer or admit one patient; a referred stay named by ``episode_id`` (or the patient's only
    referred stay) is admitted with the values given. A day already planned gets the new tasks."""
    require_role(principal, ADMITTERS)
    catalogue = catalogue or load_catalogue()
    _raise_first(check_admission(admission, catalogue))
    with session_scope(engine) as session:
        existing = store.patient_by_identifier(
            session, national_id=admission.national_id, hospital_id=admission.hospital_id
        )
        if existing is None and admission.patient_id:
            existing = _find_patient(session, admission.patient_id)
        referred = _referred_stay(session, existing.id, admission.episode_id) if existing else None
        if existing is not None and referred is None and admission.episode_id:
            if repo.list_enrolments(session, episode_id=admission.episode_id):
                raise ConflictError(f"stay {admission.episode_id} exists already; change it instead")
    patient_id = existing.id if existing else (admission.patient_id or new_id("P"))
    episode_id = referred.episode if referred else (admission.episode_id or new_id("E"))
    patient = patient_of(admission, catalogue, patient_id)
    stage = stage_of(admission, patient_id, episode_id)
    stage = replace(stage, id=referred.id) if referred else stage
    old_patient = existing

    def write(session: Session) -> None:
        if old_patient is None:
            repo.add_patients(session, [patient])
        else:
            store.save_patient(session, patient)
        store.save_stages(session, [stage])
        store.add_address(session, patient_id, _address_of(patient, stage.start_date))
        kind = "referred" if admission.referral_only else "admitted"
        record_history(
            session,
            principal,
            stage,
            kind,
            stage.start_date,
            {"pathway": stage.pathway_id, "length_days": stage.length_days},
            "",
            now,
        )
        log_access(
            session=session,
            principal=principal,
            patient_ids=[patient_id],
            resource=f"stay {episode_id} {kind}",
            client=client,
            at=now,
            action="write",
        )

    changes = day_changes(engine, patient, {}, [stage], stage.start_date, now, catalogue, "admitted")
    effects = write_through_journal(
        engine=engine, principal=principal, changes=changes, write=write, now=now, client=client
    )
    return StayResult(patient_id, episode_id, (stage,), tuple(effects))


def _find_patient(session: Session, patient_id: str) -> Patient | None:
    try:
        return repo.get_patient(session, patient_id)
    except NotFoundError:
        return None


def _referred_stay(session: Session, patient_id: str, episode_id: str) -> Enrolment | None:
    stages = [
        e
        for e in repo.list_enrolments(session, patient_id=patient_id)
        if e.status is EnrolmentStatus.REFERRED and (not episode_id or e.episode == episode_id)
    ]
    return stages[0] if len(stages) == 1 else None


# -- changes and discharge ------------------------------------------------------------------------


def change_stay(
    *,
    engine: Engine,
    principal: Principal,
    patient_id: str,
    change: StayChangeRequest,
    now: dt.datetime,
    episode_id: str = "",
    client: str | None = None,
    catalogue: Catalogue | None = None,
) -> StayResult:
    """Apply one change from ``change.date`` to the patient's open stay (or ``episode_id``)."""
    require_role(principal, ADMITTERS)
    catalogue = catalogue or load_catalogue()
    if change.kind not in CHANGE_KINDS:
        raise InputError("kind", f"{change.kind!r} is not one of {', '.join(CHANGE_KINDS)}")
    if len(change.reason) > 500:
        raise InputError("reason", "at most 500 characters")
    if change.extra:
        raise InputError(sorted(change.extra)[0], "unknown field")
    if change.kind != "visits" and change.visit_fields:
        raise InputError(change.visit_fields[0], "only with the change kind 'visits'")
    patient, old, addresses = _load(engine, patient_id, episode_id)
    new_patient, address, details = patient, None, {}
    try:
        if change.kind == "visits":
            plan = visit_plan_of(change, catalogue.pathways[_pathway_on(old, change.date)])
            new = stays.set_visits(old, plan)
            details = visit_details(plan)
        elif change.kind == "pathway":
            if change.pathway_id not in catalogue.pathways:
                raise InputError("pathway", f"unknown pathway {change.pathway_id!r}")
            new = stays.change_pathway(
                old, change.date, change.pathway_id, _stage_id(engine, old, change.date)
            )
            details = {"pathway": change.pathway_id}
        elif change.kind == "pause":
            if change.until is None:
                raise InputError(
                    "until", "give the last day in hospital (the expected one; resume ends it earlier)"
                )
            new = stays.pause(old, change.date, change.until)
            details = {"until": change.until}
        elif change.kind == "resume":
            new = stays.resume(old, change.date)
        elif change.kind == "until":
            if change.until is None:
                raise InputError("until", "give the new last day of the stay")
            if (change.until - stays.first_day(old)).days >= MAX_STAY_DAYS:
                raise InputError("until", f"a stay lasts at most {MAX_STAY_DAYS} days")
            new = stays.set_last_day(old, change.until)
            details = {"until": change.until}
        elif change.kind == "clinicians":
            preferred = change.preferred_staff_ids if change.preferred_staff_ids is not None else None
            excluded = change.excluded_staff_ids if change.excluded_staff_ids is not None else None
            new = tuple(
                replace(
                    s,
                    preferred_staff_ids=preferred if preferred is not None else s.preferred_staff_ids,
                    excluded_staff_ids=excluded if excluded is not None else s.excluded_staff_ids,
                )
                for s in old
            )
            if any(set(s.preferred_staff_ids) & set(s.excluded_staff_ids) for s in new):
                raise InputError("excluded_staff", "a clinician cannot be both preferred and excluded")
            details = {"preferred": ",".join(preferred or ()), "excluded": ",".join(excluded or ())}
        else:
            if not change.address.strip():
                raise InputError("address", "give the new address")
            if change.district and change.district not in catalogue.districts:
                raise InputError("district", f"unknown district {change.district!r}")
            if change.lat is None and not change.district:
                raise InputError("district", "give the district (bydel) or the coordinates lat/lon")
            location, district = _location(catalogue, change.district, change.lat, change.lon)
            address = Address(
                change.date,
                change.address.strip(),
                location,
                district,
                patient.access_notes if change.access_notes is None else change.access_notes,
                patient.delivery_notes if change.delivery_notes is None else change.delivery_notes,
            )
            new = tuple(old)
            addresses = {**addresses, change.date: address}
            details = {"address": address.address}
    except stays.StayError as error:
        raise InputError(error.field, error.problem) from None
    if address is not None and change.date <= local_date(now):
        new_patient = _with_address(patient, address)
    return _store_change(
        engine,
        principal,
        new_patient,
        old,
        new,
        addresses,
        address,
        change.kind,
        change.date,
        details,
        change.reason,
        now,
        client,
        catalogue,
    )


def discharge_patient(
    *,
    engine: Engine,
    principal: Principal,
    patient_id: str,
    date: dt.date,
    now: dt.datetime,
    died: bool = False,
    episode_id: str = "",
    reason: str = "",
    client: str | None = None,
    catalogue: Catalogue | None = None,
) -> StayResult:
    """Discharged (or died) on ``date``: no work from that day on; a planned day loses the
    patient's remaining tasks through its journal."""
    require_role(principal, ADMITTERS)
    catalogue = catalogue or load_catalogue()
    patient, old, addresses = _load(engine, patient_id, episode_id)
    try:
        new = stays.end_stay(old, date, died=died)
    except stays.StayError as error:
        raise InputError(error.field, error.problem) from None
    kind = "died" if died else "discharged"
    return _store_change(
        engine, principal, patient, old, new, addresses, None, kind, date, {}, reason, now, client, catalogue
    )


def _store_change(
    engine: Engine,
    principal: Principal,
    patient: Patient,
    old: Sequence[Enrolment],
    new: Sequence[Enrolment],
    addresses: dict[dt.date, Address],
    address: Address | None,
    kind: str,
    date: dt.date,
    details: dict[str, object],
    reason: str,
    now: dt.datetime,
    client: str | None,
    catalogue: Catalogue,
) -> StayResult:
    episode = old[0].episode

    def write(session: Session) -> None:
        store.save_stages(session, new)
        if address is not None:
            store.add_address(session, patient.id, address)
        store.save_patient(session, patient)
        record_history(session, principal, new[0], kind, date, details, reason, now)
        log_access(
            session=session,
            principal=principal,
            patient_ids=[patient.id],
            resource=f"stay {episode} {kind}",
            client=client,
            at=now,
            action="write",
        )

    changes = day_changes(engine, patient, addresses, new, date, now, catalogue, kind)
    effects = write_through_journal(
        engine=engine, principal=principal, changes=changes, write=write, now=now, client=client
    )
    return StayResult(
        patient.id, episode, tuple(new), tuple(effects), tuple(new) != tuple(old) or bool(address)
    )


def _load(
    engine: Engine, patient_id: str, episode_id: str
) -> tuple[Patient, tuple[Enrolment, ...], dict[dt.date, Address]]:
    """The patient, the stages of the chosen stay (the open one by default) and their addresses."""
    with session_scope(engine) as session:
        patient = repo.get_patient(session, patient_id)
        stages = repo.list_enrolments(session, patient_id=patient_id)
        addresses = {a.valid_from: a for a in store.addresses(session, [patient_id]).get(patient_id, [])}
    episodes: dict[str, list[Enrolment]] = {}
    for stage in stages:
        episodes.setdefault(stage.episode, []).append(stage)
    if episode_id:
        if episode_id not in episodes:
            raise NotFoundError("stay", episode_id)
        return patient, tuple(episodes[episode_id]), addresses
    open_ = [
        e
        for e, s in episodes.items()
        if stays.is_open(s) or any(x.status is EnrolmentStatus.REFERRED for x in s)
    ]
    if not open_:
        raise InputError("patient", f"patient {patient_id} has no open stay")
    latest = max(
        open_, key=lambda e: stays.first_day(episodes[e]) if stays.live(episodes[e]) else dt.date.min
    )
    return patient, tuple(episodes[latest]), addresses


def _pathway_on(stages: Sequence[Enrolment], date: dt.date) -> str:
    """The pathway running on ``date`` (the first stage's when the date lies outside the stay)."""
    alive = stays.live(stages) or list(stages)
    return next((s.pathway_id for s in alive if s.start_date <= date <= s.end_date), alive[0].pathway_id)


def visit_details(plan: VisitPlan) -> dict[str, object]:
    """A visit plan as the stay's history records it (windows as Oslo HH:MM)."""
    if plan.is_pathway:
        return {"visits": "pathway"}
    details: dict[str, object] = {}
    if plan.per_day is not None:
        details["per_day"] = plan.per_day
    if plan.every_days is not None:
        details["every_days"] = plan.every_days
    if plan.windows:
        details["windows"] = ", ".join(str(w) for w in plan.windows)
    return details


def _stage_id(engine: Engine, stages: Sequence[Enrolment], date: dt.date) -> str:
    base = f"{stages[0].episode}-{date:%Y%m%d}"
    with session_scope(engine) as session:
        taken = store.enrolment_ids(session, base)
    return base if base not in taken else f"{base}-{len(taken) + 1}"


def _with_address(patient: Patient, address: Address) -> Patient:
    return replace(
        patient,
        address=address.address,
        location=address.location,
        district_id=address.district_id,
        access_notes=address.access_notes,
        delivery_notes=address.delivery_notes,
    )
