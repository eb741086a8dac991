"""Logistics services on a real database (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from hjemme.domain.people import Enrolment
from hjemme.domain.security import Role
from hjemme.domain.tasks import TaskKind
from hjemme.errors import ConflictError, InputError
from hjemme.logistics.devices import Device, DeviceLocationKind, DeviceStatus
from hjemme.logistics.orders import LineStatus
from hjemme.logistics.stock import Lot, Movement, MovementKind, NegativeStockError, home_location
from hjemme.services import logistics as service
from hjemme.services.auth import Principal
from hjemme.services.logistics._rows import _save_devices as save_devices_directly
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from tests.helpers import make_patient

TODAY = dt.date(2026, 11, 23)
AT = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
KOORD = Principal("koord", Role.COORDINATOR)
WHO = {"principal": KOORD, "client": "10.0.0.1", "at": AT}


@pytest.fixture
def enrolled(db_engine: Engine) -> Engine:
    with session_scope(db_engine) as session:
        repo.add_patients(session, [make_patient("P1"), make_patient("P2")])
        repo.add_enrolments(
            session,
            [
                Enrolment("E1", "P1", "iv_antibiotics", TODAY - dt.timedelta(days=2), 10),
                Enrolment("E2", "P2", "ahs_lung", TODAY - dt.timedelta(days=3), 14),
            ],
        )
    return db_engine


def test_suggestions_are_stored_and_decisions_survive_a_new_suggestion(enrolled: Engine) -> None:
    """An accepted, adjusted line keeps its decision when the coordinator asks for suggestions again."""
    result = service.suggest_orders(engine=enrolled, date=TODAY, horizon_days=7)
    pumps = [ln for ln in result.lines if ln.product_id == "antibiotic_pump"]
    assert sum(ln.quantity for ln in pumps) == 7
    first = pumps[0]
    (accepted,) = service.accept_order_lines(
        engine=enrolled, line_ids=[first.id], quantities={first.id: 2}, **WHO
    )
    assert (accepted.status, accepted.quantity) == (LineStatus.ACCEPTED, 2)
    again = service.suggest_orders(engine=enrolled, date=TODAY, horizon_days=7)
    (kept,) = [ln for ln in again.lines if ln.id == first.id]
    assert (kept.status, kept.quantity) == (LineStatus.ACCEPTED, 2)
    tasks = service.order_delivery_tasks(engine=enrolled, date=first.delivery_date)
    assert [t.kind for t in tasks] == [TaskKind.DELIVERY]
    assert tasks[0].goods is not None and tasks[0].goods.lines[0].quantity == 2


def test_home_stock_in_the_ledger_is_netted(enrolled: Engine) -> None:
    """Two pumps recorded in patient P1's home reduce the suggested pumps from 7 to 5."""
    lot = Lot("AP-1", "antibiotic_pump", TODAY + dt.timedelta(days=5))
    service.record_stock_movements(
        engine=enrolled,
        new_lots=[lot],
        movements=[
            Movement("R1", MovementKind.RECEIPT, "AP-1", 2, None, home_location("P1"), "count", "u", AT)
        ],
    )
    result = service.suggest_orders(engine=enrolled, date=TODAY, horizon_days=7)
    assert sum(ln.quantity for ln in result.lines if ln.product_id == "antibiotic_pump") == 5


def test_unknown_model_and_line_ids_are_refused(enrolled: Engine) -> None:
    """An unknown delivery model and an unknown line id are input errors naming the field."""
    with pytest.raises(InputError, match="model"):
        service.suggest_orders(engine=enrolled, date=TODAY, horizon_days=7, model="alt9")
    with pytest.raises(InputError, match="line_ids"):
        service.accept_order_lines(engine=enrolled, line_ids=["nope"], **WHO)


def test_seeded_stock_levels_and_devices(enrolled: Engine) -> None:
    """Seeding stocks the logistics centre, assigns devices to the lung patient, and refuses to run twice."""
    summary = service.seed_logistics(engine=enrolled, date=TODAY, seed=3)
    assert summary.lots > 0 and summary.devices_assigned == 3
    levels = service.stock_levels(engine=enrolled, on=TODAY, location="logistics_centre", **WHO)
    assert levels and all(level.on_hand > 0 for level in levels)
    with pytest.raises(InputError, match="location"):
        service.stock_levels(engine=enrolled, on=TODAY, location="nowhere", **WHO)
    with pytest.raises(ConflictError):
        service.seed_logistics(engine=enrolled, date=TODAY, seed=3)
    devices = service.list_devices(engine=enrolled, **WHO)
    assert {d.device_type_id for d in devices if d.patient_id == "P2"} == {
        "oxygen_concentrator",
        "pulse_oximeter",
        "tablet_kit",
    }


def test_negative_movement_is_refused_and_nothing_is_written(enrolled: Engine) -> None:
    """A delivery of more than is in stock is refused and the ledger keeps its previous state."""
    service.seed_logistics(engine=enrolled, date=TODAY, seed=1)
    before = service.stock_levels(engine=enrolled, on=TODAY, **WHO)
    level = next(lv for lv in before if lv.product_id == "gloves_box")
    with pytest.raises(NegativeStockError):
        service.record_stock_movements(
            engine=enrolled,
            movements=[
                Movement(
                    "X",
                    MovementKind.SCRAP,
                    next(e.lot_id for e in service.expiring_stock(engine=enrolled, on=TODAY, within_days=9999, **WHO)
                         if e.product_id == "gloves_box"),
                    10_000,
                    "logistics_centre",
                    None,
                    "expired",
                    "u",
                    AT,
                )
            ],
        )
    assert service.stock_levels(engine=enrolled, on=TODAY, **WHO) == before and level.on_hand > 0


def test_device_due_in_three_days_gives_a_swap_task(enrolled: Engine) -> None:
    """A concentrator at the lung patient due in 3 days is in the due list and becomes a swap task before the due date."""
    with session_scope(enrolled) as session:
        save_devices_directly(  # noqa: SLF001 - the register is seeded directly for this case
            session,
            [
                Device(
                    "OC-9",
                    "oxygen_concentrator",
                    DeviceStatus.ASSIGNED,
                    DeviceLocationKind.PATIENT,
                    "P2",
                    TODAY - dt.timedelta(days=27),
                    0.0,
                    "P2",
                    "E2",
                )
            ],
        )
    (due,) = service.devices_due(engine=enrolled, within_days=7, today=TODAY)
    assert (due.serial, due.days_left) == ("OC-9", 3)
    (dated,) = service.device_tasks(engine=enrolled, within_days=7, today=TODAY)
    assert dated.task.kind is TaskKind.DEVICE_SWAP and dated.date < due.due_date
