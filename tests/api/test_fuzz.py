"""Schemathesis over every operation of ``/openapi.json``: whatever a client sends, never a 5xx (#12).

Each operation is its own test (so ``-n 2`` shares them out), on a small seeded SQLite database,
called as the administrator with a bearer token; examples are bounded and derandomised so the
run is repeatable and takes about a minute on two cores. Valid and invalid data are both
generated (schemathesis' positive and negative modes).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import hypothesis.strategies as st
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation import GenerationMode
from sqlalchemy import Engine

from hjemme.api.app import create_app
from hjemme.api.deps import get_now
from hjemme.domain.security import Role
from hjemme.store.database import create_db_engine, upgrade
from tests.api.conftest import NOW, SETTINGS, Api, seed_world

EXAMPLES = 12
"""Examples per operation and mode: enough to reach every parameter's edges, few enough for CI."""
MAX_PLAN_SECONDS = 0.2
"""Planning time the fuzzer may ask for (the schema allows minutes; the answer is the same)."""


def _operations() -> list[tuple[str, str]]:
    app = create_app(SETTINGS, engine=create_db_engine("sqlite://"))
    return [(path, method.upper()) for path, methods in app.openapi()["paths"].items() for method in methods]


OPERATIONS = _operations()


@pytest.fixture
def fuzzed(tmp_path: Path, password_hash: str) -> Iterator[tuple[Api, schemathesis.BaseSchema]]:
    engine: Engine = create_db_engine(f"sqlite:///{tmp_path / 'fuzz.db'}")
    upgrade(engine)
    seed_world(engine, password_hash)
    app = create_app(SETTINGS, engine=engine)
    app.dependency_overrides[get_now] = lambda: NOW
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        yield Api(client=client, engine=engine, settings=SETTINGS), schemathesis.openapi.from_asgi(
            "/openapi.json", app)
    engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_no_operation_answers_with_a_server_error(fuzzed, path: str, method: str) -> None:
    """Generated requests (valid and invalid) to this operation never get a 5xx answer."""
    api, schema = fuzzed
    operation = schema[path][method]
    headers = api.headers(Role.ADMIN)
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                         operation.as_strategy(GenerationMode.NEGATIVE))

    @given(case=strategy)
    @settings(max_examples=2 * EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case) -> None:
        if isinstance(case.body, dict) and isinstance(case.body.get("time_limit_s"), int | float):
            case.body["time_limit_s"] = min(max(case.body["time_limit_s"], 0.05), MAX_PLAN_SECONDS)
        response = case.call(headers={**(case.headers or {}), **headers})
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} {case.query} {str(case.body)[:300]} -> "
            f"{response.status_code} {response.text[:300]}")

    check()


def test_fuzzing_reaches_every_operation() -> None:
    """The fuzz list is the API's own: every path of /openapi.json, the FHIR routes included."""
    paths = {p for p, _ in OPERATIONS}
    assert "/fhir/Observation" in paths and "/api/plans/{date}" in paths and len(OPERATIONS) > 30
