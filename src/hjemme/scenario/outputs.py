"""Write a projection's results: summary.json/.csv, an Excel workbook, charts and an HTML report.

This is the output adapter of the scenario package (it writes files; the engines do not). Charts
use matplotlib's object API (``Figure`` + Agg canvas) rather than pyplot, so no global backend
state is touched and writing is safe in worker processes. The report is Norwegian bokmål and
self-contained: charts are inlined as SVG.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from openpyxl import Workbook

from hjemme import __version__
from hjemme.scenario.config import ScenarioConfig
from hjemme.scenario.fast import Sample
from hjemme.scenario.sensitivity import KEY_METRICS, SOBOL_METRICS, SensitivityResult
from hjemme.scenario.sensitivity_outputs import (
    break_even_dict,
    decision_summary,
    sobol_table,
    tornado_svgs,
    write_sensitivity,
)
from hjemme.scenario.summary import (
    ALTERNATIVE_LABELS_NB,
    DECIDING,
    METRIC_LABELS_NB,
    assumption_rows,
    decide,
    summarise,
)

_TEMPLATES = Path(__file__).parent / "templates"
_COLOURS = {"alt1": "#0b5394", "alt2": "#e69138", "alt3": "#6aa84f"}
SUMMARY_FIELDS = ("year", "alternative", "metric", "p10", "p50", "p90")


def fmt(value: float | None) -> str:
    """Norwegian number formatting: thin-space thousands, comma decimals, few decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    v = float(value)
    digits = 0 if abs(v) >= 100 or v == round(v) else (1 if abs(v) >= 10 else 2)
    text = f"{v:,.{digits}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def write_outputs(
    out_dir: Path,
    config: ScenarioConfig,
    samples: Sequence[Sample],
    *,
    replications: int,
    seed: int,
    deep: Mapping[str, Any] | None = None,
    sensitivity: SensitivityResult | None = None,
) -> dict[str, Path]:
    """Write every output file into ``out_dir``; return their paths by kind.

    With ``sensitivity`` (issue 15) the report opens with the decision and shows the tornado charts,
    break-evens and Sobol indices; ``decision.json`` keeps the opening for the scenarios page.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    records = summarise(samples)
    paths = {
        "json": out_dir / "summary.json",
        "csv": out_dir / "summary.csv",
        "xlsx": out_dir / "scenario.xlsx",
        "html": out_dir / "rapport.html",
        "charts": out_dir / "charts",
    }
    paths["json"].write_text(json.dumps(records, indent=1, ensure_ascii=False), encoding="utf-8")
    with paths["csv"].open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=SUMMARY_FIELDS)
        writer.writeheader()
        writer.writerows(records)
    if deep is not None:
        (out_dir / "deep.json").write_text(json.dumps(deep, indent=1, ensure_ascii=False), encoding="utf-8")
    assumptions = assumption_rows(config)
    _write_workbook(paths["xlsx"], records, assumptions, deep)
    svgs = _write_charts(paths["charts"], records)
    years = sorted({r["year"] for r in records})
    decision = decision_summary(samples, sensitivity, sensitivity.year if sensitivity else years[-1])
    paths["decision"] = out_dir / "decision.json"
    paths["decision"].write_text(json.dumps(decision, indent=1, ensure_ascii=False), encoding="utf-8")
    extra: dict[str, Any] = {"decision": decision, "sensitivity": None}
    if sensitivity is not None:
        paths.update({f"sensitivity_{k}": v for k, v in write_sensitivity(out_dir, sensitivity).items()
                      if k != "charts"})
        extra["sensitivity"] = {
            "year": sensitivity.year,
            "tornados": {m: svg for m, svg in tornado_svgs(sensitivity).items() if m in KEY_METRICS},
            "break_evens": [break_even_dict(e) for e in sensitivity.break_evens if e.metric in KEY_METRICS],
            "sobol": {m: sobol_table(sensitivity, m) for m in SOBOL_METRICS if sobol_table(sensitivity, m)},
            "sobol_n": sensitivity.sobol_n,
            "factors": len(sensitivity.factors),
        }
    _write_html(paths["html"], config, records, samples, assumptions, svgs, replications, seed, deep, extra)
    return paths


def _write_workbook(
    path: Path,
    records: Sequence[Mapping[str, Any]],
    assumptions: Sequence[Mapping[str, Any]],
    deep: Mapping[str, Any] | None,
) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "sammendrag"
    ws.append(list(SUMMARY_FIELDS))
    for r in records:
        ws.append([r[k] for k in SUMMARY_FIELDS])
    alts = sorted({r["alternative"] for r in records})
    years = sorted({r["year"] for r in records})
    index = {(r["year"], r["alternative"], r["metric"]): r for r in records}
    for metric in [m for m in METRIC_LABELS_NB if any(r["metric"] == m for r in records)]:
        sheet = wb.create_sheet(metric[:31])
        sheet.append([METRIC_LABELS_NB[metric]])
        sheet.append(["år"] + [f"{a} {q}" for a in alts for q in ("p10", "p50", "p90")])
        for y in years:
            row: list[Any] = [y]
            for a in alts:
                rec = index.get((y, a, metric))
                row += [rec["p10"], rec["p50"], rec["p90"]] if rec else [None, None, None]
            sheet.append(row)
    sheet = wb.create_sheet("forutsetninger")
    keys = ["key", "value", "low", "likely", "high", "unit", "source", "owner", "note"]
    sheet.append(keys)
    for a in assumptions:
        sheet.append([a[k] for k in keys])
    if deep is not None and deep.get("rows"):
        sheet = wb.create_sheet("dyp_modus")
        cols = list(deep["rows"][0])
        sheet.append(cols)
        for r in deep["rows"]:
            sheet.append([r[c] for c in cols])
    wb.save(path)


def _write_charts(directory: Path, records: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """One PNG and one SVG per metric (years on x, one line per alternative, P10–P90 band)."""
    directory.mkdir(parents=True, exist_ok=True)
    svgs: dict[str, str] = {}
    for metric, label in METRIC_LABELS_NB.items():
        rows = [r for r in records if r["metric"] == metric]
        if not rows:
            continue
        fig = Figure(figsize=(6.4, 3.6))
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        for alt in sorted({r["alternative"] for r in rows}):
            series = sorted((r for r in rows if r["alternative"] == alt), key=lambda r: r["year"])
            xs = [r["year"] for r in series]
            colour = _COLOURS.get(alt, "#555555")
            low, high = [r["p10"] for r in series], [r["p90"] for r in series]
            ax.fill_between(xs, low, high, color=colour, alpha=0.18)
            ax.plot(xs, [r["p50"] for r in series], marker="o", color=colour,
                    label=ALTERNATIVE_LABELS_NB.get(alt, alt))
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("År")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
        ax.xaxis.get_major_locator().set_params(integer=True)
        fig.tight_layout()
        fig.savefig(directory / f"{metric}.png", dpi=110)
        fig.savefig(directory / f"{metric}.svg")
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
        text = buf.getvalue()
        svgs[metric] = text[text.index("<svg"):]
    return svgs


def _headline(records: Sequence[Mapping[str, Any]], year: int) -> list[str]:
    index = {(r["alternative"], r["metric"]): r["p50"] for r in records if r["year"] == year}
    lines = []
    patients = index.get(("alt1", "patients_at_home"))
    if patients is not None:
        lines.append(f"I {year} er om lag {fmt(patients)} pasienter hjemme på en gjennomsnittlig dag.")
    for metric in ("transports_per_week", "vehicles", "storage_m2", "health_staff_logistics_hours_per_week",
                   "cost_nok_per_year"):
        values = {a: index[(a, metric)] for a in ALTERNATIVE_LABELS_NB if (a, metric) in index}
        if values:
            parts = ", ".join(f"{ALTERNATIVE_LABELS_NB[a]}: {fmt(v)}" for a, v in values.items())
            lines.append(f"{METRIC_LABELS_NB[metric]} i {year}: {parts}.")
    return lines


def _write_html(path: Path, config: ScenarioConfig, records: Sequence[Mapping[str, Any]],
                samples: Sequence[Sample], assumptions: Sequence[Mapping[str, Any]], svgs: Mapping[str, str],
                replications: int, seed: int, deep: Mapping[str, Any] | None,
                extra: Mapping[str, Any]) -> None:
    env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html"]))
    years = sorted({r["year"] for r in records})
    alternatives = sorted({r["alternative"] for r in records})
    metrics = [m for m in METRIC_LABELS_NB if any(r["metric"] == m for r in records)]
    table = {(r["year"], r["alternative"], r["metric"]): r for r in records}
    best = {}
    for y in years:
        for m in metrics:
            vals = {a: table[(y, a, m)]["p50"] for a in alternatives if (y, a, m) in table}
            lower_is_better = m in DECIDING  # patients and stock sizes are context, not goals
            best[(y, m)] = min(vals, key=lambda a: vals[a]) if lower_is_better and vals else None
    compare_years = sorted({years[0], years[-1]})
    html = env.get_template("report.html").render(
        config=config, years=years, alternatives=alternatives, metrics=metrics, table=table, best=best,
        compare_years=compare_years, labels=METRIC_LABELS_NB, alt_labels=ALTERNATIVE_LABELS_NB,
        decisions=decide(samples, years[-1]), charts=svgs, assumptions=assumptions, deep=deep,
        headline=_headline(records, years[-1]), replications=replications, seed=seed, fmt=fmt,
        version=__version__, metric_labels=METRIC_LABELS_NB, **extra,
    )
    path.write_text(html, encoding="utf-8")
