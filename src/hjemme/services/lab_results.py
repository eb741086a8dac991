"""Lab results for samples taken at home (issue 13, item 5): an ``Observation`` (or a
``DiagnosticReport``'s results) with ``basedOn`` the sample's ``ServiceRequest`` — the sample task id —
closes the sample: the result is stored with the turnaround from taken to result, shown to the
patient's clinicians, and a result flagged outside its range opens or updates an alarm in the
response centre (through the monitoring service's own findings path)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hjemme.errors import InputError, PermissionDeniedError
from hjemme.monitoring.rules import Finding, FindingKind, Severity
from hjemme.services.access import FHIR_READERS, log_access, require_role
from hjemme.services.auth import Principal
from hjemme.services.monitoring import apply_findings_in_session
from hjemme.store import realdata as store
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.realdata import LabResult

SAMPLE_TASK = re.compile(r"^(?P<enrolment>.+)-(?P<date>\d{8})-S\d+$")
ALARM_FLAGS = {
    "H": Severity.YELLOW,
    "L": Severity.YELLOW,
    "A": Severity.YELLOW,
    "HH": Severity.RED,
    "LL": Severity.RED,
    "AA": Severity.RED,
}


class FhirInputError(InputError):
    """A bundle entry hjemme cannot use; ``field`` is the FHIRPath of the element."""


def field_at(data: Mapping[str, Any], path: str, dotted: str, required: bool = True) -> Any:
    value: Any = data
    for part in dotted.split("."):
        if isinstance(value, list):
            value = value[0] if value else None
        value = value.get(part) if isinstance(value, Mapping) else None
    if required and value in (None, "", []):
        raise FhirInputError(f"{path}.{dotted}", "required by hjemme")
    return value


def fhir_date(value: str, path: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise FhirInputError(path, f"{value!r} is not a date") from None


def _datetime(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else None


def lab_result_of(
    session: Session, path: str, obs: dict[str, Any], report_based_on: str | None, now: dt.datetime
) -> LabResult | None:
    """A lab result for a sample task, or ``None`` when this Observation is stored already."""
    ident = obs.get("identifier", [{}])[0] if obs.get("identifier") else {}
    source = (
        f"{ident.get('system', '')}|{ident['value']}"
        if ident.get("value")
        else f"Observation/{obs.get('id')}"
    )
    if not ident.get("value") and not obs.get("id"):
        raise FhirInputError(
            f"{path}.identifier", "give an identifier (or id) so a repeated post is recognised"
        )
    if store.lab_result_exists(session, source):
        return None
    based = (obs.get("basedOn") or [{}])[0].get("reference") or report_based_on
    if not based or not based.startswith("ServiceRequest/"):
        raise FhirInputError(
            f"{path}.basedOn", "reference the sample's ServiceRequest (ServiceRequest/<sample task id>)"
        )
    task_id = based.split("/", 1)[1]
    match = SAMPLE_TASK.match(task_id)
    enrolments = repo.list_enrolments(session) if match else []
    enrolment = next((e for e in enrolments if match and e.id == match["enrolment"]), None)
    if enrolment is None:
        raise FhirInputError(f"{path}.basedOn", f"no sample task {task_id!r} in hjemme")
    quantity = obs.get("valueQuantity") or {}
    ref = (obs.get("referenceRange") or [{}])[0]
    low, high = (ref.get("low") or {}).get("value"), (ref.get("high") or {}).get("value")
    value = quantity.get("value")
    flag = str(field_at(obs, path, "interpretation.coding.code", required=False) or "")
    if not flag and value is not None:
        flag = "L" if low is not None and value < low else ("H" if high is not None and value > high else "")
    flag = "" if flag == "N" else flag
    taken = _datetime(obs.get("effectiveDateTime"))
    issued = _datetime(obs.get("issued")) or now
    coding = (obs.get("code", {}).get("coding") or [{}])[0]
    return LabResult(
        source_id=source[:200],
        patient_id=enrolment.patient_id,
        sample_task_id=task_id,
        code=str(coding.get("code", "")),
        display=str(coding.get("display") or obs.get("code", {}).get("text", "")),
        value=value,
        unit=str(quantity.get("unit", "")),
        low=low,
        high=high,
        taken_at=taken,
        result_at=issued,
        turnaround_min=round((issued - taken).total_seconds() / 60) if taken else None,
        flag=flag,
    )


def raise_alarm(session: Session, lab: LabResult, now: dt.datetime) -> int:
    """Open or update the lab alarm of a flagged result; how many alarms changed (0 for a normal one)."""
    if not lab.flag:
        return 0
    finding = Finding(
        lab.patient_id,
        FindingKind.THRESHOLD,
        ALARM_FLAGS.get(lab.flag, Severity.YELLOW),
        f"lab:{lab.code}",
        f"Labsvar {lab.display or lab.code} {lab.value} {lab.unit} ({lab.flag}; ref. {lab.low}–{lab.high})",
        (lab.source_id,),
        now,
    )
    return len(apply_findings_in_session(session, lab.patient_id, [finding], now))


def lab_results(
    *, engine: Engine, principal: Principal, patient_id: str, now: dt.datetime, client: str | None = None
) -> list[LabResult]:
    """The patient's lab results for their clinicians (newest last); the read is access-logged."""
    require_role(principal, FHIR_READERS)
    if principal.role.value == "patient" and principal.patient_id != patient_id:
        raise PermissionDeniedError("you may only see your own data")
    with session_scope(engine) as session:
        repo.get_patient(session, patient_id)
        results = store.lab_results(session, patient_id)
        log_access(
            session=session,
            principal=principal,
            patient_ids=[patient_id],
            resource="lab results",
            client=client,
            at=now,
        )
    return results
