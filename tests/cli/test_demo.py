"""``hjemme demo`` (without starting the server) and ``hjemme serve`` argument checks."""

from __future__ import annotations

import datetime as dt
import json
import threading

from typer.testing import CliRunner

from hjemme.cli.main import app
from hjemme.domain.security import Role
from hjemme.domain.time import local_date
from hjemme.geo import make_provider
from hjemme.planning.plan_json import plan_from_json
from hjemme.planning.problem_json import problem_from_json
from hjemme.planning.validate import validate_plan
from hjemme.services.auth import Principal
from hjemme.services.database import open_database
from hjemme.services.logistics import list_order_lines
from hjemme.services.planning import stored_problem
from hjemme.settings import get_settings
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope

runner = CliRunner()


def test_demo_prints_a_login_for_every_role(database_env: str) -> None:
    """The demo seeds, prints user name and password for every role and the URL; rerunning keeps it."""
    args = ["demo", "--no-serve", "--patients", "12", "--plan-seconds", "0.3"]
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    for role in Role:
        assert f"{role.value}-demo" in result.output
    assert "http://127.0.0.1:8000/" in result.output
    again = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert again.exit_code == 0 and "already holds a population" in again.output


def test_serve_refuses_a_bad_port(database_env: str) -> None:
    """A port outside 1–65535 exits with status 2 naming --port."""
    result = runner.invoke(app, ["serve", "--port", "70000"], env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "--port" in result.output


def test_demo_day_has_stock_devices_and_a_valid_plan(database_env: str) -> None:
    """After the demo, today's plan is stored and re-validates, and stock and devices are seeded."""
    result = runner.invoke(
        app, ["demo", "--no-serve", "--patients", "15", "--plan-seconds", "0.3"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "planned" in result.output
    today = local_date(dt.datetime.now(dt.UTC)).isoformat()
    stock = runner.invoke(app, ["stock", "--format", "json"])
    assert stock.exit_code == 0 and json.loads(stock.stdout)
    engine = open_database(url=database_env)
    try:
        plan_data, problem_data = stored_problem(engine=engine, date=local_date(dt.datetime.now(dt.UTC)))
    finally:
        engine.dispose()
    problem = problem_from_json(problem_data)
    violations = validate_plan(
        plan_from_json(plan_data), problem.tasks, problem.resources, make_provider("builtin"), problem.lab
    )
    assert violations == [] and plan_data["routes"]
    engine = open_database(url=database_env)
    try:
        with session_scope(engine) as session:
            staff_id = repo.get_user(session, "clinician").staff_id  # type: ignore[union-attr]
    finally:
        engine.dispose()
    own = [r for r in plan_data["routes"] if r["resource"] == staff_id]
    assert own and any(s["type"] == "visit" for s in own[0]["stops"]), "the demo clinician has visits today"
    tasks = runner.invoke(app, ["tasks", "--date", today, "--format", "json"])
    assert tasks.exit_code == 0 and json.loads(tasks.stdout)


def test_serve_refuses_to_start_without_a_secret_key(database_env: str, monkeypatch) -> None:
    """Without HJEMME_SECRET_KEY, serve exits 2 naming the variable and never starts a server."""
    started = []
    monkeypatch.setattr("hjemme.cli.serve.uvicorn_run", lambda app, **kw: started.append(app))
    monkeypatch.delenv("HJEMME_SECRET_KEY", raising=False)
    monkeypatch.setenv("HJEMME_RESEARCH_KEY", "r" * 40)
    result = runner.invoke(app, ["serve"], env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "HJEMME_SECRET_KEY is not set" in result.output
    assert started == []


def test_serve_refuses_the_old_default_key(database_env: str, monkeypatch) -> None:
    """The development key once published in settings.py is refused (exit 2, naming the variable)."""
    started = []
    monkeypatch.setattr("hjemme.cli.serve.uvicorn_run", lambda app, **kw: started.append(app))
    env = {"HJEMME_SECRET_KEY": "hjemme-dev-secret-change-me-in-production-0123456789",
           "HJEMME_RESEARCH_KEY": "r" * 40, "COLUMNS": "200"}
    result = runner.invoke(app, ["serve"], env=env)
    assert result.exit_code == 2 and "HJEMME_SECRET_KEY" in result.output and started == []


def test_serve_refuses_to_start_without_a_research_key(database_env: str, monkeypatch) -> None:
    """Pseudonyms need their own key: serve exits 2 naming HJEMME_RESEARCH_KEY."""
    monkeypatch.setattr("hjemme.cli.serve.uvicorn_run", lambda app, **kw: None)
    monkeypatch.delenv("HJEMME_RESEARCH_KEY", raising=False)
    result = runner.invoke(app, ["serve"], env={"HJEMME_SECRET_KEY": "k" * 40, "COLUMNS": "200"})
    assert result.exit_code == 2 and "HJEMME_RESEARCH_KEY is not set" in result.output


def test_serve_starts_with_both_keys(database_env: str, monkeypatch) -> None:
    """With both keys set, serve hands uvicorn an app built on exactly those keys."""
    started = []
    monkeypatch.setattr("hjemme.cli.serve.uvicorn_run", lambda app, **kw: started.append(app))
    env = {"HJEMME_SECRET_KEY": "k" * 40, "HJEMME_RESEARCH_KEY": "r" * 40, "COLUMNS": "200"}
    result = runner.invoke(app, ["serve", "--port", "8123"], env=env)
    assert result.exit_code == 0, result.output
    settings = started[0].args[0]
    assert (settings.secret_key, settings.research_key) == ("k" * 40, "r" * 40)


def test_demo_serves_with_keys_made_once_and_reused(database_env: str, monkeypatch, tmp_path) -> None:
    """The demo starts without keys set: it makes a random pair in var/ (0600) and reuses it next time."""
    started = []
    monkeypatch.setattr("hjemme.cli.serve.uvicorn_run", lambda app, **kw: started.append(app))
    monkeypatch.delenv("HJEMME_SECRET_KEY", raising=False)
    monkeypatch.delenv("HJEMME_RESEARCH_KEY", raising=False)
    env = {"COLUMNS": "200"}
    args = ["demo", "--patients", "5", "--plan-seconds", "0.2"]
    assert runner.invoke(app, args, env=env).exit_code == 0
    assert runner.invoke(app, args, env=env).exit_code == 0
    first, second = (s.args[0] for s in started)
    assert first.secret_key and first.research_key and first.secret_key != first.research_key
    assert (first.secret_key, first.research_key) == (second.secret_key, second.research_key)
    assert (tmp_path / "var" / "demo-keys.json").stat().st_mode & 0o777 == 0o600


def test_serve_refuses_one_key_for_both_purposes(database_env: str, monkeypatch) -> None:
    """The same value as signing and research key is refused (exit 2), naming both variables."""
    monkeypatch.setattr("hjemme.cli.serve.uvicorn_run", lambda app, **kw: None)
    env = {"HJEMME_SECRET_KEY": "k" * 40, "HJEMME_RESEARCH_KEY": "k" * 40, "COLUMNS": "200"}
    result = runner.invoke(app, ["serve"], env=env)
    assert result.exit_code == 2
    assert "HJEMME_RESEARCH_KEY must differ from HJEMME_SECRET_KEY" in result.output


# -- a demo with life in it (issue 14 item 7) ---------------------------------------------------------

NO_BROKER = "mqtt://127.0.0.1:9"  # nothing speaks MQTT on the discard port: the stream uses CSV


def _stream_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("demo-")]


def _environment(monkeypatch, **variables: str) -> None:
    """Set HJEMME_ variables for the next command (settings are read once, then cached)."""
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


def test_demo_leaves_order_suggestions_for_the_logistics_role(database_env: str) -> None:
    """After the demo the logistics role has the coming week's order suggestions to accept or reject."""
    result = runner.invoke(app, ["demo", "--no-serve", "--patients", "15", "--plan-seconds", "0.3"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "order suggestions" in result.output
    engine = open_database(url=database_env)
    try:
        lines = list_order_lines(engine=engine, principal=Principal("logistics", Role.LOGISTICS),
                                 at=dt.datetime.now(dt.UTC), status="suggested")
    finally:
        engine.dispose()
    today = local_date(dt.datetime.now(dt.UTC))
    assert lines and all(today <= ln.delivery_date <= today + dt.timedelta(days=7) for ln in lines)
    assert f"{len(lines)} order suggestions" in result.output


def test_demo_streams_devices_while_the_server_runs_and_stops_with_it(database_env: str, monkeypatch) -> None:
    """The device stream is on by default in the demo, runs while the server does and ends with it."""
    seen: list[list[str]] = []
    monkeypatch.setattr("hjemme.cli.serve.uvicorn_run", lambda app, **kw: seen.append(_stream_threads()))
    _environment(monkeypatch, HJEMME_MQTT_URL=NO_BROKER)
    result = runner.invoke(app, ["demo", "--patients", "12", "--plan-seconds", "0.2"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert seen == [["demo-stream"]] and "CSV ingest" in result.output
    assert _stream_threads() == []


def test_the_device_stream_stops_when_the_server_is_interrupted(database_env: str, monkeypatch) -> None:
    """Ctrl-C in the server still stops the stream: no thread of it is left behind."""
    def interrupted(app, **kw) -> None:
        assert _stream_threads() == ["demo-stream"]
        raise KeyboardInterrupt

    monkeypatch.setattr("hjemme.cli.serve.uvicorn_run", interrupted)
    _environment(monkeypatch, HJEMME_MQTT_URL=NO_BROKER)
    runner.invoke(app, ["demo", "--patients", "12", "--plan-seconds", "0.2"], env={"COLUMNS": "200"})
    assert _stream_threads() == []


def test_the_device_stream_can_be_switched_off(database_env: str, monkeypatch) -> None:
    """--no-stream, or HJEMME_DEMO_STREAM=false, serves the demo without synthetic devices."""
    seen: list[list[str]] = []
    monkeypatch.setattr("hjemme.cli.serve.uvicorn_run", lambda app, **kw: seen.append(_stream_threads()))
    args = ["demo", "--patients", "12", "--plan-seconds", "0.2"]
    assert runner.invoke(app, [*args, "--no-stream"], env={"COLUMNS": "200"}).exit_code == 0
    _environment(monkeypatch, HJEMME_DEMO_STREAM="false")
    assert runner.invoke(app, args, env={"COLUMNS": "200"}).exit_code == 0
    assert seen == [[], []]


def test_serve_never_runs_the_device_stream(database_env: str, monkeypatch) -> None:
    """Production `hjemme serve` has no synthetic devices, whatever HJEMME_DEMO_STREAM says."""
    seen: list[list[str]] = []
    monkeypatch.setattr("hjemme.cli.serve.uvicorn_run", lambda app, **kw: seen.append(_stream_threads()))
    _environment(monkeypatch, HJEMME_SECRET_KEY="k" * 40, HJEMME_RESEARCH_KEY="r" * 40, HJEMME_DEMO_STREAM="true",
                 HJEMME_MQTT_URL=NO_BROKER)
    assert runner.invoke(app, ["serve"], env={"COLUMNS": "200"}).exit_code == 0
    assert seen == [[]]
