"""Who is calling: password hashing, log-in, bearer tokens for the API, signed cookies for the web.

Passwords are hashed with argon2id (``argon2-cffi``). A successful log-in yields a
:class:`Principal`; the API hands it out as a short-lived JWT (HS256, PyJWT) and the web as a
session cookie signed with itsdangerous. Both carry the user name and the user's ``token_epoch``
(plus, in the JWT, the role and for the ``patient`` role the patient the user *is*); every request
re-reads the user, so a removed or disabled user, a changed role, and a log-out or password change
(which bump the epoch, issue 12) take effect at once rather than when the token expires.

Log-in is throttled per user name and per client address (:mod:`hjemme.services.login_throttle`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer

from hjemme.domain.security import Role
from hjemme.errors import HjemmeError
from hjemme.services.login_throttle import (
    FAILED,
    THROTTLED,
    LoginLimits,
    TooManyAttemptsError,
    begin_attempt,
    finish_attempt,
    locked_for,
    record_success,
)
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.repositories import UserAccount, get_user

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from hjemme.settings import Settings

TOKEN_ALGORITHM = "HS256"
TOKEN_AUDIENCE = "hjemme-api"
SESSION_COOKIE = "hjemme_session"
_SESSION_SALT = "hjemme.web.session"

logger = logging.getLogger("hjemme.auth")
_hasher = PasswordHasher()
# Verified against when the user name is unknown, so that a wrong name costs as long as a wrong
# password and response times do not reveal which user names exist.
_DUMMY_HASH = _hasher.hash("hjemme-no-such-user")


class AuthenticationError(HjemmeError):
    """The caller is not who they claim: bad credentials, or a missing, expired or forged token."""


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: the user name, the role, and for the ``patient`` role its patient."""

    username: str
    role: Role
    patient_id: str | None = None
    token_epoch: int = 0
    """The user's session epoch when authenticated; tokens issued now carry it."""


@dataclass(frozen=True, slots=True)
class Credential:
    """What a token or session cookie says: whose it is, and the session epoch it was issued under."""

    username: str
    epoch: int


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted; the parameters travel inside the hash)."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches ``password_hash``; False for a mismatch or a malformed hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _principal_of(user: UserAccount) -> Principal:
    return Principal(
        username=user.username, role=Role(user.role), patient_id=user.patient_id, token_epoch=user.token_epoch
    )


def authenticate(*, session: Session, username: str, password: str) -> Principal:
    """The principal for a correct user name and password of an active user; ``AuthenticationError``
    otherwise, with the same message whichever of the two was wrong."""
    user = get_user(session, username)
    if user is None or not user.active:
        verify_password(_DUMMY_HASH, password)
        raise AuthenticationError("wrong user name or password")
    if not verify_password(user.password_hash, password):
        raise AuthenticationError("wrong user name or password")
    return _principal_of(user)


def log_in(
    *,
    engine: Engine,
    username: str,
    password: str,
    now: dt.datetime,
    client: str | None = None,
    limits: LoginLimits = LoginLimits(),
) -> Principal:
    """The use case behind every log-in form: throttle, check the password, record the outcome.

    A user name or client address with too many recent failures gets
    :class:`~hjemme.services.login_throttle.TooManyAttemptsError` *before* the password is looked
    at, so the right password does not get through a lock. The attempt is committed before the
    password is checked, in a transaction of its own, which is what makes the throttle count —
    also when many attempts arrive at once (see :mod:`hjemme.services.login_throttle`).
    """
    with session_scope(engine) as session:
        attempt_id = begin_attempt(session, username=username, client=client, now=now)
    with session_scope(engine) as session:
        retry_after_s = locked_for(
            session, username=username, client=client, now=now, limits=limits, attempt_id=attempt_id
        )
        if retry_after_s is not None:
            finish_attempt(session, attempt_id=attempt_id, outcome=THROTTLED, now=now)
    if retry_after_s is not None:
        logger.warning("log-in throttled: user %r from %s, retry after %d s", username, client, retry_after_s)
        raise TooManyAttemptsError(retry_after_s)
    try:
        with session_scope(engine) as session:
            principal = authenticate(session=session, username=username, password=password)
            record_success(session, username=username)
            return principal
    except AuthenticationError:
        with session_scope(engine) as session:
            finish_attempt(session, attempt_id=attempt_id, outcome=FAILED, now=now)
        logger.warning("log-in failed: user %r from %s", username, client)
        raise


def log_out(*, engine: Engine, username: str) -> None:
    """End every session and token of ``username`` at once (bumps the user's ``token_epoch``)."""
    with session_scope(engine) as session:
        repo.update_user(session, username, end_sessions=True)


def current_principal(*, engine: Engine, credential: Credential) -> Principal:
    """The stored user's present role, so that a removed user or a changed role applies at once;
    a token of an older session epoch (logged out, password changed, disabled) is refused."""
    with session_scope(engine) as session:
        user = get_user(session, credential.username)
        if user is None or not user.active:
            raise AuthenticationError("the user of this token no longer exists or is disabled")
        if user.token_epoch != credential.epoch:
            raise AuthenticationError("this session has ended: log in again")
        return _principal_of(user)


def create_access_token(principal: Principal, *, settings: Settings, now: dt.datetime) -> str:
    """A signed JWT for ``principal`` that expires ``settings.token_minutes`` after ``now``."""
    claims: dict[str, Any] = {
        "sub": principal.username,
        "epoch": principal.token_epoch,
        "role": str(principal.role),
        "aud": TOKEN_AUDIENCE,
        "iat": now,
        "exp": now + dt.timedelta(minutes=settings.token_minutes),
    }
    if principal.patient_id is not None:
        claims["patient"] = principal.patient_id
    return jwt.encode(claims, settings.secret_key, algorithm=TOKEN_ALGORITHM)


def read_access_token(token: str, *, settings: Settings, now: dt.datetime | None = None) -> Credential:
    """Whom a valid token was issued to (and under which epoch), if it has not expired at ``now``.

    Expiry is checked against ``now`` (an argument, not PyJWT's own clock) so that the adapter's
    clock is the only clock, and tests can pin it.
    """
    now = now or dt.datetime.now(dt.UTC)
    try:
        claims = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[TOKEN_ALGORITHM],
            audience=TOKEN_AUDIENCE,
            options={"require": ["sub", "exp", "aud", "epoch"], "verify_exp": False, "verify_iat": False},
        )
    except jwt.InvalidTokenError:
        raise AuthenticationError("the access token is not valid") from None
    subject, expires, epoch = claims["sub"], claims["exp"], claims["epoch"]
    if not isinstance(subject, str) or not subject or not isinstance(expires, int | float):
        raise AuthenticationError("the access token is not valid")
    if not isinstance(epoch, int) or isinstance(epoch, bool):
        raise AuthenticationError("the access token is not valid")
    if now.timestamp() >= expires:
        raise AuthenticationError("the access token has expired")
    return Credential(subject, epoch)


def _session_serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=_SESSION_SALT)


def create_session_cookie(principal: Principal, *, settings: Settings) -> str:
    """The value of the web's signed session cookie for ``principal``."""
    return _session_serializer(settings).dumps({"sub": principal.username, "epoch": principal.token_epoch})


def read_session_cookie(value: str, *, settings: Settings, now: dt.datetime | None = None) -> Credential:
    """Whom a session cookie we signed less than ``settings.token_minutes`` before ``now`` names."""
    now = now or dt.datetime.now(dt.UTC)
    try:
        data, signed_at = _session_serializer(settings).loads(value, return_timestamp=True)
    except BadSignature:
        raise AuthenticationError("the session is not valid") from None
    if now - signed_at > dt.timedelta(minutes=settings.token_minutes):
        raise AuthenticationError("the session has expired")
    subject = data.get("sub") if isinstance(data, dict) else None
    epoch = data.get("epoch") if isinstance(data, dict) else None
    if not isinstance(subject, str) or not subject or not isinstance(epoch, int) or isinstance(epoch, bool):
        raise AuthenticationError("the session is not valid")
    return Credential(subject, epoch)
