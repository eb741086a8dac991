"""``hjemme purchase-orders`` through the command line, on a real database."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from hjemme.catalogue import load_catalogue
from hjemme.cli.main import app

runner = CliRunner()
DATE = "2026-11-23"


@pytest.fixture
def seeded(database_env: str) -> str:
    """A seeded population with stock at the logistics centre."""
    result = runner.invoke(app, ["seed", "--patients", "15", "--seed", "5", "--date", DATE])
    assert result.exit_code == 0, result.output
    return database_env


def test_purchase_orders_json_shape(seeded) -> None:
    """``--format json`` prints the day, the orders in whole packs and the pooling report."""
    result = runner.invoke(
        app, ["purchase-orders", "--date", DATE, "--horizon", "10", "--service-level", "0.9", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"date", "horizon_days", "service_level", "history_days", "orders", "pooling"}
    assert (data["date"], data["horizon_days"], data["service_level"]) == (DATE, 10, 0.9)
    products = load_catalogue().products
    assert data["orders"], "a seeded world with cytostatics about to expire orders something"
    for order in data["orders"]:
        assert set(order) == {
            "product", "packs", "pack_size", "quantity", "order_by", "expected_arrival", "cost_nok",
            "reorder_point", "order_up_to", "position", "on_hand", "expiring_unused", "expected_units",
            "forecast", "forecast_per_day",
        }  # fmt: skip
        assert order["quantity"] == order["packs"] * products[order["product"]].pack_size
        assert order["position"] <= order["reorder_point"] and order["order_by"] == DATE
    pooling = data["pooling"]
    assert set(pooling) == {"service_level", "separate_nok", "pooled_nok", "products"}
    assert pooling["pooled_nok"] <= pooling["separate_nok"]
    for entry in pooling["products"]:
        assert set(entry) == {"product", "lead_days", "separate_by_clinic", "separate", "pooled", "saving"}
        assert entry["pooled"] <= entry["separate"] + 1e-3
    table = runner.invoke(app, ["purchase-orders", "--date", DATE])
    assert table.exit_code == 0, table.output
    assert "Innkjøpsforslag" in table.stdout


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--service-level", "1.0"], "--service-level"),
        (["--service-level", "0.2"], "--service-level"),
        (["--service-level", "high"], "--service-level"),
        (["--horizon", "0"], "--horizon"),
        (["--date", "2026-02-30"], "--date"),
        (["--format", "xml"], "--format"),
    ],
)
def test_bad_input_exits_2_naming_the_option(database_env, args: list[str], option: str) -> None:
    """An impossible service level, horizon, date or format exits 2 and names the option."""
    result = runner.invoke(app, ["purchase-orders", *args])
    assert result.exit_code == 2, result.output
    assert option in result.output
