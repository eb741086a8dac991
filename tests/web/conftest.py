"""The web app over a small real database, through FastAPI's TestClient, clock pinned at ``NOW``."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hjemme.api.app import create_app
from hjemme.domain.security import Role
from hjemme.services.auth import hash_password
from hjemme.web.deps import get_now
from hjemme.web.router import mount_web
from tests.web.forms import FormClient
from tests.web.world import FAST, NOW, PASSWORD, SETTINGS, Planned, seed_planned_world, seed_world, username


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright, one per test module (see ``tests/web/browser.py``)."""
    from playwright.sync_api import sync_playwright

    from tests.web.browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Web:
    client: FormClient
    engine: Engine

    def log_in(self, role: Role) -> None:
        """Log in through the form as that role's user (the session cookie stays on the client)."""
        response = self.client.post(
            "/login", data={"username": username(role), "password": PASSWORD}, follow_redirects=False
        )
        assert response.status_code == 303, response.text


@pytest.fixture
def web(db_engine: Engine, password_hash: str) -> Iterator[Web]:
    seed_world(db_engine, password_hash)
    app = create_app(SETTINGS, engine=db_engine)
    mount_web(app)  # a no-op once create_app mounts the pages itself
    app.dependency_overrides[get_now] = lambda: NOW
    with FormClient(app) as client:
        yield Web(client=client, engine=db_engine)


@pytest.fixture
def planned(db_engine: Engine, password_hash: str, tmp_path: Path) -> Iterator[Planned]:
    staff_id = seed_planned_world(db_engine, password_hash)
    app = create_app(SETTINGS, engine=db_engine)
    mount_web(app)
    app.dependency_overrides[get_now] = lambda: NOW
    app.state.web_plan_params = FAST
    app.state.web_replan_params = FAST
    app.state.scenario_root = tmp_path / "scenarios"
    with FormClient(app) as client:
        yield Planned(client, db_engine, staff_id, app)
