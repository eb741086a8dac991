"""Import benchmark (issue 13): 5,000 patient rows from an .xlsx file, target ≤ 30 s.

Run: ``.venv/bin/python benchmarks/bench_import.py [--rows 5000]`` (``HJEMME_TEST_POSTGRES_URL`` set:
PostgreSQL too). Builds a workbook of synthetic patients in the documented format, then times
``hjemme import patients`` end to end — read, check every row, store in one transaction — on a fresh
database, once as a dry run and once for real. Prints a table and appends it to
``docs/benchmarks.md`` under ``## Import``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import tempfile
import time
import uuid
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import text
from sqlalchemy.engine import make_url

from hjemme.bench_report import append_report, run_heading
from hjemme.catalogue import load_catalogue
from hjemme.services.access import SYSTEM
from hjemme.services.imports import COLUMNS, import_file
from hjemme.store.database import create_db_engine, upgrade
from hjemme.synthetic.population import generate_population

DATE = dt.date(2026, 11, 23)
DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
HEADING = "## Import"
TARGET_S = 30.0


def workbook(rows: int) -> bytes:
    population = generate_population(load_catalogue(), rows, seed=11, date=DATE)
    patients = {p.id: p for p in population.patients}
    book = Workbook(write_only=True)
    sheet = book.create_sheet("patients")
    sheet.append([c for c, _, _ in COLUMNS["patients"]])
    for i, e in enumerate(population.enrolments):
        p = patients[e.patient_id]
        sheet.append(
            [
                p.id,
                f"{10000000000 + i:011d}",
                f"DIPS-{i}",
                p.name,
                p.birth_year,
                p.address,
                p.district_id,
                p.location.lat,
                p.location.lon,
                p.phone,
                "",
                p.delivery_notes,
                "",
                p.language,
                "ja" if p.needs_interpreter else "nei",
                "ja" if p.lives_alone else "nei",
                p.clinic,
                e.pathway_id,
                e.start_date,
                e.length_days,
                "",
                "",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(url: str, content: bytes, rows: int) -> list[tuple[str, float]]:
    engine = create_db_engine(url)
    upgrade(engine)
    now = dt.datetime.now(dt.UTC)
    timings = []
    try:
        for dry in (True, False):
            start = time.perf_counter()
            result = import_file(
                engine=engine,
                principal=SYSTEM,
                kind="patients",
                filename="patients.xlsx",
                content=content,
                now=now,
                dry_run=dry,
            )
            timings.append(("dry run" if dry else "import", time.perf_counter() - start))
            assert result.rows == rows
    finally:
        engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    content = workbook(args.rows)
    results: list[tuple[str, str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, seconds in run(f"sqlite:///{tmp}/bench.db", content, args.rows):
            results.append(("SQLite", label, seconds))
    server = os.environ.get("HJEMME_TEST_POSTGRES_URL")
    if server:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        admin = create_db_engine(server)
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
            for label, seconds in run(url.render_as_string(hide_password=False), content, args.rows):
                results.append(("PostgreSQL", label, seconds))
        finally:
            with admin.begin() as c:
                c.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()
    lines = [
        run_heading(dt.datetime.now(dt.UTC), "benchmarks/bench_import.py"),
        "",
        f"{args.rows:,} patient rows in one .xlsx ({len(content) / 1e6:.1f} MB): read, check every row, "
        "store in one "
        "transaction (patients, stays, addresses, history, access log).",
        "",
        "| database | run | seconds | rows/s | target |",
        "|---|---|---:|---:|---|",
        *(
            f"| {db} | {label} | {s:.2f} | {args.rows / s:,.0f} | ≤ {TARGET_S:.0f} s "
            f"({'ok' if s <= TARGET_S else 'MISSED'}) |"
            for db, label, s in results
        ),
    ]
    block = "\n".join(lines)
    print(block)  # noqa: T201
    append_report(DOC, block, HEADING)


if __name__ == "__main__":
    main()
