"""Scenario files for tests that exercise a whole run (pages, CLI) rather than the sensitivity analysis.

A run of ``scenarios/default.yaml`` varies each of its ~80 uncertain assumptions for the sensitivity
analysis, which takes minutes; a page or file test needs the same run with only a few of them
uncertain. The sensitivity analysis itself is tested on the default file in
``tests/scenario/test_sensitivity.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from hjemme.scenario.factors import MAIN_ASSUMPTIONS
from tests.scenario.conftest import DEFAULT


def narrowed_scenario(directory: Path, keep: Iterable[str] = MAIN_ASSUMPTIONS) -> Path:
    """The default scenario written to ``directory/default.yaml`` (the name the page shows) with every
    assumption's range closed to its likely value (``low = high = likely``) except at the ``keep``
    paths (as the scenario page names them)."""
    kept = set(keep)
    doc = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))

    def close(node: Any, path: str) -> None:
        if isinstance(node, dict):
            if {"low", "likely", "high"} <= set(node) and path not in kept:
                node["low"] = node["high"] = node["likely"]
            for key, value in node.items():
                close(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                close(value, f"{path}[{i}]")

    close(doc, "")
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "default.yaml"
    target.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target
