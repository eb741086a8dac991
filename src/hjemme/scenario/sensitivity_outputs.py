"""Write and word what drives the answer (issue 15, items 2 and 8): tornado charts, tables, sentences.

The output adapter for :mod:`hjemme.scenario.sensitivity`: ``sensitivity.json`` (everything),
``sensitivity.csv`` (one-at-a-time values per factor, metric and alternative), ``break_even.csv``,
``sobol.csv`` and ``charts/tornado_<metric>.svg|png``; plus the Norwegian sentences the report and the
scenarios page open with (:func:`decision_summary`). Charts use matplotlib's object API, as
:mod:`hjemme.scenario.outputs` does.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from hjemme.scenario.assumptions import describe
from hjemme.scenario.fast import Sample
from hjemme.scenario.sensitivity import BreakEven, Factor, SensitivityResult, Tornado
from hjemme.scenario.summary import ALTERNATIVE_LABELS_NB, METRIC_LABELS_NB, decide

METRIC_NOUN_NB = {
    "cost_nok_per_year": "kostnad",
    "npv_cost_nok": "nåverdi av kostnadene",
    "co2_tonnes_per_year": "CO₂-utslipp fra varetransport",
    "total_co2_tonnes_per_year": "CO₂-utslipp i alt",
    "km_per_year": "kjørte km med varer",
    "total_km_per_year": "kjørte km i alt",
    "storage_m2": "lagerareal",
    "vehicles": "antall kjøretøy",
    "transports_per_week": "antall transporter",
    "trips_per_week": "antall kjøreturer",
    "deliveries_per_patient_week": "leveranser per pasientuke",
    "health_staff_logistics_hours_per_week": "helsepersonells logistikktimer",
    "clinical_fte": "kliniske årsverk",
}
METRIC_SCALE = {"cost_nok_per_year": (1e6, "MNOK"), "npv_cost_nok": (1e6, "MNOK")}
"""Metrics shown in another unit in charts and sentences (value / divisor, unit)."""


def fmt(value: float | None, digits: int | None = None) -> str:
    """Norwegian number: thin-space thousands, decimal comma; few decimals unless asked."""
    if value is None:
        return ""
    v = float(value)
    if digits is None:
        digits = 0 if abs(v) >= 100 or v == round(v) else (1 if abs(v) >= 10 else 2)
    return f"{v:,.{digits}f}".replace(",", "\u202f").replace(".", ",")


def alt_label(alt: str) -> str:
    return ALTERNATIVE_LABELS_NB.get(alt, alt)


def alt_short(alt: str) -> str:
    return f"Alt {alt[3:]}" if alt.startswith("alt") else alt


def metric_noun(metric: str) -> str:
    return METRIC_NOUN_NB.get(metric, METRIC_LABELS_NB.get(metric, metric).lower())


def factor_label(factor: Factor) -> str:
    """The factor's Norwegian name; one used by several alternatives names them all."""
    alts = sorted({p.split(".")[1] for p in factor.paths if p.startswith("delivery_models.")})
    label = describe(factor.key)
    if len(alts) > 1 and label.startswith("Alt "):
        rest = label.split(": ", 1)[1]
        label = f"Alt {' og '.join(a[3:] for a in alts)}: {rest}"
    return label


def _with_unit(value: float, unit: str, direction: str = "") -> str:
    if unit == "år":  # a year (the model rounds it): whole years, no thousands space, no unit
        whole = math.floor(value) if direction == "above" else math.ceil(value)
        return str(whole)
    return f"{fmt(value)} {unit}".strip()


def _range(f: Factor) -> str:
    if f.unit == "år":
        return f"{f.low:.0f}–{f.high:.0f}"
    return f"{fmt(f.low)}–{fmt(f.high)} {f.unit}"


def break_even_sentence(e: BreakEven) -> str:
    """ "Alt 2 får lavere kostnad enn Alt 1 hvis … overstiger 9,3 min (antatt 2–5 min; utenfor spennet)."."""
    f = e.factor
    verb = "overstiger" if e.direction == "above" else "er under"
    where = "" if e.within_range else "; utenfor spennet"
    likely = f"{f.likely:.0f}" if f.unit == "år" else fmt(f.likely)
    return (
        f"{alt_short(e.challenger)} får lavere {metric_noun(e.metric)} enn {alt_short(e.leader)} hvis "
        f"«{factor_label(f)}» {verb} {_with_unit(e.value, f.unit, e.direction)} "
        f"(antatt {_range(f)}, sannsynlig {likely}{where})."
    ).replace(" ,", ",")


def _scaled(metric: str, value: float) -> float:
    return value / METRIC_SCALE[metric][0] if metric in METRIC_SCALE else value


def _metric_unit(metric: str) -> str:
    return METRIC_SCALE[metric][1] if metric in METRIC_SCALE else ""


def tornado_svgs(result: SensitivityResult, directory: Path | None = None, top: int = 12) -> dict[str, str]:
    """One horizontal bar chart per metric: the leader's lead over the runner-up at each factor's low
    (light) and high (dark), largest swing on top; the line at zero is where the ranking flips."""
    svgs: dict[str, str] = {}
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
    for tornado in result.tornados:
        bars = list(tornado.bars[:top])[::-1]
        fig = Figure(figsize=(7.2, 0.42 * max(len(bars), 3) + 1.4))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        base = _scaled(tornado.metric, tornado.base_gap)
        names = [factor_label(b.factor) for b in bars]
        ys = list(range(len(bars)))
        lows = [_scaled(tornado.metric, b.gap_low) - base for b in bars]
        highs = [_scaled(tornado.metric, b.gap_high) - base for b in bars]
        ax.barh(ys, lows, left=base, color="#9fc5e8", label="lav verdi")
        ax.barh(ys, highs, left=base, color="#0b5394", label="høy verdi")
        ax.axvline(base, color="#333333", linewidth=1)
        ax.axvline(0.0, color="#cc0000", linewidth=1.2, linestyle="--", label="rangeringen snur")
        ax.set_yticks(ys)
        ax.set_yticklabels(names, fontsize=7)
        unit = _metric_unit(tornado.metric)
        ax.set_xlabel(
            f"{alt_short(tornado.runner_up)} minus {alt_short(tornado.leader)}"
            f"{' (' + unit + ')' if unit else ''}",
            fontsize=8,
        )
        ax.set_title(
            f"{METRIC_LABELS_NB.get(tornado.metric, tornado.metric)} {result.year}: "
            f"forsprang for {alt_short(tornado.leader)}",
            fontsize=9,
        )
        ax.legend(fontsize=7, loc="lower right")
        ax.grid(axis="x", alpha=0.3)
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        text = buf.getvalue()
        svgs[tornado.metric] = text[text.index("<svg") :]
        if directory is not None:
            (directory / f"tornado_{tornado.metric}.svg").write_text(text, encoding="utf-8")
            fig.savefig(directory / f"tornado_{tornado.metric}.png", dpi=110)
    return svgs


def _factor_dict(f: Factor) -> dict[str, Any]:
    return {
        "key": f.key,
        "paths": list(f.paths),
        "label": factor_label(f),
        "low": f.low,
        "likely": f.likely,
        "high": f.high,
        "unit": f.unit,
        "source": f.source,
        "owner": f.owner,
    }


def _tornado_dict(t: Tornado) -> dict[str, Any]:
    return {
        "metric": t.metric,
        "leader": t.leader,
        "runner_up": t.runner_up,
        "base_gap": t.base_gap,
        "bars": [
            {
                "factor": b.factor.key,
                "label": factor_label(b.factor),
                "gap_low": b.gap_low,
                "gap_high": b.gap_high,
                "flips": min(b.gap_low, b.gap_high) < 0 < t.base_gap
                or max(b.gap_low, b.gap_high) > 0 > t.base_gap,
            }
            for b in t.bars
        ],
    }


def break_even_dict(e: BreakEven) -> dict[str, Any]:
    return {
        "metric": e.metric,
        "leader": e.leader,
        "challenger": e.challenger,
        "factor": e.factor.key,
        "label": factor_label(e.factor),
        "value": e.value,
        "direction": e.direction,
        "within_range": e.within_range,
        "low": e.factor.low,
        "likely": e.factor.likely,
        "high": e.factor.high,
        "unit": e.factor.unit,
        "sentence": break_even_sentence(e),
    }


def sensitivity_dict(result: SensitivityResult) -> dict[str, Any]:
    """Everything in plain JSON-ready form."""
    return {
        "year": result.year,
        "metrics": list(result.metrics),
        "base": result.base,
        "factors": [_factor_dict(f) for f in result.factors],
        "tornados": [_tornado_dict(t) for t in result.tornados],
        "break_evens": [break_even_dict(e) for e in result.break_evens],
        "sobol_n": result.sobol_n,
        "sobol": [
            {
                "metric": s.metric,
                "output": s.alternative,
                "factor": s.factor.key,
                "label": factor_label(s.factor),
                "s1": s.s1,
                "s1_conf": s.s1_conf,
                "st": s.st,
                "st_conf": s.st_conf,
            }
            for s in result.sobol
        ],
    }


def write_sensitivity(out_dir: Path, result: SensitivityResult) -> dict[str, Path]:
    """Write the sensitivity files into ``out_dir``; return their paths by kind."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = sensitivity_dict(result)
    paths = {
        "json": out_dir / "sensitivity.json",
        "oat": out_dir / "sensitivity.csv",
        "break_even": out_dir / "break_even.csv",
        "charts": out_dir / "charts",
    }
    paths["json"].write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    with paths["oat"].open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "factor",
                "label",
                "low",
                "likely",
                "high",
                "unit",
                "metric",
                "alternative",
                "at_likely",
                "at_low",
                "at_high",
            ]
        )
        for row in result.oat:
            f = row.factor
            for metric in result.metrics:
                for alt in sorted(result.base):
                    writer.writerow(
                        [
                            f.key,
                            factor_label(f),
                            f.low,
                            f.likely,
                            f.high,
                            f.unit,
                            metric,
                            alt,
                            result.base[alt][metric],
                            row.low[alt][metric],
                            row.high[alt][metric],
                        ]
                    )
    keys = [
        "metric",
        "leader",
        "challenger",
        "factor",
        "label",
        "value",
        "direction",
        "within_range",
        "low",
        "likely",
        "high",
        "unit",
        "sentence",
    ]
    with paths["break_even"].open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=keys)
        writer.writeheader()
        writer.writerows(data["break_evens"])
    if result.sobol:
        paths["sobol"] = out_dir / "sobol.csv"
        with paths["sobol"].open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(data["sobol"][0]))
            writer.writeheader()
            writer.writerows(data["sobol"])
    tornado_svgs(result, paths["charts"])
    return paths


def sobol_table(result: SensitivityResult, metric: str, top: int = 10) -> list[dict[str, Any]]:
    """The factors with the largest total index on the leader's lead (or on the first output)."""
    rows = [s for s in result.sobol if s.metric == metric and s.alternative == "gap"]
    if not rows:
        rows = [s for s in result.sobol if s.metric == metric]
    rows = sorted(rows, key=lambda s: -s.st)[:top]
    return [
        {
            "label": factor_label(s.factor),
            "s1": s.s1,
            "s1_conf": s.s1_conf,
            "st": s.st,
            "st_conf": s.st_conf,
            "output": s.alternative,
        }
        for s in rows
    ]


def decision_summary(
    samples: Sequence[Sample], result: SensitivityResult | None, year: int, *, max_changes: int = 6
) -> dict[str, Any]:
    """The report's opening: which alternative, on which metrics, how sure, and what would change it.

    The recommendation is the alternative lowest on cost in the most Monte Carlo replications
    (paired: all alternatives on the same draw); the other key metrics say where it also wins and
    where it does not. "What would change it" is the break-evens on cost against it, those inside
    the assumption's range first, then the nearest.
    """
    decisions = {d.metric: d for d in decide(samples, year)}
    metrics = [m for m in (result.metrics if result else ("cost_nok_per_year",)) if m in decisions]
    if not metrics:
        metrics = list(decisions)
    if not metrics:
        return {}
    primary = "cost_nok_per_year" if "cost_nok_per_year" in decisions else metrics[0]
    chosen = decisions[primary].best
    rows = []
    for m in metrics:
        d = decisions[m]
        rows.append(
            {
                "metric": m,
                "label": METRIC_LABELS_NB.get(m, m),
                "best": d.best,
                "best_label": alt_label(d.best),
                "win_share": d.win_share,
                "gap_pct": d.gap_pct,
                "decisive": d.decisive,
                "same": d.best == chosen,
            }
        )
    changes: list[BreakEven] = []
    if result is not None:
        against = [e for e in result.break_evens if e.metric == primary and e.leader == chosen]
        against.sort(key=lambda e: (not e.within_range, e.distance))
        changes = against[:max_changes]
    d = decisions[primary]
    headline = (
        f"{alt_label(chosen)} har lavest {metric_noun(primary)} i {year}: lavest i "
        f"{round(100 * d.win_share)} % av replikasjonene, median {fmt(d.gap_pct)} % under nest beste."
    )
    wins = [metric_noun(r["metric"]) for r in rows if r["same"] and r["metric"] != primary]
    losses = [f"{metric_noun(r['metric'])} ({alt_short(r['best'])})" for r in rows if not r["same"]]
    return {
        "year": year,
        "metric": primary,
        "alternative": chosen,
        "label": alt_label(chosen),
        "win_share": d.win_share,
        "gap_pct": d.gap_pct,
        "decisive": d.decisive,
        "headline": headline,
        "also_best_on": wins,
        "not_best_on": losses,
        "metrics": rows,
        "changes": [break_even_sentence(e) for e in changes],
        "changes_within_range": sum(1 for e in changes if e.within_range),
    }
