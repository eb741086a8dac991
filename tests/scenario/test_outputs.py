"""Outputs of ``hjemme scenario run``: files exist and parse, the report is Norwegian."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from hjemme.cli.main import app
from tests.scenario.conftest import DEFAULT

REQUIRED = {
    "transports_per_week", "deliveries_per_patient_week", "vehicles", "km_per_year", "co2_tonnes_per_year",
    "storage_m2", "clinical_fte", "health_staff_logistics_hours_per_week", "cost_nok_per_year",
    "clinician_km_per_year", "total_km_per_year", "total_co2_tonnes_per_year", "sample_km_per_year",
    "response_centre_fte", "video_fte", "digital_workstation_m2", "infeasible", "area_excess_m2",
    "home_activity_share", "digital_consultation_share", "npv_cost_nok", "break_even_patients_per_day",
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
    assert {r["alternative"] for r in records} == {"alt0", "alt1", "alt2", "alt3"}
    assert {r["year"] for r in records} == set(range(2024, 2031))
    assert {r["metric"] for r in records if r["year"] < 2030}.isdisjoint({"npv_cost_nok", "break_even_patients_per_day"})
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


def test_mcse_of_every_p50_is_reported(run_dir: Path) -> None:
    """mcse.json gives each record's P50 standard error; the report quotes the decision year's worst."""
    doc = json.loads((run_dir / "mcse.json").read_text(encoding="utf-8"))
    records = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert len(doc["records"]) == len(records) and doc["decision_year"] == 2030
    assert doc["worst_in_decision_year"]["year"] == 2030
    assert "Monte Carlo-standardfeil" in (run_dir / "rapport.html").read_text(encoding="utf-8")


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
    for heading in ("Framskrivning av logistikkbehov", "Forutsetninger", "Sammenligning av alternativene",
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
