"""``hjemme bench rota`` solves a directory of instances, writes rosters and appends its table."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from hjemme.cli.main import app
from hjemme.rota.benchmark.evaluate import read_roster_xml, score_roster

DATA = Path(__file__).parent / "data"


def test_bench_rota_reports_instance1_at_zero_gap(tmp_path: Path):
    """Instance 1 is reported at 607 with a 0.00 % gap; its roster file scores 607 on its own."""
    instances = tmp_path / "instances"
    instances.mkdir()
    shutil.copy(DATA / "Instance1.txt", instances)
    report, out = tmp_path / "bench.md", tmp_path / "rosters"
    args = ["bench", "rota", "--instances", str(instances), "--time-limit", "30", "--workers", "2"]
    result = CliRunner().invoke(app, [*args, "--out", str(out), "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "607" in result.output and "0.00 %" in result.output
    text = report.read_text()
    assert "## Staff rota (Curtois & Qu employee shift scheduling)" in text and "| Instance1 |" in text
    roster = read_roster_xml((out / "Instance1.roster.xml").read_text())
    assert score_roster((DATA / "Instance1.txt").read_text(), roster).objective == 607


def test_bench_rota_shows_each_instance_with_its_best_cost_while_it_solves(tmp_path: Path):
    """Each instance gets a progress line with its name, size and the best cost found so far, which
    for instance 1 ends at its optimum."""
    shutil.copy(DATA / "Instance1.txt", tmp_path)
    args = ["bench", "rota", "--instances", str(tmp_path), "--time-limit", "30", "--workers", "2"]
    result = CliRunner().invoke(app, [*args, "--no-append"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if "Instance1: 8 staff × 14 days" in line)
    assert line.rstrip().endswith("best 607"), line


def test_bench_rota_refuses_an_empty_directory(tmp_path: Path):
    """A directory without instance files is a bad --instances value (exit 2), not a crash."""
    result = CliRunner().invoke(app, ["bench", "rota", "--instances", str(tmp_path), "--no-append"])
    assert result.exit_code == 2
    assert "no benchmark instance" in result.output


def test_bench_rota_reads_a_file_saved_with_a_byte_order_mark(tmp_path: Path):
    """Instance 1 saved by an editor that writes a UTF-8 byte-order mark solves as the plain file."""
    (tmp_path / "Instance1.txt").write_bytes(b"\xef\xbb\xbf" + (DATA / "Instance1.txt").read_bytes())
    args = ["bench", "rota", "--instances", str(tmp_path), "--time-limit", "30", "--workers", "2"]
    result = CliRunner().invoke(app, [*args, "--no-append"])
    assert result.exit_code == 0, result.output
    assert "607" in result.output and "0.00 %" in result.output


def test_bench_rota_knows_instance1_under_another_case_leading_zeros_and_windows_line_ends(tmp_path: Path):
    """``instance01.txt`` saved with CRLF line ends is instance 1: solved to 607 and compared with its
    best known (0.00 %), not shown without one."""
    (tmp_path / "instance01.txt").write_bytes((DATA / "Instance1.txt").read_bytes().replace(b"\n", b"\r\n"))
    args = ["bench", "rota", "--instances", str(tmp_path), "--time-limit", "30", "--workers", "2"]
    result = CliRunner().invoke(app, [*args, "--no-append"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if "instance01 " in line and "%" in line)
    assert "607*" in row and "0.00 %" in row, row


def test_bench_rota_names_a_bad_file_before_solving_any(tmp_path: Path):
    """A broken line in one file, or a file that is not text, is refused (exit 2) naming it, before
    the good instances are solved: no time is spent that the refusal would throw away."""
    shutil.copy(DATA / "Instance1.txt", tmp_path)
    broken = (DATA / "Instance1.txt").read_text().replace("A,D=14,4320", "A,D=14,lots")
    (tmp_path / "Instance2.txt").write_text(broken)
    args = ["bench", "rota", "--instances", str(tmp_path), "--time-limit", "30", "--no-append"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "--instances: Instance2:" in result.output
    assert "8 staff" not in result.output  # Instance1 was never started
    (tmp_path / "Instance2.txt").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "Instance2.txt: not a text file" in result.output
