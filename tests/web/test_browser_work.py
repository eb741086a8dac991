"""Working with the pages in a real Chromium (issue 14, items 1, 2, 3, 5 and 8): the offline map of
Oslo with one route picked out, the board's live states, an alarm handled from its page and my day,
by keyboard where a person would; and a screenshot of every role's pages at desktop and phone size
in ``test-output/screenshots/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from hjemme.domain.security import Role
from hjemme.web.deps import ROLE_PAGES
from tests.web.browser import CHROMIUM, log_in, planned_site, shot
from tests.web.world import ALARM_RED, FAST, TODAY

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"),
]
SIZES = {"desktop": False, "phone": True}
DATED = {"/plan", "/my-day", "/logistics"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, password_hash: str) -> Iterator[tuple[str, object, str]]:
    with planned_site(tmp_path_factory.mktemp("browser-work"), password_hash, alarms=True, order_days=3,
                      replan_params=FAST, events_check_s=0.3) as site:
        yield site


def test_map_shows_oslo_offline_and_one_route_can_be_picked(world, browser):
    """Without tiles the map draws Kartverket's municipalities with the attribution; a legend button
    (by keyboard) picks one route out on the map and the timeline, and hovering a route names it."""
    url, _engine, _staff = world
    context, page = log_in(browser, url, Role.COORDINATOR)
    try:
        page.goto(f"/plan?date={TODAY}")
        page.wait_for_selector("html[data-ready]")
        assert page.locator("#map path.hj-land").count() >= 20
        assert page.locator(".leaflet-tile").count() == 0
        assert "Kartverket" in page.locator(".leaflet-control-attribution").inner_text()
        box = page.locator("#map").bounding_box()
        assert box["y"] + box["height"] / 2 < 900  # the map is above the fold
        routes = page.locator("#map path.hj-route")
        assert routes.count() == page.locator(".gantt-row[data-route]").count()
        shot(page, "coordinator_map_desktop")
        first = page.locator(".legend-list .route-pick").first
        first.focus()
        page.keyboard.press("Enter")
        assert first.get_attribute("aria-pressed") == "true"
        assert page.locator(".gantt-row.picked").count() == 1
        assert page.locator(".gantt-row.faded").count() == routes.count() - 1
        shot(page, "coordinator_map_route_picked")
        page.locator(".gantt-row.picked .route-pick").click()  # the timeline's name picks it again: off
        assert page.locator(".gantt-row.picked").count() == 0
        routes.first.dispatch_event("mouseover")  # Leaflet's own hover handler on the line
        page.wait_for_selector(".leaflet-tooltip")
        assert re.search(r"\((lege|sykepleier|bud|varebil|fysioterapeut|psykolog)\)",
                         page.locator(".leaflet-tooltip").inner_text())
    finally:
        context.close()


def test_my_day_on_a_phone_by_keyboard(world, browser):
    """On a phone: call and navigate links, start then complete a visit by keyboard, then undo both marks."""
    url, _engine, _staff = world
    context, page = log_in(browser, url, Role.CLINICIAN, phone=True)
    try:
        page.goto(f"/my-day?date={TODAY}")
        card = page.locator("li.stop-visit").first
        task = card.get_attribute("data-task")
        assert card.locator("a.call").get_attribute("href").startswith("tel:")
        assert card.locator("a.navigate").get_attribute("href").startswith("geo:")
        for label in ("Start besøk", "Fullfør"):
            card = page.locator(f"li[data-task='{task}']")
            card.get_by_role("button", name=label).focus()
            with page.expect_navigation():
                page.keyboard.press("Enter")
        card = page.locator(f"li[data-task='{task}']")
        assert card.locator(".pin-status").inner_text() == "ferdig"
        shot(page, "clinician_my_day_done")
        with page.expect_navigation():
            card.get_by_role("button", name="Angre: ferdig").click()
        assert page.locator(f"li[data-task='{task}'] .pin-status").inner_text() == "startet"
        with page.expect_navigation():
            page.locator(f"li[data-task='{task}']").get_by_role("button", name="Angre: startet").click()
        assert page.locator(f"li[data-task='{task}']").get_by_role("button", name="Start besøk").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()


def test_board_shows_a_visit_started_on_the_road_without_reloading(world, browser):
    """The clinician starts a visit on a phone; the coordinator's open board draws it started (SSE)."""
    url, _engine, _staff = world
    board_context, board = log_in(browser, url, Role.COORDINATOR)
    phone_context, phone = log_in(browser, url, Role.CLINICIAN, phone=True)
    try:
        board.goto(f"/plan?date={TODAY}")
        board.wait_for_selector("html[data-ready]")
        board.wait_for_selector("#board-live:not(:empty)")
        phone.goto(f"/my-day?date={TODAY}")
        card = phone.locator("li.stop-visit").first
        task = card.get_attribute("data-task")
        with phone.expect_navigation():
            card.get_by_role("button", name="Start besøk").click()
        board.wait_for_selector(f"rect.state-started[data-task='{task}']", timeout=10_000)
        assert board.locator("line.now-line").count() >= 1
        shot(board, "coordinator_board_live_started")
    finally:
        phone_context.close()
        board_context.close()


def test_alarm_is_handled_from_its_page_by_keyboard(world, browser):
    """The responder acknowledges and resolves with a note from the alarm's own page, keyboard only."""
    url, _engine, _staff = world
    context, page = log_in(browser, url, Role.RESPONDER)
    try:
        page.goto(f"/response/alarms/{ALARM_RED}")
        assert page.locator("svg.sparkline circle.cited").count() == 3
        shot(page, "responder_alarm_page")
        page.get_by_role("button", name="Kvitter").focus()
        page.keyboard.press("Enter")
        page.wait_for_selector("text=Alarmen er kvittert")
        page.get_by_label("Hva ble gjort").focus()
        page.keyboard.type("Ringt pasienten, SpO2 93 % i hvile")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_selector("text=Alarmen er løst.")
        assert "Ringt pasienten" in page.locator("section[aria-labelledby=trail-heading]").inner_text()
        shot(page, "responder_alarm_resolved")
    finally:
        context.close()


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("role", list(Role))
def test_screenshot_of_every_page_per_role_and_size(world, browser, role, size):
    """Every page of every role renders at desktop and phone size (a screenshot each); the phone
    pages of the clinician and the response centre fit the screen's width."""
    url, _engine, _staff = world
    context, page = log_in(browser, url, role, phone=SIZES[size])
    try:
        pages = [p for p, _ in ROLE_PAGES[role]]
        if role is Role.RESPONDER:
            pages.append(f"/response/alarms/{ALARM_RED}")
        for path in pages:
            query = f"?date={TODAY}" if path in DATED else ""
            assert page.goto(path + query).status == 200, path
            if path == "/plan":
                page.wait_for_selector("html[data-ready]")
            shot(page, f"{size}_{role.value}{path.replace('/', '_')}")
            if SIZES[size] and role in (Role.CLINICIAN, Role.RESPONDER):
                assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    finally:
        context.close()
