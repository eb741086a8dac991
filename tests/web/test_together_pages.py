"""Two-person visits on the pages (issue 16): the day plan and my day say who comes along."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from hjemme.api.app import create_app
from hjemme.domain.plans import Partner, Plan, Route
from hjemme.domain.resources import ResourceKind
from hjemme.domain.security import Role
from hjemme.web.deps import get_now
from tests.web.conftest import Web
from tests.web.forms import FormClient
from tests.web.world import NOW, NURSE, SETTINGS, seed_world, small_plan

PHYSIO = "S0002"


def together_plan() -> Plan:
    """The nurse's 08:00 visit T1 is done together with a physiotherapist's T1B at the same minute."""
    plan = small_plan()
    nurse = plan.routes[0]
    first = replace(nurse.stops[0], partner=Partner(PHYSIO, "T1B", 480))
    second = replace(nurse.stops[0], task_id="T1B", partner=Partner(NURSE, "T1", 480))
    physio = Route(PHYSIO, ResourceKind.CLINICIAN, "C002", (second,))
    routes = (replace(nurse, stops=(first, *nurse.stops[1:])), plan.routes[1], physio)
    return replace(plan, routes=routes, kpis=replace(plan.kpis, tasks_total=6, tasks_planned=5))


@pytest.fixture
def together_web(db_engine, password_hash) -> Iterator[Web]:
    seed_world(db_engine, password_hash, plan=together_plan())
    app = create_app(SETTINGS, engine=db_engine)
    app.dependency_overrides[get_now] = lambda: NOW
    with FormClient(app) as client:
        yield Web(client=client, engine=db_engine)


def test_my_day_says_who_comes_along(together_web) -> None:
    """The nurse's card for the visit reads 'sammen med S0002 kl. 08:00'; English says 'together with'."""
    together_web.log_in(Role.CLINICIAN)
    page = together_web.client.get("/my-day?date=2026-11-23").text
    assert f"sammen med {PHYSIO} kl. 08:00" in page
    english = together_web.client.get("/my-day?date=2026-11-23&lang=en").text
    assert f"together with {PHYSIO} at 08:00" in english


def test_the_day_plan_shows_both_halves_together(together_web) -> None:
    """The coordinator's day plan lists the nurse's stop with the physiotherapist and the other way round."""
    together_web.log_in(Role.COORDINATOR)
    page = together_web.client.get("/plan?date=2026-11-23").text
    assert f"sammen med {PHYSIO} kl. 08:00" in page
    assert f"sammen med {NURSE} kl. 08:00" in page
