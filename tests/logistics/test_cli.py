"""``hjemme orders suggest``, ``hjemme stock`` and ``hjemme devices due`` through the command line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from hjemme.cli.main import app

runner = CliRunner()
DATE = "2026-11-23"


@pytest.fixture
def seeded(database_env: str) -> str:
    result = runner.invoke(app, ["seed", "--patients", "30", "--seed", "5", "--date", DATE])
    assert result.exit_code == 0, result.output
    return database_env


def test_orders_suggest_prints_lines_as_json(seeded: str) -> None:
    """Suggested lines carry patient, product, quantity, needed-by date and source."""
    result = runner.invoke(app, ["orders", "suggest", "--date", DATE, "--horizon", "7", "--format", "json"])
    assert result.exit_code == 0, result.output
    lines = json.loads(result.stdout)
    assert lines
    assert all({"patient", "product", "quantity", "needed_by", "source"} <= line.keys() for line in lines)
    assert all(line["needed_by"] >= DATE and line["quantity"] > 0 for line in lines)


def test_orders_suggest_under_alt2_uses_the_pharmacy_for_medicines(seeded: str) -> None:
    """Under Alt 2 no line comes from the logistics centre."""
    result = runner.invoke(
        app, ["orders", "suggest", "--date", DATE, "--horizon", "3", "--model", "alt2", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert "logistics_centre" not in {line["source"] for line in json.loads(result.stdout)}


def test_stock_and_devices_due_as_json(seeded: str) -> None:
    """Stock at the logistics centre and devices due within 30 days print as JSON arrays."""
    stock = runner.invoke(
        app, ["stock", "--location", "logistics_centre", "--date", DATE, "--format", "json"]
    )
    assert stock.exit_code == 0, stock.output
    levels = json.loads(stock.stdout)
    assert levels and all(level["location"] == "logistics_centre" for level in levels)
    low = runner.invoke(app, ["stock", "--low", "--date", DATE, "--format", "json"])
    assert low.exit_code == 0, low.output
    assert all(x["usable"] < x["reorder_point"] and x["shortfall"] > 0 for x in json.loads(low.stdout))
    due = runner.invoke(app, ["devices", "due", "--within", "30", "--date", DATE, "--format", "json"])
    assert due.exit_code == 0, due.output
    assert all(d["days_left"] <= 30 for d in json.loads(due.stdout))


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["orders", "suggest", "--horizon", "0"], "--horizon"),
        (["orders", "suggest", "--date", "2026-13-01"], "--date"),
        (["orders", "suggest", "--model", "alt7"], "--model"),
        (["devices", "due", "--within", "-1"], "--within"),
        (["stock", "--location", "nowhere"], "--location"),
    ],
)
def test_bad_input_exits_2_naming_the_option(seeded: str, args: list[str], option: str) -> None:
    """Bad option values exit with status 2 and name the option."""
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert option in result.output
