"""Concurrent mixed changes to one day against a live server (issue 11, item 2): every request gets
2xx or 409, never 5xx, and the final version contains every accepted change — on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine

from hjemme.api.app import create_app
from hjemme.domain.security import Role
from hjemme.domain.time import local_date
from hjemme.planning.params import PlannerParams
from hjemme.services.auth import Principal, create_access_token
from hjemme.services.journal import plan_day
from hjemme.services.seeding import seed_population
from hjemme.services.users import add_user
from hjemme.settings import Settings

pytestmark = pytest.mark.slow

SETTINGS = Settings(database_url="sqlite://", secret_key="concurrency-test-key-0123456789-abcdefghijklmnopqrstuvwxyz",
                    research_key="concurrency-research-key-0123456789-abcdefghijklmnop")
DAY = local_date(dt.datetime.now(dt.UTC)) + dt.timedelta(days=1)  # tomorrow: nothing frozen by the clock


@dataclass
class Live:
    base: str
    headers: dict[str, str]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live(db_engine: Engine) -> Iterator[Live]:
    seed_population(engine=db_engine, n_patients=60, seed=5, date=DAY)
    plan_day(engine=db_engine, date=DAY, now=dt.datetime.now(dt.UTC), params=PlannerParams(time_limit_s=0.5, rounds=1))
    app = create_app(SETTINGS, engine=db_engine)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(500):
        if server.started:
            break
        threading.Event().wait(0.02)
    add_user(engine=db_engine, username="koordinator", password="a long enough password", role=Role.COORDINATOR,
             now=dt.datetime.now(dt.UTC))
    principal = Principal("koordinator", Role.COORDINATOR)
    token = create_access_token(principal, settings=SETTINGS, now=dt.datetime.now(dt.UTC))
    yield Live(f"http://127.0.0.1:{port}/api/plans/{DAY.isoformat()}", {"Authorization": f"Bearer {token}"})
    server.should_exit = True
    thread.join(timeout=30)


def test_concurrent_mixed_changes_lose_nothing(live: Live) -> None:
    """24 concurrent changes made against version 1 — urgent visits, cancellations (three of one task),
    absences from 10:00, moves and whole-day re-plans — are each answered 2xx or 409, and the final
    version holds every accepted change."""
    with httpx.Client(headers=live.headers, timeout=120) as client:
        plan = client.get(live.base).json()
        problem_patients = sorted({s["patient"] for r in plan["routes"] for s in r["stops"] if s.get("patient")})
    clinician_routes = [r for r in plan["routes"] if r["kind"] == "clinician" and r["stops"]]
    stops = [(r["resource"], s) for r in clinician_routes for s in r["stops"] if s["task"] and s["type"] == "visit"]
    assert len(stops) >= 12 and len(clinician_routes) >= 6, "test setup: a day with enough work"
    requests: list[tuple[str, str, dict[str, Any]]] = []
    for patient in problem_patients[:5]:
        requests.append(("change", "urgent", {"kind": "urgent_visit", "patient": patient}))
    for _resource, stop in stops[:5]:
        requests.append(("change", "cancel", {"kind": "cancelled", "task": stop["task"]}))
    for _ in range(3):
        requests.append(("change", "cancel", {"kind": "cancelled", "task": stops[5][1]["task"]}))
    for route in clinician_routes[-3:]:
        requests.append(("change", "absent", {"kind": "absent", "staff": route["resource"], "from": "10:00"}))
    for resource, stop in stops[6:12]:
        requests.append(("change", "move", {"kind": "moved", "task": stop["task"], "resource": resource,
                                            "start": stop["start"]}))
    requests += [("plan", "plan", {"time_limit_s": 0.3}), ("plan", "plan", {"time_limit_s": 0.3})]
    assert len(requests) >= 20

    def send(request: tuple[str, str, dict[str, Any]]) -> tuple[str, dict[str, Any], int, dict[str, Any]]:
        route, kind, body = request
        with httpx.Client(headers=live.headers, timeout=300) as client:
            if route == "plan":
                response = client.post(live.base, json=body)
            else:
                response = client.post(f"{live.base}/changes", json=body, headers={"If-Match": "1"})
        return kind, body, response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        answers = list(pool.map(send, requests))

    assert {status for *_rest, status, _body in answers} <= {200, 201, 409}, answers
    accepted = [(kind, body, reply) for kind, body, status, reply in answers if status == 201]
    assert sum(1 for kind, body, *_ in accepted if kind == "cancel" and body["task"] == stops[5][1]["task"]) <= 1
    with httpx.Client(headers=live.headers, timeout=60) as client:
        final = client.get(live.base).json()
        journal = client.get(f"{live.base}/journal").json()
    assert final["version"] == 1 + len(accepted)
    assert len(journal) == 1 + len(accepted)
    placed = {s["task"]: (r["resource"], s["start_min"] if "start_min" in s else s["start"])
              for r in final["routes"] for s in r["stops"] if s["task"]}
    unplanned = {u["task"] for u in final["unplanned"]}
    for kind, body, reply in accepted:
        if kind == "cancel":
            assert body["task"] not in placed and body["task"] not in unplanned
        elif kind == "urgent":
            assert reply["task"] in placed or reply["task"] in unplanned
        elif kind == "absent":
            assert not [s for r in final["routes"] if r["resource"] == body["staff"] for s in r["stops"]
                        if s["task"] and s["start"] >= "10:00"]
        elif kind == "move":
            assert placed.get(body["task"], ("", ""))[0] == body["resource"] or body["task"] in unplanned
