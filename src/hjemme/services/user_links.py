"""Linking a log-in to the person it is (issue 13, item 4): a clinician to a member of staff (their
own routes and patients), a patient user to a patient (their own data). Admin only; audited."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from hjemme.domain.security import Role
from hjemme.errors import InputError, NotFoundError
from hjemme.services.access import log_access, require_role
from hjemme.services.auth import Principal
from hjemme.store import realdata as store
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.tables import UserRecord


def link_user(
    *,
    engine: Engine,
    principal: Principal,
    username: str,
    now: dt.datetime,
    staff_id: str | None = None,
    patient_id: str | None = None,
    client: str | None = None,
) -> None:
    """Link ``username`` to ``staff_id`` (clinician, logistics) or ``patient_id`` (patient)."""
    require_role(principal, {Role.ADMIN})
    if (staff_id is None) == (patient_id is None):
        raise InputError("staff", "give either a member of staff or a patient")
    with session_scope(engine) as session:
        record = session.scalar(select(UserRecord).where(UserRecord.username == username))
        if record is None:
            raise NotFoundError("user", username)
        if patient_id is not None:
            if record.role != Role.PATIENT.value:
                raise InputError(
                    "patient", f"only a patient user is linked to a patient ({username} is {record.role})"
                )
            repo.get_patient(session, patient_id)
            record.patient_id = patient_id
            log_access(
                session=session,
                principal=principal,
                patient_ids=[patient_id],
                resource=f"user {username} linked",
                client=client,
                at=now,
                action="write",
            )
        else:
            if record.role not in (Role.CLINICIAN.value, Role.LOGISTICS.value):
                raise InputError(
                    "staff",
                    f"only clinician and logistics users are linked to staff ({username} is {record.role})",
                )
            if store.find_staff(session, staff_id or "") is None:
                raise NotFoundError("staff", staff_id)
            record.staff_id = staff_id
            log_access(
                session=session,
                principal=principal,
                patient_ids=[None],  # type: ignore[list-item]
                resource=f"user {username} linked to staff {staff_id}",
                client=client,
                at=now,
                action="write",
            )
        session.flush()
