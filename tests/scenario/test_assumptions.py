"""Every number of a scenario carries its source (issue 15, item 1)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from hjemme.cli.main import app
from hjemme.scenario.assumptions import describe, list_assumptions, provenance_problems
from hjemme.scenario.config import ScenarioConfig
from tests.scenario.conftest import DEFAULT


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))


def test_every_number_of_the_default_scenario_has_a_source(raw, default_config: ScenarioConfig) -> None:
    """No number in scenarios/default.yaml lacks a source and owner, and every "assumption" has low and high."""
    assert provenance_problems(raw) == []
    assert provenance_problems(default_config) == []
    for row in list_assumptions(raw):
        assert row.source and row.owner, row.path
        if row.kind == "assumption":
            assert row.low is not None and row.high is not None, row.path


def test_a_number_without_a_source_is_named(raw) -> None:
    """A number added where no enclosing block has a source is reported by its key path."""
    bad = copy.deepcopy(raw)
    bad["transport"]["extra_minutes"] = 7
    assert "transport.extra_minutes" in {p for p, _ in provenance_problems(bad)}


def test_an_assumption_without_a_range_is_refused(raw) -> None:
    """A number sourced as "assumption" but given as one value must get low/high."""
    bad = copy.deepcopy(raw)
    bad["staff"]["video_overhead_min"] = {
        "value": 5,
        "unit": "min",
        "source": "assumption",
        "owner": "Klinikkene",
    }
    problems = dict(provenance_problems(bad))
    assert "low/high" in problems["staff.video_overhead_min"]


def test_an_assumption_without_an_owner_is_refused(raw) -> None:
    """An assumption object without an owner is a problem, whatever its range."""
    bad = copy.deepcopy(raw)
    bad["staff"]["video_overhead_min"] = {"low": 3, "likely": 5, "high": 8, "source": "assumption"}
    assert dict(provenance_problems(bad))["staff.video_overhead_min"] == "no owner"


def test_a_block_sourced_as_assumption_cannot_cover_its_numbers(raw) -> None:
    """A flow whose own source is "assumption" leaves its frequency without a range: reported."""
    bad = copy.deepcopy(raw)
    bad["delivery_models"]["alt1"]["flows"][0]["source"] = "assumption"
    problems = dict(provenance_problems(bad))
    assert "delivery_models.alt1.flows[0].frequency_per_week" in problems


def test_cited_numbers_take_the_source_of_their_block(default_config: ScenarioConfig) -> None:
    """Table 1's shares are listed with the strategic plan as their source; run settings are not assumptions."""
    rows = {r.path: r for r in list_assumptions(default_config)}
    share = rows["trajectory.shares.ahs.2030"]
    assert share.value == pytest.approx(0.05) and "tabell 1" in share.source and share.kind == "citation"
    assert rows["delivery_models.alt1.order_min_per_patient_week"].uncertain
    assert not any(p in rows for p in ("years", "seed", "replications"))


def test_names_people_read() -> None:
    """Key paths become Norwegian names with their alternative; unknown keys lose their underscores."""
    assert describe("delivery_models.alt1.order_min_per_patient_week") == (
        "Alt 1: helsepersonells bestillingstid per pasientuke"
    )
    assert describe("vehicle_types.van.electric_share.2030") == "Elandel i bilparken 2030"
    assert describe("staff.brand_new_key") == "Brand new key"


def test_cli_lists_and_checks_assumptions(tmp_path: Path, raw) -> None:
    """`hjemme scenario assumptions --check` lists sourced numbers and exits 1 naming an unsourced one."""
    runner = CliRunner()
    ok = runner.invoke(app, ["scenario", "assumptions", "--config", str(DEFAULT), "--check", "--uncertain"])
    assert ok.exit_code == 0, ok.output
    assert (
        "Alt 1: helsepersonells bestillingstid" in ok.output.replace("\n", " ")
        or "bestillingstid" in ok.output
    )
    english = runner.invoke(app, ["scenario", "assumptions", "--config", str(DEFAULT), "--language", "en"])
    assert english.exit_code == 0 and "Source" in english.output and "Kilde" not in english.output
    bad = copy.deepcopy(raw)
    bad["staff"]["video_overhead_min"] = {
        "value": 5,
        "unit": "min",
        "source": "assumption",
        "owner": "Klinikkene",
    }
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    failed = runner.invoke(app, ["scenario", "assumptions", "--config", str(path), "--check"])
    assert failed.exit_code == 1
    assert "staff.video_overhead_min" in failed.output
