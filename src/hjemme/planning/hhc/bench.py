"""``hjemme bench hhc``: solve HHCRSP instances, re-check each written file, compare with published ones.

Every solution — hjemme's, read back from the file it wrote, and each published one — is scored by
:func:`hjemme.planning.hhc.check.score_solution` (the independent checker); an invalid solution of
hjemme's counts as no result (gap ``None``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hjemme.errors import InputError
from hjemme.planning.hhc.check import score_solution
from hjemme.planning.hhc.format import read_instance, read_solution, write_solution
from hjemme.planning.hhc.solver import HhcParams, solve_hhc

SECTION = "## Home health care routing (HHCRSP)"


@dataclass(frozen=True, slots=True)
class HhcRow:
    instance: str
    variant: str
    patients: int
    caregivers: int
    objective: float | None
    violations: tuple[str, ...]
    seconds: float
    published: float | None
    published_violations: tuple[str, ...] = ()

    @property
    def gap_pct(self) -> float | None:
        if self.objective is None or self.violations or not self.published:
            return None
        return (self.objective - self.published) / self.published * 100


def instance_files(directory: Path) -> list[Path]:
    files = sorted(f for f in directory.glob("*.json") if not f.name.startswith("sol-"))
    if not files:
        raise InputError("instances", f"no HHCRSP instance files (*.json) in {directory}")
    return files


def published_file(directory: Path, stem: str) -> Path | None:
    """``sol-<instance>-<n>.json`` as in the repository, else ``sol-<instance>.json``, ``<instance>.json``."""
    for pattern in (f"sol-{stem}-*.json", f"sol-{stem}.json", f"{stem}.json"):
        found = sorted(directory.glob(pattern))
        if found:
            return found[0]
    return None


def run_hhc_bench(
    instances: Path,
    time_limit_s: float,
    solutions: Path | None = None,
    out: Path | None = None,
    seed: int = 0,
    workers: int = 1,
    clock: Callable[[], float] = time.perf_counter,
    progress: Callable[[str], None] | None = None,
) -> list[HhcRow]:
    """Solve every instance in ``instances``; write ``sol-<instance>-hjemme.json`` into ``out``."""
    rows = []
    for path in instance_files(instances):
        instance = read_instance(path)
        if progress:
            progress(f"{instance.name}: {len(instance.patients)} patients, {time_limit_s:g} s")
        began = clock()
        solution = solve_hhc(instance, HhcParams(time_limit_s=time_limit_s, seed=seed, workers=workers))
        seconds = clock() - began
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            target = out / f"sol-{instance.name}-hjemme.json"
            write_solution(target, solution)
            solution = read_solution(target)
        score = score_solution(instance, solution)
        published = published_violations = None
        source = published_file(solutions or instances, instance.name)
        if source is not None and source != path:
            # the repository's files round times to three decimals
            ref = score_solution(instance, read_solution(source), tolerance=1e-3)
            published, published_violations = ref.objective, ref.violations
        rows.append(
            HhcRow(
                instance=instance.name,
                variant=instance.variant,
                patients=len(instance.patients),
                caregivers=len(instance.caregivers),
                objective=score.objective,
                violations=score.violations,
                seconds=seconds,
                published=published,
                published_violations=published_violations or (),
            )
        )
    return rows


def mean_gaps_by_size(rows: list[HhcRow]) -> dict[tuple[str, int], tuple[float | None, int]]:
    """(variant, patients) → (mean gap over the instances with a published solution, how many)."""
    groups: dict[tuple[str, int], list[float]] = {}
    for row in rows:
        bucket = groups.setdefault((row.variant, row.patients), [])
        if row.gap_pct is not None:
            bucket.append(row.gap_pct)
    return {k: (sum(v) / len(v) if v else None, len(v)) for k, v in sorted(groups.items())}


def _fmt(value: float | None, pattern: str = "{:.2f}") -> str:
    return pattern.format(value) if value is not None else "–"


def table_rows(rows: list[HhcRow]) -> list[list[str]]:
    out = []
    for r in rows:
        valid = "yes" if not r.violations else f"NO ({len(r.violations)})"
        out.append(
            [
                r.instance,
                r.variant,
                f"{r.patients}/{r.caregivers}",
                _fmt(r.published) + ("" if not r.published_violations else " (invalid)"),
                _fmt(r.objective),
                _fmt(r.gap_pct, "{:+.2f} %"),
                valid,
                f"{r.seconds:.1f}",
            ]
        )
    return out


HEADERS = ["instance", "variant", "patients/caregivers", "published", "hjemme", "gap", "valid", "s"]


def markdown_report(
    rows: list[HhcRow], heading: str, time_limit_s: float, source: str, workers: int = 1
) -> str:
    processes = "one process" if workers == 1 else f"best of {workers} searches in parallel processes"
    lines = [
        heading,
        "",
        f"`{source}`, {time_limit_s:g} s per instance, {processes}. Objective: Mankowska "
        "(distance + total tardiness + max tardiness) / 3; extended: mean of the six published cost "
        "components. Every solution re-read from its file and re-checked by the independent checker.",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "---|" * len(HEADERS),
    ]
    lines += ["| " + " | ".join(cells) + " |" for cells in table_rows(rows)]
    lines.append("")
    lines.append(
        "Mean gap per size: "
        + "; ".join(
            f"{variant} {n} patients {_fmt(gap, '{:+.2f} %')} ({count})"
            for (variant, n), (gap, count) in mean_gaps_by_size(rows).items()
        )
    )
    return "\n".join(lines) + "\n"
