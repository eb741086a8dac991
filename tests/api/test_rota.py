"""The rota through the HTTP API: plan, read in English, edit with the check in the answer, publish,
and a nurse's own published shifts under ``/api/me/rota``."""

from __future__ import annotations

import datetime as dt
import threading

from hjemme.domain.people import Staff, StaffRole
from hjemme.domain.security import Role
from hjemme.domain.time import TimeWindow
from hjemme.services.jobs import Jobs
from hjemme.services.rota_jobs import STAGE_PERCENTS, RotaJob
from hjemme.services.user_links import link_user
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from tests.api.conftest import Api

MONDAY = dt.date(2026, 11, 30)


def _team(api: Api, n: int = 6) -> list[str]:
    staff = [
        Staff(
            f"R{i}",
            f"Rota Nurse {i}",
            StaffRole.NURSE,
            frozenset({"nurse"}),
            "rikshospitalet",
            TimeWindow(450, 930),
            None,
            0,
            450,
            "haematology",
        )
        for i in range(n)
    ]
    with session_scope(api.engine) as session:
        repo.add_staff(session, staff)
    link_user(
        engine=api.engine,
        principal=api.principal(Role.ADMIN),
        username="clinician1",
        staff_id="R0",
        now=dt.datetime(2026, 11, 23, 8, tzinfo=dt.UTC),
    )
    return [s.id for s in staff]


def _planned(api: Api, started) -> dict:
    """Follow a 202 plan/re-plan job to its end (waiting on the job's own event) and read the draft."""
    assert started.status_code == 202, started.text
    job_url = started.headers["location"]
    assert job_url == f"/api/rota-jobs/{started.json()['job_id']}"
    job = api.client.app.state.rota_jobs.get(started.json()["job_id"], "coordinator1")
    assert job is not None and job.ended.wait(120)
    done = api.client.get(job_url, headers=api.headers(Role.COORDINATOR)).json()
    assert done["stage"] == "done" and done["percent"] == 100, done
    return api.client.get(done["rota_url"], headers=api.headers(Role.COORDINATOR)).json()


def test_plan_edit_publish_and_my_rota(api: Api) -> None:
    """A coordinator plans and publishes; an edit answers with the named breach; the nurse sees their shifts."""
    _team(api)
    coord = api.headers(Role.COORDINATOR)
    body = {"team": "haematology", "first_day": MONDAY.isoformat(), "weeks": 2, "time_limit_s": 5}
    rota = _planned(api, api.client.post("/api/rotas", json=body, headers=coord))
    assert rota["status"] == "draft" and not [b for b in rota["breaches"] if b["hard"]]
    assert {c["shift"] for c in rota["cover"]} == {"D", "E", "N"}
    hours = {"D": 8.0, "E": 7.5, "N": 9.5}
    for load in rota["loads"]:  # each person's hours add up their cells
        mine = [c["shift"] for c in rota["cells"] if c["staff_id"] == load["staff_id"]]
        assert load["hours"] == sum(hours[c] for c in mine) and load["nights"] == mine.count("N")
    edits = {
        "edits": [
            {"staff_id": "R1", "date": "2026-12-02", "shift": "E"},
            {"staff_id": "R1", "date": "2026-12-03", "shift": "D"},
        ]
    }
    edited = api.client.post(f"/api/rotas/{rota['id']}/cells?lang=en", json=edits, headers=coord).json()
    assert any(b["code"] == "rest" and "rest between shifts" in b["message"] for b in edited["breaches"])
    refused = api.client.post(f"/api/rotas/{rota['id']}/publish", headers=coord)
    assert refused.status_code == 409
    stale = {"edits": [{"staff_id": "R1", "date": "2026-12-03", "shift": "N", "was": None}]}
    conflict = api.client.post(f"/api/rotas/{rota['id']}/cells", json=stale, headers=coord)
    assert conflict.status_code == 409 and "changed by someone else" in conflict.text
    # back to the solver's own cells (which keep every rule, whatever roster the time limit gave)
    planned = {c["date"]: c["shift"] for c in rota["cells"] if c["staff_id"] == "R1"}
    fixed = {
        "edits": [
            {"staff_id": "R1", "date": d, "shift": planned.get(d), "was": was}
            for d, was in (("2026-12-02", "E"), ("2026-12-03", "D"))
        ]
    }
    assert api.client.post(f"/api/rotas/{rota['id']}/cells", json=fixed, headers=coord).status_code == 200
    published = api.client.post(f"/api/rotas/{rota['id']}/publish", headers=coord)
    assert published.status_code == 200 and published.json()["status"] == "published"
    mine = api.client.get("/api/me/rota?from=2026-11-30&days=21", headers=api.headers(Role.CLINICIAN)).json()
    shifts = {m["date"]: m["shift"] for m in mine if m["shift"]}
    cells = {c["date"]: c["shift"] for c in published.json()["cells"] if c["staff_id"] == "R0"}
    assert shifts == cells
    # the third week has no published rota yet: not days off
    assert [m["published"] for m in mine] == [True] * 14 + [False] * 7
    export = api.client.get(f"/api/rotas/{rota['id']}/export.xlsx", headers=coord)
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_a_plan_is_a_job_and_bad_input_is_refused_at_once(api: Api) -> None:
    """``POST /api/rotas`` answers 202 with the job; an unknown team is 422 naming the field, no job;
    another user cannot follow the job (404)."""
    _team(api)
    coord = api.headers(Role.COORDINATOR)
    bad = api.client.post(
        "/api/rotas", json={"team": "nobody", "first_day": MONDAY.isoformat(), "weeks": 1}, headers=coord
    )
    assert bad.status_code == 422 and "team" in bad.text
    assert (
        getattr(api.client.app.state, "rota_jobs", None) is None or not api.client.app.state.rota_jobs._jobs
    )
    body = {"team": "haematology", "first_day": MONDAY.isoformat(), "weeks": 1, "time_limit_s": 2}
    started = api.client.post("/api/rotas", json=body, headers=coord)
    assert started.json()["stage"] in ("queued", "demand", "search", "store", "done")
    other = api.client.get(started.headers["location"], headers=api.headers(Role.ADMIN))
    assert other.status_code == 404
    rota = _planned(api, started)
    assert [s["start"] for s in rota["shifts"]] == ["07:30", "15:00", "22:15"]


def test_team_shift_times_through_the_api(api: Api) -> None:
    """PUT sets a team's day shift to 07:00–15:00 and the next rota carries it; a 12-hour shift is 422
    naming the field and changes nothing; readers see the times, a clinician cannot set them."""
    _team(api)
    coord = api.headers(Role.COORDINATOR)
    url = "/api/rota-teams/haematology/shifts"
    refused = api.client.put(url, json={"shifts": {"D": {"start": "07:00", "end": "19:00"}}}, headers=coord)
    assert refused.status_code == 422 and "D_end" in refused.text
    assert api.client.get(url, headers=api.headers(Role.CLINICIAN)).json()[0]["start"] == "07:30"
    forbidden = api.client.put(
        url, json={"shifts": {"D": {"start": "07:00", "end": "15:00"}}}, headers=api.headers(Role.CLINICIAN)
    )
    assert forbidden.status_code == 403
    saved = api.client.put(url, json={"shifts": {"D": {"start": "07:00", "end": "15:00"}}}, headers=coord)
    assert saved.status_code == 200 and saved.json()[0] == {
        "code": "D",
        "start": "07:00",
        "end": "15:00",
        "hours": 8.0,
        "night": False,
    }
    assert api.client.get("/api/rota-teams/nobody/shifts", headers=coord).status_code == 404
    body = {"team": "haematology", "first_day": MONDAY.isoformat(), "weeks": 1, "time_limit_s": 2}
    rota = _planned(api, api.client.post("/api/rotas", json=body, headers=coord))
    assert rota["shifts"][0]["start"] == "07:00"


def test_wishes_are_shown_with_the_rota_and_withdrawn(api: Api) -> None:
    """A wish posted for a team member is in the rota's answer with whether it is granted; the nurse
    cannot withdraw another's wish (404); the planner withdraws it (204) and it is gone."""
    _team(api)
    coord = api.headers(Role.COORDINATOR)
    wish = {"staff_id": "R2", "date": "2026-12-01", "kind": "day_off", "weight": 5}
    made = api.client.post("/api/rota-wishes", json=wish, headers=coord)
    assert made.status_code == 201
    bad = api.client.post("/api/rota-wishes", json={**wish, "kind": "shift_wanted"}, headers=coord)
    assert bad.status_code == 422 and "shift" in bad.text
    body = {"team": "haematology", "first_day": MONDAY.isoformat(), "weeks": 1, "time_limit_s": 2}
    rota = _planned(api, api.client.post("/api/rotas", json=body, headers=coord))
    assert [(w["staff_id"], w["weight"], w["met"]) for w in rota["wishes"]] == [("R2", 5, True)]
    wish_id = made.json()["id"]
    nurse = api.client.delete(f"/api/rota-wishes/{wish_id}", headers=api.headers(Role.CLINICIAN))
    assert nurse.status_code == 404
    assert api.client.delete(f"/api/rota-wishes/{wish_id}", headers=coord).status_code == 204
    assert api.client.get(f"/api/rotas/{rota['id']}", headers=coord).json()["wishes"] == []


def test_a_sick_call_through_the_api_shows_the_absence_with_the_replanned_rota(api: Api) -> None:
    """An absence registered through the API is listed under ``absent`` in the rota, and the re-plan
    takes the member off those days."""
    _team(api)
    coord = api.headers(Role.COORDINATOR)
    body = {"team": "haematology", "first_day": MONDAY.isoformat(), "weeks": 1, "time_limit_s": 3}
    rota = _planned(api, api.client.post("/api/rotas", json=body, headers=coord))
    assert rota["absent"] == []
    sick = {"kind": "sick", "from_date": "2026-12-02", "to_date": "2026-12-03"}
    assert api.client.post("/api/staff/R1/absences", json=sick, headers=coord).status_code == 201
    replanned = _planned(api, api.client.post(f"/api/rotas/{rota['id']}/replan", json={}, headers=coord))
    assert replanned["absent"] == [
        {"staff_id": "R1", "date": "2026-12-02"},
        {"staff_id": "R1", "date": "2026-12-03"},
    ]
    assert not [c for c in replanned["cells"] if c["staff_id"] == "R1" and c["date"] in ("2026-12-02", "2026-12-03")]
    assert not [b for b in replanned["breaches"] if b["hard"]]
    # the changes since the version it was made from: as many as counted, R1's lost shifts among them
    assert rota["changes"] == [] and len(replanned["changes"]) == replanned["changed"]
    lost = {(c["date"], c["shift"]) for c in rota["cells"] if c["staff_id"] == "R1" and c["date"] in ("2026-12-02", "2026-12-03")}
    dropped = {(c["date"], c["before"]) for c in replanned["changes"] if c["staff_id"] == "R1" and c["after"] is None}
    assert lost <= dropped


def test_a_plan_started_while_another_searches_is_queued_with_how_many_go_before_it(api: Api) -> None:
    """One search at a time: a plan posted while another runs answers 202 queued with ``ahead`` 1,
    and is planned as usual once the other ends."""
    _team(api)
    jobs = api.client.app.state.rota_jobs = Jobs(at_once=1)
    gate = threading.Event()
    other = RotaJob(username="coordinator2", percents=STAGE_PERCENTS, time_limit_s=5, kind="plan", team="x")
    jobs.start("another planner's search", other, lambda progress: gate.wait(60) and 0)
    body = {"team": "haematology", "first_day": MONDAY.isoformat(), "weeks": 1, "time_limit_s": 2}
    started = api.client.post("/api/rotas", json=body, headers=api.headers(Role.COORDINATOR))
    assert started.status_code == 202 and started.json()["stage"] == "queued" and started.json()["ahead"] == 1
    polled = api.client.get(started.headers["location"], headers=api.headers(Role.COORDINATOR)).json()
    assert polled["stage"] == "queued" and polled["ahead"] == 1 and polled["percent"] == STAGE_PERCENTS["queued"]
    gate.set()
    assert _planned(api, started)["team"] == "haematology"
