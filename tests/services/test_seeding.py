"""Seeding a database with the synthetic population, and the demo set-up."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from hjemme.catalogue import load_catalogue
from hjemme.domain.security import Role
from hjemme.errors import ConflictError, InputError
from hjemme.services.auth import verify_password
from hjemme.services.seeding import prepare_demo, seed_population
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.synthetic import generate_population

DATE = dt.date(2026, 11, 23)
NOW = dt.datetime(2026, 11, 23, 7, 0, tzinfo=dt.UTC)


class Interrupted(Exception):
    """Stands for Ctrl-C or a crash in the middle of writing."""


def _counts(engine: Engine) -> tuple[int, int, int, int]:
    with session_scope(engine) as session:
        return (
            repo.count_patients(session),
            len(repo.list_enrolments(session)),
            len(repo.list_staff(session)),
            len(repo.list_vehicles(session)),
        )


def test_seed_writes_the_generated_population(db_engine: Engine) -> None:
    """Seeding stores exactly the population the generator draws for that seed and date."""
    result = seed_population(engine=db_engine, n_patients=40, seed=7, date=DATE)
    expected = generate_population(load_catalogue(), 40, seed=7, date=DATE)
    with session_scope(db_engine) as session:
        assert repo.list_patients(session) == list(expected.patients)
        assert repo.list_enrolments(session, active_on=DATE) == list(expected.enrolments)
        assert repo.list_staff(session) == sorted(expected.staff, key=lambda s: s.id)
        assert repo.list_vehicles(session) == sorted(expected.vehicles, key=lambda v: v.id)
    assert (result.patients, result.staff) == (40, len(expected.staff))


def test_seeding_a_full_database_is_refused(db_engine: Engine) -> None:
    """A second seed without reset raises ConflictError and leaves the first population intact."""
    seed_population(engine=db_engine, n_patients=20, seed=1, date=DATE)
    before = _counts(db_engine)
    with pytest.raises(ConflictError, match="reset"):
        seed_population(engine=db_engine, n_patients=30, seed=2, date=DATE)
    assert _counts(db_engine) == before


def test_reset_replaces_the_population(db_engine: Engine) -> None:
    """With reset the old population is replaced by the new one."""
    seed_population(engine=db_engine, n_patients=20, seed=1, date=DATE)
    seed_population(engine=db_engine, n_patients=30, seed=2, date=DATE, reset=True)
    assert _counts(db_engine)[:2] == (30, 30)


@pytest.mark.parametrize(
    ("n_patients", "seed", "field"), [(0, 1, "patients"), (-5, 1, "patients"), (5, -1, "seed")]
)
def test_bad_sizes_write_nothing(db_engine: Engine, n_patients: int, seed: int, field: str) -> None:
    """A non-positive number of patients or a negative seed is refused, naming it, and nothing is written."""
    with pytest.raises(InputError) as caught:
        seed_population(engine=db_engine, n_patients=n_patients, seed=seed, date=DATE)
    assert caught.value.field == field
    assert _counts(db_engine) == (0, 0, 0, 0)


def test_interrupted_seed_leaves_nothing(db_engine: Engine) -> None:
    """A seed interrupted half-way through writing leaves the database empty."""

    def interrupt(done: int, total: int) -> None:
        if done > total // 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        seed_population(engine=db_engine, n_patients=600, seed=3, date=DATE, on_progress=interrupt)
    assert _counts(db_engine) == (0, 0, 0, 0)


def test_interrupted_reset_keeps_the_old_population(db_engine: Engine) -> None:
    """A reset that fails half-way keeps the population that was there before."""
    seed_population(engine=db_engine, n_patients=20, seed=1, date=DATE)
    before = _counts(db_engine)

    def interrupt(done: int, total: int) -> None:
        if done > total // 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        seed_population(
            engine=db_engine, n_patients=600, seed=3, date=DATE, reset=True, on_progress=interrupt
        )
    assert _counts(db_engine) == before


def test_progress_reaches_the_total(db_engine: Engine) -> None:
    """Progress is reported from zero up to every row written."""
    reports: list[tuple[int, int]] = []
    result = seed_population(
        engine=db_engine, n_patients=30, seed=1, date=DATE, on_progress=lambda d, t: reports.append((d, t))
    )
    total = result.patients + result.enrolments + result.staff + result.vehicles
    assert reports[0] == (0, total) and reports[-1] == (total, total)


def test_demo_creates_a_login_per_role_once(db_engine: Engine) -> None:
    """The demo seeds an empty database and creates one working log-in per role, only once."""
    first = prepare_demo(engine=db_engine, date=DATE, now=NOW, n_patients=15)
    assert first.seeded is not None and first.seeded.patients == 15
    assert {login.role for login in first.logins} == set(Role)
    with session_scope(db_engine) as session:
        for login in first.logins:
            account = repo.get_user(session, login.username)
            assert account is not None and login.password is not None
            assert verify_password(account.password_hash, login.password)
        patient_user = repo.get_user(session, Role.PATIENT.value)
        assert patient_user is not None and patient_user.patient_id == repo.list_patients(session)[0].id
    again = prepare_demo(engine=db_engine, date=DATE, now=NOW, n_patients=15)
    assert again.seeded is None
    assert all(login.password is None for login in again.logins)
    assert _counts(db_engine)[0] == 15


def test_seed_brings_stock_and_devices_and_reset_replaces_them(db_engine: Engine) -> None:
    """A seeded world has stock and devices at its patients; a reset leaves none of the old world's."""
    from sqlalchemy import select

    from hjemme.store.logistics_tables import DeviceRecord, StockLotRecord

    first = seed_population(engine=db_engine, n_patients=30, seed=7, date=DATE)
    assert first.stock_lots > 0 and first.devices > 0
    with session_scope(db_engine) as session:
        old_lots = set(session.scalars(select(StockLotRecord.id)))
    second = seed_population(engine=db_engine, n_patients=20, seed=8, date=DATE, reset=True)
    with session_scope(db_engine) as session:
        lots = set(session.scalars(select(StockLotRecord.id)))
        holders = set(session.scalars(select(DeviceRecord.patient_id).where(DeviceRecord.patient_id.is_not(None))))
        enrolled = {e.patient_id for e in repo.list_enrolments(session)}
    assert lots and not (lots & old_lots)
    assert len(lots) == second.stock_lots
    assert holders and holders <= enrolled
