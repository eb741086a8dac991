"""``hjemme orders accept|reject`` and ``hjemme loads`` through the command line, on a real database."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from hjemme.cli.main import app
from hjemme.services import logistics as service
from hjemme.store.database import create_db_engine, session_scope
from hjemme.store.tables import AccessLogRecord

runner = CliRunner()
DATE = "2026-11-23"


@pytest.fixture
def suggested(database_env: str) -> tuple[str, list[dict[str, object]]]:
    """A seeded population with stock and devices, and the suggested lines of the next three days."""
    result = runner.invoke(app, ["seed", "--patients", "15", "--seed", "5", "--date", DATE])
    assert result.exit_code == 0, result.output
    out = runner.invoke(app, ["orders", "suggest", "--date", DATE, "--horizon", "3", "--format", "json"])
    assert out.exit_code == 0, out.output
    return database_env, json.loads(out.stdout)


def _statuses(url: str) -> dict[str, tuple[str, int, str]]:
    engine = create_db_engine(url)
    try:
        return {
            ln.id: (ln.status.value, ln.quantity, ln.delivery_date.isoformat())
            for ln in service.list_order_lines(engine=engine)
        }
    finally:
        engine.dispose()


def test_accept_with_adjustments_and_reject(suggested) -> None:
    """Accepting with --quantity and --delivery-date stores the adjusted lines; reject marks lines rejected; both logged as cli."""
    url, lines = suggested
    first, second, third = lines[0], lines[1], lines[2]
    result = runner.invoke(
        app,
        [
            "orders",
            "accept",
            first["id"],
            second["id"],
            "--quantity",
            f"{first['id']}=9",
            "--delivery-date",
            f"{second['id']}={second['delivery_date']}",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    accepted = {ln["id"]: ln for ln in json.loads(result.stdout)}
    assert accepted[first["id"]]["quantity"] == 9 and accepted[first["id"]]["status"] == "accepted"
    rejected = runner.invoke(app, ["orders", "reject", third["id"], "--format", "json"])
    assert rejected.exit_code == 0, rejected.output
    stored = _statuses(url)
    assert stored[first["id"]][:2] == ("accepted", 9)
    assert stored[second["id"]][0] == "accepted" and stored[third["id"]][0] == "rejected"
    engine = create_db_engine(url)
    try:
        with session_scope(engine) as session:
            rows = session.execute(
                select(AccessLogRecord.patient_id, AccessLogRecord.action).where(
                    AccessLogRecord.username == "cli"
                )
            ).all()
    finally:
        engine.dispose()
    assert {(first["patient"], "write"), (third["patient"], "write")} <= set(rows)


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["{id}", "nope"], "LINE_ID"),
        (["{id}", "--quantity", "{id}"], "--quantity"),
        (["{id}", "--quantity", "{id}=-3"], "--quantity"),
        (["{id}", "--quantity", "other=3"], "--quantity"),
        (["{id}", "--delivery-date", "{id}=2026-13-01"], "--delivery-date"),
        (["{id}", "--delivery-date", "{id}=2027-06-01"], "--delivery-date"),
    ],
)
def test_bad_accept_exits_2_naming_the_option_and_changes_nothing(suggested, args, option) -> None:
    """Bad accept input exits 2 naming the option or argument, and no line changes."""
    url, lines = suggested
    before = _statuses(url)
    result = runner.invoke(app, ["orders", "accept", *(a.replace("{id}", str(lines[0]["id"])) for a in args)])
    assert result.exit_code == 2, result.output
    assert option in result.output
    assert _statuses(url) == before


def test_loads_for_a_planned_day(suggested) -> None:
    """After accepting today's lines and planning, hjemme loads prints van loads and FEFO picks without pathways."""
    url, lines = suggested
    today = [str(ln["id"]) for ln in lines if ln["delivery_date"] == DATE]
    assert runner.invoke(app, ["orders", "accept", *today]).exit_code == 0
    refused = runner.invoke(app, ["plan", "--date", DATE, "--time-limit", "0.3", "--workers", "0"])
    assert refused.exit_code == 2 and "--workers" in refused.output
    assert runner.invoke(app, ["loads", "--date", DATE]).exit_code == 2  # nothing was stored
    # two searches side by side (a child process), as on a 2-core machine
    planned = runner.invoke(app, ["plan", "--date", DATE, "--time-limit", "0.6", "--workers", "2"])
    assert planned.exit_code == 0, planned.output
    result = runner.invoke(app, ["loads", "--date", DATE, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["date"] == DATE and data["loads"] and data["picks"]
    assert "pathway" not in result.stdout and "diagnosis" not in result.stdout
    table = runner.invoke(app, ["loads", "--date", DATE])
    assert table.exit_code == 0 and "Plukkliste" in table.output
    missing = runner.invoke(app, ["loads", "--date", "2026-12-24"])
    assert missing.exit_code == 2 and "plan" in missing.output
