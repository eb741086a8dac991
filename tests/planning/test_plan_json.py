"""Plan JSON: the wire format of issue 3 item 3, checked against docs/plan.schema.json."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from hjemme.errors import InputError
from hjemme.planning.plan_json import plan_from_json, plan_to_json
from tests.planning.handbuilt import valid_plan

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "plan.schema.json").read_text())


def conforms(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """A small checker for the JSON Schema keywords the plan schema uses (jsonschema is not installed)."""
    if "$ref" in schema:
        return conforms(value, SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[1]], path)
    if "anyOf" in schema:
        return [] if any(not conforms(value, s, path) for s in schema["anyOf"]) else [f"{path}: no match"]
    errors: list[str] = []
    types = schema.get("type")
    if types is not None:
        names = types if isinstance(types, list) else [types]
        checks = {
            "object": lambda v: isinstance(v, dict),
            "array": lambda v: isinstance(v, list),
            "string": lambda v: isinstance(v, str),
            "null": lambda v: v is None,
            "boolean": lambda v: isinstance(v, bool),
            "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        }
        if not any(checks[n](value) for n in names):
            return [f"{path}: {value!r} is not {names}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in enum")
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        errors.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{path}: missing {key}")
        props = schema.get("properties", {})
        for key, item in value.items():
            if key in props:
                errors.extend(conforms(item, props[key], f"{path}.{key}"))
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: unexpected key {key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors.extend(conforms(item, schema["items"], f"{path}[{i}]"))
    return errors


def test_plan_json_conforms_to_the_schema():
    """The JSON of a plan has exactly the documented keys, types and HH:MM times."""
    data = plan_to_json(valid_plan())
    assert conforms(json.loads(json.dumps(data)), SCHEMA) == []
    assert data["routes"][0]["stops"][0]["start"] == "09:00"


def test_the_checker_catches_a_wrong_document():
    """The schema check fails on a missing key and on a time that is not HH:MM."""
    data = plan_to_json(valid_plan())
    del data["kpis"]["km"]
    data["samples"][0]["taken"] = "9:30"
    assert len(conforms(data, SCHEMA)) == 2


def test_round_trip_keeps_the_plan():
    """Reading the JSON back gives the same plan."""
    plan = valid_plan()
    assert plan_from_json(json.loads(json.dumps(plan_to_json(plan)))) == plan


def test_malformed_document_is_an_input_error():
    """A document that is not a plan is refused with an input error."""
    with pytest.raises(InputError):
        plan_from_json({"date": "2030-01-01"})
