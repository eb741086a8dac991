"""The VRPTW benchmark behind ``hjemme bench vrptw``: hjemme's routing core against the BKS and peers.

Every solution, whoever produced it, is re-checked by :func:`hjemme.planning.vrptw.check_solution`
and its distance recomputed there; an invalid solution counts as no result (gap ``None``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hjemme.errors import InputError
from hjemme.planning.solvers import peers
from hjemme.planning.solvers.pyvrp import solve_vrptw
from hjemme.planning.vrptw import VrptwInstance, check_solution, read_bks, read_solomon

HJEMME = "hjemme"
PEERS = ("OR-Tools", "PyVRP", "VROOM")


@dataclass(frozen=True, slots=True)
class BenchCell:
    solver: str
    distance: float | None
    vehicles: int
    seconds: float
    gap_pct: float | None
    violations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BenchRow:
    instance: str
    bks: float | None
    cells: tuple[BenchCell, ...]


def pick_instances(directory: Path, limit: int | None) -> list[Path]:
    """The instance files, sorted; ``limit`` picks that many spread evenly over the classes."""
    files = sorted(p for p in directory.iterdir() if p.suffix.lower() in (".txt", ".vrp"))
    if not files:
        raise InputError("instances", f"no Solomon instance files in {directory}")
    if limit is None or limit >= len(files):
        return files
    step = len(files) / limit
    return [files[int(i * step)] for i in range(limit)]


def find_bks(directory: Path) -> dict[str, tuple[int, float]]:
    for candidate in (directory / "bks.csv", directory.parent / "bks.csv"):
        if candidate.exists():
            return read_bks(candidate)
    return {}


def run_vrptw_bench(
    directory: Path,
    time_limit_s: float,
    limit: int | None = None,
    with_peers: bool = False,
    seed: int = 0,
    clock: Callable[[], float] = time.perf_counter,
    progress: Callable[[str], None] | None = None,
) -> list[BenchRow]:
    """Solve each picked instance with hjemme's core (and the peers) and check every solution."""
    bks = find_bks(directory)
    solvers: list[tuple[str, Callable[[VrptwInstance], list[list[int]]]]] = [
        (HJEMME, lambda inst: solve_vrptw(inst, time_limit_s, seed)),
    ]
    if with_peers:
        solvers += [
            ("OR-Tools", lambda inst: peers.ortools_vrptw(inst, time_limit_s)),
            ("PyVRP", lambda inst: peers.pyvrp_vrptw(inst, time_limit_s, seed)),
            ("VROOM", peers.vroom_vrptw),
        ]
    rows = []
    for path in pick_instances(directory, limit):
        instance = read_solomon(path)
        best = bks.get(instance.name, (0, None))[1]
        cells = []
        for name, run in solvers:
            if progress:
                progress(f"{instance.name}: {name}")
            began = clock()
            routes = run(instance)
            seconds = clock() - began
            check = check_solution(instance, routes)
            valid = not check.violations
            gap = (check.distance - best) / best * 100 if valid and best else None
            cells.append(
                BenchCell(
                    name, check.distance if valid else None, check.vehicles, seconds, gap, check.violations
                )
            )
        rows.append(BenchRow(instance.name, best, tuple(cells)))
    return rows


def mean_gaps(rows: list[BenchRow]) -> dict[str, float | None]:
    """Mean gap per solver over the instances it solved validly (``None`` if it solved none)."""
    names = [c.solver for c in rows[0].cells] if rows else []
    result: dict[str, float | None] = {}
    for name in names:
        gaps = [c.gap_pct for r in rows for c in r.cells if c.solver == name and c.gap_pct is not None]
        result[name] = sum(gaps) / len(gaps) if gaps else None
    return result


def markdown_report(rows: list[BenchRow], time_limit_s: float, when: str, machine: str) -> str:
    """A markdown block for ``docs/benchmarks.md``: one row per instance, then the mean gaps."""
    names = [c.solver for c in rows[0].cells] if rows else []
    head = "| instance | BKS | " + " | ".join(f"{n} dist | {n} gap | {n} veh | {n} s" for n in names) + " |"
    rule = "|" + "---|" * (2 + 4 * len(names))
    lines = [f"### {when}, {time_limit_s:g} s per instance and solver, {machine}", "", head, rule]
    for row in rows:
        cells = []
        for c in row.cells:
            dist = f"{c.distance:.1f}" if c.distance is not None else "invalid"
            gap = f"{c.gap_pct:.2f} %" if c.gap_pct is not None else "–"
            cells.append(f"{dist} | {gap} | {c.vehicles} | {c.seconds:.1f}")
        bks = f"{row.bks:.1f}" if row.bks is not None else "–"
        lines.append(f"| {row.instance} | {bks} | " + " | ".join(cells) + " |")
    gaps = mean_gaps(rows)
    lines.append("")
    lines.append(
        "Mean gap: " + ", ".join(f"{n} {g:.2f} %" if g is not None else f"{n} –" for n, g in gaps.items())
    )
    return "\n".join(lines) + "\n"
