"""My day's span runs from the first real stop to the last, not from a break (issue 11)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hjemme.api.app import create_app
from hjemme.domain.geo import Location
from hjemme.domain.plans import Plan, PlanKpis, Route, Stop
from hjemme.domain.resources import ResourceKind
from hjemme.domain.security import Role
from hjemme.domain.time import TimeWindow
from hjemme.web.deps import get_now
from tests.web.conftest import Web
from tests.web.forms import FormClient
from tests.web.world import NASTY, NOW, NURSE, SELF, SETTINGS, TODAY, seed_world

HOME = Location(59.93, 10.73)


def _stop(task: str | None, kind: str, patient: str | None, arrive: int, start: int, end: int) -> Stop:
    window = TimeWindow(start - 30, start + 60) if task else None
    return Stop(task, kind, patient, None if kind == "break" else HOME, arrive, start, end, window)


def late_start_plan() -> Plan:
    """The nurse's route as the planner stores it when the break is placed first: the break
    "arrives" at the shift start 08:00, the first visit is at 11:00, and a second break ends the day."""
    nurse = Route(NURSE, ResourceKind.CLINICIAN, "C001", (
        _stop(None, "break", None, 480, 630, 660),
        _stop("T1", "visit", SELF, 655, 660, 705),
        _stop("T2", "visit", NASTY, 750, 760, 790),
        _stop(None, "lab", None, 815, 820, 825),
        _stop(None, "break", None, 825, 840, 870),
    ))
    van = Route("V001", ResourceKind.VAN, "V001", (
        _stop(None, "break", None, 420, 600, 630),
        _stop("T3", "delivery", "P00003", 535, 540, 550),
    ))
    return Plan(TODAY, (nurse, van), (), (), PlanKpis(3, 3, 10.0, 1.0, 0.5, 1.0, 30, 1.0, 0.1))


@pytest.fixture
def late_web(db_engine, password_hash) -> Iterator[Web]:
    seed_world(db_engine, password_hash, plan=late_start_plan())
    app = create_app(SETTINGS, engine=db_engine)
    app.dependency_overrides[get_now] = lambda: NOW
    with FormClient(app) as client:
        yield Web(client=client, engine=db_engine)


def test_my_day_starts_at_the_first_visit_not_the_break(late_web):
    """The clinician's day reads 11:00–13:45 (first visit to the lab drop), not 08:00 or 14:30."""
    late_web.log_in(Role.CLINICIAN)
    page = late_web.client.get("/my-day?date=2026-11-23").text
    assert '<p class="meta">2 oppgaver, 11:00–13:45</p>' in page
    assert "Min dag 23.11.2026</h1>" in page


def test_van_loads_span_from_the_first_delivery(late_web):
    """A van whose break comes after its only delivery reads 09:00–09:10, the delivery alone."""
    late_web.log_in(Role.LOGISTICS)
    page = late_web.client.get("/logistics?date=2026-11-23").text
    assert '<p class="meta">1 oppgaver, 09:00–09:10</p>' in page
