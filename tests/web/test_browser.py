"""The pages in a real Chromium (Playwright) against a real uvicorn server on a seeded SQLite file.

Screenshots of every page land in ``test-output/screenshots/`` for a reviewer to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hjemme.api.app import create_app
from hjemme.domain.security import Role
from hjemme.planning.plan_json import plan_from_json
from hjemme.store import repositories as repo
from hjemme.store.database import create_db_engine, session_scope, upgrade
from hjemme.web.deps import ROLE_PAGES
from hjemme.web.router import mount_web
from tests.web.browser import CHROMIUM, Server, log_in, shot
from tests.web.world import ALARM_RED, NOW, SETTINGS, TODAY, seed_world

ALL_PAGES = sorted({path for pages in ROLE_PAGES.values() for path, _ in pages})

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"),
]


def serve(database: Path, password_hash: str, **seed: object) -> tuple[Server, object]:
    """A server over a fresh SQLite file seeded through the store, clock pinned at ``NOW``."""
    engine = create_db_engine(f"sqlite:///{database}")
    upgrade(engine)
    seed_world(engine, password_hash, **seed)  # type: ignore[arg-type]
    app = create_app(SETTINGS, engine=engine)
    mount_web(app)
    from hjemme.web.deps import get_now

    app.dependency_overrides[get_now] = lambda: NOW
    return Server(app), engine


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, password_hash: str) -> Iterator[tuple[str, object]]:
    server, engine = serve(tmp_path_factory.mktemp("browser") / "hjemme.db", password_hash)
    with server:
        yield server.url, engine
    engine.dispose()  # type: ignore[attr-defined]


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_only_its_pages(site, browser, role):
    """In the browser each role lands on its start page, has only its own menu, and gets 403 elsewhere."""
    url, _ = site
    context, page = log_in(browser, url, role, phone=role in (Role.CLINICIAN, Role.PATIENT))
    try:
        own = [path for path, _ in ROLE_PAGES[role]]
        menu = page.get_by_role("navigation", name="Hovedmeny").get_by_role("link")
        assert [menu.nth(i).get_attribute("href") for i in range(menu.count())] == own
        query = "?date=2026-11-23" if role in (Role.COORDINATOR, Role.CLINICIAN) else ""
        for path in own:
            assert page.goto(path + query).status == 200
            page.wait_for_selector("html[data-ready]") if path == "/plan" else None
            shot(page, f"{role.value}{path.replace('/', '_')}")
        for path in ALL_PAGES:
            if path not in own:
                response = page.goto(path)
                assert response.status == 403, path
                assert page.get_by_role("heading", name="Ikke for din rolle").is_visible()
        if role is Role.RESEARCHER:
            shot(page, "forbidden_403")
    finally:
        context.close()


def test_day_plan_draws_every_route(site, browser):
    """The day-plan map draws one line per route of the stored plan, on a plain background without tiles."""
    url, engine = site
    with session_scope(engine) as session:
        import json

        stored = plan_from_json(json.loads(repo.latest_plan(session, TODAY).json))
    context, page = log_in(browser, url, Role.COORDINATOR)
    try:
        page.goto("/plan?date=2026-11-23")
        page.wait_for_selector("html[data-ready]")
        assert page.locator("#map path.hj-route").count() == len(stored.routes)
        assert page.locator(".leaflet-tile").count() == 0
        assert page.locator(".gantt-row[role=row]").count() == len(stored.routes) + 1
        shot(page, "coordinator_plan_full")
    finally:
        context.close()


def test_skip_link_is_the_first_stop_for_the_keyboard(site, browser):
    """The first Tab lands on a visible "skip to main content" link that moves focus to the main area."""
    url, _ = site
    context = browser.new_context(base_url=url)
    page = context.new_page()
    try:
        page.goto("/login")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent")
        assert focused.strip() == "Hopp til hovedinnhold"
        assert page.get_by_text("Hopp til hovedinnhold").is_visible()
        shot(page, "login_skip_link_focused")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
    finally:
        context.close()


def test_english_switch(site, browser):
    """The language link switches the page to English and the choice survives the next page."""
    url, _ = site
    context, page = log_in(browser, url, Role.ADMIN)
    try:
        page.get_by_role("link", name="English").click()
        page.wait_for_selector("html[lang=en]")
        page.get_by_role("link", name="Access log").click()
        assert page.get_by_role("heading", name="Access log").is_visible()
        page.get_by_label("Patient id").fill("P00001")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**patient=P00001**")
        shot(page, "admin_access_log_en")
    finally:
        context.close()


def test_acknowledged_alarm_leaves_the_open_list(site, browser):
    """Acknowledging an alarm in the browser takes it off the "needs action" list at once (htmx)."""
    url, _ = site
    context, page = log_in(browser, url, Role.RESPONDER)
    try:
        waiting = page.locator("section[aria-labelledby=waiting-heading]")
        row = waiting.locator(f"tr[data-alarm='{ALARM_RED}']")
        assert row.count() == 1
        shot(page, "responder_worklist_before_ack")
        row.get_by_role("button", name="Kvitter").click()
        row.wait_for(state="detached")
        assert waiting.locator(f"tr[data-alarm='{ALARM_RED}']").count() == 0
        acknowledged = page.locator("section[aria-labelledby=acked-heading]")
        assert acknowledged.locator(f"tr[data-alarm='{ALARM_RED}']").count() == 1
        assert page.url == f"{url}/response"  # swapped in place, no page load
        shot(page, "responder_worklist_after_ack")
        page.goto(f"/response/alarms/{ALARM_RED}")
        assert page.locator("svg.sparkline circle").count() == 3
        shot(page, "responder_alarm")
    finally:
        context.close()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.RESPONDER, Role.LOGISTICS, Role.ADMIN])
def test_pages_and_docs_run_under_the_content_security_policy(site, browser, role):
    """Every page of the role, and /docs, loads and runs its scripts with no CSP violation in the console."""
    url, _ = site
    context, page = log_in(browser, url, role)
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    try:
        query = "?date=2026-11-23" if role is Role.COORDINATOR else ""
        for path, _ in ROLE_PAGES[role]:
            assert page.goto(path + query).status == 200
        page.goto("/plan?date=2026-11-23") if role is Role.COORDINATOR else None
        page.wait_for_selector("html[data-ready]") if role is Role.COORDINATOR else None
        assert page.goto("/docs").status == 200
        page.wait_for_selector(".opblock", timeout=30_000)  # Swagger UI drew the operations
    finally:
        context.close()
    assert violations == []
