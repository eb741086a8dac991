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
from hjemme.scenario.labels import METRIC_SHEETS, SHEET_NAMES
from hjemme.scenario.pdf import find_chromium
from tests.scenario.conftest import DEFAULT
from tests.scenario_files import narrowed_scenario

REQUIRED = {
    "transports_per_week", "deliveries_per_patient_week", "vehicles", "km_per_year", "co2_tonnes_per_year",
    "storage_m2", "clinical_fte", "health_staff_logistics_hours_per_week", "cost_nok_per_year",
    "clinician_km_per_year", "total_km_per_year", "total_co2_tonnes_per_year", "sample_km_per_year",
    "response_centre_fte", "video_fte", "digital_workstation_m2", "infeasible", "area_excess_m2",
    "home_activity_share", "digital_consultation_share", "npv_cost_nok", "break_even_patients_per_day",
}


# one worker runs the whole module (xdist --dist loadgroup) and the run below is made once per
# session: that worker may run other modules' tests between these, which would end a module fixture
pytestmark = pytest.mark.xdist_group("scenario_run_outputs")


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    config = narrowed_scenario(tmp_path_factory.mktemp("config"))
    result = CliRunner().invoke(app, ["scenario", "run", "--config", str(config), "--out", str(out),
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
    """The Excel workbook has the summary, one sheet per metric under its full name, and the assumptions."""
    wb = load_workbook(run_dir / "scenario.xlsx", read_only=True)
    assert {"Sammendrag", "Forutsetninger"} | {METRIC_SHEETS["nb"][m] for m in REQUIRED} <= set(wb.sheetnames)
    rows = list(wb["Forutsetninger"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Nøkkel i scenariofilen", "Verdi", "Lav") and len(rows) > 40


@pytest.mark.parametrize("language", ["nb", "en"])
def test_sheet_names_are_full_words_within_excels_limit(language: str) -> None:
    """Every sheet name is a name in words (no code, nothing cut) and fits Excel's 31 characters."""
    names = [*METRIC_SHEETS[language].values(), *SHEET_NAMES[language].values()]
    assert len(set(names)) == len(names)
    for name in names:
        assert len(name) <= 31 and "_" not in name and not set(name) & set(":\\/?*[]"), name
        assert name[0].isupper() or name[0].isdigit(), name


def _numbers(sheet) -> list:
    return [c for row in sheet.iter_rows(min_row=1) for c in row if isinstance(c.value, int | float)]


@pytest.mark.parametrize(("file", "summary", "header", "cost"), [
    ("scenario.xlsx", "Sammendrag", ("År", "Alternativ", "Nøkkeltall", "P10", "P50 (median)", "P90"),
     "Kostnad per år (NOK)"),
    ("scenario-en.xlsx", "Summary", ("Year", "Alternative", "Measure", "P10", "P50 (median)", "P90"),
     "Cost per year (NOK)"),
])
def test_workbook_numbers_have_formats_and_no_long_decimals(run_dir: Path, file: str, summary: str,
                                                            header: tuple[str, ...], cost: str) -> None:
    """Numbers carry number formats with thousands separators and few decimals; headers are words."""
    wb = load_workbook(run_dir / file)
    sheet = wb[summary]
    assert tuple(c.value for c in sheet[1]) == header
    assert re.match(r"Alt \d – ", sheet["B2"].value) and "_" not in sheet["C2"].value
    for c in _numbers(sheet):
        if c.column == 1:
            assert c.number_format == "0", "a year is written without a thousands separator"
        else:
            assert c.number_format.startswith("#,##0"), (c.coordinate, c.number_format)
            decimals = len(c.number_format.partition(".")[2])
            assert decimals <= 2 and c.value == round(c.value, decimals), (c.coordinate, c.value)
    costs = _numbers(wb[cost])
    big = [c for c in costs if c.column > 1]
    assert big and all(c.number_format == "#,##0" and c.value == int(c.value) for c in big)
    assert max(c.value for c in big) > 1_000_000
    for c in _numbers(wb[SHEET_NAMES["nb" if file == "scenario.xlsx" else "en"]["assumptions"]]):
        assert c.number_format.startswith("#,##0") and len(repr(float(c.value)).partition(".")[2]) <= 4


def test_charts_have_thousands_separators_in_the_readers_language(run_dir: Path) -> None:
    """The cost axis reads 100 000 000 (nb) or 100,000,000 (en), never an exponent like 1e8."""
    for directory, group in ((run_dir / "charts", "\u00a0"), (run_dir / "charts" / "en", ",")):
        svg = (directory / "cost_nok_per_year.svg").read_text(encoding="utf-8")
        labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
        assert labels and not [t for t in labels if re.search(r"\de|1e|×10|\^", t)], labels
        assert any(re.fullmatch(rf"\d{{1,3}}({re.escape(group)}\d{{3}}){{2,}}", t.strip()) for t in labels), labels
    html = (run_dir / "rapport.html").read_text(encoding="utf-8")
    shown = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", html))  # not ids, which may hold "1e8"
    assert "1e8" not in shown and "1e7" not in shown and "1e9" not in shown


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
