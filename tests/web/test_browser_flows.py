"""The changing pages in a real Chromium against a real uvicorn server: a scenario runs and its Excel
downloads, the coordinator adds an urgent visit and plans the day again (it stays), the clinician marks a visit started.

The day is planned by the planner's own services (plan stored with its input); screenshots land in
``test-output/screenshots/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from hjemme.domain.security import Role
from hjemme.planning.params import PlannerParams
from hjemme.services.planning import task_statuses as pin_statuses
from tests.web.browser import CHROMIUM, log_in, planned_site, shot
from tests.web.world import TODAY

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"),
]
FAST = PlannerParams(time_limit_s=0.3, rounds=1)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, password_hash: str) -> Iterator[tuple[str, object, str]]:
    with planned_site(tmp_path_factory.mktemp("browser-planned"), password_hash, replan_params=FAST) as site:
        yield site


def test_small_scenario_runs_and_its_excel_downloads(served, browser, tmp_path: Path):
    """A coordinator runs the default scenario with one replication, sees the results and downloads a valid xlsx."""
    url, _engine, _staff = served
    context, page = log_in(browser, url, Role.COORDINATOR)
    try:
        page.goto("/scenarios")
        shot(page, "coordinator_scenarios")
        page.get_by_label("Replikasjoner (1–50)").fill("1")
        page.get_by_role("button", name="Kjør scenarioet").click()
        page.wait_for_url("**/scenarios/runs/*")
        page.wait_for_selector("#run-done", timeout=180_000)
        assert page.locator(".charts img").count() >= 5
        assert page.locator("table.compare tbody tr").count() >= 5
        # every chart decoded (wait_for_function would evaluate a string, which the page's CSP forbids)
        # lazy images below the fold load only when scrolled to: make them eager first, or decode() waits forever
        page.locator(".charts img").evaluate_all(
            "imgs => Promise.all(imgs.map(i => { i.loading = 'eager'; return i.decode(); }))"
        )
        shot(page, "coordinator_scenario_results")
        with page.expect_download() as info:
            page.get_by_role("link", name="Excel-arbeidsbok", exact=True).click()
        target = tmp_path / "scenario.xlsx"
        info.value.save_as(target)
        workbook = openpyxl.load_workbook(target)
        assert "Sammendrag" in workbook.sheetnames and "Forutsetninger" in workbook.sheetnames
    finally:
        context.close()


def test_coordinator_adds_an_urgent_visit_and_it_survives_planning_the_day_again(served, browser):
    """Choosing a patient and "Legg til akuttbesøket" shows the next version with the visit and what moved;
    then "Optimaliser dagen på nytt" (confirmed) runs with progress and the urgent visit is still there;
    a move to 03:00 is refused naming the rule in Norwegian."""
    url, _engine, _staff = served
    context, page = log_in(browser, url, Role.COORDINATOR)
    try:
        page.goto(f"/plan?date={TODAY}")
        page.wait_for_selector("html[data-ready]")
        before = int(page.locator("#plan-version").get_attribute("data-version"))
        shot(page, "coordinator_plan_changes")
        page.select_option("#urgent", index=1)
        page.get_by_role("button", name="Legg til akuttbesøket").click()
        page.wait_for_url("**done=urgent**")
        page.wait_for_selector("html[data-ready]")
        assert int(page.locator("#plan-version").get_attribute("data-version")) == before + 1
        assert page.get_by_role("status").filter(has_text="Akuttbesøket er lagt til").is_visible()
        assert page.locator("#diff-heading").is_visible()
        assert page.locator(".journal-entries li", has_text="akuttbesøk lagt til").count() == 1
        urgent = page.locator("#move-task option", has_text="-U0").count() + page.get_by_text("-U0").count()
        assert urgent >= 1
        shot(page, "coordinator_plan_after_urgent")
        page.get_by_label("Optimaliser hele dagen på nytt").check()
        page.get_by_role("button", name="Optimaliser dagen på nytt").click()
        page.wait_for_url("**done=planned**", timeout=120_000)
        page.wait_for_selector("html[data-ready]")
        assert int(page.locator("#plan-version").get_attribute("data-version")) == before + 2
        assert page.locator("#move-task option", has_text="-U0").count() + page.get_by_text("-U0").count() >= 1
        shot(page, "coordinator_plan_after_whole_day")
        page.select_option("#move-task-free", index=1)
        page.select_option("#move-resource", index=1)
        page.get_by_label("Ny start (TT:MM)").fill("03:00")
        page.get_by_role("button", name="Kontroller og flytt").click()
        page.wait_for_selector("#edit-result .error-box")
        assert "Flyttingen bryter planens regler" in page.locator("#edit-result").inner_text()
        shot(page, "coordinator_move_refused")
    finally:
        context.close()


def test_clinician_marks_a_visit_started(served, browser):
    """On a phone-sized screen the clinician taps "Start besøk" on a visit; it is pinned and shown as started."""
    url, engine, _staff = served
    context, page = log_in(browser, url, Role.CLINICIAN, phone=True)
    try:
        page.goto(f"/my-day?date={TODAY}")
        card = page.locator("li.stop-visit").first
        task = card.get_attribute("data-task")
        shot(page, "clinician_my_day_planned")
        card.get_by_role("button", name="Start besøk").click()
        page.wait_for_load_state()
        card = page.locator(f"li[data-task='{task}']")
        assert card.locator(".pin-status").inner_text() == "startet"
        assert pin_statuses(engine=engine, date=TODAY)[task] == "started"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "clinician_my_day_started")
    finally:
        context.close()
