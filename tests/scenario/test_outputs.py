"""Outputs of ``hjemme scenario run``: files exist and parse, the report is Norwegian."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from hjemme.cli.main import app
from hjemme.scenario.pdf import find_chromium
from tests.scenario.conftest import DEFAULT

REQUIRED = {
    "transports_per_week", "deliveries_per_patient_week", "vehicles", "km_per_year", "co2_tonnes_per_year",
    "storage_m2", "clinical_fte", "health_staff_logistics_hours_per_week", "cost_nok_per_year",
}


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    result = CliRunner().invoke(app, ["scenario", "run", "--config", str(DEFAULT), "--out", str(out),
                                      "--replications", "3", "--seed", "11"])
    assert result.exit_code == 0, result.output
    return out


def test_summary_json_has_the_schema_and_all_metrics(run_dir: Path) -> None:
    """summary.json holds {year, alternative, metric, p10, p50, p90} for every year, alternative and required metric."""
    records = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert all(set(r) == {"year", "alternative", "metric", "p10", "p50", "p90"} for r in records)
    assert all(r["p10"] <= r["p50"] <= r["p90"] for r in records)
    assert {r["alternative"] for r in records} == {"alt1", "alt2", "alt3"}
    assert {r["year"] for r in records} == set(range(2024, 2031))
    assert REQUIRED <= {r["metric"] for r in records}
    with (run_dir / "summary.csv").open(encoding="utf-8") as fh:
        assert len(list(csv.DictReader(fh))) == len(records)


def test_numbers_are_consistent_between_alternatives_and_years(run_dir: Path) -> None:
    """All alternatives see the same patients; patients and transports grow from 2024 to 2030."""
    records = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    p50 = {(r["year"], r["alternative"], r["metric"]): r["p50"] for r in records}
    for year in range(2024, 2031):
        assert p50[(year, "alt1", "patients_at_home")] == p50[(year, "alt3", "patients_at_home")]
    for alt in ("alt1", "alt2", "alt3"):
        assert p50[(2030, alt, "transports_per_week")] > p50[(2024, alt, "transports_per_week")]


def test_workbook_has_a_sheet_per_table_and_assumptions(run_dir: Path) -> None:
    """The Excel workbook has the summary, one sheet per metric (name cut to Excel's 31 characters) and the assumptions."""
    wb = load_workbook(run_dir / "scenario.xlsx", read_only=True)
    assert {"sammendrag", "forutsetninger"} | {m[:31] for m in REQUIRED} <= set(wb.sheetnames)
    rows = list(wb["forutsetninger"].iter_rows(values_only=True))
    assert rows[0][:3] == ("key", "value", "low") and len(rows) > 40


def test_charts_exist_as_png_and_svg(run_dir: Path) -> None:
    """Every metric has a PNG and an SVG chart."""
    for metric in REQUIRED:
        png = (run_dir / "charts" / f"{metric}.png").read_bytes()
        svg = (run_dir / "charts" / f"{metric}.svg").read_text(encoding="utf-8")
        assert png.startswith(b"\x89PNG") and "<svg" in svg


def test_html_report_is_norwegian_and_self_contained(run_dir: Path) -> None:
    """The report has the Norwegian headings, inline charts and no external resources."""
    html = (run_dir / "rapport.html").read_text(encoding="utf-8")
    for heading in ("Framskrivning av logistikkbehov", "alle forutsetninger", "Sammenligning av alternativene",
                    "Hvilke nøkkeltall skiller alternativene"):
        assert heading in html
    assert "<svg" in html and "src=\"http" not in html and "<link" not in html


def test_bad_scenario_file_exits_2_naming_the_key_path(tmp_path: Path) -> None:
    """A scenario file with a bad value makes the CLI exit 2 and name the key path."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEFAULT.read_text(encoding="utf-8").replace("shift_hours: {value: 7.5", "shift_hours: {value: x"),
                   encoding="utf-8")
    result = CliRunner().invoke(app, ["scenario", "run", "--config", str(bad), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "bad.yaml: transport.shift_hours.value" in result.output


def test_report_opens_with_the_decision_and_ends_with_every_assumption(run_dir: Path) -> None:
    """The report's first section is the decision (alternative, win share, what would change it); the
    tornado charts follow, and the appendix lists every assumption with its source (issue 15, item 8)."""
    html = (run_dir / "rapport.html").read_text(encoding="utf-8")
    sections = re.findall(r"<h2>([^<]+)</h2>", html)
    assert sections[0].startswith("Beslutning 2030")
    assert sections[-1] == "Vedlegg: alle forutsetninger"
    assert "Hva driver svaret (2030)" in sections
    decision = json.loads((run_dir / "decision.json").read_text(encoding="utf-8"))
    assert decision["alternative"] in {"alt1", "alt2", "alt3"} and 0 < decision["win_share"] <= 1
    assert f"Anbefaling: {decision['label']}." in html
    assert f"lavest i {round(100 * decision['win_share'])} % av replikasjonene" in html
    assert html.count('class="tornado"') == 4
    for sentence in decision["changes"]:
        assert sentence.replace("«", "&#171;").replace("»", "&#187;") in html or sentence in html
    appendix = html[html.index("Vedlegg: alle forutsetninger"):]
    assert "delivery_models.alt1.order_min_per_patient_week" in appendix and "(antakelse)" in appendix
    assert (run_dir / "break_even.csv").is_file() and (run_dir / "sensitivity.json").is_file()


def test_report_is_printed_to_pdf(run_dir: Path) -> None:
    """With Chromium on the machine, `scenario run` also writes the report as a PDF."""
    if find_chromium() is None:
        pytest.skip("no Chromium on PATH: the PDF is skipped by design")
    assert (run_dir / "rapport.pdf").read_bytes().startswith(b"%PDF")
