"""The loop behind ``hjemme bench rota``: solve each instance, write its roster, re-score it, compare.

The objective reported is the independent evaluator's, computed from the roster *file* read back,
so a roster that does not survive the trip through the published format cannot score.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from hjemme.errors import InputError
from hjemme.rota.benchmark.best_known import BEST_KNOWN, BestKnown, best_known_of
from hjemme.rota.benchmark.evaluate import read_roster_xml, score_roster
from hjemme.rota.benchmark.instance import read_instance
from hjemme.rota.benchmark.model import BenchmarkSolveParams, solve_benchmark
from hjemme.rota.benchmark.roster_xml import roster_to_xml


@dataclass(frozen=True, slots=True)
class RotaBenchRow:
    instance: str
    employees: int
    days: int
    shift_types: int
    objective: int | None  # the evaluator's; None when the roster breaks a hard rule or none was found
    model_objective: int | None
    bound: float | None  # a lower bound: CP-SAT's (whole model) or the LP relaxation's (search), if any
    best_known: BestKnown | None
    seconds: float
    status: str
    breaches: tuple[str, ...]
    method: str = "whole model"

    @property
    def gap_pct(self) -> float | None:
        if self.objective is None or self.best_known is None or self.best_known.value == 0:
            return None
        return 100.0 * (self.objective - self.best_known.value) / self.best_known.value

    @property
    def bound_gap_pct(self) -> float | None:
        """How far the objective may be from the optimum, by the solver's lower bound."""
        if self.objective is None or self.bound is None or self.objective == 0:
            return None
        return 100.0 * (self.objective - self.bound) / self.objective


def _texts(directory: Path) -> list[tuple[Path, str]]:
    """Each instance file's text (a byte-order mark, as some editors write, is dropped)."""
    out = []
    for path in instance_files(directory):
        try:
            out.append((path, path.read_text(encoding="utf-8-sig")))
        except UnicodeDecodeError:
            raise InputError("instances", f"{path.name}: not a text file (UTF-8)") from None
    return out


def instance_files(directory: Path) -> list[Path]:
    """``Instance<N>.txt`` files in number order (other names after them, alphabetically)."""
    files = [p for p in directory.iterdir() if p.suffix == ".txt" and p.name.lower() != "readme.txt"]
    if not files:
        raise InputError("instances", f"no benchmark instance (.txt) in {directory}")

    def key(path: Path) -> tuple[int, str]:
        match = re.search(r"(\d+)$", path.stem)
        return (int(match.group(1)) if match else 10**6, path.stem)

    return sorted(files, key=key)


def run_rota_bench(
    directory: Path,
    params: BenchmarkSolveParams,
    out: Path | None = None,
    best_known: dict[str, BestKnown] | None = None,
    clock: Callable[[], float] = time.perf_counter,
    progress: Callable[[str], None] | None = None,
    on_best: Callable[[str, int], None] | None = None,
) -> list[RotaBenchRow]:
    """Solve every instance in ``directory``; rosters go to ``out`` (``<name>.roster.xml``) if given.
    ``on_best`` is told (instance, cost) each time a better roster is found."""
    table = BEST_KNOWN if best_known is None else best_known
    # every file read before any is solved: a bad one is named at once, not after hours of solving
    loaded = [(path, text, read_instance(text, path.stem)) for path, text in _texts(directory)]
    rows = []
    for path, text, instance in loaded:
        if progress:
            progress(f"{path.stem}: {len(instance.employees)} staff × {instance.horizon_days} days …")
        began = clock()
        result = solve_benchmark(instance, params, on_best=partial(on_best, path.stem) if on_best else None)
        seconds = clock() - began
        xml = roster_to_xml(path.with_suffix(".ros").name, result.roster)
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{path.stem}.roster.xml").write_text(xml, encoding="utf-8")
        score = score_roster(text, read_roster_xml(xml))
        found = result.objective is not None
        rows.append(
            RotaBenchRow(
                instance=path.stem,
                employees=len(instance.employees),
                days=instance.horizon_days,
                shift_types=len(instance.shifts),
                objective=score.objective if found and score.feasible else None,
                model_objective=result.objective,
                bound=result.bound,
                best_known=best_known_of(table, path.stem),
                seconds=seconds,
                status=result.status,
                breaches=tuple(f"{b.rule} ({b.employee} {b.detail})" for b in score.breaches),
                method=result.method,
            )
        )
    return rows


def markdown_table(rows: list[RotaBenchRow]) -> str:
    lines = [
        "| instance | staff × days × shifts | objective (evaluator) | model | bound | best known | gap "
        "| gap to bound | s | status | method |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        bk = f"{r.best_known.value}{'*' if r.best_known.proven else ''}" if r.best_known else "–"
        gap = f"{r.gap_pct:.2f} %" if r.gap_pct is not None else "–"
        bound_gap = f"{r.bound_gap_pct:.1f} %" if r.bound_gap_pct is not None else "–"
        obj = str(r.objective) if r.objective is not None else ("invalid" if r.breaches else "none")
        model = str(r.model_objective) if r.model_objective is not None else "–"
        bound = f"{r.bound:.0f}" if r.bound is not None else "–"
        lines.append(
            f"| {r.instance} | {r.employees} × {r.days} × {r.shift_types} | {obj} | {model} | {bound} "
            f"| {bk} | {gap} | {bound_gap} | {r.seconds:.1f} | {r.status} | {r.method} |"
        )
    return "\n".join(lines)
