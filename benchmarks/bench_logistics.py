"""Logistics benchmarks (issue 6): order suggestions for 5,000 patients × 14 days (target ≤ 10 s)
and replenishment for 500 products (target ≤ 5 s).

Run: ``.venv/bin/python benchmarks/bench_logistics.py``. Prints a table and appends it, with the
date and the machine, to ``docs/benchmarks.md`` under ``## Logistics`` (other sections are kept).
Each case runs once after one warm-up (the machine is shared; keep runs brief).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from hjemme.bench_report import append_report, run_heading
from hjemme.catalogue import load_catalogue
from hjemme.domain.catalogue import ProductCategory
from hjemme.logistics.orders import suggest_orders
from hjemme.logistics.replenishment import InventoryPosition, census_demand, plan_replenishment
from hjemme.synthetic.population import generate_population

DATE = dt.date(2026, 11, 23)
DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
HEADING = "## Logistics"


def _timed(run: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def bench_orders(n_patients: int = 5000, horizon_days: int = 14) -> tuple[float, str]:
    catalogue = load_catalogue()
    population = generate_population(catalogue, n_patients, seed=1, date=DATE)
    patients = {p.id: p for p in population.patients}

    def run() -> object:
        return suggest_orders(
            DATE,
            horizon_days,
            population.enrolments,
            catalogue.pathways,
            catalogue.products,
            catalogue.device_types,
            patients=patients,
        )

    seconds, result = _timed(run)
    lines = result.lines  # type: ignore[attr-defined]
    deliveries = len(result.deliveries())  # type: ignore[attr-defined]
    return seconds, f"{len(lines)} lines, {deliveries} deliveries"


def bench_replenishment(n_products: int = 500, history_days: int = 90) -> tuple[float, str]:
    catalogue = load_catalogue()
    rng = np.random.default_rng(2)
    pyrng = random.Random(2)
    base = [p for p in catalogue.products.values() if p.category is not ProductCategory.MTU]
    products = {}
    for i in range(n_products):
        template = base[i % len(base)]
        products[f"{template.id}-{i:03d}"] = replace(template, id=f"{template.id}-{i:03d}")
    population = generate_population(catalogue, 500, seed=2, date=DATE)
    census_base = census_demand(
        suggest_orders(
            DATE, 30, population.enrolments, catalogue.pathways, catalogue.products, catalogue.device_types
        )
    )
    census = {pid: census_base.get(pid.rsplit("-", 1)[0], {}) for pid in products}
    history = {pid: rng.poisson(pyrng.uniform(0.5, 30.0), history_days).astype(float) for pid in products}
    positions = {pid: InventoryPosition(pid, pyrng.randint(0, 400)) for pid in products}

    def run() -> object:
        return plan_replenishment(DATE, products, positions, census=census, history=history)

    seconds, result = _timed(run)
    return seconds, f"{len(result.purchase_orders)} purchase-order lines"  # type: ignore[attr-defined]


def main() -> None:
    bench_orders(200)  # warm-up: imports, catalogue cache
    rows = [
        ("order suggestions, 5,000 patients × 14 days", 10.0, *bench_orders()),
        ("replenishment, 500 products (90-day history, SES)", 5.0, *bench_replenishment()),
    ]
    lines = ["| case | seconds | target s | result |", "|---|---:|---:|---|"]
    for name, target, seconds, detail in rows:
        mark = "ok" if seconds <= target else "OVER"
        lines.append(f"| {name} | {seconds:.2f} | ≤ {target:g} ({mark}) | {detail} |")
    table = "\n".join(lines)
    print(table)
    append_report(DOC, f"{run_heading(dt.datetime.now(dt.UTC))}\n\n{table}", HEADING)


if __name__ == "__main__":
    main()
