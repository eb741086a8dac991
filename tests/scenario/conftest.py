"""Shared fixtures for the scenario tests: the default scenario and its model, built once."""

from __future__ import annotations

from pathlib import Path

import pytest

from hjemme.catalogue import load_catalogue
from hjemme.scenario.config import ScenarioConfig, load_scenario
from hjemme.scenario.model import ProjectionModel, build_model

REPO = Path(__file__).resolve().parents[2]
DEFAULT = REPO / "scenarios" / "default.yaml"
GRID = REPO / "scenarios" / "grid-example.yaml"


@pytest.fixture(scope="session")
def default_config() -> ScenarioConfig:
    return load_scenario(DEFAULT)


@pytest.fixture(scope="session")
def default_model(default_config: ScenarioConfig) -> ProjectionModel:
    return build_model(default_config, load_catalogue())
