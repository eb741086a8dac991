"""Re-planning answer time on a ~300-task Oslo day, end to end through the planning service.

Issue 3 asks that an urgent visit, a cancellation or a clinician off sick is answered within 2 s for
a 300-task day. This measures what a coordinator waits for: load the stored plan and its input,
re-plan with pins, validate independently, store the new version. Run:

    .venv/bin/python benchmarks/bench_replan.py [--patients 280] [--repeats 3]

Prints a table and appends it to ``docs/benchmarks.md`` under ``## Re-planning``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from hjemme.bench_report import append_report, run_heading
from hjemme.domain.resources import ResourceKind
from hjemme.domain.time import at_local
from hjemme.planning.params import PlannerParams
from hjemme.services.database import open_database
from hjemme.services.planning import ReplanRequest, plan_day, replan_day
from hjemme.services.seeding import seed_population

ROOT = Path(__file__).resolve().parents[1]
DATE = dt.date(2026, 11, 23)
TARGET_S = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=280)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        engine = open_database(url=f"sqlite:///{folder}/bench.db")
        seed_population(engine=engine, n_patients=args.patients, seed=1, date=DATE)
        first = plan_day(
            engine=engine, date=DATE, now=at_local(DATE, 360), params=PlannerParams(time_limit_s=2)
        )
        tasks = len(first.problem.tasks)
        clinician_routes = [r for r in first.plan.routes if r.kind is ResourceKind.CLINICIAN and r.stops]
        visits = [s for r in clinician_routes for s in r.stops if s.task_id]
        changes = {
            "urgent visit": lambda i: ReplanRequest(add_urgent_patient=visits[i].patient_id),
            "cancel a visit": lambda i: ReplanRequest(cancel_task=visits[-1 - i].task_id),
            "clinician off sick": lambda i: ReplanRequest(absent_staff=clinician_routes[i].resource_id),
        }
        rows = []
        for name, make in changes.items():
            seconds = []
            for i in range(args.repeats):
                began = time.perf_counter()
                replan_day(engine=engine, date=DATE, request=make(i), now=at_local(DATE, 600))
                seconds.append(time.perf_counter() - began)
            rows.append((name, statistics.median(seconds), max(seconds)))
        engine.dispose()

    lines = [
        f"{run_heading(dt.datetime.now(dt.UTC))}",
        "",
        f"Day of {tasks} tasks ({args.patients} patients), re-planned at 10:00 with begun stops pinned; "
        f"{args.repeats} runs per change; time = load + re-plan + independent validation + store.",
        "",
        "| change | median s | worst s | target |",
        "|---|---:|---:|---|",
    ]
    for name, median, worst in rows:
        verdict = "ok" if worst <= TARGET_S else "OVER"
        lines.append(f"| {name} | {median:.2f} | {worst:.2f} | ≤ {TARGET_S:g} s ({verdict}) |")
    table = "\n".join(lines)
    print(table)  # noqa: T201
    if not args.no_append:
        append_report(ROOT / "docs" / "benchmarks.md", table, "## Re-planning")


if __name__ == "__main__":
    main()
