"""Write a projection's results: summary.json/.csv, Excel workbooks, charts and an HTML report.

The workbook and the charts come in bokmål (``scenario.xlsx``, ``charts/``) and English
(``scenario-en.xlsx``, ``charts/en/``): full sheet names, headers in words, numbers with thousands
separators in the reader's language (issue 14 item 7).

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
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from hjemme import __version__
from hjemme.scenario.config import ScenarioConfig
from hjemme.scenario.fast import Sample
from hjemme.scenario.labels import (
    AXIS_YEAR,
    HEADERS,
    SHEET_NAMES,
    alternative_label,
    metric_label,
    metric_sheet,
)
from hjemme.scenario.numbers import (
    NumberAxisFormatter,
    decimals_for_column,
    excel_number_format,
    format_number,
)
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
    MCSE_TARGET_PCT,
    METRIC_LABELS_NB,
    TARGET_OF,
    assumption_rows,
    decide,
    mcse_records,
    summarise,
    worst_mcse,
)

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

_TEMPLATES = Path(__file__).parent / "templates"
_COLOURS = {"alt0": "#999999", "alt1": "#0b5394", "alt2": "#e69138", "alt3": "#6aa84f"}
SUMMARY_FIELDS = ("year", "alternative", "metric", "p10", "p50", "p90")


def fmt(value: float | None) -> str:
    """Norwegian number formatting for the report: space-grouped thousands, comma decimals, few decimals."""
    return format_number(value, "nb")


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
        "xlsx_en": out_dir / "scenario-en.xlsx",
        "html": out_dir / "rapport.html",
        "charts": out_dir / "charts",
        "mcse": out_dir / "mcse.json",
    }
    paths["json"].write_text(json.dumps(records, indent=1, ensure_ascii=False), encoding="utf-8")
    with paths["csv"].open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=SUMMARY_FIELDS)
        writer.writeheader()
        writer.writerows(records)
    mcse = mcse_records(samples)
    last = max(r["year"] for r in records) if records else None
    mcse_doc = {"target_pct": MCSE_TARGET_PCT, "decision_year": last,
                "worst_in_decision_year": worst_mcse(mcse, last), "worst_any_year": worst_mcse(mcse),
                "records": [{k: (None if isinstance(v, float) and math.isinf(v) else v) for k, v in r.items()}
                            for r in mcse]}
    paths["mcse"].write_text(json.dumps(mcse_doc, indent=1, ensure_ascii=False), encoding="utf-8")
    if deep is not None:
        (out_dir / "deep.json").write_text(json.dumps(deep, indent=1, ensure_ascii=False), encoding="utf-8")
    assumptions = assumption_rows(config)
    _write_workbook(paths["xlsx"], records, assumptions, deep, "nb", mcse)
    _write_workbook(paths["xlsx_en"], records, assumptions, deep, "en", mcse)
    svgs = _write_charts(paths["charts"], records, "nb", config)
    _write_charts(paths["charts"] / "en", records, "en", config)
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
    _write_html(paths["html"], config, records, samples, assumptions, svgs, replications, seed, deep, extra,
                worst_mcse(mcse, last))
    return paths


def _decimals_of(value: float) -> int:
    """The decimals an input number needs to be shown exactly (up to four)."""
    for digits in range(5):
        if abs(value - round(value, digits)) < 1e-9:
            return digits
    return 4


def _put(sheet: Worksheet, row: int, column: int, value: Any, decimals: int | None = None) -> None:
    """A cell; numbers rounded to ``decimals`` and shown with thousands separators, years as years."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, bool) or not isinstance(value, int | float):
        cell.value = value
        return
    if decimals is None:
        decimals = _decimals_of(float(value))
    cell.value = round(float(value), decimals) if decimals else round(value)
    cell.number_format = excel_number_format(decimals)


def _header(sheet: Worksheet, row: int, names: Sequence[str]) -> None:
    for column, name in enumerate(names, start=1):
        cell = sheet.cell(row=row, column=column, value=name)
        cell.font = Font(bold=True)
    sheet.freeze_panes = sheet.cell(row=row + 1, column=1)


def _widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def _write_workbook(
    path: Path,
    records: Sequence[Mapping[str, Any]],
    assumptions: Sequence[Mapping[str, Any]],
    deep: Mapping[str, Any] | None,
    language: str = "nb",
    mcse: Sequence[Mapping[str, Any]] = (),
) -> None:
    """The workbook in ``language``: full sheet names, headers in words, numbers with number formats."""
    names, head = SHEET_NAMES[language], HEADERS[language]
    decimals = {
        m: decimals_for_column(v for r in records if r["metric"] == m for v in (r["p10"], r["p50"], r["p90"]))
        for m in {r["metric"] for r in records}
    }
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = names["summary"]
    _header(ws, 1, [head[k] for k in SUMMARY_FIELDS])
    for row, r in enumerate(records, start=2):
        ws.cell(row=row, column=1, value=r["year"]).number_format = "0"
        ws.cell(row=row, column=2, value=alternative_label(r["alternative"], language))
        ws.cell(row=row, column=3, value=metric_label(r["metric"], language))
        for column, key in enumerate(("p10", "p50", "p90"), start=4):
            _put(ws, row, column, r[key], decimals[r["metric"]])
    _widths(ws, [8, 36, 48, 14, 14, 14])
    alts = sorted({r["alternative"] for r in records})
    years = sorted({r["year"] for r in records})
    index = {(r["year"], r["alternative"], r["metric"]): r for r in records}
    for metric in [m for m in METRIC_LABELS_NB if m in decimals]:
        sheet = wb.create_sheet(metric_sheet(metric, language))
        sheet.cell(row=1, column=1, value=metric_label(metric, language)).font = Font(bold=True, size=12)
        _header(
            sheet,
            2,
            [
                head["year"],
                *(f"{alternative_label(a, language)} {q}" for a in alts for q in ("P10", "P50", "P90")),
            ],
        )
        for row, year in enumerate(years, start=3):
            sheet.cell(row=row, column=1, value=year).number_format = "0"
            column = 2
            for a in alts:
                rec = index.get((year, a, metric))
                for key in ("p10", "p50", "p90"):
                    _put(sheet, row, column, rec[key] if rec else None, decimals[metric])
                    column += 1
        _widths(sheet, [8, *([16] * 3 * len(alts))])
    sheet = wb.create_sheet(names["assumptions"])
    keys = ["key", "value", "low", "likely", "high", "unit", "source", "owner", "note"]
    _header(sheet, 1, [head[k] for k in keys])
    for row, a in enumerate(assumptions, start=2):
        for column, k in enumerate(keys, start=1):
            _put(sheet, row, column, a[k])
    _widths(sheet, [44, 12, 12, 12, 12, 12, 40, 28, 40])
    if mcse:
        sheet = wb.create_sheet(names["mcse"])
        cols = ["year", "alternative", "metric", "replications", "p50", "mcse", "mcse_pct"]
        _header(sheet, 1, [head[c] for c in cols])
        for row, r in enumerate(mcse, start=2):
            for column, c in enumerate(cols, start=1):
                value = r[c]
                if isinstance(value, float) and math.isinf(value):
                    value = None
                elif c == "alternative":
                    value = alternative_label(value, language)
                elif c == "metric":
                    value = metric_label(value, language)
                _put(sheet, row, column, value, {"replications": 0, "mcse_pct": 2}.get(c))
            sheet.cell(row=row, column=1).number_format = "0"  # a year, not a number to group
        _widths(sheet, [8, 18, 44, 14, 16, 16, 12])
    if deep is not None and deep.get("rows"):
        sheet = wb.create_sheet(names["deep"])
        cols = list(deep["rows"][0])
        _header(sheet, 1, [head.get(c, c) for c in cols])
        digits = {
            c: decimals_for_column(r[c] for r in deep["rows"] if isinstance(r[c], int | float)) for c in cols
        }
        for row, r in enumerate(deep["rows"], start=2):
            for column, c in enumerate(cols, start=1):
                value = alternative_label(r[c], language) if c == "alternative" else r[c]
                _put(sheet, row, column, value, digits[c])
        _widths(sheet, [36, *([18] * (len(cols) - 1))])
    wb.save(path)


def _write_charts(
    directory: Path,
    records: Sequence[Mapping[str, Any]],
    language: str = "nb",
    config: ScenarioConfig | None = None,
) -> dict[str, str]:
    """One PNG and one SVG per metric (years on x, one line per alternative, P10–P90 band, target line).

    The value axis is written in ``language`` with thousands separators (never ``1e8``), and the
    SVG keeps its text as text (``svg.fonttype: none``): searchable, and read by screen readers.
    """
    directory.mkdir(parents=True, exist_ok=True)
    svgs: dict[str, str] = {}
    for metric in METRIC_LABELS_NB:
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
            ax.plot(
                xs,
                [r["p50"] for r in series],
                marker="o",
                color=colour,
                label=alternative_label(alt, language),
            )
        if config is not None and metric in TARGET_OF:
            target = getattr(config.targets, TARGET_OF[metric]).central
            word = "Mål" if language == "nb" else "Target"
            ax.axhline(target, color="#cc0000", linestyle="--", linewidth=1, label=f"{word} {target:.0%}")
        ax.set_title(metric_label(metric, language), fontsize=10)
        ax.set_xlabel(AXIS_YEAR[language])
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:.0f}"))
        ax.yaxis.set_major_formatter(NumberAxisFormatter(language))
        fig.tight_layout()
        with rc_context({"svg.fonttype": "none", "svg.hashsalt": "hjemme"}):
            fig.savefig(directory / f"{metric}.png", dpi=110)
            buf = io.StringIO()
            fig.savefig(buf, format="svg")  # drawn once: the file and the report's inline copy
        text = buf.getvalue()
        (directory / f"{metric}.svg").write_text(text, encoding="utf-8")
        svgs[metric] = text[text.index("<svg") :]
    return svgs


def _headline(records: Sequence[Mapping[str, Any]], year: int) -> list[str]:
    index = {(r["alternative"], r["metric"]): r["p50"] for r in records if r["year"] == year}
    lines = []
    patients = index.get(("alt1", "patients_at_home"))
    if patients is not None:
        lines.append(f"I {year} er om lag {fmt(patients)} pasienter hjemme på en gjennomsnittlig dag.")
    for metric in (
        "transports_per_week",
        "vehicles",
        "storage_m2",
        "health_staff_logistics_hours_per_week",
        "total_km_per_year",
        "cost_nok_per_year",
        "npv_cost_nok",
    ):
        values = {a: index[(a, metric)] for a in ALTERNATIVE_LABELS_NB if (a, metric) in index}
        if values:
            parts = ", ".join(f"{ALTERNATIVE_LABELS_NB[a]}: {fmt(v)}" for a, v in values.items())
            lines.append(f"{METRIC_LABELS_NB[metric]} i {year}: {parts}.")
    lacking = [label for a, label in ALTERNATIVE_LABELS_NB.items() if index.get((a, "infeasible"), 0) >= 0.5]
    if lacking:
        lines.append(f"Ikke gjennomførbart i {year} fordi arealet i sykehusbyggene er for lite: "
                     f"{', '.join(lacking)}.")
    breakeven = index.get(("alt1", "break_even_patients_per_day"))
    if breakeven is not None:
        lines.append(f"Alt 1 lønner seg fra om lag {fmt(breakeven)} pasienter hjemme per dag "
                     "(investering og etablering medregnet).")
    for metric, target in (("home_activity_share", "30 %"), ("digital_consultation_share", "20 %")):
        value = index.get(("alt1", metric))
        if value is not None:
            lines.append(f"{METRIC_LABELS_NB[metric]}: {fmt(100 * value)} % i {year} (mål {target}).")
    return lines


def _write_html(
    path: Path,
    config: ScenarioConfig,
    records: Sequence[Mapping[str, Any]],
    samples: Sequence[Sample],
    assumptions: Sequence[Mapping[str, Any]],
    svgs: Mapping[str, str],
    replications: int,
    seed: int,
    deep: Mapping[str, Any] | None,
    extra: Mapping[str, Any],
    mcse: Mapping[str, Any] | None = None,
) -> None:
    env = Environment(loader=FileSystemLoader(_TEMPLATES), autoescape=select_autoescape(["html"]))
    years = sorted({r["year"] for r in records})
    alternatives = sorted({r["alternative"] for r in records})
    metrics = [m for m in METRIC_LABELS_NB if any(r["metric"] == m for r in records)]
    table = {(r["year"], r["alternative"], r["metric"]): r for r in records}
    best = {}
    for y in years:
        for m in metrics:
            vals = {a: table[(y, a, m)]["p50"] for a in alternatives if (y, a, m) in table}
            if len(vals) < 2:
                best[(y, m)] = None
                continue
            lower_is_better = m in DECIDING  # patients and stock sizes are context, not goals
            best[(y, m)] = min(vals, key=lambda a: vals[a]) if lower_is_better and vals else None
    compare_years = sorted({years[0], years[-1]})
    html = env.get_template("report.html").render(
        config=config,
        years=years,
        alternatives=alternatives,
        metrics=metrics,
        table=table,
        best=best,
        compare_years=compare_years,
        labels=METRIC_LABELS_NB,
        alt_labels=ALTERNATIVE_LABELS_NB,
        decisions=decide(samples, years[-1]),
        charts=svgs,
        assumptions=assumptions,
        deep=deep,
        headline=_headline(records, years[-1]),
        replications=replications,
        seed=seed,
        fmt=fmt,
        version=__version__,
        mcse=mcse,
        metric_labels=METRIC_LABELS_NB,
        **extra,
    )
    path.write_text(html, encoding="utf-8")
