"""The scenarios page for management (issue 15, item 8): change the main assumptions in a form, run
in the background, read the decision, and compare runs kept by name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hjemme.api.app import create_app
from hjemme.domain.security import Role
from hjemme.services.access import SYSTEM
from hjemme.services.scenario_runs import list_scenario_runs
from hjemme.web.deps import get_now
from hjemme.web.router import mount_web
from hjemme.web.scenario_runs import ScenarioRuns
from tests.scenario_files import narrowed_scenario
from tests.web.conftest import Web
from tests.web.forms import FormClient
from tests.web.world import NOW, SETTINGS, seed_world

ORDER = {"alt1": 0, "alt2": 1}  # the form's row index of each alternative's ordering time


@pytest.fixture
def site(db_engine: Engine, password_hash: str, tmp_path: Path) -> Iterator[tuple[Web, ScenarioRuns]]:
    seed_world(db_engine, password_hash)
    app = create_app(SETTINGS, engine=db_engine)
    mount_web(app)
    app.dependency_overrides[get_now] = lambda: NOW
    runs = ScenarioRuns(tmp_path / "scenarios")
    runs.pdf = False  # the CLI test prints the PDF; here the run stays quick
    app.state.scenario_runs = runs
    app.state.scenario_default = narrowed_scenario(tmp_path / "scenario-file")
    with FormClient(app) as client:
        yield Web(client=client, engine=db_engine), runs


def _form(**changes: str) -> dict[str, str]:
    data = {"source": "default", "replications": "1"}
    data.update(changes)
    return data


def test_the_form_shows_the_main_assumptions_with_their_values(site) -> None:
    """Management sees the ordering times with low/likely/high from the scenario file, ready to change."""
    web, _runs = site
    web.log_in(Role.MANAGEMENT)
    page = web.client.get("/scenarios").text
    assert "Hovedforutsetninger" in page and "Alt 1: helsepersonells bestillingstid per pasientuke" in page
    assert 'name="low-0" value="2"' in page and 'name="likely-0" value="3"' in page
    assert 'name="high-0" value="5"' in page and 'name="name"' in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("low-0", "6", "lav kan ikke være over sannsynlig"),
        ("likely-1", "åtte", "oppgi tall"),
        ("low-0", "-1", "kan ikke være negativ"),
    ],
)
def test_a_bad_assumption_is_refused_naming_it_and_nothing_runs(site, field, value, message) -> None:
    """A range out of order, a word or a negative time is refused in Norwegian naming the assumption;
    no run is stored and no directory is left."""
    web, runs = site
    web.log_in(Role.MANAGEMENT)
    response = web.client.post("/scenarios/runs", data=_form(**{field: value, "name": "Feil"}))
    assert response.status_code == 422
    box = response.text[response.text.find("error-box") :][:600]
    assert "helsepersonells bestillingstid per pasientuke" in box and message in box, box
    assert f'value="{value}"' in response.text  # what was typed is kept
    assert list_scenario_runs(engine=web.engine, principal=SYSTEM) == []
    assert not runs.root.exists() or list(runs.root.iterdir()) == []


# the scenario's numbers do not depend on the database; its runs are stored on SQLite and PostgreSQL
# in tests/services/test_scenario_runs.py, so this page flow (two whole simulations) runs on SQLite only
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_named_runs_are_kept_and_compared(site) -> None:
    """A run with equal ordering times and the default run are kept by name, show their decision, and
    the comparison puts their changed assumption and key numbers side by side; a name is used once."""
    web, runs = site
    web.log_in(Role.MANAGEMENT)
    ids = []
    for name, changes in (
        ("Som i filen", {}),
        ("Lik bestillingstid", {"low-0": "5", "likely-0": "8", "high-0": "12"}),
    ):
        response = web.client.post(
            "/scenarios/runs", data=_form(name=name, **changes), follow_redirects=False
        )
        assert response.status_code == 303, response.text
        run_id = response.headers["location"].rsplit("/", 1)[1]
        runs.wait(run_id, 600)
        ids.append(run_id)
        page = web.client.get(f"/scenarios/runs/{run_id}").text
        assert "Beslutningen, 2030" in page and "av replikasjonene" in page
    stored = {r.name: r for r in list_scenario_runs(engine=web.engine, principal=SYSTEM)}
    assert set(stored) == {"Som i filen", "Lik bestillingstid"}
    assert stored["Lik bestillingstid"].overrides == {
        "delivery_models.alt1.order_min_per_patient_week": [5.0, 8.0, 12.0]
    }
    assert stored["Som i filen"].overrides == {} and all(r.status == "done" for r in stored.values())
    equal, default = stored["Lik bestillingstid"].results["p50"], stored["Som i filen"].results["p50"]
    assert equal["alt1"]["cost_nok_per_year"] > default["alt1"]["cost_nok_per_year"]
    assert equal["alt2"]["cost_nok_per_year"] == pytest.approx(default["alt2"]["cost_nok_per_year"])

    index = web.client.get("/scenarios").text
    assert "Lik bestillingstid" in index and "Som i filen" in index
    page = web.client.get(f"/scenarios/compare?run={ids[0]}&run={ids[1]}").text
    assert "Lik bestillingstid" in page and "Alt 1: helsepersonells bestillingstid per pasientuke" in page
    assert "5 – 8 – 12" in page and "Kostnad (NOK per år)" in page

    again = web.client.post("/scenarios/runs", data=_form(name="Lik bestillingstid"))
    assert again.status_code == 409 and "finnes allerede" in again.text


def test_compare_needs_two_runs(site) -> None:
    """Comparing fewer than two runs says so; an unknown run is not found."""
    web, _runs = site
    web.log_in(Role.MANAGEMENT)
    assert "minst to" in web.client.get("/scenarios/compare").text
    assert web.client.get(f"/scenarios/compare?run={'a' * 32}&run={'b' * 32}").status_code == 404
