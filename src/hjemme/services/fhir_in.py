"""FHIR R4 in from the EHR and the lab (issue 13, item 5): a ``transaction`` Bundle admits, updates or
discharges a patient, and lab results close the sample they answer.

The whole bundle is one transaction: every entry is validated (``fhir.resources`` R4B) and mapped
first; a bad entry raises :class:`FhirInputError` naming the element (a FHIRPath such as
``Bundle.entry[1].resource.period.start``) and nothing is written. Matching is on identifiers
(the national id system and the hospital's own patient id; the EpisodeOfCare identifier for the
stay), so posting the same bundle twice changes nothing the second time. The mapping is documented
in ``docs/fhir.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain import stays as life
from hjemme.domain.people import Address, Enrolment, EnrolmentStatus, Patient
from hjemme.domain.time import local_date
from hjemme.errors import InputError
from hjemme.services.access import FHIR_READERS, log_access, require_role
from hjemme.services.auth import Principal
from hjemme.services.day_sync import write_through_journal
from hjemme.services.lab_results import (
    FhirInputError,
    fhir_date,
    field_at,
    lab_result_of,
    lab_results,
    raise_alarm,
)
from hjemme.services.stay_days import day_changes
from hjemme.services.stay_forms import ADMITTERS, Admission, check_admission, new_id, patient_of, stage_of
from hjemme.store import realdata as store
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.realdata import StayChange

NATIONAL_ID_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.1"
PATHWAY_SYSTEM = "urn:hjemme:pathway"
CLINIC_SYSTEM = "urn:hjemme:clinic"
INTERPRETER_REQUIRED = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"
GEOLOCATION = "http://hl7.org/fhir/StructureDefinition/geolocation"
SUPPORTED = ("Patient", "EpisodeOfCare", "CarePlan", "Observation", "DiagnosticReport")
EPISODE_STATUSES = ("planned", "active", "onhold", "finished", "cancelled")
EPISODE_ID = re.compile(r"^[A-Za-z0-9._-]{1,40}$")


@dataclass(frozen=True, slots=True)
class BundleResult:
    """What the bundle did: per entry ``created``, ``updated`` or ``unchanged`` (and its location)."""

    entries: tuple[tuple[str, str], ...]
    patient_id: str | None
    episode_id: str | None
    lab_results: int
    alarms: int
    changed: bool


def _validate(resource: Any, path: str) -> None:
    from fhir.resources.R4B import get_fhir_model_class

    kind = resource.get("resourceType") if isinstance(resource, dict) else None
    if kind not in SUPPORTED:
        raise FhirInputError(f"{path}.resourceType", f"supported: {', '.join(SUPPORTED)}; got {kind!r}")
    try:
        get_fhir_model_class(kind).model_validate(resource)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"] if p != "__root__")
        raise FhirInputError(f"{path}.{where}" if where else path, first["msg"]) from None


# -- mapping --------------------------------------------------------------------------------------


def _patient_fields(res: Mapping[str, Any], path: str) -> dict[str, Any]:
    ids = {i.get("system"): i.get("value") for i in res.get("identifier", [])}
    national = ids.pop(NATIONAL_ID_SYSTEM, None)
    hospital = next((v for s, v in ids.items() if s and v), None)
    if not national and not hospital:
        raise FhirInputError(
            f"{path}.identifier", f"give the national id ({NATIONAL_ID_SYSTEM}) or the hospital's id"
        )
    name = res.get("name", [{}])[0]
    text = name.get("text") or " ".join([*name.get("given", []), name.get("family", "")]).strip()
    if not text:
        raise FhirInputError(f"{path}.name", "required by hjemme")
    address = field_at(res, path, "address")
    address = address[0] if isinstance(address, list) else address
    geo = next((e for e in address.get("extension", []) if e.get("url") == GEOLOCATION), None)
    coords = {e["url"]: e.get("valueDecimal") for e in geo.get("extension", [])} if geo else {}
    phone = next((t.get("value") for t in res.get("telecom", []) if t.get("system") == "phone"), "")
    kin = res.get("contact", [{}])[0] if res.get("contact") else {}
    kin_text = " ".join(
        x
        for x in (
            (kin.get("name") or {}).get("text", ""),
            next((t.get("value", "") for t in kin.get("telecom", [])), ""),
        )
        if x
    )
    language = (field_at(res, path, "communication.language.coding.code", required=False) or "nb")[:2]
    interpreter = any(
        e.get("url") == INTERPRETER_REQUIRED and e.get("valueBoolean") for e in res.get("extension", [])
    )
    return {
        "national_id": national,
        "hospital_id": hospital,
        "name": text,
        "birth_year": int(str(field_at(res, path, "birthDate"))[:4]),
        "address": address.get("text")
        or ", ".join(
            [*address.get("line", []), address.get("postalCode", ""), address.get("city", "")]
        ).strip(", "),
        "district": address.get("district", "") or "",
        "lat": coords.get("latitude"),
        "lon": coords.get("longitude"),
        "phone": phone or "",
        "next_of_kin": kin_text,
        "language": language,
        "needs_interpreter": interpreter,
        "deceased": res.get("deceasedDateTime") or res.get("deceasedBoolean"),
    }


def _pathway(res: Mapping[str, Any], path: str, catalogue: Catalogue) -> str:
    candidates = [c.rstrip("/").rsplit("/", 1)[-1] for c in res.get("instantiatesCanonical", [])]
    candidates += [
        c.get("code")
        for cat in res.get("category", [])
        for c in cat.get("coding", [])
        if c.get("system") == PATHWAY_SYSTEM
    ]
    for candidate in candidates:
        if candidate in catalogue.pathways:
            return str(candidate)
    raise FhirInputError(
        f"{path}.instantiatesCanonical",
        f"no known pathway (urn:hjemme:pathway/<id> or category {PATHWAY_SYSTEM}); got {candidates}",
    )


@dataclass
class _Parsed:
    patient: dict[str, Any] | None = None
    patient_path: str = ""
    patient_ref: set[str] | None = None
    episode: dict[str, Any] | None = None
    plans: list[tuple[dt.date | None, str]] | None = None
    labs: list[tuple[str, dict[str, Any], str | None]] | None = None  # (path, Observation, report basedOn)


def _pauses_of(res: Mapping[str, Any], path: str) -> list[tuple[int, dt.date, dt.date | None]]:
    """The ``onhold`` periods of ``EpisodeOfCare.statusHistory`` as (entry, first day, last day in
    hospital or ``None``), by first day; with status ``onhold`` at least one is required."""
    pauses = []
    for i, entry in enumerate(res.get("statusHistory") or []):
        if entry.get("status") != "onhold":
            continue
        where = f"{path}.statusHistory[{i}].period"
        period = entry.get("period") or {}
        if not period.get("start"):
            raise FhirInputError(f"{where}.start", "give the first day back in hospital")
        first = fhir_date(period["start"], f"{where}.start")
        last = fhir_date(period["end"], f"{where}.end") if period.get("end") else None
        if last is not None and last < first:
            raise FhirInputError(f"{where}.end", "must not be before period.start")
        pauses.append((i, first, last))
    if res.get("status") == "onhold" and not pauses:
        raise FhirInputError(
            f"{path}.statusHistory",
            "give the pause as a statusHistory entry with status onhold and period.start (and period.end, "
            "the expected last day in hospital, when known)",
        )
    return sorted(pauses, key=lambda p: p[1])


def _parse(bundle: Any, catalogue: Catalogue) -> _Parsed:
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise FhirInputError("Bundle", "post a Bundle")
    if bundle.get("type") != "transaction":
        raise FhirInputError("Bundle.type", "must be 'transaction'")
    entries = bundle.get("entry") or []
    if not entries:
        raise FhirInputError("Bundle.entry", "the bundle has no entries")
    parsed = _Parsed(plans=[], labs=[], patient_ref=set())
    reports: dict[str, str] = {}
    for i, entry in enumerate(entries):
        path = f"Bundle.entry[{i}].resource"
        res = entry.get("resource") if isinstance(entry, dict) else None
        _validate(res, path)
        kind = res["resourceType"]
        if kind == "Patient":
            if parsed.patient is not None:
                raise FhirInputError(path, "one Patient per bundle")
            parsed.patient, parsed.patient_path = _patient_fields(res, path), path
            parsed.patient_ref |= {entry.get("fullUrl", ""), f"Patient/{res.get('id', '')}"}
        elif kind == "EpisodeOfCare":
            if parsed.episode is not None:
                raise FhirInputError(path, "one EpisodeOfCare per bundle")
            value = field_at(res, path, "identifier.value")
            if not EPISODE_ID.match(str(value)):
                raise FhirInputError(f"{path}.identifier[0].value", "1–40 letters, digits, '.', '_' or '-'")
            if res.get("status") not in EPISODE_STATUSES:
                raise FhirInputError(
                    f"{path}.status", f"one of {', '.join(EPISODE_STATUSES)} (waitlist is not supported)"
                )
            period = res.get("period") or {}
            start = fhir_date(field_at(res, path, "period.start"), f"{path}.period.start")
            end = fhir_date(period["end"], f"{path}.period.end") if period.get("end") else None
            if res["status"] in ("active", "finished", "planned") and end is None:
                raise FhirInputError(
                    f"{path}.period.end", "give the planned (or actual) last day of the stay"
                )
            if end is not None and end < start:
                raise FhirInputError(f"{path}.period.end", "must not be before period.start")
            org = field_at(res, path, "managingOrganization.display", required=False) or ""
            parsed.episode = {
                "id": str(value),
                "status": res["status"],
                "start": start,
                "end": end,
                "clinic": org,
                "path": path,
                "pauses": _pauses_of(res, path),
            }
        elif kind == "CarePlan":
            start = res.get("period", {}).get("start")
            parsed.plans.append(
                (
                    fhir_date(start, f"{path}.period.start") if start else None,  # type: ignore[union-attr]
                    _pathway(res, path, catalogue),
                )
            )
        elif kind == "DiagnosticReport":
            based = field_at(res, path, "basedOn.reference")
            for ref in res.get("result", []):
                reports[ref.get("reference", "")] = based
        else:
            parsed.labs.append((path, {**res, "_fullUrl": entry.get("fullUrl", "")}, None))  # type: ignore[union-attr]
    parsed.labs = [
        (p, o, reports.get(o["_fullUrl"]) or reports.get(f"Observation/{o.get('id')}"))
        for p, o, _ in parsed.labs or []
    ]
    if parsed.episode is not None and parsed.patient is None:
        raise FhirInputError("Bundle.entry", "an EpisodeOfCare needs its Patient in the bundle")
    if parsed.plans and parsed.episode is None:
        raise FhirInputError("Bundle.entry", "a CarePlan needs its EpisodeOfCare in the bundle")
    if parsed.episode is not None and not parsed.plans and parsed.episode["status"] in ("planned", "active"):
        raise FhirInputError(f"{parsed.episode['path']}", "give the pathway as a CarePlan in the bundle")
    return parsed


# -- applying -------------------------------------------------------------------------------------


def ingest_bundle(
    *,
    engine: Engine,
    principal: Principal,
    bundle: Any,
    now: dt.datetime,
    client: str | None = None,
    catalogue: Catalogue | None = None,
) -> BundleResult:
    """Apply a transaction Bundle in one transaction (see the module docstring)."""
    require_role(principal, ADMITTERS)
    catalogue = catalogue or load_catalogue()
    parsed = _parse(bundle, catalogue)
    today = local_date(now)
    with session_scope(engine) as session:
        stored = (
            store.patient_by_identifier(
                session, national_id=parsed.patient["national_id"], hospital_id=parsed.patient["hospital_id"]
            )
            if parsed.patient
            else None
        )
        old_stages = (
            tuple(repo.list_enrolments(session, episode_id=parsed.episode["id"])) if parsed.episode else ()
        )
        if stored is None and old_stages:
            stored = repo.get_patient(session, old_stages[0].patient_id)
        labs = [lab_result_of(session, p, o, based, now) for p, o, based in parsed.labs or []]
        labs = [lab for lab in labs if lab is not None]
    entries: list[tuple[str, str]] = []
    patient: Patient | None = None
    stages: tuple[Enrolment, ...] = ()
    address: Address | None = None
    history: list[StayChange] = []
    if parsed.patient is not None:
        patient, address = _patient(parsed, stored, catalogue, today)
        entries.append(
            (
                "created" if stored is None else ("unchanged" if patient == stored else "updated"),
                f"Patient/{patient.id}",
            )
        )
    if parsed.episode is not None and patient is not None:
        stages, history = _stages(parsed, patient, old_stages, catalogue, principal, now)
        entries.append(
            (
                "created" if not old_stages else ("unchanged" if stages == old_stages else "updated"),
                f"EpisodeOfCare/{parsed.episode['id']}",
            )
        )
    entries += [("created", f"Observation/{lab.source_id}") for lab in labs]
    changed = any(status != "unchanged" for status, _ in entries)
    result = BundleResult(
        tuple(entries),
        patient.id if patient else None,
        parsed.episode["id"] if parsed.episode else None,
        len(labs),
        0,
        changed,
    )
    if not changed:
        return result
    alarms: list[int] = []

    def write(session: Session) -> None:
        ids: list[str] = []
        if patient is not None and patient != stored:
            store.save_patient(session, patient)
            if address is not None:
                store.add_address(session, patient.id, address)
            ids.append(patient.id)
        if stages and stages != old_stages:
            store.save_stages(session, stages)
            store.add_stay_changes(session, [(patient.id, h) for h in history])  # type: ignore[union-attr]
        for lab in labs:
            store.add_lab_result(session, lab)
            ids.append(lab.patient_id)
            alarms.append(raise_alarm(session, lab, now))
        log_access(
            session=session,
            principal=principal,
            patient_ids=ids,
            resource="FHIR transaction bundle",
            client=client,
            at=now,
            action="write",
        )

    changes = []
    if patient is not None and (stages != old_stages or patient != stored):
        changes = day_changes(
            engine,
            patient,
            {address.valid_from: address} if address else {},
            stages or old_stages,
            min((s.start_date for s in stages), default=today),
            now,
            catalogue,
            "fhir",
        )
    write_through_journal(
        engine=engine, principal=principal, changes=changes, write=write, now=now, client=client
    )
    return replace(result, alarms=sum(alarms))


def _patient(
    parsed: _Parsed, stored: Patient | None, catalogue: Catalogue, today: dt.date
) -> tuple[Patient, Address | None]:
    fields = dict(parsed.patient or {})
    fields.pop("deceased")
    episode = parsed.episode or {}
    start = episode.get("start") or today
    pathway = (parsed.plans or [(None, next(iter(catalogue.pathways)))])[0][1]
    admission = Admission(
        pathway_id=pathway,
        start_date=start,
        length_days=1,
        clinic=episode.get("clinic", ""),
        patient_id=stored.id if stored else "",
        **fields,
    )
    problems = [p for p in check_admission(admission, catalogue) if p[0] not in ("pathway", "length_days")]
    if problems:
        field, why = problems[0]
        raise FhirInputError(f"{parsed.patient_path}.{_FHIR_FIELD.get(field, field)}", why)
    patient = patient_of(admission, catalogue, stored.id if stored else new_id("P"))
    if stored is not None:
        patient = replace(
            patient,
            clinic=stored.clinic if not episode.get("clinic") else patient.clinic,
            access_notes=stored.access_notes,
            delivery_notes=stored.delivery_notes,
            lives_alone=stored.lives_alone,
        )
    moved = stored is None or (patient.address, patient.location) != (stored.address, stored.location)
    valid_from = start if stored is None else max(today, start)
    address = (
        Address(
            valid_from,
            patient.address,
            patient.location,
            patient.district_id,
            patient.access_notes,
            patient.delivery_notes,
        )
        if moved
        else None
    )
    return patient, address


_FHIR_FIELD = {
    "name": "name",
    "birth_year": "birthDate",
    "address": "address",
    "district": "address.district",
    "lat": "address.extension",
    "national_id": "identifier",
    "language": "communication",
}


def _stages(
    parsed: _Parsed,
    patient: Patient,
    old: tuple[Enrolment, ...],
    catalogue: Catalogue,
    principal: Principal,
    now: dt.datetime,
) -> tuple[tuple[Enrolment, ...], list[StayChange]]:
    episode = parsed.episode or {}
    path, status, start, end = episode["path"], episode["status"], episode["start"], episode["end"]
    plans = sorted(((d or start), p) for d, p in parsed.plans or [])
    history: list[StayChange] = []

    def note(kind: str, date: dt.date, **details: object) -> None:
        history.append(
            StayChange(
                kind,
                episode["id"],
                date,
                {k: str(v) for k, v in details.items()},
                "FHIR",
                principal.username,
                now,
            )
        )

    try:
        if not old or old[0].status is EnrolmentStatus.REFERRED:
            if not plans and status == "onhold":
                raise FhirInputError(path, "give the pathway as a CarePlan in the bundle")
            first = Admission(
                name=patient.name,
                birth_year=patient.birth_year,
                address=patient.address,
                pathway_id=plans[0][1] if plans else next(iter(catalogue.pathways)),
                start_date=start,
                length_days=((end or start) - start).days + 1,
                episode_id=episode["id"],
                referral_only=status == "planned",
                district=patient.district_id,
            )
            stage = stage_of(first, patient.id, episode["id"])
            stages: tuple[Enrolment, ...] = (replace(stage, id=old[0].id) if old else stage,)
            note("referred" if status == "planned" else "admitted", start, pathway=stage.pathway_id)
            if status == "planned":
                return stages, history
        else:
            stages = old
        for date, pathway in plans[1:] if not old or old[0].status is EnrolmentStatus.REFERRED else plans:
            running = next((s for s in life.live(stages) if s.start_date <= date <= s.end_date), None)
            if running is not None and running.pathway_id != pathway and life.is_open(stages):
                stages = life.change_pathway(stages, date, pathway, f"{episode['id']}-{date:%Y%m%d}")
                note("pathway", date, pathway=pathway)
        if (
            status in ("active", "onhold")
            and end is not None
            and life.is_open(stages)
            and life.last_day(stages) != end
        ):
            stages = life.set_last_day(stages, end)
            note("until", end, until=end)
        if status in ("active", "onhold") and life.is_open(stages):
            stages = _paused(stages, episode, note)
        if status in ("finished", "cancelled") and life.is_open(stages):
            date = start if status == "cancelled" else (end or start) + dt.timedelta(days=1)
            died = bool((parsed.patient or {}).get("deceased"))
            stages = life.end_stay(stages, date, died=died)
            note("died" if died else "discharged", date)
    except life.StayError as error:
        raise FhirInputError(
            f"{path}.{'period' if error.field in ('date', 'until') else 'status'}", error.problem
        ) from None
    return stages, history


def _paused(stages: tuple[Enrolment, ...], episode: Mapping[str, Any], note: Any) -> tuple[Enrolment, ...]:
    """The stay with the pauses of ``statusHistory``: each ``onhold`` period is a pause (the current
    one, when the status is ``onhold``, may leave its end open: until the stay's last day); a pause
    hjemme has running past the period's end is resumed the day after. Stored pauses are kept, and
    a period hjemme has already changes nothing (the same bundle twice changes nothing)."""
    pauses = episode["pauses"]
    for n, (i, first, last) in enumerate(pauses):
        where = f"{episode['path']}.statusHistory[{i}].period"
        current = episode["status"] == "onhold" and n == len(pauses) - 1
        if last is None and not current:
            raise FhirInputError(f"{where}.end", "give the last day in hospital of a pause that has ended")
        try:
            if last is not None and any(s.is_paused(last + dt.timedelta(days=1)) for s in life.live(stages)):
                stages = life.resume(stages, last + dt.timedelta(days=1))
                note("resume", last + dt.timedelta(days=1))
            until = last if last is not None else max(first, life.last_day(stages))
            paused = life.pause(stages, first, until)
        except life.StayError as error:
            raise FhirInputError(where, error.problem) from None
        if paused != stages:
            stages = paused
            note("pause", first, until=until)
    return stages


def search_patients(
    *, engine: Engine, principal: Principal, identifier: str, now: dt.datetime, client: str | None = None
) -> list[Patient]:
    """``GET /fhir/Patient?identifier=[system|]value``: the patients with that identifier."""
    require_role(principal, FHIR_READERS)
    system, _, value = identifier.rpartition("|")
    if not value:
        raise InputError("identifier", "give [system|]value")
    national = value if system in ("", NATIONAL_ID_SYSTEM) else None
    hospital = value if system != NATIONAL_ID_SYSTEM else None
    with session_scope(engine) as session:
        found = store.patient_by_identifier(session, national_id=national, hospital_id=hospital)
        if found is not None:
            found = repo.patients_on(session, [found], local_date(now))[0]
        if found is None and system in ("", "urn:hjemme:patient"):
            found = next(iter(repo.list_patients(session, ids=[value], on=local_date(now))), None)
        if found is not None and principal.role.value == "patient" and principal.patient_id != found.id:
            found = None
        log_access(
            session=session,
            principal=principal,
            patient_ids=[found.id] if found else [],
            resource="FHIR Patient search",
            client=client,
            at=now,
        )
    return [found] if found else []


__all__ = ["BundleResult", "FhirInputError", "ingest_bundle", "lab_results", "search_patients"]
