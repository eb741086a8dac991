"""Turn replications into P10/P50/P90 records and say which metrics decide between alternatives.

Pure functions over :class:`~hjemme.scenario.fast.Sample` lists; the writers in
:mod:`hjemme.scenario.outputs` only format what these return.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hjemme.scenario.config import ScenarioConfig
from hjemme.scenario.fast import Sample

METRIC_LABELS_NB = {
    "patients_at_home": "Pasienter hjemme per dag",
    "transports_per_week": "Transporter (stopp hos pasient) per uke",
    "trips_per_week": "Kjøreturer per uke",
    "deliveries_per_patient_week": "Leveranser per pasient per uke",
    "vehicles": "Kjøretøy",
    "km_per_year": "Kjørte km per år",
    "co2_tonnes_per_year": "CO₂ fra kjøring (tonn per år)",
    "storage_m2": "Lagerareal OUS må stille (m²)",
    "risk_pooling_saving_m2": "Lagerareal spart ved felles lager (m²)",
    "safety_stock_l": "Sikkerhetslager (liter)",
    "clinical_fte": "Kliniske årsverk (inkl. helsepersonells logistikk)",
    "health_staff_logistics_hours_per_week": "Helsepersonells timer på logistikk per uke",
    "cost_nok_per_year": "Kostnad (NOK per år)",
}
ALTERNATIVE_LABELS_NB = {
    "alt1": "Alt 1 – logistikksenter",
    "alt2": "Alt 2 – direkteleveranser",
    "alt3": "Alt 3 – kliniske arealer og FS",
}
# Metrics where less is better and which may decide the choice of delivery model.
DECIDING = tuple(m for m in METRIC_LABELS_NB if m not in ("patients_at_home", "risk_pooling_saving_m2",
                                                           "safety_stock_l"))


@dataclass(frozen=True, slots=True)
class Decision:
    """For one metric in one year: the best alternative and how sure the replications are."""

    metric: str
    year: int
    best: str
    win_share: float  # share of replications in which ``best`` is lowest
    gap_pct: float  # median relative gap to the runner-up, per replication
    decisive: bool


def summarise(samples: Iterable[Sample]) -> list[dict[str, Any]]:
    """Records ``{year, alternative, metric, p10, p50, p90}`` sorted by year, alternative, metric."""
    groups: dict[tuple[int, str, str], list[float]] = defaultdict(list)
    for s in samples:
        groups[(s.year, s.alternative, s.metric)].append(s.value)
    out = []
    for (year, alt, metric), values in sorted(groups.items()):
        p10, p50, p90 = np.percentile(np.asarray(values), [10, 50, 90])
        out.append({"year": year, "alternative": alt, "metric": metric,
                    "p10": float(p10), "p50": float(p50), "p90": float(p90)})
    return out


def decide(samples: Sequence[Sample], year: int, *, min_win_share: float = 0.9,
           min_gap_pct: float = 5.0) -> list[Decision]:
    """Which alternative is lowest per deciding metric, paired replication by replication.

    The replications share their draws across alternatives, so comparing them pairwise removes the
    uncertainty common to all alternatives (volumes, costs) and keeps what tells them apart. A
    metric *decides* when one alternative wins in at least 90 % of replications by at least 5 %.
    """
    table: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    for s in samples:
        if s.year == year and s.metric in DECIDING:
            table[(s.metric, s.replication)][s.alternative] = s.value
    out = []
    for metric in DECIDING:
        reps = [v for (m, _r), v in sorted(table.items()) if m == metric and len(v) > 1]
        if not reps:
            continue
        winners = [min(v, key=lambda a: (v[a], a)) for v in reps]
        best = max(sorted(set(winners)), key=winners.count)
        gaps = []
        for v in reps:
            others = [x for a, x in v.items() if a != best]
            runner = min(others)
            gaps.append(100.0 * (runner - v[best]) / runner if runner > 0 else 0.0)
        share = winners.count(best) / len(reps)
        gap = float(np.median(gaps))
        out.append(Decision(metric, year, best, share, gap,
                            share >= min_win_share and gap >= min_gap_pct))
    return out


def assumption_rows(config: ScenarioConfig) -> list[dict[str, Any]]:
    """Every number of the scenario as a flat row (key path, numbers, unit, source, owner, kind).

    The walk itself is :func:`hjemme.scenario.assumptions.list_assumptions` (issue 15, item 1).
    """
    from hjemme.scenario.assumptions import list_assumptions

    return [row.as_dict() for row in list_assumptions(config)]
