"""The uncertain assumptions of a scenario as factors to vary, and the scenario with them set (issue 15).

A *factor* is an assumption with ``low < high`` (generic: a key added later is one too); assumptions
equal in every field — a YAML anchor such as the supply centre's PPL fee used by three flows — are
one factor and move together. :func:`with_values` fixes factors to values (the sensitivity analysis),
:func:`with_ranges` gives them new ranges (the scenarios page's form), both by dotted key path, as
:mod:`hjemme.scenario.assumptions` names them. :func:`evaluate_central` is the deterministic
function they are varied in: everything at ``likely`` and the census at its mean.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from hjemme.scenario.assumptions import list_assumptions
from hjemme.scenario.config import Assumption, ScenarioConfig
from hjemme.scenario.fast import (
    CensusParams,
    effective_alternative,
    evaluate,
    expected_census,
    npv,
    one_off_costs,
)
from hjemme.scenario.model import ProjectionModel, sample_params

EXTEND = 2.0  # break-evens are searched this many range-widths beyond low and high
Results = dict[str, dict[str, float]]  # alternative -> metric -> value


@dataclass(frozen=True, slots=True)
class Factor:
    """One uncertain assumption; ``paths`` are all the places it is used (equal YAML objects)."""

    key: str
    paths: tuple[str, ...]
    low: float
    likely: float
    high: float
    unit: str
    source: str
    owner: str
    note: str = ""

    @property
    def bounds(self) -> tuple[float, float]:
        """How far a break-even is searched: ``EXTEND`` range-widths beyond each end, never below 0
        for a non-negative number, nor above 1 for a share."""
        width = self.high - self.low
        lo, hi = self.low - EXTEND * width, self.high + EXTEND * width
        if self.low >= 0:
            lo = max(lo, 0.0)
            if self.high <= 1.0 and _is_share(self):
                hi = min(hi, 1.0)
        return lo, hi


def _is_share(f: Factor) -> bool:
    return f.unit in ("", "andel") and f.high <= 1.0


def uncertain_factors(config: ScenarioConfig) -> list[Factor]:
    """Every assumption with ``low < high``, equal objects merged, in file order."""
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for row in list_assumptions(config):
        if not row.uncertain or row.likely is None:
            continue
        signature = (row.low, row.likely, row.high, row.unit, row.source, row.owner, row.note)
        groups.setdefault(signature, []).append(row)
    out = []
    for (low, likely, high, unit, source, owner, note), rows in groups.items():
        out.append(
            Factor(rows[0].path, tuple(r.path for r in rows), low, likely, high, unit, source, owner, note)
        )
    return out


_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _tokens(path: str) -> list[str | int]:
    return [int(index) if index else name for name, index in _TOKEN.findall(path)]


def _replace(obj: Any, tokens: Sequence[str | int], change: Callable[[Assumption], Assumption]) -> Any:
    if not tokens:
        if not isinstance(obj, Assumption):
            raise KeyError("the path does not lead to an assumption")
        return change(obj)
    head, rest = tokens[0], tokens[1:]
    if isinstance(obj, BaseModel):
        if str(head) not in type(obj).model_fields:
            raise KeyError(head)
        return obj.model_copy(update={str(head): _replace(getattr(obj, str(head)), rest, change)})
    if isinstance(obj, dict):
        key: Any = head
        if key not in obj and isinstance(head, str) and head.lstrip("-").isdigit():
            key = int(head)
        if key not in obj:
            raise KeyError(head)
        new = dict(obj)
        new[key] = _replace(obj[key], rest, change)
        return new
    if isinstance(obj, list):
        new_list = list(obj)
        new_list[int(head)] = _replace(obj[int(head)], rest, change)
        return new_list
    raise KeyError(head)


def assumption_at(config: ScenarioConfig, path: str) -> Assumption:
    """The assumption at a dotted path; ``KeyError`` when there is none."""
    found: list[Assumption] = []

    def keep(a: Assumption) -> Assumption:
        found.append(a)
        return a

    _replace(config, _tokens(path), keep)
    return found[0]


def with_values(config: ScenarioConfig, values: Mapping[str, float]) -> ScenarioConfig:
    """A copy of ``config`` with the assumptions at the given dotted paths fixed to a value."""
    out = config
    for path, value in values.items():
        out = _replace(
            out,
            _tokens(path),
            lambda a, v=float(value): a.model_copy(
                update={"value": v, "low": None, "likely": None, "high": None}
            ),
        )
    return out


MAIN_ASSUMPTIONS = (
    "delivery_models.alt1.order_min_per_patient_week",
    "delivery_models.alt2.order_min_per_patient_week",
    "delivery_models.alt3.order_min_per_patient_week",
    "delivery_models.alt1.fixed_cost_nok_per_year",
    "delivery_models.alt1.nodes.logistics_centre.fixed_area_m2",
    "delivery_models.alt1.nodes.logistics_centre.rent_nok_per_m2_year",
    "delivery_models.alt2.flows[0].fee_nok_per_delivery",
    "trajectory.achievement",
    "scope.dho.in_scope_share",
    "staff.clinical_cost_nok_per_hour",
    "vehicle_types.van.electric_share.2030",
)
"""What the scenarios page lets a manager change (those present in the scenario are shown)."""


def range_problem(original: Assumption, low: float, likely: float, high: float) -> str | None:
    """Why a changed range is refused, as a code (``not_finite``, ``order``, ``negative``, ``share``
    above 1), or ``None``; adapters word the code for people."""
    if not all(math.isfinite(v) for v in (low, likely, high)):
        return "not_finite"
    if not low <= likely <= high:
        return "order"
    lowest = original.low if original.low is not None else original.central
    if lowest >= 0 and low < 0:
        return "negative"
    top = original.high if original.high is not None else original.central
    if original.unit in ("", "andel") and 0 <= top <= 1 and high > 1:
        return "share"
    return None


def with_ranges(
    config: ScenarioConfig, ranges: Mapping[str, tuple[float, float, float]], *, note: str = ""
) -> ScenarioConfig:
    """A copy with new low/likely/high at the given paths, and at every place the same assumption is
    used (a YAML anchor), keeping source and owner; ``ValueError`` naming the path if one is refused."""
    factors = {p: f for f in uncertain_factors(config) for p in f.paths}
    out = config
    for path, (low, likely, high) in ranges.items():
        original = assumption_at(config, path)
        problem = range_problem(original, low, likely, high)
        if problem is not None:
            raise ValueError(f"{path}: {problem}")
        paths = factors[path].paths if path in factors else (path,)
        for target in paths:
            out = _replace(
                out,
                _tokens(target),
                lambda a, r=(low, likely, high): a.model_copy(
                    update={
                        "value": None,
                        "low": r[0],
                        "likely": r[1],
                        "high": r[2],
                        "note": (f"{a.note} – {note}" if a.note else note) if note else a.note,
                    }
                ),
            )
    return out


def evaluate_central(
    model: ProjectionModel,
    config: ScenarioConfig,
    year: int,
    census: CensusParams | None = None,
    *,
    economics: bool = True,
) -> Results:
    """Every alternative's metrics for ``year`` with all assumptions at ``value``/``likely`` and the
    mean census: the deterministic function the sensitivity analysis varies.

    As in the Monte Carlo (:func:`~hjemme.scenario.fast.run_fast`), an alternative runs as Alt 0
    (today) before its transition year; in the last projection year, with ``economics``, each
    alternative also gets ``npv_cost_nok``: the present value of its yearly costs over the economics
    horizon (years after the projection at the last year's level) plus investment and set-up in the
    transition year.
    """
    params = sample_params(config, None)
    census = census or CensusParams()
    last = max(config.years)
    means: dict[int, dict[str, float]] = {}
    cache: dict[tuple[str, int], dict[str, float]] = {}

    def at(alt: str, y: int) -> dict[str, float]:
        eff, y = effective_alternative(params, alt, y), min(y, last)
        if (eff, y) not in cache:
            if y not in means:
                means[y] = expected_census(model, params, y, census)
            cache[(eff, y)] = evaluate(model, params, means[y], eff, y)
        return cache[(eff, y)]

    alternatives = sorted(params.delivery_models)
    out = {alt: dict(at(alt, year)) for alt in alternatives}
    if economics and year == last:
        ec = params.economics
        for alt in alternatives:
            horizon = range(ec.npv_first_year, ec.npv_last_year + 1)
            costs = {y: at(alt, y)["cost_nok_per_year"] for y in horizon}
            one_off_year, amount = one_off_costs(params, alt)
            if one_off_year is not None and one_off_year in costs:
                costs[one_off_year] += amount
            out[alt]["npv_cost_nok"] = npv(costs, ec.discount_rate.central, ec.npv_first_year)
    return out
