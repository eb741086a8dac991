"""Solomon reading, the CVRPLIB convention, the independent checker and the bench report."""

from __future__ import annotations

from pathlib import Path

import pytest

from hjemme.bench_report import append_report
from hjemme.errors import InputError
from hjemme.planning.bench_vrptw import markdown_report, mean_gaps, run_vrptw_bench
from hjemme.planning.vrptw import check_solution, read_solomon

TINY = """TINY1

VEHICLE
NUMBER     CAPACITY
  3         30

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      40         50          0          0       1236          0
    1      45         68         10        912        967         90
    2      45         70         30        825        870         90
    3      42         66         10         65        146         90
    4      42         68         10        727        782         90
"""


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    directory = tmp_path / "instances"
    directory.mkdir()
    (directory / "TINY1.txt").write_text(TINY)
    (tmp_path / "bks.csv").write_text("instance,vehicles,distance,source\nTINY1,3,100.0,made-up\n")
    return directory


def test_reads_a_solomon_file(tiny: Path):
    """The depot and customers are read with demand, windows and service times."""
    inst = read_solomon(tiny / "TINY1.txt")
    assert (inst.vehicles, inst.capacity, inst.size) == (3, 30, 5)
    assert inst.ready[1] == 912 and inst.due[0] == 1236 and inst.service[2] == 90


def test_distances_are_truncated_to_one_decimal(tiny: Path):
    """Each arc is the Euclidean distance truncated to tenths (CVRPLIB convention)."""
    inst = read_solomon(tiny / "TINY1.txt")
    # depot (40,50) to customer 1 (45,68): sqrt(25 + 324) = 18.681... -> 18.6
    assert inst.tenths()[0, 1] == 186


def test_checker_accepts_a_feasible_solution_and_counts_its_distance(tiny: Path):
    """A feasible solution passes and its distance is the sum of truncated arcs."""
    inst = read_solomon(tiny / "TINY1.txt")
    check = check_solution(inst, [[3], [2], [4, 1]])
    assert check.violations == ()
    d = inst.tenths()
    assert check.distance == (d[0, 3] + d[3, 0] + d[0, 2] + d[2, 0] + d[0, 4] + d[4, 1] + d[1, 0]) / 10


def test_checker_rejects_capacity_window_and_missing_customers(tiny: Path):
    """Over-full routes, late starts and unserved customers are each reported."""
    inst = read_solomon(tiny / "TINY1.txt")
    assert any("capacity" in v for v in check_solution(inst, [[2, 3], [4, 1]]).violations)
    assert any("after due" in v for v in check_solution(inst, [[1, 3], [2], [4]]).violations)
    assert any("served 0 times" in v for v in check_solution(inst, [[3], [2]]).violations)


def test_malformed_file_is_an_input_error(tmp_path: Path):
    """A file that is not a Solomon instance is refused by name."""
    bad = tmp_path / "bad.txt"
    bad.write_text("hello")
    with pytest.raises(InputError):
        read_solomon(bad)


def test_bench_solves_checks_and_reports(tiny: Path, tmp_path: Path):
    """The bench solves with hjemme's core, checks the result and appends a section to the report."""
    rows = run_vrptw_bench(tiny, time_limit_s=0.2)
    cell = rows[0].cells[0]
    assert cell.violations == () and cell.distance is not None
    assert rows[0].bks == 100.0 and mean_gaps(rows)["hjemme"] == pytest.approx(cell.gap_pct)
    report = tmp_path / "benchmarks.md"
    report.write_text("# Benchmarks\n\n## Logistics\n\nkept\n")
    append_report(report, markdown_report(rows, 0.2, "today", "test machine"), section="## VRPTW (Solomon)")
    append_report(report, markdown_report(rows, 0.2, "tomorrow", "test machine"), section="## VRPTW (Solomon)")
    text = report.read_text()
    assert "## Logistics\n\nkept" in text and text.count("## VRPTW (Solomon)") == 1
    assert text.index("today") < text.index("tomorrow")
