"""Logistics end to end on a real database: suggest, accept, plan the day, pick and load the vans."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace

import pytest
from sqlalchemy import Engine, select

from hjemme.catalogue import load_catalogue
from hjemme.domain.catalogue import ProductCategory
from hjemme.domain.security import Role
from hjemme.domain.tasks import TaskKind
from hjemme.errors import PermissionDeniedError
from hjemme.planning.params import PlannerParams
from hjemme.services import logistics as service
from hjemme.services.auth import Principal
from hjemme.services.journal import ChangeOutcome as PlanOutcome
from hjemme.services.journal import plan_day
from hjemme.services.logistics._rows import _save_devices as save_devices_directly
from hjemme.services.seeding import seed_population
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.tables import AccessLogRecord

DATE = dt.date(2026, 11, 23)
MORNING = dt.datetime(2026, 11, 23, 6, 0, tzinfo=dt.UTC)
FAST = PlannerParams(time_limit_s=0.5, rounds=1)
COORDINATOR = Principal("koord", Role.COORDINATOR)
DRIVER = Principal("sjafor", Role.LOGISTICS)


def _who(principal: Principal) -> dict[str, object]:
    return {"principal": principal, "client": "10.1.2.3", "at": MORNING}


@pytest.fixture
def flow(db_engine: Engine) -> tuple[Engine, set[str], PlanOutcome]:
    """A seeded population with stock and devices; today's lines of three patients accepted; the day planned."""
    seed_population(engine=db_engine, n_patients=20, seed=3, date=DATE)
    result = service.suggest_orders(engine=db_engine, date=DATE, horizon_days=3, **_who(COORDINATOR))
    today = [ln for ln in result.lines if ln.delivery_date == DATE]
    chosen = sorted({ln.patient_id for ln in today})[:3]
    assert chosen, "the seeded day has deliveries to accept"
    service.accept_order_lines(
        engine=db_engine,
        line_ids=[ln.id for ln in today if ln.patient_id in chosen],
        **_who(COORDINATOR),
    )
    _due_tomorrow(db_engine)
    outcome = plan_day(engine=db_engine, date=DATE, now=MORNING, params=FAST)
    return db_engine, set(chosen), outcome


def _due_tomorrow(engine: Engine) -> None:
    """Make one device at a patient who stays on come due tomorrow, so its swap belongs to today."""
    types = load_catalogue().device_types
    with session_scope(engine) as session:
        stays = {e.id for e in repo.list_enrolments(session, active_on=DATE + dt.timedelta(days=3))}
        device = next(
            d
            for d in service.list_devices(engine=engine, **_who(COORDINATOR))
            if d.enrolment_id in stays and types[d.device_type_id].service_interval_days > 1
        )
        interval = types[device.device_type_id].service_interval_days
        last = DATE + dt.timedelta(days=1 - interval)
        save_devices_directly(  # noqa: SLF001 - the register is set up directly for this case
            session, [replace(device, last_service_date=last, usage_hours_since_service=0.0)]
        )


def test_accepted_lines_become_the_days_deliveries_and_due_devices_their_swaps(flow) -> None:
    """The plan's problem carries the accepted lines' delivery tasks, no pathway default for those patients, and today's swaps."""
    engine, chosen, outcome = flow
    tasks = {t.id: t for t in outcome.problem.tasks}
    expected = service.order_delivery_tasks(engine=engine, date=DATE)
    assert expected and {t.id for t in expected} <= set(tasks)
    assert {t.patient_id for t in expected} == chosen
    for task in expected:
        assert tasks[task.id].goods == task.goods
    default = [
        t
        for t in tasks.values()
        if t.kind is TaskKind.DELIVERY and t.patient_id in chosen and "-O" not in t.id
    ]
    assert default == []
    swaps = {
        d.task.id for d in service.device_tasks(engine=engine, within_days=7, today=DATE) if d.date == DATE
    }
    assert swaps and swaps <= set(tasks)
    assert {tasks[t].kind for t in swaps} == {TaskKind.DEVICE_SWAP}


def test_pick_lists_take_the_delivered_products_first_expiry_first(flow) -> None:
    """The van loads hold the planned deliveries in reverse stop order and the picks use the soonest-expiring usable lots."""
    engine, chosen, outcome = flow
    loads = service.pick_lists(engine=engine, date=DATE, **_who(DRIVER))
    assert loads.version == outcome.version
    products = load_catalogue().products
    on_routes = {s.task_id for r in outcome.plan.routes for s in r.stops if s.task_id}
    delivered = [t for t in service.order_delivery_tasks(engine=engine, date=DATE) if t.id in on_routes]
    assert delivered, "at least one accepted delivery is on a route"
    loaded = {item.task_id: item for load in loads.loads for item in load.items}
    picked: dict[str, set[str]] = defaultdict(set)
    for pick in loads.picks:
        picked[pick.task_id].add(pick.product_id)
    short = {(s.task_id, s.product_id) for s in loads.shortages}
    for task in delivered:
        assert task.goods is not None and loaded[task.id].lines == task.goods.lines
        for line in task.goods.lines:
            assert line.product_id in picked[task.id] or (task.id, line.product_id) in short
    for load in loads.loads:
        stops = [item.stop_index for item in sorted(load.items, key=lambda i: i.position)]
        assert stops == sorted(stops, reverse=True)

    # FEFO: per product, picks never go back to an earlier expiry, the first is the soonest usable
    # lot at the warehouse, and no lot is used after its use-by date.
    levels = {
        lv.product_id: lv
        for lv in service.stock_levels(engine=engine, on=DATE, location=service.WAREHOUSE, **_who(DRIVER))
    }
    by_product: dict[str, list[dt.date]] = defaultdict(list)
    for pick in loads.picks:
        if products[pick.product_id].category is ProductCategory.MTU:
            assert pick.lot_id is None
            continue
        assert pick.lot_id is not None
        if pick.expiry_date is not None:
            assert pick.expiry_date >= DATE
            by_product[pick.product_id].append(pick.expiry_date)
    assert by_product
    for product_id, expiries in by_product.items():
        assert expiries == sorted(expiries), product_id
        assert expiries[0] == levels[product_id].next_expiry, product_id


def test_van_loads_are_access_logged_and_refused_to_clinicians(flow) -> None:
    """Reading van loads writes one access-log row per patient loaded; a clinician is refused."""
    engine, _, outcome = flow
    loads = service.pick_lists(engine=engine, date=DATE, **_who(DRIVER))
    with session_scope(engine) as session:
        logged = set(
            session.scalars(
                select(AccessLogRecord.patient_id).where(
                    AccessLogRecord.username == "sjafor",
                    AccessLogRecord.resource == f"van loads {DATE.isoformat()} v{outcome.version}",
                )
            )
        )
    assert logged == {item.patient_id for load in loads.loads for item in load.items}
    with pytest.raises(PermissionDeniedError):
        service.pick_lists(engine=engine, date=DATE, **_who(Principal("lege", Role.CLINICIAN)))
