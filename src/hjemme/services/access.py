"""Need-to-know and the access log: what each role may see of a patient, and who saw what.

The information-security rule of DESIGN §3 ("a driver needs an address and a parcel, not a
diagnosis") lives here as data: for every role, the set of fields of a patient view, an enrolment
view and a task view it may receive. Views are built complete by the use cases in
:mod:`hjemme.services.patients` and cut down by :func:`project` just before they leave, so a field
a role may not see is *absent*, not blank.

Every read or write of a patient's data is recorded per patient (:func:`log_access`, rows counted
per 15-minute bucket as :mod:`hjemme.services.access_log` describes), in the transaction of the read
itself; only ``admin`` may query the log, and that query is logged too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from hjemme.domain.security import CLINICAL_ACCESS, Role
from hjemme.errors import PermissionDeniedError
from hjemme.services.access_log import AccessLogEntry, read_log, write_access
from hjemme.services.auth import Principal

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

View = dict[str, Any]

# -- what a patient view holds -------------------------------------------------------------------

PERSONAL_FIELDS = frozenset({"id", "name", "address", "location", "phone", "delivery_notes"})
"""Enough to find, greet and phone a patient and to leave a parcel: logistics' whole view."""

DEMOGRAPHIC_FIELDS = frozenset(
    {"birth_year", "district_id", "language", "needs_interpreter", "lives_alone", "clinic"}
)
CLINICAL_FIELDS = frozenset({"enrolments", "devices"})
"""Pathways, diagnoses, monitored parameters and the devices they need (measurements join here)."""

ALL_PATIENT_FIELDS = PERSONAL_FIELDS | DEMOGRAPHIC_FIELDS | CLINICAL_FIELDS

PATIENT_FIELDS: Mapping[Role, frozenset[str]] = {
    **{role: ALL_PATIENT_FIELDS for role in CLINICAL_ACCESS},
    Role.PATIENT: ALL_PATIENT_FIELDS,  # only ever of the patient themself, see `may_read_patient`
    Role.LOGISTICS: PERSONAL_FIELDS,
    Role.TECHNICIAN: PERSONAL_FIELDS | {"devices"},
    # Researchers: generalised quasi-identifiers (an age band, ISO weeks), never a birth year or a date.
    Role.RESEARCHER: frozenset({"pseudonym", "age_band"}) | (DEMOGRAPHIC_FIELDS - {"birth_year"})
    | {"enrolments", "devices"},
}
"""Top-level fields of a patient view per role (the need-to-know table of ``docs/api.md``)."""

ALL_ENROLMENT_FIELDS = frozenset(
    {
        "id",
        "pathway_id",
        "pathway_name",
        "service_kind",
        "diagnosis_code",
        "diagnosis_text",
        "start_date",
        "end_date",
        "length_days",
        "active",
        "monitoring",
        "spo2_target_88_92",
    }
)
ENROLMENT_FIELDS: Mapping[Role, frozenset[str]] = {
    **{role: ALL_ENROLMENT_FIELDS for role in CLINICAL_ACCESS},
    Role.PATIENT: ALL_ENROLMENT_FIELDS,
    # An enrolment id would lead back to the patient, exact dates link to other records.
    Role.RESEARCHER: ALL_ENROLMENT_FIELDS - {"id", "start_date", "end_date"} | {"start_week", "end_week"},
}
ALL_DEVICE_FIELDS = frozenset({"device_type_id", "name", "quantity", "from_date", "to_date"})
DEVICE_FIELDS: Mapping[Role, frozenset[str]] = {
    Role.RESEARCHER: ALL_DEVICE_FIELDS - {"from_date", "to_date"} | {"from_week", "to_week"},
}
"""Device fields per role where they differ from all of :data:`ALL_DEVICE_FIELDS`."""

# -- what a task view holds ----------------------------------------------------------------------

ALL_TASK_FIELDS = frozenset(
    {
        "id",
        "kind",
        "patient",
        "enrolment_id",
        "pathway_id",
        "lat",
        "lon",
        "duration_min",
        "window_start",
        "window_end",
        "skill",
        "goods",
        "sample_type",
        "sample_stability_min",
        "taken_at",
        "before",
        "mandatory",
        "fixed_time",
        "interpreter",
    }
)
TASK_CLINICAL_FIELDS = frozenset({"enrolment_id", "pathway_id", "skill", "sample_type"})
"""Task fields that reveal a pathway or diagnosis (a skill such as oncology nursing does too)."""

TASK_FIELDS: Mapping[Role, frozenset[str]] = {
    **{role: ALL_TASK_FIELDS for role in CLINICAL_ACCESS},
    Role.PATIENT: ALL_TASK_FIELDS,  # only the patient's own tasks
    Role.LOGISTICS: ALL_TASK_FIELDS - TASK_CLINICAL_FIELDS,
    Role.TECHNICIAN: ALL_TASK_FIELDS - TASK_CLINICAL_FIELDS,
}

# -- who may call what ---------------------------------------------------------------------------

PATIENT_READERS = frozenset(PATIENT_FIELDS)
TASK_READERS = frozenset(TASK_FIELDS)
FHIR_READERS = CLINICAL_ACCESS | {Role.PATIENT}
"""FHIR resources carry the whole clinical record, so only roles that see all of it get them."""
AUDIT_READERS = frozenset({Role.ADMIN})


SYSTEM = Principal("system", Role.ADMIN)
"""Who background jobs act as; their reads and writes of patient data are access-logged under it."""


def require_role(principal: Principal, allowed: Iterable[Role]) -> None:
    """Raise ``PermissionDeniedError`` unless ``principal``'s role is one of ``allowed``."""
    if principal.role not in frozenset(allowed):
        raise PermissionDeniedError(f"the role {principal.role} may not do this")


def may_read_patient(principal: Principal, patient_id: str) -> bool:
    """Whether the caller may read this patient's data at all (the patient role: only itself)."""
    if principal.role is Role.PATIENT:
        return principal.patient_id == patient_id
    return principal.role in PATIENT_READERS


def require_patient(principal: Principal, patient_id: str) -> None:
    """Raise ``PermissionDeniedError`` unless the caller may read ``patient_id``'s data."""
    if not may_read_patient(principal, patient_id):
        raise PermissionDeniedError("you may only see your own data")


def project(view: Mapping[str, Any], allowed: frozenset[str]) -> View:
    """``view`` reduced to the ``allowed`` keys; keys outside ``allowed`` are absent, not blank."""
    return {key: value for key, value in view.items() if key in allowed}


def project_patient(view: Mapping[str, Any], role: Role) -> View:
    """A complete patient view cut down to what ``role`` needs to know."""
    result = project(view, PATIENT_FIELDS.get(role, frozenset()))
    if "enrolments" in result:
        allowed = ENROLMENT_FIELDS.get(role, frozenset())
        result["enrolments"] = [project(e, allowed) for e in result["enrolments"]]
    if "devices" in result:
        fields = DEVICE_FIELDS.get(role, ALL_DEVICE_FIELDS)
        result["devices"] = [project(d, fields) for d in result["devices"]]
    return result


def project_task(view: Mapping[str, Any], role: Role) -> View:
    """A complete task view cut down to what ``role`` needs to know."""
    return project(view, TASK_FIELDS.get(role, frozenset()))


def pseudonym(patient_id: str, *, research_key: str) -> str:
    """A stable pseudonym for research: a keyed hash of the patient id, not reversible by guessing.

    Keyed (HMAC-SHA256) because patient ids come from a small space: a plain hash of every
    possible id could be tabulated and the pseudonyms undone. The key is the research key
    (``HJEMME_RESEARCH_KEY``), never the signing key: whoever holds the one must not get the other (#12).
    """
    if not research_key:
        raise ValueError("pseudonyms need a research key (HJEMME_RESEARCH_KEY)")
    digest = hmac.new(research_key.encode(), f"pseudonym:{patient_id}".encode(), hashlib.sha256)
    return "R-" + digest.hexdigest()[:16]


# -- the access log (storage rule in :mod:`hjemme.services.access_log`) --------------------------


def log_access(
    *,
    session: Session,
    principal: Principal,
    patient_ids: Iterable[str],
    resource: str,
    client: str | None,
    at: dt.datetime,
    action: str = "read",
) -> int:
    """Record that ``principal`` read or wrote each patient's data; the patient count.

    Call it inside the transaction of the read or write itself, so that no data leaves without its
    row being committed, and no row is written for a write that rolled back. One bulk statement
    (or two) whatever the number of patients; repeated reads are counted, not repeated.
    """
    return write_access(
        session, principal=principal, patient_ids=patient_ids, resource=resource, client=client,
        at=at, action=action,
    )


def query_access_log(
    *,
    engine: Engine,
    principal: Principal,
    patient_id: str | None = None,
    username: str | None = None,
    limit: int = 1000,
    client: str | None = None,
    at: dt.datetime,
) -> list[AccessLogEntry]:
    """The newest access-log rows, optionally for one patient and/or one user (``admin`` only);
    the query is itself access-logged."""
    require_role(principal, AUDIT_READERS)
    return read_log(
        engine=engine, principal=principal, patient_id=patient_id, username=username, limit=limit,
        client=client, at=at,
    )
