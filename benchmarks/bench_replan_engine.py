"""Re-planning engine on a synthetic Oslo day: urgent visits, cancellations, absences and moves.

Builds the day as ``hjemme bench day`` does (synthetic population, the pathways' tasks, the roster
and fleet as resources), makes the first plan with ``solve`` and runs
:func:`hjemme.planning.bench_replan.run_replan_bench` on it. Run:

    PYTHONPATH=src .venv/bin/python benchmarks/bench_replan_engine.py --patients 1500 --seed 1

Prints a table and appends it to ``docs/benchmarks.md`` under ``## Re-planning engine``. The first
plan is cached (``--cache``) so a second run measures the changes only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

from hjemme.bench_report import append_report, run_heading
from hjemme.catalogue import load_catalogue
from hjemme.domain.workload import tasks_for_day
from hjemme.geo import make_provider
from hjemme.planning.bench_replan import markdown_table, run_replan_bench
from hjemme.planning.params import PlannerParams
from hjemme.planning.plan_json import plan_from_json, plan_to_json
from hjemme.planning.problem import Problem, build_problem
from hjemme.planning.resources import build_resources
from hjemme.planning.solve import solve
from hjemme.planning.validate import validate_plan
from hjemme.synthetic.population import generate_population

ROOT = Path(__file__).resolve().parents[1]
DATE = dt.date(2030, 3, 4)


def synthetic_day(patients: int, seed: int, provider_name: str = "builtin") -> Problem:
    """The day ``hjemme bench day`` plans: ``patients`` synthetic patients of the default catalogue."""
    catalogue = load_catalogue()
    population = generate_population(catalogue, patients, seed, DATE)
    tasks = tasks_for_day(
        DATE,
        population.enrolments,
        {p.id: p for p in population.patients},
        catalogue.pathways,
        catalogue.products,
        catalogue.device_types,
    )
    resources = build_resources(population.staff, population.vehicles, catalogue.sites)
    lab = catalogue.sites[catalogue.lab_site_id].location
    return build_problem(DATE, tasks, resources, lab, make_provider(provider_name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--changes", type=int, default=20, help="changes of each kind")
    parser.add_argument("--time-limit", type=float, default=40.0, help="search seconds of the first plan")
    parser.add_argument("--cache", type=Path, default=Path("/tmp"), help="folder for the first plan")
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args()

    problem = synthetic_day(args.patients, args.seed)
    cached = args.cache / f"hjemme-first-plan-{args.patients}-{args.seed}-{args.time_limit:g}.json"
    began = time.perf_counter()
    if cached.exists():
        first = plan_from_json(json.loads(cached.read_text()))
    else:
        first = solve(problem, PlannerParams(time_limit_s=args.time_limit, seed=args.seed))
        cached.write_text(json.dumps(plan_to_json(first)))
    first_s = time.perf_counter() - began
    assert validate_plan(first, problem.tasks, problem.resources, problem.provider, problem.lab) == []
    rows = run_replan_bench(problem, first, seed=args.seed, changes=args.changes)
    table = "\n".join(
        [
            run_heading(dt.datetime.now(dt.UTC)),
            "",
            f"{args.patients} patients, seed {args.seed}: {len(problem.tasks)} tasks, "
            f"{len(problem.resources)} resources; first plan by `solve` ({args.time_limit:g} s search, "
            f"{first_s:.0f} s{' from cache' if cached.exists() and first_s < 5 else ''}), "
            f"{first.kpis.tasks_planned} planned. Each change on its own at 10:00 (stops before 11:00 "
            "frozen); seconds = apply_changes + repair + validate_plan.",
            "",
            markdown_table(rows),
        ]
    )
    print(table)  # noqa: T201
    if not args.no_append:
        append_report(ROOT / "docs" / "benchmarks.md", table, "## Re-planning engine")


if __name__ == "__main__":
    main()
