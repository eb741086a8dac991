"""Turn replications into P10/P50/P90 records and say which metrics decide between alternatives.

Pure functions over :class:`~hjemme.scenario.fast.Sample` lists; the writers in
:mod:`hjemme.scenario.outputs` only format what these return.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hjemme.scenario.config import ScenarioConfig
from hjemme.scenario.fast import BASELINE, Sample, lhs_batches

METRIC_LABELS_NB = {
    "patients_at_home": "Pasienter hjemme per dag",
    "transports_per_week": "Transporter (stopp hos pasient) per uke",
    "trips_per_week": "Kjøreturer per uke (OUS' biler)",
    "deliveries_per_patient_week": "Leveranser per pasient per uke",
    "vehicles": "Kjøretøy (OUS' varebiler)",
    "km_per_year": "Kjørte km per år, varer (inkl. leverandørens transportør)",
    "supplier_carrier_km_per_year": "Km per år med leverandørens transportør",
    "co2_tonnes_per_year": "CO₂ fra varetransport (tonn per år)",
    "clinician_km_per_year": "Helsepersonells kjørte km per år",
    "clinician_travel_hours_per_week": "Helsepersonells reisetimer per uke",
    "clinician_co2_tonnes_per_year": "CO₂ fra helsepersonells reiser (tonn per år)",
    "sample_transports_per_week": "Prøvetransporter til laboratoriet per uke",
    "sample_km_per_year": "Km per år med prøvetransport",
    "total_km_per_year": "Alle kjørte km per år (varer, helsepersonell, prøver)",
    "total_co2_tonnes_per_year": "All CO₂ fra kjøring (tonn per år)",
    "storage_m2": "Lagerareal OUS må stille (m²)",
    "area_excess_m2": "Areal utover det som finnes i sykehusbyggene (m²)",
    "infeasible": "Ikke gjennomførbart: for lite areal (1 = ja)",
    "risk_pooling_saving_m2": "Lagerareal spart ved felles lager (m²)",
    "safety_stock_l": "Sikkerhetslager (liter)",
    "clinical_fte": "Kliniske årsverk (inkl. helsepersonells logistikk)",
    "health_staff_logistics_hours_per_week": "Helsepersonells timer på logistikk per uke",
    "digital_consultations_per_year": "Video- og telefonkonsultasjoner per år (hele tabell 1)",
    "video_fte": "Årsverk til video- og telefonkonsultasjoner",
    "alarms_per_day": "Alarmer per dag til responssenteret",
    "response_centre_fte": "Årsverk i responssenteret",
    "digital_workstations": "Arbeidsplasser for digital oppfølging",
    "digital_workstation_m2": "Areal til digital oppfølging (m²)",
    "home_activity_share": "Andel av OUS' aktivitet hjemme (mål 30 %)",
    "digital_consultation_share": "Andel polikliniske konsultasjoner på video/telefon (mål 20 %)",
    "cost_nok_per_year": "Kostnad (NOK per år)",
    "npv_cost_nok": "Nåverdi av kostnadene 2024–2035 (NOK)",
    "break_even_patients_per_day": "Minste volum der Alt 1 lønner seg (pasienter per dag)",
}
ALTERNATIVE_LABELS_NB = {
    "alt0": "Alt 0 – i dag",
    "alt1": "Alt 1 – logistikksenter",
    "alt2": "Alt 2 – direkteleveranser",
    "alt3": "Alt 3 – kliniske arealer og FS",
}
# Context, not goals: sizes, shares against targets, flags, and workload that is the same in every model.
CONTEXT_METRICS = (
    "patients_at_home", "risk_pooling_saving_m2", "safety_stock_l", "supplier_carrier_km_per_year",
    "clinician_km_per_year", "clinician_travel_hours_per_week", "clinician_co2_tonnes_per_year",
    "sample_transports_per_week", "sample_km_per_year", "digital_consultations_per_year", "video_fte",
    "alarms_per_day", "response_centre_fte", "digital_workstations", "digital_workstation_m2",
    "home_activity_share", "digital_consultation_share", "infeasible", "area_excess_m2",
    "break_even_patients_per_day",
)
# Metrics where less is better and which may decide the choice of delivery model.
DECIDING = tuple(m for m in METRIC_LABELS_NB if m not in CONTEXT_METRICS)
# Targets the plan sets, by metric (issue 15, item 7): the value read from the scenario's ``targets``.
TARGET_OF = {"home_activity_share": "home_share", "digital_consultation_share": "digital_share"}


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


def median_mcse(values: Sequence[float]) -> float:
    """Monte Carlo standard error of the sample median, from order statistics.

    The number of replications below the true median is Binomial(n, ½), so the sample quantiles at
    ½ ± ½/√n bracket the median by one standard error either side; half their distance estimates the
    standard error without assuming a distribution (it is 0 when the values there coincide).
    """
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    if n < 2:
        return math.inf
    half = 0.5 / math.sqrt(n)
    lo, hi = np.quantile(x, [0.5 - half, 0.5 + half])
    return float(hi - lo) / 2.0


def batch_mcse(values: Sequence[float], batches: Sequence[int]) -> float:
    """Standard error of the median from independent batches: sd of the batch medians / √batches."""
    by_batch: dict[int, list[float]] = defaultdict(list)
    for v, b in zip(values, batches, strict=True):
        by_batch[b].append(v)
    if len(by_batch) < 2:
        return median_mcse(values)
    medians = [float(np.median(v)) for v in by_batch.values()]
    return float(np.std(medians, ddof=1)) / math.sqrt(len(medians))


def mcse_records(samples: Iterable[Sample]) -> list[dict[str, Any]]:
    """Per (year, alternative, metric): P50, its Monte Carlo standard error and that as % of P50.

    Replications come in independent Latin-hypercube batches (:func:`~hjemme.scenario.fast.lhs_batches`);
    the standard error is the spread of the batch medians, which is valid for stratified samples where
    the order-statistic formula (for independent draws) would overstate it.
    """
    groups: dict[tuple[int, str, str], list[tuple[int, float]]] = defaultdict(list)
    for s in samples:
        groups[(s.year, s.alternative, s.metric)].append((s.replication, s.value))
    n_total = 1 + max((r for pairs in groups.values() for r, _v in pairs), default=0)
    batch_of = lhs_batches(n_total)
    out = []
    for (year, alt, metric), pairs in sorted(groups.items()):
        values = [v for _r, v in pairs]
        p50 = float(np.median(values))
        se = batch_mcse(values, [batch_of[r] for r, _v in pairs])
        pct = 100.0 * se / abs(p50) if p50 else (0.0 if se == 0 else math.inf)
        out.append({"year": year, "alternative": alt, "metric": metric, "replications": len(values),
                    "p50": p50, "mcse": se, "mcse_pct": pct})
    return out


def worst_mcse(records: Iterable[dict[str, Any]], year: int | None = None) -> dict[str, Any] | None:
    """The largest relative MCSE among continuous metrics (in ``year`` when given).

    The 1 % target (issue 15) is read for the decision year, the last projection year: earlier years
    hold transition years, where an alternative is today's practice in some replications and itself in
    others, so their medians are bimodal by design.
    """
    rows = [r for r in records if r["metric"] not in MCSE_EXEMPT and r["mcse_pct"] is not None
            and math.isfinite(r["mcse_pct"])
            and (year is None or r["year"] == year)]
    return max(rows, key=lambda r: r["mcse_pct"], default=None)


# Integer-valued, 0/1 or whole-location metrics: the median of a discrete quantity stays put or jumps a
# whole step (a van, a workstation, a 1.2 m² shelf location), so a relative MCSE says nothing.
MCSE_EXEMPT = ("infeasible", "vehicles", "digital_workstations", "area_excess_m2", "risk_pooling_saving_m2",
               "trips_per_week", "sample_transports_per_week")
MCSE_TARGET_PCT = 1.0


def candidates(alternatives: Iterable[str]) -> list[str]:
    """The alternatives the decision is between (Alt 1–3), sorted: Alt 0 (today) is the baseline the
    decision is read against, shown in every table but never ranked as a choice for 2030."""
    return sorted(a for a in alternatives if a != BASELINE)


def decide(samples: Sequence[Sample], year: int, *, min_win_share: float = 0.9,
           min_gap_pct: float = 5.0) -> list[Decision]:
    """Which alternative is lowest per deciding metric, paired replication by replication.

    Only the candidates (Alt 1–3, :func:`candidates`) are compared; Alt 0, today's practice, is the
    baseline and not a choice (in 2030 it does not even fit the clinical buildings).

    The replications share their draws across alternatives, so comparing them pairwise removes the
    uncertainty common to all alternatives (volumes, costs) and keeps what tells them apart. A
    metric *decides* when one alternative wins in at least 90 % of replications by at least 5 %.
    """
    table: dict[tuple[str, int], dict[str, float]] = defaultdict(dict)
    for s in samples:
        if s.year == year and s.metric in DECIDING and s.alternative != BASELINE:
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
