"""User accounts: adding users, changing one's own password, and the administrator's actions.

Passwords are hashed by :func:`hjemme.services.auth.hash_password` (argon2id), the same function
the log-in verifies against; this module never stores or logs a password.

Every administrative change goes through :func:`_administer` (issue 12: disable, enable, reset the
password): one transaction that checks the caller is an administrator, changes columns of the
user and — when the change must end the user's sessions — bumps the user's ``token_epoch``. Role
changes and staff/patient links (issue 13) are further callers of the same helper.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hjemme.domain.security import Role
from hjemme.errors import ConflictError, InputError, NotFoundError
from hjemme.services.access import require_role
from hjemme.services.auth import AuthenticationError, Principal, hash_password, verify_password
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.repositories import UserAccount

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,99}$")
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 200
USER_ADMINS = frozenset({Role.ADMIN})
"""Roles that may list users, disable, enable and reset them."""

logger = logging.getLogger("hjemme.auth")


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
    check_password(password, "password")
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


def check_password(password: str, field: str) -> None:
    """An :class:`InputError` on ``field`` unless ``password`` has an acceptable length."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(field, f"must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InputError(field, f"must have at most {MAX_PASSWORD_LENGTH} characters")


@dataclass(frozen=True, slots=True)
class UserSummary:
    """A user as the administrator sees it: never the password hash."""

    username: str
    role: Role
    active: bool
    staff_id: str | None
    patient_id: str | None
    created_at: dt.datetime
    password_changed_at: dt.datetime | None


def _summary(account: UserAccount) -> UserSummary:
    return UserSummary(
        username=account.username,
        role=account.role,
        active=account.active,
        staff_id=account.staff_id,
        patient_id=account.patient_id,
        created_at=account.created_at,
        password_changed_at=account.password_changed_at,
    )


def list_accounts(*, engine: Engine, principal: Principal) -> list[UserSummary]:
    """Every user, by name (administrators only); user accounts hold no patient data."""
    require_role(principal, USER_ADMINS)
    with session_scope(engine) as session:
        return [_summary(a) for a in repo.list_users(session)]


def change_own_password(
    *, engine: Engine, principal: Principal, old_password: str, new_password: str, now: dt.datetime
) -> Principal:
    """The caller changes their own password; every session and token of theirs ends, and the
    returned principal (of the new session epoch) is what the adapter issues a fresh token for.

    The old password is required (an ``InputError`` on ``old_password`` when wrong, so a stolen
    session cannot take over the account); the new one must be long enough and differ from it.
    """
    check_password(new_password, "new_password")
    with session_scope(engine) as session:
        account = repo.get_user(session, principal.username)
        if account is None or not account.active:
            raise AuthenticationError("the user of this session no longer exists or is disabled")
        if not verify_password(account.password_hash, old_password):
            raise InputError("old_password", "is not your present password")
        if old_password == new_password:
            raise InputError("new_password", "must differ from the present password")
        updated = repo.update_user(
            session, principal.username, end_sessions=True,
            password_hash=hash_password(new_password), password_changed_at=now,
        )
    logger.info("password changed by user %r", principal.username)
    return Principal(updated.username, updated.role, updated.patient_id, updated.token_epoch)


def _administer(
    *, engine: Engine, principal: Principal, username: str, what: str, end_sessions: bool, **values: Any
) -> UserSummary:
    """One administrative change of ``username`` in one transaction (see the module docstring)."""
    require_role(principal, USER_ADMINS)
    with session_scope(engine) as session:
        updated = repo.update_user(session, username, end_sessions=end_sessions, **values)
    logger.info("user %r: %s by %r", username, what, principal.username)
    return _summary(updated)


def disable_user(*, engine: Engine, principal: Principal, username: str) -> UserSummary:
    """Disable a log-in: it can no longer log in, and its sessions and tokens end at once.

    An administrator cannot disable themself (which could leave nobody to undo it).
    """
    if username == principal.username:
        raise ConflictError("you cannot disable your own account")
    return _administer(
        engine=engine, principal=principal, username=username, what="disabled", end_sessions=True,
        active=False,
    )


def enable_user(*, engine: Engine, principal: Principal, username: str) -> UserSummary:
    """Re-enable a disabled log-in (with the password it had)."""
    return _administer(
        engine=engine, principal=principal, username=username, what="enabled", end_sessions=False, active=True
    )


def create_account(
    *,
    engine: Engine,
    principal: Principal,
    username: str,
    password: str,
    role: Role | str,
    now: dt.datetime,
    staff_id: str | None = None,
    patient_id: str | None = None,
) -> UserSummary:
    """An administrator creates a log-in (the admin page's form; the CLI's ``hjemme user add``)."""
    require_role(principal, USER_ADMINS)
    account = add_user(engine=engine, username=username, password=password, role=role, now=now,
                       staff_id=staff_id, patient_id=patient_id)
    logger.info("user %r: created as %s by %r", username, account.role, principal.username)
    return _summary(account)


STAFF_LINKED = frozenset({Role.CLINICIAN, Role.LOGISTICS})
"""Roles whose log-in is linked to a member of staff (their own routes)."""


def change_role(*, engine: Engine, principal: Principal, username: str, role: Role | str) -> UserSummary:
    """Give ``username`` another role; their sessions and tokens end at once (they carry the old role).

    A patient's log-in is tied to its patient record, so no one becomes or stops being a patient here
    (create a patient user instead); a staff link is kept only for roles that use one. An
    administrator cannot change their own role (which could leave nobody to undo it).
    """
    new = parse_role(role)
    require_role(principal, USER_ADMINS)
    if username == principal.username:
        raise ConflictError("you cannot change your own role")
    with session_scope(engine) as session:
        current = repo.get_user(session, username)
    if current is None:
        raise NotFoundError("user", username)
    if Role.PATIENT in (current.role, new) and current.role is not new:
        raise InputError("role", "a patient's log-in is tied to the patient record; create a new user")
    links = {} if new in STAFF_LINKED else {"staff_id": None}
    return _administer(
        engine=engine, principal=principal, username=username, what=f"role {new}", end_sessions=True,
        role=new, **links,
    )


def reset_password(
    *, engine: Engine, principal: Principal, username: str, new_password: str, now: dt.datetime
) -> UserSummary:
    """Set a new password for ``username`` (e.g. a forgotten one); their sessions end at once."""
    check_password(new_password, "password")
    return _administer(
        engine=engine, principal=principal, username=username, what="password reset", end_sessions=True,
        password_hash=hash_password(new_password), password_changed_at=now,
    )
