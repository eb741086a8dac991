"""The rota pages in a real Chromium: planning runs as a job whose page follows it (htmx polling the
progress bar) to the draft's grid without the planner reloading; in English the legend and the
wish form read in English."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from hjemme.domain.security import Role
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from tests.store import factories
from tests.web.browser import CHROMIUM, log_in, shot
from tests.web.test_browser import serve

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, password_hash: str) -> Iterator[str]:
    server, engine = serve(tmp_path_factory.mktemp("browser-rota") / "hjemme.db", password_hash)
    with session_scope(engine) as session:  # type: ignore[arg-type]
        repo.add_staff(session, [factories.nurse(f"S01{i}", name=f"Kari Turnus {i}") for i in range(5)])
    with server:
        yield server.url
    engine.dispose()  # type: ignore[attr-defined]


def _plan(page, weeks: int) -> None:
    """Plan the haematology team's rota on the English page and follow the job to the draft's grid."""
    page.goto("/rota?lang=en")
    page.get_by_label("Team", exact=True).select_option("haematology")
    page.get_by_label("Weeks").fill(str(weeks))
    page.get_by_role("button", name="Plan", exact=True).click()
    page.wait_for_url(re.compile(r".*/rota/(jobs/[0-9a-f]{32}|\d+)$"))
    page.wait_for_url(re.compile(r".*/rota/\d+$"), timeout=90_000)  # no reload by hand


def test_planning_follows_the_job_to_the_grid(site, browser):
    """Plan → the job page (a progress bar) → by itself, the draft's grid with the team's shift times;
    a wish entered on the grid is listed as the page says."""
    context, page = log_in(browser, site, Role.COORDINATOR)
    try:
        _plan(page, weeks=1)
        assert "Day 07:30–15:30" in page.locator("p.legend").inner_text()
        page.get_by_label("Wish", exact=True).select_option("day_off")
        page.get_by_label("Weight").select_option("5")
        page.get_by_role("button", name="Save the wish").click()
        page.wait_for_url(re.compile(r".*note=wish.*"))
        assert "Wishes (1)" in page.locator("#wishes").inner_text()
        shot(page, "coordinator_rota_grid_wish")
    finally:
        context.close()


def test_a_changed_cell_comes_back_where_the_planner_was(site, browser):
    """A four-week grid is wider than the screen: after a cell in the last week is changed, the page
    that comes back with the check is scrolled to the same place, the changed cell in view."""
    context, page = log_in(browser, site, Role.COORDINATOR)
    try:
        _plan(page, weeks=4)
        page.wait_for_selector("html[data-ready]")
        cell = page.get_by_label("Kari Turnus 4 26 Dec 2026", exact=True)
        cell.scroll_into_view_if_needed()
        left = page.locator(".rota-scroll").evaluate("e => e.scrollLeft")
        assert left > 0  # the grid is wider than the screen
        was = cell.input_value()
        cell.select_option("" if was else "D")
        page.wait_for_load_state()
        page.wait_for_selector("html[data-ready]")
        after = page.get_by_label("Kari Turnus 4 26 Dec 2026", exact=True)
        assert after.input_value() == ("" if was else "D")
        assert page.locator(".rota-scroll").evaluate("e => e.scrollLeft") == left
        box, view = after.bounding_box(), page.viewport_size
        assert box and 0 <= box["x"] < view["width"] and 0 <= box["y"] < view["height"]
    finally:
        context.close()


def test_the_shift_times_fit_a_phone(site, browser):
    """On a phone the teams' shift times are a card per team, no wider than the screen, each pair of
    time fields under its shift's name and default; a time changed there is saved (and put back, as
    the module's other tests plan with the default times)."""
    context, page = log_in(browser, site, Role.COORDINATOR, phone=True)
    try:
        page.goto("/rota?lang=en")
        assert page.locator(".team-shifts").evaluate("e => e.scrollWidth") <= 390
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        first = page.locator(".team-shifts tbody tr").first.locator("td").first
        label = first.evaluate("e => getComputedStyle(e, '::before').content")
        assert label == '"Day (default 07:30–15:30)"', label
        start = page.get_by_label("Haematology, day: start", exact=True)
        field, card = start.bounding_box(), first.bounding_box()
        # the label's line is above the field (in the table the field is at the cell's top)
        assert field and card and field["y"] - card["y"] >= 12 and field["x"] + field["width"] <= 390
        shot(page, "phone_coordinator_rota_shift_times")
        for time in ("07:00", "07:30"):
            page.get_by_label("Haematology, day: start", exact=True).fill(time)
            with page.expect_navigation(url=re.compile(r".*note=shifts.*")):  # the second save's own page
                page.locator(".team-shifts").get_by_role("button", name="Save").click()
            assert page.get_by_label("Haematology, day: start", exact=True).input_value() == time
    finally:
        context.close()
