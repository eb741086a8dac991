"""How fast the coordinator's day plan becomes interactive for a 1,000-task day (target < 2 s).

Serves the real app with uvicorn over a fresh SQLite file holding one stored plan of N visits over
R routes, opens ``/plan`` in Debian's Chromium (Playwright) as the coordinator, and reads the page
script's ``data-ready-ms`` (milliseconds from navigation start until every route and stop is drawn).
Prints a table and appends it to ``docs/benchmarks.md`` under ``## Web``.

    .venv/bin/python benchmarks/bench_web.py [--tasks 1000] [--routes 40] [--runs 3] [--no-write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the plan and population factories live with the web tests

from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, Server  # noqa: E402
from tests.web.world import NOW, PASSWORD, SETTINGS, big_plan, seed_world, username  # noqa: E402

from hjemme.api.app import create_app  # noqa: E402
from hjemme.bench_report import append_report, run_heading  # noqa: E402
from hjemme.domain.security import Role  # noqa: E402
from hjemme.services.auth import hash_password  # noqa: E402
from hjemme.store.database import create_db_engine, upgrade  # noqa: E402
from hjemme.web.deps import get_now  # noqa: E402
from hjemme.web.router import mount_web  # noqa: E402

TARGET_MS = 2000
REPORT = ROOT / "docs" / "benchmarks.md"


def measure(tasks: int, routes: int, runs: int) -> list[dict[str, float]]:
    plan, patients = big_plan(tasks, routes=routes)
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_db_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        seed_world(engine, hash_password(PASSWORD), plan=plan, patient_ids=patients)
        app = create_app(SETTINGS, engine=engine)
        mount_web(app)
        app.dependency_overrides[get_now] = lambda: NOW
        from playwright.sync_api import sync_playwright

        results = []
        with Server(app) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto("/login")
            page.get_by_label("Brukernavn").fill(username(Role.COORDINATOR))
            page.get_by_label("Passord").fill(PASSWORD)
            page.get_by_role("button", name="Logg inn").click()
            page.wait_for_url("**/plan")
            for _ in range(runs + 1):  # the first load warms the server's template cache
                page.goto(f"/plan?date={NOW.date().isoformat()}")
                page.wait_for_selector("html[data-ready]", timeout=30_000)
                timing = page.evaluate(
                    """() => {
                        const n = performance.getEntriesByType("navigation")[0];
                        return {html_ms: n.responseEnd, dom_ms: n.domContentLoadedEventEnd,
                                ready_ms: Number(document.documentElement.getAttribute("data-ready-ms")),
                                lines: document.querySelectorAll("#map path.hj-route").length,
                                bytes: n.transferSize || n.encodedBodySize};
                    }"""
                )
                results.append(timing)
            browser.close()
        engine.dispose()
    return results[1:]


def table(tasks: int, routes: int, results: list[dict[str, float]]) -> str:
    median = {key: statistics.median(r[key] for r in results) for key in results[0]}
    worst = max(r["ready_ms"] for r in results)
    verdict = "ok" if worst < TARGET_MS else "OVER"
    return "\n".join(
        [
            run_heading(dt.datetime.now(dt.UTC), "Chromium headless"),
            "",
            "| case | HTML received ms | DOM ready ms | interactive ms (median / worst) | target ms "
            "| routes drawn |",
            "|---|---:|---:|---:|---:|---:|",
            f"| day plan, {tasks:,} tasks on {routes} routes ({len(results)} loads) "
            f"| {median['html_ms']:.0f} | {median['dom_ms']:.0f} | {median['ready_ms']:.0f} / {worst:.0f} "
            f"| < {TARGET_MS} ({verdict}) | {median['lines']:.0f} |",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1000)
    parser.add_argument("--routes", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"needs Debian's Chromium at {CHROMIUM}")
    report = table(args.tasks, args.routes, measure(args.tasks, args.routes, args.runs))
    print(report)
    if not args.no_write:
        append_report(REPORT, report, "## Web")


if __name__ == "__main__":
    main()
