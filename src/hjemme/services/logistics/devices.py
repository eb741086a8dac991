"""The MTU device register: list it, what is due for service, and the swap tasks for the planner."""


from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.errors import InputError
from hjemme.logistics import devices as device_engine
from hjemme.logistics.devices import (
    DatedTask,
    Device,
    DeviceDue,
    DeviceParams,
)
from hjemme.services.access import require_role
from hjemme.services.auth import Principal
from hjemme.services.logistics._rows import (
    DEVICE_ROLES,
    _check,
    _device,
    _shown,
)
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.logistics_tables import DeviceRecord


def _register(session: Session) -> list[Device]:
    return [_device(r) for r in session.scalars(select(DeviceRecord).order_by(DeviceRecord.serial))]


def list_devices(
    *, engine: Engine, principal: Principal, client: str | None, at: dt.datetime
) -> list[Device]:
    """The device register; each patient holding a device is access-logged."""
    require_role(principal, DEVICE_ROLES)
    with session_scope(engine) as session:
        devices = _register(session)
        _shown(
            session,
            principal,
            (d.patient_id for d in devices),
            resource="device register",
            client=client,
            at=at,
        )
    return devices


def devices_due(
    *,
    engine: Engine,
    within_days: int,
    today: dt.date,
    params: DeviceParams | None = None,
    catalogue: Catalogue | None = None,
    principal: Principal | None = None,
    client: str | None = None,
    at: dt.datetime | None = None,
) -> list[DeviceDue]:
    """Devices due for service within ``within_days`` of ``today`` (or overdue), soonest first.

    With a ``principal`` the role is checked and each patient holding a due device is
    access-logged; without one it is a system read that shows nobody anything.
    """
    _check(principal, DEVICE_ROLES, at)
    if within_days < 0:
        raise InputError("within_days", "kan ikke være negativ")
    catalogue = catalogue or load_catalogue()
    with session_scope(engine) as session:
        dues = device_engine.devices_due(
            _register(session), catalogue.device_types, today, within_days, params
        )
        _shown(
            session,
            principal,
            (d.patient_id for d in dues),
            resource=f"devices due {today.isoformat()}",
            client=client,
            at=at,
        )
    return dues


def device_tasks(
    *,
    engine: Engine,
    within_days: int,
    today: dt.date,
    params: DeviceParams | None = None,
    catalogue: Catalogue | None = None,
) -> list[DatedTask]:
    """DEVICE_SWAP / PICKUP tasks for the planner for devices due within ``within_days``."""
    catalogue = catalogue or load_catalogue()
    with session_scope(engine) as session:
        devices = _register(session)
        ids = sorted({d.patient_id for d in devices if d.patient_id})
        patients = {p.id: p for p in repo.list_patients(session, ids=ids, on=today)} if ids else {}
        enrolments = {e.id: e for e in repo.list_enrolments(session)}
    dues = device_engine.devices_due(devices, catalogue.device_types, today, within_days, params)
    return device_engine.maintenance_tasks(
        dues, today, enrolments, patients, catalogue.products, catalogue.device_types, params
    )
