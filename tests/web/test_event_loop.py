"""Slow work never blocks the event loop (#12): while a plan, a re-plan or a scenario upload is being
worked on, ``/api/me`` still answers.

The slow part is replaced by a function that holds until the test lets it go (or gives up after
30 s). If a handler ran it on the event loop, ``/api/me`` could only answer after it gave up, so
the recorded order would be wrong; no wall-clock time is measured.
"""

from __future__ import annotations

import io
import threading

import pytest

from hjemme.domain.security import Role
from hjemme.errors import HjemmeError
from hjemme.services.auth import Principal, create_access_token
from hjemme.web.scenario_runs import ScenarioBusyError
from tests.web.world import NOW, SETTINGS, TODAY, username

GIVE_UP_S = 30


def _coordinator_post(path: str, **kwargs):
    def post(web):
        return web.client.post(path, **kwargs)
    return post


CASES = {
    "plan": ("hjemme.services.journal.plan_day", HjemmeError,
             _coordinator_post("/plan/make", data={"date": TODAY.isoformat()})),
    "replan": ("hjemme.services.journal.change_day", HjemmeError,
               _coordinator_post("/plan/replan", data={"date": TODAY.isoformat(), "action": "cancel",
                                                       "cancel": "T-1"})),
    "scenario upload": ("hjemme.web.scenario_runs.ScenarioRuns.start", ScenarioBusyError,
                        _coordinator_post("/scenarios/runs", data={"source": "upload", "replications": "1"},
                                          files={"file": ("big.yaml", io.BytesIO(b"a: 1\n" * 1000),
                                                          "application/yaml")})),
    "api plan": ("hjemme.services.journal.plan_day", HjemmeError,
                 lambda web: web.client.post(f"/api/plans/{TODAY.isoformat()}", json={"time_limit_s": 0.1},
                                             headers=_bearer(Role.COORDINATOR))),
}


def _bearer(role: Role) -> dict[str, str]:
    token = create_access_token(Principal(username(role), role), settings=SETTINGS, now=NOW)
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_api_me_answers_while_slow_work_runs(web, monkeypatch, tmp_path, case):
    """/api/me answers while the slow part of a plan, re-plan or scenario upload is still running."""
    target, error, request = CASES[case]
    entered, release, order = threading.Event(), threading.Event(), []

    def slow(*args, **kwargs):
        entered.set()
        order.append("work done" if release.wait(GIVE_UP_S) else "work gave up")
        raise error("stopped by the test")

    monkeypatch.setattr(target, slow)
    web.client.app.state.scenario_root = tmp_path / "scenarios"
    web.log_in(Role.COORDINATOR)
    answers = []
    worker = threading.Thread(target=lambda: answers.append(request(web)))
    worker.start()
    try:
        assert entered.wait(GIVE_UP_S), "the slow work never started"
        me = web.client.get("/api/me", headers=_bearer(Role.ADMIN))
        order.append("me answered")
    finally:
        release.set()
        worker.join(GIVE_UP_S)
    assert me.status_code == 200 and me.json()["username"] == username(Role.ADMIN)
    assert order == ["me answered", "work done"]
    assert answers and answers[0].status_code < 500
