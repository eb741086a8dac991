"""The day's work from the stored enrolments."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from hjemme.catalogue import load_catalogue
from hjemme.domain.workload import tasks_for_day
from hjemme.errors import ConflictError
from hjemme.services.seeding import seed_population
from hjemme.services.workload import tasks_on
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.synthetic import generate_population
from tests.store import factories

DATE = dt.date(2026, 11, 23)


def test_tasks_of_the_seeded_day(db_engine: Engine) -> None:
    """The stored population yields the same tasks as the generated one does."""
    seed_population(engine=db_engine, n_patients=60, seed=4, date=DATE)
    catalogue = load_catalogue()
    population = generate_population(catalogue, 60, seed=4, date=DATE)
    expected = tasks_for_day(
        DATE,
        population.enrolments,
        {p.id: p for p in population.patients},
        catalogue.pathways,
        catalogue.products,
        catalogue.device_types,
    )
    assert tasks_on(engine=db_engine, date=DATE) == expected
    assert expected


def test_no_enrolments_no_tasks(db_engine: Engine) -> None:
    """An empty database, or a day long after every stay, has no tasks."""
    assert tasks_on(engine=db_engine, date=DATE) == []
    seed_population(engine=db_engine, n_patients=10, seed=4, date=DATE)
    assert tasks_on(engine=db_engine, date=DATE + dt.timedelta(days=400)) == []


def test_unknown_pathway_is_reported(db_engine: Engine) -> None:
    """An enrolment in a pathway missing from the catalogue is a conflict naming the pathway."""
    with session_scope(db_engine) as session:
        repo.add_patients(session, [factories.patient("P1")])
        repo.add_enrolments(
            session, [factories.enrolment("E1", "P1", pathway_id="retired_pathway", start_date=DATE)]
        )
    with pytest.raises(ConflictError, match="retired_pathway"):
        tasks_on(engine=db_engine, date=DATE)
