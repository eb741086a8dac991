"""What the browser tests share: Debian's Chromium, a uvicorn server in a thread, logging in as a role,
screenshots, and a planned day served over a fresh SQLite file with the clock pinned at ``NOW``."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn
from playwright.sync_api import Error as PlaywrightError

from hjemme.api.app import create_app
from hjemme.domain.security import Role
from hjemme.planning.params import PlannerParams
from hjemme.services.logistics import suggest_orders
from hjemme.store.database import create_db_engine, upgrade
from hjemme.web.deps import get_now, start_page
from hjemme.web.router import mount_web
from tests.scenario_files import narrowed_scenario
from tests.web.world import NOW, PASSWORD, SETTINGS, TODAY, seed_alarms, seed_planned_world, username

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


class Server:
    """uvicorn serving the app in a thread, on a socket that is listening before the thread starts."""

    def __init__(self, app: object) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", lifespan="off", timeout_graceful_shutdown=2)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()


@contextmanager
def planned_site(
    directory: Path,
    password_hash: str,
    *,
    patients: int | None = None,
    alarms: bool = False,
    order_days: int = 0,
    replan_params: PlannerParams | None = None,
    events_check_s: float | None = None,
) -> Iterator[tuple[str, object, str]]:
    """A planned day (the planner's own services) served by uvicorn: yields (url, engine, staff id).

    ``alarms`` adds the world's alarms, ``order_days`` suggests orders that many days ahead,
    ``replan_params`` is what the pages plan with, ``events_check_s`` how often the board polls.
    """
    engine = create_db_engine(f"sqlite:///{directory / 'hjemme.db'}")
    upgrade(engine)
    staff_id = seed_planned_world(engine, password_hash, **({} if patients is None else {"patients": patients}))
    if alarms:
        seed_alarms(engine)
    if order_days:
        suggest_orders(engine=engine, date=TODAY, horizon_days=order_days)
    app = create_app(SETTINGS, engine=engine)
    mount_web(app)
    app.dependency_overrides[get_now] = lambda: NOW
    if replan_params is not None:
        app.state.web_plan_params = replan_params
        app.state.web_replan_params = replan_params
    if events_check_s is not None:
        app.state.plan_events_check_s = events_check_s
    app.state.scenario_root = directory / "scenarios"
    app.state.scenario_default = narrowed_scenario(directory / "scenario-file")
    with Server(app) as server:
        yield server.url, engine, staff_id
    engine.dispose()


def log_in(browser, url: str, role: Role, *, phone: bool = False):
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=viewport, base_url=url)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Brukernavn").fill(username(role))
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(f"{url}{start_page(role)}*")
    return context, page


def shot(page, name: str) -> None:
    """A full-page screenshot for people to look at; asserts nothing about the page.

    Chromium's compositor now and then answers "Unable to capture screenshot" on a loaded machine (CI
    met it once on a page that rendered, and it passed on its own here), so one failed capture is
    tried again after a moment.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = str(SCREENSHOTS / f"{name}.png")
    try:
        page.screenshot(path=path, full_page=True)
    except PlaywrightError as error:
        if "Unable to capture screenshot" not in str(error):
            raise
        page.wait_for_timeout(500)
        page.screenshot(path=path, full_page=True)
