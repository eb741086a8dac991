"""Scenario files: the shipped default validates; bad files are rejected naming the key path."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hjemme.scenario.config import ScenarioFileError, load_grid, load_scenario
from tests.scenario.conftest import DEFAULT, GRID


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "x.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _default() -> dict:
    return yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))


def test_default_scenario_validates_with_every_assumption_sourced() -> None:
    """The shipped default loads, covers today and the three alternatives and names a source and owner everywhere."""
    config = load_scenario(DEFAULT)
    assert sorted(config.delivery_models) == ["alt0", "alt1", "alt2", "alt3"]
    assert config.baseline.admissions_per_year.source == "assumption"
    assert all(f.source and f.owner for dm in config.delivery_models.values() for f in dm.flows)


def test_example_grid_validates() -> None:
    """The shipped example grid loads."""
    grid = load_grid(GRID)
    assert grid.years and grid.patients and grid.mixes


def test_bad_frequency_names_the_flow_key_path(tmp_path: Path) -> None:
    """A delivery frequency above 7 per week is rejected with the flow's full key path."""
    data = _default()
    data["delivery_models"]["alt2"]["flows"][1]["frequency_per_week"] = 9
    with pytest.raises(ScenarioFileError) as err:
        load_scenario(_write(tmp_path, data))
    assert "x.yaml: delivery_models.alt2.flows[1].frequency_per_week:" in str(err.value)


def test_unknown_key_is_rejected(tmp_path: Path) -> None:
    """A misspelt key is an error naming where it is, not silently ignored."""
    data = _default()
    data["storage"]["fil_rate"] = 0.5
    with pytest.raises(ScenarioFileError, match=r"storage\.fil_rate: Extra inputs are not permitted"):
        load_scenario(_write(tmp_path, data))


def test_assumption_without_owner_is_rejected(tmp_path: Path) -> None:
    """Every number must say who owns it."""
    data = _default()
    del data["staff"]["travel_min_per_visit"]["owner"]
    with pytest.raises(ScenarioFileError, match=r"staff\.travel_min_per_visit\.owner"):
        load_scenario(_write(tmp_path, data))


def test_range_out_of_order_is_rejected(tmp_path: Path) -> None:
    """low/likely/high must be ordered."""
    data = _default()
    data["storage"]["fill_rate"] = {"low": 0.9, "likely": 0.7, "high": 0.8, "source": "assumption", "owner": "x"}
    with pytest.raises(ScenarioFileError, match=r"storage\.fill_rate: .*low <= likely <= high"):
        load_scenario(_write(tmp_path, data))


def test_unreadable_yaml_is_rejected(tmp_path: Path) -> None:
    """A file that is not YAML is reported as such with its name."""
    path = tmp_path / "broken.yaml"
    path.write_text("a: [1, 2\n", encoding="utf-8")
    with pytest.raises(ScenarioFileError, match="broken.yaml: not valid YAML"):
        load_scenario(path)


def test_flow_to_unknown_node_names_the_flow(tmp_path: Path) -> None:
    """A flow naming a node the model does not define is rejected at that flow's node key."""
    data = _default()
    data["delivery_models"]["alt2"]["flows"][3]["node"] = "mhbb"
    with pytest.raises(ScenarioFileError, match=r"delivery_models\.alt2\.flows\[3\]\.node: unknown node 'mhbb'"):
        load_scenario(_write(tmp_path, data))


def test_share_above_one_names_the_year(tmp_path: Path) -> None:
    """A Table 1 share above 100 % is rejected naming the service kind and year."""
    data = _default()
    data["trajectory"]["shares"]["ahs"][2024] = 1.5
    with pytest.raises(ScenarioFileError, match=r"trajectory\.shares\.ahs\[2024\]"):
        load_scenario(_write(tmp_path, data))
