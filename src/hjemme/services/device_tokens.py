"""Device tokens (issue 5): how a home device authenticates ``POST /fhir/Observation``.

A token is 32 random bytes (URL-safe base64, prefixed ``hjd_``), shown once when issued; the
register keeps only its SHA-256, with the device id and the one patient the device may post for.
SHA-256 without a salt is enough here (unlike passwords): the token has 256 bits of entropy, so
there is nothing to guess, and a plain hash lets each request find its row with one indexed
lookup. Issuing a new token for a device revokes its older ones; deleting the patient deletes
their devices' tokens.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from hjemme.domain.security import Role
from hjemme.errors import InputError
from hjemme.services.access import log_access, require_role
from hjemme.services.auth import AuthenticationError
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.monitoring_tables import DeviceTokenRecord

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from hjemme.services.auth import Principal

TOKEN_PREFIX = "hjd_"
TOKEN_ISSUERS = frozenset({Role.ADMIN, Role.TECHNICIAN})
"""Who hands out device kits: administrators and the medical-technical staff."""
MAX_DEVICE_ID = 64


@dataclass(frozen=True, slots=True)
class IssuedDeviceToken:
    """A freshly issued token: ``token`` is the secret, shown once and never stored."""

    token: str
    device_id: str
    patient_id: str
    issued_at: dt.datetime


@dataclass(frozen=True, slots=True)
class DeviceCaller:
    """An authenticated device: what it is and whom it measures."""

    device_id: str
    patient_id: str

    @property
    def username(self) -> str:
        """How the access log names the device."""
        return f"device:{self.device_id}"


def token_digest(token: str) -> str:
    """The stored form of a token: lowercase hex SHA-256 of its UTF-8 text."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_device_token(
    *, engine: Engine, principal: Principal, device_id: str, patient_id: str, at: dt.datetime,
    client: str | None = None,
) -> IssuedDeviceToken:
    """A new token for ``device_id`` measuring ``patient_id`` (admin, technician); older tokens of the
    device are revoked. Linking a device to a patient is a write of the patient's data: access-logged."""
    require_role(principal, TOKEN_ISSUERS)
    device_id = device_id.strip()
    if not device_id or len(device_id) > MAX_DEVICE_ID or set(device_id) & set("/+#"):
        raise InputError("device_id", f"'{device_id}' er ikke en gyldig enhets-id (1–64 tegn, uten / + #)")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with session_scope(engine) as session:
        repo.get_patient(session, patient_id)  # NotFoundError for an unknown patient
        active = (DeviceTokenRecord.device_id == device_id, DeviceTokenRecord.revoked_at.is_(None))
        session.execute(update(DeviceTokenRecord).where(*active).values(revoked_at=at))
        session.add(DeviceTokenRecord(token_sha256=token_digest(token), device_id=device_id,
                                      patient_id=patient_id, issued_at=at, issued_by=principal.username))
        log_access(session=session, principal=principal, patient_ids=[patient_id],
                   resource=f"device token {device_id}", client=client, at=at, action="write")
    return IssuedDeviceToken(token, device_id, patient_id, at)


def revoke_device_tokens(
    *, engine: Engine, principal: Principal, device_id: str, at: dt.datetime
) -> int:
    """Revoke every active token of a device (a lost or returned device); the number revoked."""
    require_role(principal, TOKEN_ISSUERS)
    with session_scope(engine) as session:
        result = session.execute(update(DeviceTokenRecord)
                                 .where(DeviceTokenRecord.device_id == device_id,
                                        DeviceTokenRecord.revoked_at.is_(None))
                                 .values(revoked_at=at))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def authenticate_device(*, engine: Engine, token: str | None) -> DeviceCaller:
    """The device a bearer token belongs to; ``AuthenticationError`` (401) for none, unknown or revoked."""
    if not token or not token.startswith(TOKEN_PREFIX):
        raise AuthenticationError("ukjent enhetsnøkkel")
    with session_scope(engine) as session:
        record = session.scalar(select(DeviceTokenRecord).where(
            DeviceTokenRecord.token_sha256 == token_digest(token), DeviceTokenRecord.revoked_at.is_(None)))
        if record is None:
            raise AuthenticationError("ukjent eller tilbakekalt enhetsnøkkel")
        return DeviceCaller(record.device_id, record.patient_id)
