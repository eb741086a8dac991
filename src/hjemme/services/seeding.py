"""Filling a database with a synthetic Oslo population (``hjemme seed``) and the demo set-up.

One use case, one transaction: the population is generated first (pure, in memory), then written
in one transaction, so a failure or an interruption half-way leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain.people import StaffRole
from hjemme.domain.plans import Plan
from hjemme.domain.resources import ResourceKind
from hjemme.domain.security import Role
from hjemme.errors import ConflictError, InputError
from hjemme.logistics.orders import LineStatus
from hjemme.services.access import SYSTEM
from hjemme.services.availability import register_in
from hjemme.services.logistics import clear_logistics_in, seed_logistics_in, suggest_orders
from hjemme.services.stays import admission_of, admit_in
from hjemme.services.users import create_user
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.synthetic import Population, SyntheticParams, generate_population

ProgressCallback = Callable[[int, int], None]  # (rows written, rows in total)
CHUNK_ROWS = 500
MAX_PATIENTS = 1_000_000
DEMO_ORDER_HORIZON_DAYS = 7  # the demo's order suggestions: the coming week, as `hjemme orders suggest`
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class SeedResult:
    """What was written: the counts, and the seed and date that reproduce it."""

    date: dt.date
    seed: int
    patients: int
    enrolments: int
    staff: int
    vehicles: int
    stock_lots: int = 0
    devices: int = 0


def seed_population(
    *,
    engine: Engine,
    n_patients: int,
    seed: int,
    date: dt.date,
    reset: bool = False,
    catalogue: Catalogue | None = None,
    params: SyntheticParams | None = None,
    on_progress: ProgressCallback | None = None,
    now: dt.datetime | None = None,
) -> SeedResult:
    """Write a synthetic population of ``n_patients`` whose enrolments are active on ``date``.

    The same transaction gives the world its logistics: stock at the logistics centre and a
    device pool with the active enrolments' devices assigned.

    Refuses (:class:`ConflictError`) when the database already holds a population, unless
    ``reset`` is true: then the old world (population, plans, pins, stock, devices, orders,
    measurements) is replaced in the same transaction. User accounts and the access log are kept.
    """
    _check_size(n_patients, seed)
    catalogue = catalogue or load_catalogue()
    population = generate_population(catalogue, n_patients, seed=seed, date=date, params=params)
    with session_scope(engine) as session:
        _write(session, population, reset=reset, on_progress=on_progress, catalogue=catalogue,
               now=now or dt.datetime.now(dt.UTC))
        logistics = seed_logistics_in(session, date=date, seed=seed, catalogue=catalogue)
    return replace(_result(population), stock_lots=logistics.lots, devices=logistics.devices)


@dataclass(frozen=True, slots=True)
class DemoLogin:
    """A demo account; ``password`` is ``None`` when the account existed already (unchanged)."""

    username: str
    role: Role
    password: str | None


@dataclass(frozen=True, slots=True)
class DemoResult:
    seeded: SeedResult | None  # None when the database held a population already
    logins: tuple[DemoLogin, ...]
    order_suggestions: int = 0  # suggested order lines waiting for the logistics role


def prepare_demo(
    *,
    engine: Engine,
    date: dt.date,
    now: dt.datetime,
    n_patients: int = 300,
    seed: int = 2026,
    catalogue: Catalogue | None = None,
    on_progress: ProgressCallback | None = None,
) -> DemoResult:
    """Seed ``n_patients`` for ``date`` unless a population exists, create one log-in per role, and
    suggest the coming week's orders (the order-suggestion service, run as the system).

    Demo user names are the role names and the passwords ``<role>-demo``; the ``patient`` user is
    the first patient, the ``clinician`` user the first nurse. Existing accounts are left alone.
    """
    _check_size(n_patients, seed)
    with session_scope(engine) as session:
        seeded = None
        if repo.count_population(session) == 0:
            catalogue = catalogue or load_catalogue()
            population = generate_population(catalogue, n_patients, seed=seed, date=date)
            _write(session, population, reset=False, on_progress=on_progress, catalogue=catalogue, now=now)
            logistics = seed_logistics_in(session, date=date, seed=seed, catalogue=catalogue)
            seeded = replace(_result(population), stock_lots=logistics.lots, devices=logistics.devices)
        first_patient = next(iter(repo.list_patients(session, limit=1)), None)
        first_nurse = next(iter(repo.list_staff(session, role=StaffRole.NURSE)), None)
        logins = []
        for role in Role:
            username = role.value
            if repo.get_user(session, username) is not None:
                logins.append(DemoLogin(username, role, None))
                continue
            if role is Role.PATIENT and first_patient is None:
                continue
            password = f"{role.value}-demo"
            create_user(
                session,
                username=username,
                password=password,
                role=role,
                now=now,
                patient_id=first_patient.id if role is Role.PATIENT and first_patient else None,
                staff_id=first_nurse.id if role is Role.CLINICIAN and first_nurse else None,
            )
            logins.append(DemoLogin(username, role, password))
    # The logistics role finds the week's order suggestions waiting, from the same service (a system
    # run, as a nightly job would make it); decisions already taken are kept (issue 14 item 7).
    orders = suggest_orders(engine=engine, date=date, horizon_days=DEMO_ORDER_HORIZON_DAYS,
                            catalogue=catalogue)
    waiting = sum(1 for line in orders.lines if line.status is LineStatus.SUGGESTED)
    return DemoResult(seeded=seeded, logins=tuple(logins), order_suggestions=waiting)


def link_demo_clinician(*, engine: Engine, plan: Plan) -> str | None:
    """Give the demo ``clinician`` log-in the route of a clinician who visits patients in ``plan``,
    so "my day" shows a real day; the staff id, or ``None`` when nobody visits anyone."""
    visiting = (
        r for r in plan.routes if r.kind is ResourceKind.CLINICIAN and any(s.type == "visit" for s in r.stops)
    )
    route = next(visiting, None)
    if route is None:
        return None
    with session_scope(engine) as session:
        repo.link_user_to_staff(session, Role.CLINICIAN.value, route.resource_id)
    return route.resource_id


def _check_size(n_patients: int, seed: int) -> None:
    if not 1 <= n_patients <= MAX_PATIENTS:
        raise InputError("patients", f"must be between 1 and {MAX_PATIENTS}, got {n_patients}")
    if seed < 0:
        raise InputError("seed", f"must not be negative, got {seed}")


def _write(
    session: Session,
    population: Population,
    *,
    reset: bool,
    on_progress: ProgressCallback | None,
    catalogue: Catalogue,
    now: dt.datetime,
) -> None:
    stored = repo.count_population(session)
    if stored and not reset:
        raise ConflictError(
            f"the database already holds a population ({repo.count_patients(session)} patients); "
            "seed with reset to replace it"
        )
    if stored:
        clear_logistics_in(session)
        repo.clear_population(session)
    total = sum(map(len, (population.staff, population.vehicles, population.patients, population.enrolments)))
    done = 0

    def report(written: int) -> None:
        nonlocal done
        done += written
        if on_progress:
            on_progress(done, total)

    # The seeder is one client of the registers' own services (issue 13): no private write path.
    report(0)
    register_in(session, principal=SYSTEM, staff=list(population.staff), vehicles=list(population.vehicles),
                now=now, catalogue=catalogue)
    report(len(population.staff) + len(population.vehicles))
    patients = {p.id: p for p in population.patients}
    admissions = [admission_of(patients[e.patient_id], e) for e in population.enrolments]
    for chunk in _chunks(admissions, CHUNK_ROWS):
        admit_in(session, principal=SYSTEM, admissions=chunk, now=now, catalogue=catalogue, resource="seed")
        report(2 * len(chunk))


def _chunks(rows: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _result(population: Population) -> SeedResult:
    return SeedResult(
        date=population.date,
        seed=population.seed,
        patients=len(population.patients),
        enrolments=len(population.enrolments),
        staff=len(population.staff),
        vehicles=len(population.vehicles),
    )
