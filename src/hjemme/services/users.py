"""User accounts: ``hjemme user add`` and the demo log-ins.

Passwords are hashed by :func:`hjemme.services.auth.hash_password` (argon2id), the same function
the log-in verifies against; this module never stores or logs a password.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hjemme.domain.security import Role
from hjemme.errors import ConflictError, InputError
from hjemme.services.auth import hash_password
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.repositories import UserAccount

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,99}$")
MIN_PASSWORD_LENGTH = 8


def parse_role(value: str | Role) -> Role:
    """The role named ``value``; an :class:`InputError` on ``role`` listing the valid ones."""
    try:
        return Role(str(value).strip().lower())
    except ValueError:
        valid = ", ".join(r.value for r in Role)
        raise InputError("role", f"unknown role {str(value)!r} (one of {valid})") from None


def add_user(
    *,
    engine: Engine,
    username: str,
    password: str,
    role: Role | str,
    now: dt.datetime,
    staff_id: str | None = None,
    patient_id: str | None = None,
) -> UserAccount:
    """Create a log-in. A ``patient`` user must be linked to its patient (it sees only itself).

    Refuses a malformed name, a short password, an unknown role, staff or patient
    (:class:`InputError` / :class:`NotFoundError`) and an existing name (:class:`ConflictError`);
    nothing is written then.
    """
    with session_scope(engine) as session:
        return create_user(
            session,
            username=username,
            password=password,
            role=role,
            now=now,
            staff_id=staff_id,
            patient_id=patient_id,
        )


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role | str,
    now: dt.datetime,
    staff_id: str | None = None,
    patient_id: str | None = None,
) -> UserAccount:
    """:func:`add_user` inside the caller's transaction (for services that create several)."""
    if not USERNAME_PATTERN.match(username):
        raise InputError(
            "name", f"{username!r} is not a user name (2–100 letters, digits, '.', '_', '-', '@')"
        )
    checked_role = parse_role(role)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError("password", f"must have at least {MIN_PASSWORD_LENGTH} characters")
    if checked_role is Role.PATIENT and patient_id is None:
        raise InputError("patient-id", "a patient user must be linked to its patient")
    if patient_id is not None and checked_role is not Role.PATIENT:
        raise InputError("patient-id", f"only a patient user is linked to a patient, not {role}")
    if patient_id is not None:
        repo.get_patient(session, patient_id)  # NotFoundError when unknown
    if staff_id is not None:
        repo.get_staff(session, staff_id)  # NotFoundError when unknown
    if repo.get_user(session, username) is not None:
        raise ConflictError(f"user {username!r} already exists")
    try:
        return repo.add_user(
            session,
            username=username,
            password_hash=hash_password(password),
            role=checked_role,
            created_at=now,
            staff_id=staff_id,
            patient_id=patient_id,
        )
    except IntegrityError:  # a concurrent add of the same name won the race
        raise ConflictError(f"user {username!r} already exists") from None
