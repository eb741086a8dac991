"""``hjemme news2``: one set of vitals from options, or a whole CSV file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hjemme.cli.main import app

runner = CliRunner()

HEADER = "rr,spo2,scale,oxygen,sbp,hr,consciousness,temp\n"
WELL = ["--rr", "16", "--spo2", "97", "--sbp", "120", "--hr", "70", "--consciousness", "A",
        "--temp", "37.0"]


def test_single_set_prints_score_and_risk() -> None:
    """Options for one set of vitals print the score and risk band as JSON."""
    result = runner.invoke(app, ["news2", "--rr", "24", "--spo2", "93", "--oxygen", "--sbp", "100",
                                 "--hr", "115", "--consciousness", "A", "--temp", "38.5"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"score": 11, "risk": "high"}


def test_air_is_the_default_and_scale_2_uses_the_target() -> None:
    """A COPD patient at 89 % on air is low risk on scale 2 but scores 3 on scale 1."""
    args = [*WELL[:2], "--spo2", "89", *WELL[4:]]
    scale_1 = runner.invoke(app, ["news2", *args, "--air"])
    scale_2 = runner.invoke(app, ["news2", *args, "--scale", "2"])
    assert json.loads(scale_1.stdout) == {"score": 3, "risk": "low-medium"}
    assert json.loads(scale_2.stdout) == {"score": 0, "risk": "low"}


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--rr", "16"], "mangler verdi"),
        ([*WELL[:-2], "--temp", "37", "--scale", "3"], "skala"),
        ([*WELL[:-4], "--consciousness", "X", "--temp", "37"], "A, C, V, P, U"),
        ([*WELL[:2], "--spo2", "140", *WELL[4:]], "--spo2"),
    ],
)
def test_bad_options_exit_2_with_a_message(args: list[str], fragment: str) -> None:
    """Missing or impossible options exit with status 2 and say what is wrong."""
    result = runner.invoke(app, ["news2", *args])
    assert result.exit_code == 2
    assert fragment in result.stderr


def test_csv_rows_get_score_and_risk_appended(tmp_path: Path) -> None:
    """Each CSV row is written back unchanged with its score and risk band added."""
    source = tmp_path / "vitals.csv"
    source.write_text(
        HEADER
        + "16,97,1,air,120,70,A,37\n"
        + "24,93,2,O2,100,115,c,38.5\n"
        + "8,91,1,true,90,40,U,35.0\n"
        + "25,96,2,yes,220,131,V,39.1\n"
        + "12,88,2,no,111,51,A,36.1\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["news2", "--csv", str(source)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == HEADER.strip() + ",score,risk"
    assert lines[1:] == [
        "16,97,1,air,120,70,A,37,0,low",
        "24,93,2,O2,100,115,c,38.5,13,high",
        "8,91,1,true,90,40,U,35.0,20,high",
        "25,96,2,yes,220,131,V,39.1,18,high",
        "12,88,2,no,111,51,A,36.1,0,low",
    ]


def test_csv_out_writes_a_file(tmp_path: Path) -> None:
    """``--out`` writes the scored rows to a file instead of standard output."""
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(HEADER + "16,97,1,0,120,70,A,37.0\n20,95,1,1,120,70,C,37.0\n", encoding="utf-8")
    result = runner.invoke(app, ["news2", "--csv", str(source), "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").splitlines()[1:] == [
        "16,97,1,0,120,70,A,37.0,0,low",
        "20,95,1,1,120,70,C,37.0,6,medium",
    ]


def test_semicolon_and_decimal_comma_from_spreadsheets(tmp_path: Path) -> None:
    """A Norwegian spreadsheet export with semicolons and decimal commas is read as well."""
    source = tmp_path / "excel.csv"
    source.write_text("\ufeff" + HEADER.replace(",", ";") + "16;97;1;air;120;70;A;38,1\n",
                      encoding="utf-8")
    result = runner.invoke(app, ["news2", "--csv", str(source)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == "16;97;1;air;120;70;A;38,1;1;low"


@pytest.mark.parametrize(
    ("row", "column", "value"),
    [
        ("16,97,1,maybe,120,70,A,37", "oxygen", "maybe"),
        ("16,abc,1,air,120,70,A,37", "spo2", "abc"),
        ("16,97,3,air,120,70,A,37", "scale", "3"),
        ("16,97,1,air,120,70,Z,37", "consciousness", "Z"),
        ("16,97,1,air,120,-5,A,37", "hr", "-5"),
        ("16,97,1,air,,70,A,37", "sbp", ""),
    ],
)
def test_csv_bad_value_names_row_column_and_value(tmp_path: Path, row: str, column: str, value: str) -> None:
    """A bad cell exits with status 2, names its row, column and value, and writes no rows."""
    source = tmp_path / "bad.csv"
    source.write_text(HEADER + "16,97,1,air,120,70,A,37\n" + row + "\n", encoding="utf-8")
    result = runner.invoke(app, ["news2", "--csv", str(source)])
    assert result.exit_code == 2
    assert "rad 2" in result.stderr
    assert f"'{column}'" in result.stderr
    assert f"'{value}'" in result.stderr
    assert result.stdout == ""


def test_csv_missing_column_exits_2(tmp_path: Path) -> None:
    """A file without one of the required columns is refused, naming the column."""
    source = tmp_path / "short.csv"
    source.write_text("rr,spo2,scale,oxygen,sbp,hr,temp\n16,97,1,air,120,70,37\n", encoding="utf-8")
    result = runner.invoke(app, ["news2", "--csv", str(source)])
    assert result.exit_code == 2
    assert "consciousness" in result.stderr


def test_csv_missing_file_exits_2(tmp_path: Path) -> None:
    """A file that does not exist gives status 2, not a traceback."""
    result = runner.invoke(app, ["news2", "--csv", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "nope.csv" in result.stderr


def test_csv_accepts_spelled_out_values(tmp_path: Path) -> None:
    """Words for oxygen and consciousness (RA, on oxygen, Confused, alert) are understood."""
    source = tmp_path / "words.csv"
    source.write_text(HEADER + "16,97,1,RA,120,70,Confused,37\n16,97,1,on oxygen,120,70,alert,37\n",
                      encoding="utf-8")
    result = runner.invoke(app, ["news2", "--csv", str(source)])
    assert result.exit_code == 0, result.output
    assert [line.split(",")[-2:] for line in result.stdout.splitlines()[1:]] == [["3", "low-medium"],
                                                                                ["2", "low"]]
