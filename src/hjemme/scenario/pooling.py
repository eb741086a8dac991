"""Safety stock and the risk-pooling effect (square-root law).

Written here because ``hjemme.logistics`` had no pooling function when the scenario engine was
built (issue 4); move callers over when it lands. Demand per day is treated as independent across
days and across clinics, so the variance over a lead time of L days is L·σ² and pooled stock needs
z·√(L·Σσ²) while separate stocks need Σ z·√(L·σ²) — never less, by the triangle inequality.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def safety_stock_units(z: float, variance_per_day: float, lead_days: float) -> float:
    """Units to hold against demand variation over the replenishment lead time."""
    if variance_per_day < 0 or lead_days < 0:
        raise ValueError("variance and lead time must be non-negative")
    return z * math.sqrt(variance_per_day * lead_days)


def pooled_safety_stock_units(z: float, variances_per_day: Sequence[float], lead_days: float) -> float:
    """One shared stock for several demand streams (Alt 1's logistics centre)."""
    return safety_stock_units(z, sum(variances_per_day), lead_days)


def separate_safety_stock_units(z: float, variances_per_day: Sequence[float], lead_days: float) -> float:
    """One stock per demand stream (Alt 3's clinics): the sum of their safety stocks."""
    return sum(safety_stock_units(z, v, lead_days) for v in variances_per_day)
