"""Scenario benchmarks (issue 4): the default fast projection and deep mode's Dask speed-up.

* fast: ``scenarios/default.yaml`` at its default replications (2000 since issue 15), one process
  per core as ``hjemme scenario run`` (target ≤ 60 s on 2 cores), timed from loading the file to
  the last replication (outputs not included);
* deep: K synthetic days × 3 alternatives planned on a local Dask cluster with 1 and then 2
  workers (target speed-up ≥ 1.7×). Workers are started and warmed (model built) before timing.

Run: ``.venv/bin/python benchmarks/bench_scenario.py [--deep-days K] [--skip-deep]``. Prints a
table and appends it, with date and machine, to ``docs/benchmarks.md`` under ``## Scenarios``
(other sections are kept). The machine is shared: numbers vary with the team's load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

from hjemme.bench_report import append_report, machine_description

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Scenarios"
DEFAULT = ROOT / "scenarios" / "default.yaml"


def bench_fast(replications: int | None = None) -> tuple[float, str]:
    from hjemme.catalogue import load_catalogue
    from hjemme.scenario.config import load_scenario
    from hjemme.scenario.fast import run_fast
    from hjemme.scenario.model import build_model

    start = time.perf_counter()
    config = load_scenario(DEFAULT)
    replications = replications or config.replications  # the default run (2000 since issue 15)
    model = build_model(config, load_catalogue())
    processes = os.cpu_count() or 1  # as `hjemme scenario run` does by default
    samples = run_fast(model, replications=replications, seed=config.seed, years=config.years,
                       alternatives=sorted(config.delivery_models), processes=processes)
    seconds = time.perf_counter() - start
    shape = (f"{len(config.years)} years × {len(config.delivery_models)} alternatives × {replications} "
             f"replications, NPV 2024–2035 and Alt 1 break-even in each, {processes} processes")
    return seconds, f"{shape}, {len(samples)} values"


def _warm(config_json: str) -> bool:
    from hjemme.scenario.deep import _model

    _model(config_json)
    return True


def bench_deep(days: int, workers: int, scale: float, time_limit_s: float) -> float:
    from dask.distributed import Client, LocalCluster

    from hjemme.catalogue import load_catalogue
    from hjemme.scenario.config import load_scenario
    from hjemme.scenario.deep import DeepParams, run_deep
    from hjemme.scenario.model import build_model

    config = load_scenario(DEFAULT)
    model = build_model(config, load_catalogue())
    params = DeepParams(time_limit_s=time_limit_s, census_scale=scale)
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
    with cluster, Client(cluster) as client:
        client.run(_warm, config.model_dump_json())
        start = time.perf_counter()
        run_deep(model, days=days, seed=config.seed, year=config.years[-1],
                 scheduler=cluster.scheduler_address, params=params)
        return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deep-days", type=int, default=2)
    parser.add_argument("--deep-scale", type=float, default=0.1)
    parser.add_argument("--deep-time-limit", type=float, default=0.5)
    parser.add_argument("--skip-deep", action="store_true")
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args(argv)

    rows = []
    seconds, detail = bench_fast()
    verdict = "ok" if seconds <= 60 else "OVER"
    rows.append(("fast projection (default.yaml)", f"{seconds:.2f}", "≤ 60 s", verdict, detail))
    if not args.skip_deep:
        one = bench_deep(args.deep_days, 1, args.deep_scale, args.deep_time_limit)
        two = bench_deep(args.deep_days, 2, args.deep_scale, args.deep_time_limit)
        speedup = one / two
        detail = (f"{args.deep_days} days × 3 alternatives, census × {args.deep_scale}, "
                  f"{args.deep_time_limit} s per planner stage")
        rows.append(("deep mode, 1 Dask worker", f"{one:.2f}", "", "", detail))
        rows.append(("deep mode, 2 Dask workers", f"{two:.2f}", "speed-up ≥ 1.7×",
                     f"{speedup:.2f}× " + ("ok" if speedup >= 1.7 else "UNDER"), detail))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M UTC")
    lines = [f"### {stamp} — {machine_description()} (shared machine)", "",
             "| case | seconds | target | result | detail |", "|---|---:|---|---|---|"]
    lines += [f"| {' | '.join(r)} |" for r in rows]
    block = "\n".join(lines) + "\n"
    sys.stdout.write(block)
    if not args.no_append:
        append_report(DOC, block, HEADING)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
