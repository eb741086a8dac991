"""The coordinator's plan changes, the clinician's started/done and the scenarios page, through
TestClient over a day planned by the planner's own services (plan stored with its input)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import openpyxl
import pytest
from sqlalchemy import Engine

from hjemme.domain.security import Role
from hjemme.geo import make_provider
from hjemme.planning.plan_json import plan_from_json
from hjemme.planning.problem_json import problem_from_json
from hjemme.planning.validate import validate_plan
from hjemme.services.planning import stored_problem
from hjemme.services.planning import task_statuses as pin_statuses
from hjemme.web.pages.scenarios import DEFAULT_SCENARIO
from tests.scenario_files import narrowed_scenario
from tests.web.world import NOW, TODAY, Planned, username


def _valid(engine: Engine) -> None:
    plan_data, problem_data = stored_problem(engine=engine, date=TODAY)
    problem = problem_from_json(problem_data)
    assert validate_plan(plan_from_json(plan_data), problem.tasks, problem.resources,
                         make_provider("builtin"), problem.lab) == []


def _stops(plan: dict) -> dict[str, tuple[str, str]]:
    return {s["task"]: (r["resource"], s["start"]) for r in plan["routes"] for s in r["stops"] if s["task"]}


def _finished_job(planned: Planned, location: str) -> str:
    """Wait for the planning job named in ``location`` to end (no sleeping: its own event)."""
    job_id = location.split("job=")[1]
    job = planned.app.state.plan_jobs.get(job_id, username(Role.COORDINATOR))
    assert job is not None and job.ended.wait(120)
    return job_id


def test_optimising_the_day_again_asks_first_then_keeps_the_journal(planned):
    """With a plan there, "optimise again" needs the confirmation box; confirmed, it runs as a job with
    progress, stores version 3 and keeps a cancellation made before it (the journal is re-applied)."""
    planned.log_in(Role.COORDINATOR)
    page = planned.client.get(f"/plan?date={TODAY}").text
    assert "Optimaliser dagen på nytt" in page and 'name="confirm"' in page
    unconfirmed = planned.client.post("/plan/make", data={"date": TODAY.isoformat(), "version": "1"})
    assert unconfirmed.status_code == 422 and "Kryss av for å bekrefte" in unconfirmed.text
    cancelled = next(s["task"] for r in planned.plan()["routes"] for s in reversed(r["stops"]) if s["task"])
    planned.client.post("/plan/replan", data={"date": TODAY.isoformat(), "action": "cancel", "cancel": cancelled,
                                              "version": "1"})
    assert planned.version() == 2
    started = planned.client.post("/plan/make", data={"date": TODAY.isoformat(), "version": "2", "confirm": "yes"},
                                  follow_redirects=False)
    assert started.status_code == 303 and "job=" in started.headers["location"]
    job_id = _finished_job(planned, started.headers["location"])
    progress = planned.client.get(f"/plan/jobs/{job_id}").text
    assert "Dagen er planlagt: vis den nye versjonen" in progress
    done = planned.client.get(f"/plan/jobs/{job_id}", headers={"HX-Request": "true"})
    assert done.headers["HX-Redirect"] == f"/plan?date={TODAY}&done=planned&from=2"
    assert planned.version() == 3
    assert cancelled not in _stops(planned.plan())
    page = planned.client.get(done.headers["HX-Redirect"]).text
    assert "Dagen er planlagt; alle endringer i journalen er beholdt." in page
    assert "Dagens journal" in page and "oppgave avlyst" in page
    _valid(planned.engine)


def test_a_stale_form_is_refused_with_what_changed(planned):
    """A second coordinator's form made against version 1 cancelling the task just cancelled is refused
    (409) in Norwegian naming the change in between; the plan stays at version 2."""
    planned.log_in(Role.COORDINATOR)
    task = next(s["task"] for r in planned.plan()["routes"] for s in reversed(r["stops"]) if s["task"])
    form = {"date": TODAY.isoformat(), "action": "cancel", "cancel": task, "version": "1"}
    assert planned.client.post("/plan/replan", data=form).status_code == 200
    again = planned.client.post("/plan/replan", data=form)
    assert again.status_code == 409
    assert "Noen endret planen mens du så på den" in again.text and task in again.text
    assert planned.version() == 2


def test_urgent_visit_replans_and_keeps_pins(planned):
    """An urgent visit for a patient is in the next version; a confirmed stop keeps its resource and time."""
    planned.log_in(Role.COORDINATOR)
    before = _stops(planned.plan())
    kept = next(iter(before))
    from hjemme.domain.journal import EntryKind
    from hjemme.services.auth import Principal
    from hjemme.services.journal import DayChange, change_day

    change_day(engine=planned.engine, principal=Principal(username(Role.COORDINATOR), Role.COORDINATOR),
               date=TODAY, change=DayChange(EntryKind.CONFIRMED, task_id=kept), now=NOW)
    patient = next(s["patient"] for r in planned.plan()["routes"] for s in r["stops"] if s["type"] == "visit")
    response = planned.client.post(
        "/plan/replan", data={"date": TODAY.isoformat(), "action": "urgent", "urgent": patient}
    )
    assert response.status_code == 200
    assert "Akuttbesøket er lagt til" in response.text
    assert planned.version() == 2
    plan = planned.plan()
    assert any(u.endswith("-U0") for u in _stops(plan)) or any(u["task"].endswith("-U0") for u in plan["unplanned"])
    assert _stops(plan)[kept] == before[kept]
    _valid(planned.engine)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "cancel", "cancel": ""}, "Velg oppgaven som skal avlyses."),
        ({"action": "urgent", "urgent": "P99999"}, "Pasienten har ikke noe aktivt forløp på denne datoen."),
        ({"action": "absent", "absent": "S9999"}, "Personen står ikke i planen for denne datoen."),
        ({"action": "cancel", "cancel": "no-such-task"}, "Oppgaven finnes ikke i den lagrede planen"),
        ({"action": "nonsense"}, "Velg en endring."),
    ],
)
def test_bad_replan_input_says_why_and_changes_nothing(planned, data, message):
    """A re-plan form with a missing or unknown choice answers 422 in Norwegian and stores no new version."""
    planned.log_in(Role.COORDINATOR)
    response = planned.client.post("/plan/replan", data={"date": TODAY.isoformat(), **data})
    assert response.status_code == 422
    assert message in response.text
    assert planned.version() == 1


def test_move_with_a_bad_time_is_refused(planned):
    """A start time that is not HH:MM is refused in Norwegian; nothing is stored."""
    planned.log_in(Role.COORDINATOR)
    task = next(iter(_stops(planned.plan())))
    response = planned.client.post("/plan/move", data={"date": TODAY.isoformat(), "task": task,
                                                       "resource": planned.staff_id, "start": "25:99"})
    assert response.status_code == 422
    assert "Skriv ny starttid som TT:MM" in response.text
    assert planned.version() == 1


def test_invalid_move_shows_the_validators_findings_in_norwegian(planned):
    """Moving a visit to 05:00 is checked at once: the window rule is named in Norwegian, nothing is stored."""
    planned.log_in(Role.COORDINATOR)
    plan = planned.plan()
    task = next(s["task"] for r in plan["routes"] for s in r["stops"] if s["type"] == "visit")
    data = {"date": TODAY.isoformat(), "task": task, "resource": planned.staff_id, "start": "05:00"}
    response = planned.client.post("/plan/move", data=data, headers={"HX-Request": "true"})
    assert response.status_code == 200  # htmx swaps the message box in place
    assert "Flyttingen bryter planens regler" in response.text
    assert "Starttiden er utenfor oppgavens tidsvindu" in response.text
    assert planned.client.post("/plan/move", data=data).status_code == 422
    assert planned.version() == 1


def test_valid_move_is_pinned_and_replanned(planned):
    """A move within the task's window on its own route is kept: new version, task there, pinned confirmed."""
    planned.log_in(Role.COORDINATOR)
    plan = planned.plan()
    route = next(r for r in plan["routes"] if r["kind"] == "clinician"
                 and r["stops"] and r["stops"][-1]["type"] == "visit")
    last = route["stops"][-1]
    hours, minutes = map(int, last["start"].split(":"))
    start = hours * 60 + minutes + 10
    end_h, end_m = map(int, last["window_end"].split(":"))
    if start > end_h * 60 + end_m:
        start -= 20
    new = f"{start // 60:02d}:{start % 60:02d}"
    response = planned.client.post("/plan/move", data={"date": TODAY.isoformat(), "task": last["task"],
                                                       "resource": route["resource"], "start": new})
    assert "Oppgaven er flyttet" in response.text, response.text[-3000:]
    assert planned.version() == 2
    assert _stops(planned.plan())[last["task"]] == (route["resource"], new)
    assert pin_statuses(engine=planned.engine, date=TODAY)[last["task"]] == "confirmed"
    _valid(planned.engine)


def test_clinician_marks_a_visit_started_and_done(planned):
    """The clinician's started/done buttons pin the stop and the page then shows its status."""
    planned.log_in(Role.CLINICIAN)
    route = next(r for r in planned.plan()["routes"] if r["resource"] == planned.staff_id)
    task = next(s["task"] for s in route["stops"] if s["type"] == "visit")
    page = planned.client.get(f"/my-day?date={TODAY}").text
    assert f'data-task="{task}"' in page
    response = planned.client.post(f"/my-day/stops/{task}", data={"date": TODAY.isoformat(), "status": "started"})
    assert response.status_code == 200
    assert pin_statuses(engine=planned.engine, date=TODAY)[task] == "started"
    assert "startet" in response.text
    planned.client.post(f"/my-day/stops/{task}", data={"date": TODAY.isoformat(), "status": "done"})
    assert pin_statuses(engine=planned.engine, date=TODAY)[task] == "done"


def test_clinician_cannot_mark_another_route_or_a_bad_status(planned):
    """Another clinician's stop or an unknown status is refused in Norwegian and nothing is pinned."""
    planned.log_in(Role.CLINICIAN)
    other = next(s["task"] for r in planned.plan()["routes"] if r["resource"] != planned.staff_id
                 for s in r["stops"] if s["task"])
    response = planned.client.post(f"/my-day/stops/{other}", data={"date": TODAY.isoformat(), "status": "done"})
    assert "Stoppet er ikke på ruten din i dag" in response.text
    response = planned.client.post(f"/my-day/stops/{other}", data={"date": TODAY.isoformat(), "status": "gone"})
    assert "Velg startet eller ferdig." in response.text
    assert pin_statuses(engine=planned.engine, date=TODAY) == {}


def test_my_day_lists_samples_and_goods_where_the_plan_has_them(planned):
    """Each visit with a sample says where it goes; each visit whose goods are delivered lists them by name."""
    from hjemme.catalogue import load_catalogue

    planned.log_in(Role.CLINICIAN)
    plan, problem = stored_problem(engine=planned.engine, date=TODAY)
    own = {s["task"] for r in plan["routes"] if r["resource"] == planned.staff_id for s in r["stops"]}
    page = planned.client.get(f"/my-day?date={TODAY}").text
    samples = [t for t in problem["tasks"] if t["kind"] == "sample" and t["taken_at"] in own]
    assert ("Prøver som skal tas" in page) == bool(samples)
    goods = [t for t in problem["tasks"] if t["goods"] and set(t["before"]) & own]
    assert ("Hva besøket trenger" in page) == bool(goods)
    products = load_catalogue().products
    for task in goods:
        for product_id, _quantity in task["goods"]["lines"]:
            assert products[product_id].name in page


def test_scenario_upload_with_a_bad_key_names_the_key_path(planned):
    """An uploaded scenario with a wrong value is refused with its key path; no run directory is left."""
    planned.log_in(Role.ADMIN)
    text = DEFAULT_SCENARIO.read_text(encoding="utf-8")
    bad = re.sub(r"^replications: \d+", "replications: -3", text, count=1, flags=re.MULTILINE)
    response = planned.client.post(
        "/scenarios/runs", data={"source": "upload", "replications": "2"},
        files={"file": ("min.yaml", io.BytesIO(bad.encode()), "application/yaml")},
    )
    assert response.status_code == 422
    assert "Scenariofilen er ikke gyldig; ingenting ble kjørt." in response.text
    assert "replications:" in response.text
    root = planned.app.state.scenario_root
    assert not root.exists() or list(root.iterdir()) == []


@pytest.mark.parametrize("value", ["0", "abc", "51"])
def test_scenario_replications_out_of_range_are_refused(planned, value):
    """Replications outside 1–50 are refused in Norwegian before anything runs."""
    planned.log_in(Role.COORDINATOR)
    response = planned.client.post("/scenarios/runs", data={"source": "default", "replications": value})
    assert response.status_code == 422
    assert "Replikasjoner må være et helt tall fra 1 til 50." in response.text


# the scenario's numbers do not depend on the database; its runs are stored on SQLite and PostgreSQL
# in tests/services/test_scenario_runs.py, so this page flow (a whole simulation) runs on SQLite only
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_scenario_run_shows_results_and_serves_a_valid_workbook(planned, tmp_path):
    """The default scenario runs in the background; its page then has the table, charts and an xlsx to download,
    in English too (labels, chart and workbook) when the page is English."""
    planned.app.state.scenario_default = narrowed_scenario(tmp_path / "scenario-file")
    planned.log_in(Role.COORDINATOR)
    response = planned.client.post("/scenarios/runs", data={"source": "default", "replications": "1"},
                                   follow_redirects=False)
    assert response.status_code == 303
    run_id = response.headers["location"].rsplit("/", 1)[1]
    planned.app.state.scenario_runs.wait(run_id, 300)
    page = planned.client.get(f"/scenarios/runs/{run_id}").text
    assert "Alternativene side om side" in page and "Alt 1 – logistikksenter" in page
    assert f"/scenarios/runs/{run_id}/charts/vehicles.svg" in page
    assert planned.client.get(f"/scenarios/runs/{run_id}/charts/vehicles.svg").headers["content-type"].startswith(
        "image/svg")
    download = planned.client.get(f"/scenarios/runs/{run_id}/files/scenario.xlsx")
    assert download.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(download.content))
    assert "Sammendrag" in workbook.sheetnames
    english = planned.client.get(f"/scenarios/runs/{run_id}?lang=en").text
    assert "Alt 1 – logistics centre" in english and "Cost (NOK per year)" in english
    assert "Kostnad (NOK per år)" not in english and "Excel workbook in English" in english
    chart = planned.client.get(f"/scenarios/runs/{run_id}/charts/cost_nok_per_year.svg").text
    assert ">Year<" in chart and "1e8" not in chart
    in_english = planned.client.get(f"/scenarios/runs/{run_id}/files/scenario-en.xlsx")
    assert "Summary" in openpyxl.load_workbook(io.BytesIO(in_english.content)).sheetnames
    planned.client.get(f"/scenarios/runs/{run_id}?lang=nb")
    progress = planned.client.get(f"/scenarios/runs/{run_id}/progress")
    assert progress.headers["HX-Redirect"] == f"/scenarios/runs/{run_id}"
    assert json.loads((planned.app.state.scenario_root / run_id / "status.json").read_text())["status"] == "done"


@pytest.mark.parametrize("path", ["files/..%2F..%2Fetc%2Fpasswd", "files/status.json", "charts/..%2Fx.svg"])
def test_scenario_files_only_by_fixed_name(planned, path):
    """Only the run's fixed output names can be downloaded; anything else is 404."""
    planned.log_in(Role.ADMIN)
    assert planned.client.get(f"/scenarios/runs/{'0' * 32}/{path}").status_code == 404
    assert planned.client.get("/scenarios/runs/..%2F..%2F/files/scenario.xlsx").status_code == 404


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.LOGISTICS, Role.RESEARCHER, Role.PATIENT])
def test_scenarios_are_for_coordinators_and_admins_only(planned, role):
    """Roles other than coordinator and admin get the 403 page for the scenarios page and its runs."""
    planned.log_in(role)
    assert planned.client.get("/scenarios").status_code == 403
    assert planned.client.post("/scenarios/runs", data={"replications": "1"}).status_code == 403


def test_logistics_sees_the_days_pick_list_first_expiry_first(planned):
    """The pick lists name what the warehouse picks for each stop, lot by lot, earliest expiry first per
    product and never an expired lot (issue 14: one printable list per van, on its own page)."""
    planned.log_in(Role.LOGISTICS)
    page = planned.client.get(f"/logistics/pick-lists?date={TODAY}").text
    assert "Plukkliste" in page and "Lasterekkefølge" in page
    stops = re.findall(r'<tbody class="load-item">(.*?)</tbody>', page, flags=re.S)
    assert stops, "the planned day has deliveries to pick"
    for stop in stops:
        expiries: dict[str, list[dt.date]] = {}
        for product, cells in re.findall(r'<tr data-pick="([^"]+)"[^>]*>(.*?)</tr>', stop, flags=re.S):
            for found in re.findall(r'<td class="nowrap">(\d\d\.\d\d\.\d{4})</td>', cells):
                expiries.setdefault(product, []).append(dt.datetime.strptime(found, "%d.%m.%Y").date())
        assert all(dates == sorted(dates) and dates[0] >= TODAY for dates in expiries.values())


def test_urgent_visit_from_an_alarm_is_ordered_once_and_shown_instead_of_the_button(planned):
    """The responder orders an urgent visit for a red alarm: the alarm page then shows the planned visit
    and its time instead of the button; pressing again (a double click) is refused naming it, and the
    plan keeps one urgent visit."""
    from hjemme.monitoring.alarms import Alarm
    from hjemme.monitoring.rules import FindingKind, Severity
    from hjemme.services.monitoring import save_transition
    from hjemme.store.database import session_scope

    patient = next(s["patient"] for r in planned.plan()["routes"] for s in r["stops"] if s["type"] == "visit")
    red = Alarm(alarm_id="A-RED-1", patient_id=patient, kind=FindingKind.NEWS2, severity=Severity.RED,
                dedup_key=f"{patient}:news2", cause="NEWS2 7", evidence=(), opened_at=NOW)
    with session_scope(planned.engine) as session:
        save_transition(session, [red], [])
    planned.log_in(Role.RESPONDER)
    page = planned.client.get("/response/alarms/A-RED-1").text
    assert "Bestill akuttbesøk i dagens plan" in page
    first = planned.client.post("/response/alarms/A-RED-1/urgent-visit")
    assert first.status_code == 200 and "Akuttbesøk bestilt" in first.text
    assert "Bestill akuttbesøk i dagens plan" not in first.text
    second = planned.client.post("/response/alarms/A-RED-1/urgent-visit")
    assert second.status_code == 409 and "allerede bestilt" in second.text
    urgent = [t for t in stored_problem(engine=planned.engine, date=TODAY)[1]["tasks"] if "-U" in t["id"]]
    assert len(urgent) == 1 and urgent[0]["patient"] == patient
