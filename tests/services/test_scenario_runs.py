"""Scenario runs kept by name (issue 15, item 8), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from hjemme.domain.security import Role
from hjemme.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from hjemme.services.auth import Principal
from hjemme.services.scenario_runs import (
    finish_scenario_run,
    get_scenario_runs,
    list_scenario_runs,
    record_scenario_run,
)

MANAGER = Principal("leder", Role.MANAGEMENT)
T0 = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)


def _record(engine: Engine, run_id: str, name: str, at: dt.datetime = T0, **kw) -> None:
    record_scenario_run(
        engine=engine,
        principal=MANAGER,
        run_id=run_id,
        name=name,
        scenario="default.yaml",
        replications=5,
        overrides=kw.get("overrides", {}),
        now=at,
    )


def test_a_run_is_kept_by_name_and_finished_with_its_results(db_engine: Engine) -> None:
    """A started run is listed as running; finishing it stores its results and end time; newest first."""
    _record(db_engine, "a" * 32, "  Som   i filen ")
    _record(
        db_engine,
        "b" * 32,
        "Lik bestillingstid",
        T0 + dt.timedelta(minutes=5),
        overrides={"delivery_models.alt1.order_min_per_patient_week": [5, 8, 12]},
    )
    finish_scenario_run(
        engine=db_engine,
        principal=MANAGER,
        run_id="b" * 32,
        status="done",
        results={"decision": {"alternative": "alt1"}},
        now=T0 + dt.timedelta(minutes=6),
    )
    runs = list_scenario_runs(engine=db_engine, principal=MANAGER)
    assert [r.name for r in runs] == ["Lik bestillingstid", "Som i filen"]
    assert runs[0].status == "done" and runs[0].results["decision"]["alternative"] == "alt1"
    assert runs[0].finished_at == T0 + dt.timedelta(minutes=6) and runs[1].status == "running"
    assert runs[0].overrides["delivery_models.alt1.order_min_per_patient_week"] == [5, 8, 12]
    pair = get_scenario_runs(engine=db_engine, principal=MANAGER, run_ids=["a" * 32, "b" * 32])
    assert [r.name for r in pair] == ["Som i filen", "Lik bestillingstid"]


def test_a_name_is_used_once_and_must_be_given(db_engine: Engine) -> None:
    """A second run with a used name, or a blank name, is refused and nothing is written."""
    _record(db_engine, "a" * 32, "Navn")
    with pytest.raises(ConflictError):
        _record(db_engine, "b" * 32, "Navn")
    with pytest.raises(InputError):
        _record(db_engine, "c" * 32, "   ")
    assert [r.run_id for r in list_scenario_runs(engine=db_engine, principal=MANAGER)] == ["a" * 32]


def test_only_the_scenario_roles_keep_and_read_runs(db_engine: Engine) -> None:
    """A clinician may neither keep nor list scenario runs; an unknown run is not found."""
    clinician = Principal("sykepleier", Role.CLINICIAN)
    with pytest.raises(PermissionDeniedError):
        list_scenario_runs(engine=db_engine, principal=clinician)
    with pytest.raises(PermissionDeniedError):
        record_scenario_run(
            engine=db_engine,
            principal=clinician,
            run_id="a" * 32,
            name="x",
            scenario="d",
            replications=1,
            overrides={},
            now=T0,
        )
    with pytest.raises(NotFoundError):
        get_scenario_runs(engine=db_engine, principal=MANAGER, run_ids=["f" * 32, "e" * 32])
