"""What a JSON body may hold before any route parses it (#12).

Python's ``json`` accepts ``NaN`` and ``Infinity``, overflows its stack on a few thousand nested
brackets and refuses integers longer than 4,300 digits with a ``ValueError``: each became a 500.
:func:`check_json` finds such a body and names the element (``loc``, as FastAPI's 422 does), so
the request is answered 422 before a handler sees it. A body that is simply not JSON is left for
the route, which answers it in its own way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 64
"""Deepest nesting of objects and arrays accepted; FHIR Bundles need about ten."""
MAX_INT_DIGITS = 300
"""Longest integer literal accepted: far beyond any count, id or timestamp, far below 4,300."""

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


@dataclass(frozen=True, slots=True)
class JsonProblem:
    """Where (``loc``, from the body down) and what is wrong with a JSON body."""

    loc: tuple[str | int, ...]
    problem: str


class _Refused:
    __slots__ = ("problem",)

    def __init__(self, problem: str) -> None:
        self.problem = problem


def _constant(name: str) -> _Refused:
    return _Refused(f"{name} is not a number JSON allows")


def _integer(text: str) -> int | _Refused:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        return _Refused(f"an integer of more than {MAX_INT_DIGITS} digits")
    return int(text)


def _float(text: str) -> float | _Refused:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        return _Refused("a number too large to represent")
    return value


def _depth(raw: bytes) -> int:
    deepest = depth = 0
    for bracket in _BRACKET.findall(_STRING.sub(b'""', raw)):
        depth += 1 if bracket in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _find(value: Any) -> JsonProblem | None:
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, loc = stack.pop()
        if isinstance(item, _Refused):
            return JsonProblem(loc, item.problem)
        if isinstance(item, dict):
            stack.extend((v, (*loc, k)) for k, v in reversed(item.items()))
        elif isinstance(item, list):
            stack.extend((v, (*loc, i)) for i, v in reversed(list(enumerate(item))))
    return None


def check_json(raw: bytes) -> JsonProblem | None:
    """The first thing in ``raw`` no route should have to handle, or ``None``.

    Invalid JSON is ``None`` too: the route's own parser reports it.
    """
    if _depth(raw) > MAX_DEPTH:
        return JsonProblem((), f"nested more than {MAX_DEPTH} levels deep")
    try:
        parsed = json.loads(raw, parse_constant=_constant, parse_int=_integer, parse_float=_float)
    except (ValueError, RecursionError):
        return None
    return _find(parsed)
