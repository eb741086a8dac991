"""Risk pooling: how much safety stock one shared store saves over one store per clinic.

The roadmap's Alt 1 (seeds/001_23e2ff739aa25c17.txt, ch. 6) argues for a logistics centre with
stock pooled across clinics. The classic argument is statistical: with independent daily demand
per clinic, the pooled standard deviation is sqrt(Σσ²), never more than Σσ, so the pooled safety
stock z·σ·√L is never more than the sum of the separate ones. This is a pure function so the
scenario engine can reuse it for every delivery model and mix.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from scipy.stats import norm

from hjemme.errors import InputError


@dataclass(frozen=True, slots=True)
class PoolingResult:
    """Safety stock per site if each keeps its own, their sum, and the pooled equivalent (units)."""

    service_level: float
    lead_days: float
    z: float
    separate_by_site: Mapping[str, float]
    separate_total: float
    pooled: float

    @property
    def saving(self) -> float:
        return self.separate_total - self.pooled

    @property
    def saving_share(self) -> float:
        return self.saving / self.separate_total if self.separate_total else 0.0


@lru_cache(maxsize=64)
def service_level_z(service_level: float) -> float:
    """The standard-normal quantile for a cycle service level (0.95 → 1.645); cached, as projections
    call it for every product of every replication."""
    if not 0.5 <= service_level < 1.0:
        raise InputError("service_level", "servicenivået må være minst 0,5 og under 1")
    return float(norm.ppf(service_level))


def safety_stock_pooling(
    sigma_daily_by_site: Mapping[str, float], lead_days: float, service_level: float = 0.95
) -> PoolingResult:
    """Separate vs pooled safety stock for one product, assuming independent demand per site.

    ``sigma_daily_by_site`` is each site's (or clinic's) standard deviation of daily demand in
    units; ``lead_days`` the replenishment lead time. Positively correlated demand pools less
    well than this shows, so read the saving as an upper bound.
    """
    if lead_days < 0:
        raise InputError("lead_days", "ledetiden kan ikke være negativ")
    if any(s < 0 or math.isnan(s) for s in sigma_daily_by_site.values()):
        raise InputError("sigma", "standardavviket kan ikke være negativt")
    z = service_level_z(service_level)
    root = math.sqrt(lead_days)
    separate = {site: z * sigma * root for site, sigma in sigma_daily_by_site.items()}
    pooled = z * math.sqrt(sum(s * s for s in sigma_daily_by_site.values())) * root
    return PoolingResult(
        service_level, lead_days, z, separate, sum(separate.values()), pooled
    )
