"""Creating user accounts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from hjemme.domain.security import Role
from hjemme.errors import ConflictError, InputError, NotFoundError
from hjemme.services.auth import verify_password
from hjemme.services.users import add_user
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from tests.store import factories

NOW = dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)


def _usernames(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return [u.username for u in repo.list_users(session)]


def test_added_user_can_log_in(db_engine: Engine) -> None:
    """A new user is stored with its role and a hash that verifies the password, never the password."""
    account = add_user(
        engine=db_engine, username="kari", password="lang nok passord", role="coordinator", now=NOW
    )
    assert account.role is Role.COORDINATOR
    assert "lang nok passord" not in account.password_hash
    assert verify_password(account.password_hash, "lang nok passord")


def test_patient_user_is_linked_to_its_patient(db_engine: Engine) -> None:
    """A patient user needs an existing patient to be linked to."""
    with session_scope(db_engine) as session:
        repo.add_patients(session, [factories.patient("P1")])
    with pytest.raises(InputError, match="patient"):
        add_user(engine=db_engine, username="pas", password="12345678", role=Role.PATIENT, now=NOW)
    with pytest.raises(NotFoundError, match="P2"):
        add_user(
            engine=db_engine, username="pas", password="12345678", role=Role.PATIENT, patient_id="P2", now=NOW
        )
    account = add_user(
        engine=db_engine, username="pas", password="12345678", role=Role.PATIENT, patient_id="P1", now=NOW
    )
    assert account.patient_id == "P1"


@pytest.mark.parametrize(
    ("username", "password", "role", "field"),
    [
        ("kari", "12345678", "boss", "role"),
        ("kari", "short", "admin", "password"),
        ("k", "12345678", "admin", "name"),
        ("kari nordmann", "12345678", "admin", "name"),
    ],
)
def test_bad_input_writes_nothing(
    db_engine: Engine, username: str, password: str, role: str, field: str
) -> None:
    """An unknown role, a short password or a malformed name is refused naming the field; no user is added."""
    with pytest.raises(InputError) as caught:
        add_user(engine=db_engine, username=username, password=password, role=role, now=NOW)
    assert caught.value.field == field
    assert _usernames(db_engine) == []


def test_duplicate_name_is_a_conflict(db_engine: Engine) -> None:
    """A second user with the same name is refused and the first keeps its role."""
    add_user(engine=db_engine, username="kari", password="12345678", role=Role.ADMIN, now=NOW)
    with pytest.raises(ConflictError, match="kari"):
        add_user(engine=db_engine, username="kari", password="87654321", role=Role.RESEARCHER, now=NOW)
    with session_scope(db_engine) as session:
        account = repo.get_user(session, "kari")
        assert account is not None and account.role is Role.ADMIN


def test_unknown_staff_link_is_refused(db_engine: Engine) -> None:
    """Linking a user to a member of staff that does not exist raises NotFoundError."""
    with pytest.raises(NotFoundError, match="S9999"):
        add_user(
            engine=db_engine,
            username="ola",
            password="12345678",
            role=Role.CLINICIAN,
            staff_id="S9999",
            now=NOW,
        )
