"""Password hashing, log-in, access tokens and session cookies."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest
from sqlalchemy import Engine

from hjemme.domain.security import Role
from hjemme.services.auth import (
    AuthenticationError,
    Credential,
    Principal,
    create_access_token,
    create_session_cookie,
    current_principal,
    hash_password,
    log_in,
    read_access_token,
    read_session_cookie,
    verify_password,
)
from hjemme.settings import Settings
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from tests.store import factories

NOW = dt.datetime(2026, 11, 23, 7, 30, tzinfo=dt.UTC)
SETTINGS = Settings(secret_key="a-test-secret-that-is-long-enough-for-hs256-0123456789", token_minutes=30)
CLINICIAN = Principal("kari", Role.CLINICIAN)


@pytest.fixture(scope="module")
def stored_hash() -> str:
    return hash_password("s3cret passphrase")


def test_hash_is_argon2id_and_verifies(stored_hash: str) -> None:
    """A password hashes to a salted argon2id string that verifies only the same password."""
    assert stored_hash.startswith("$argon2id$")
    assert "s3cret" not in stored_hash
    assert verify_password(stored_hash, "s3cret passphrase")
    assert not verify_password(stored_hash, "s3cret passphrase ")
    assert not verify_password("not-a-hash", "anything")


def test_token_round_trip() -> None:
    """A token issued to a user names that user until it expires."""
    token = create_access_token(CLINICIAN, settings=SETTINGS, now=NOW)
    assert read_access_token(token, settings=SETTINGS, now=NOW + dt.timedelta(minutes=29)) == Credential("kari", 0)


def test_expired_token_is_refused() -> None:
    """A token read after its lifetime is refused as expired."""
    token = create_access_token(CLINICIAN, settings=SETTINGS, now=NOW)
    with pytest.raises(AuthenticationError, match="expired"):
        read_access_token(token, settings=SETTINGS, now=NOW + dt.timedelta(minutes=30))


def test_forged_tokens_are_refused() -> None:
    """Tokens signed with another key, with no signature, or for another audience are refused."""
    other = SETTINGS.model_copy(update={"secret_key": "another-secret-key-that-is-long-enough-0123456789"})
    unsigned = jwt.encode({"sub": "kari", "aud": "hjemme-api", "exp": NOW + dt.timedelta(hours=1)}, None,
                          algorithm="none")
    wrong_audience = jwt.encode({"sub": "kari", "aud": "elsewhere", "exp": NOW + dt.timedelta(hours=1)},
                                SETTINGS.secret_key, algorithm="HS256")
    for token in (create_access_token(CLINICIAN, settings=other, now=NOW), unsigned, wrong_audience, "x.y.z"):
        with pytest.raises(AuthenticationError):
            read_access_token(token, settings=SETTINGS, now=NOW)


def test_session_cookie_round_trip_and_tampering() -> None:
    """A signed session cookie names its user; a tampered or expired one is refused."""
    cookie = create_session_cookie(CLINICIAN, settings=SETTINGS)
    now = dt.datetime.now(dt.UTC)
    assert read_session_cookie(cookie, settings=SETTINGS, now=now) == Credential("kari", 0)
    with pytest.raises(AuthenticationError):
        read_session_cookie(cookie[:-2] + "xx", settings=SETTINGS, now=now)
    with pytest.raises(AuthenticationError, match="expired"):
        read_session_cookie(cookie, settings=SETTINGS, now=now + dt.timedelta(minutes=31))


def _add_user(engine: Engine, stored_hash: str, username: str, role: Role, patient_id: str | None = None) -> None:
    with session_scope(engine) as session:
        if patient_id:
            repo.add_patients(session, [factories.patient(patient_id)])
        repo.add_user(session, username=username, password_hash=stored_hash, role=role, created_at=NOW,
                      patient_id=patient_id)


def test_log_in_with_the_right_password(db_engine: Engine, stored_hash: str) -> None:
    """The right user name and password give the user's principal, with its own patient for patients."""
    _add_user(db_engine, stored_hash, "ola", Role.PATIENT, patient_id="P00009")
    principal = log_in(engine=db_engine, username="ola", password="s3cret passphrase", now=NOW)
    assert principal == Principal("ola", Role.PATIENT, "P00009")


def test_log_in_refuses_wrong_password_and_unknown_user_alike(db_engine: Engine, stored_hash: str) -> None:
    """A wrong password and an unknown user name fail with the same message."""
    _add_user(db_engine, stored_hash, "kari", Role.CLINICIAN)
    messages = set()
    for username, password in (("kari", "wrong"), ("nobody", "s3cret passphrase")):
        with pytest.raises(AuthenticationError) as caught:
            log_in(engine=db_engine, username=username, password=password, now=NOW)
        messages.add(str(caught.value))
    assert len(messages) == 1


def test_removed_user_loses_access(db_engine: Engine) -> None:
    """A token of a user who no longer exists does not authenticate."""
    with pytest.raises(AuthenticationError):
        current_principal(engine=db_engine, credential=Credential("ghost", 0))


def test_a_parallel_flood_tries_at_most_five_passwords(db_engine: Engine, stored_hash: str, monkeypatch) -> None:
    """Twenty wrong log-ins sent at once reach the password check at most five times; the rest get 429."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from hjemme.services import auth as auth_service
    from hjemme.services.login_throttle import TooManyAttemptsError

    _add_user(db_engine, stored_hash, "kari", Role.CLINICIAN)
    checked, lock = [], threading.Lock()
    real_verify = auth_service.verify_password

    def counting_verify(password_hash: str, password: str) -> bool:
        with lock:
            checked.append(password)
        return real_verify(password_hash, password)

    monkeypatch.setattr(auth_service, "verify_password", counting_verify)

    def attempt(n: int) -> str:
        try:
            log_in(engine=db_engine, username="kari", password=f"guess {n}", now=NOW, client=f"10.0.0.{n}")
        except TooManyAttemptsError:
            return "429"
        except AuthenticationError:
            return "401"
        return "200"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(20)))
    assert len(checked) <= 5
    assert outcomes.count("401") == len(checked) and outcomes.count("429") == 20 - len(checked)
