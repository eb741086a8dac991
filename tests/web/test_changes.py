"""The coordinator's plan changes, the clinician's started/done and the scenarios page, through
TestClient over a day planned by the planner's own services (plan stored with its input)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine

from hjemme.api.app import create_app
from hjemme.domain.security import Role
from hjemme.geo import make_provider
from hjemme.planning.params import PlannerParams
from hjemme.planning.plan_json import plan_from_json
from hjemme.planning.problem_json import problem_from_json
from hjemme.planning.validate import validate_plan
from hjemme.services.plan_edits import pin_statuses
from hjemme.services.planning import stored_problem
from hjemme.web.deps import get_now
from hjemme.web.pages.scenarios import DEFAULT_SCENARIO
from hjemme.web.router import mount_web
from tests.web.forms import FormClient
from tests.web.world import NOW, PASSWORD, SETTINGS, TODAY, seed_planned_world, username

FAST = PlannerParams(time_limit_s=0.3, rounds=1)


@dataclass
class Planned:
    client: FormClient
    engine: Engine
    staff_id: str
    app: object

    def log_in(self, role: Role) -> None:
        response = self.client.post(
            "/login", data={"username": username(role), "password": PASSWORD}, follow_redirects=False
        )
        assert response.status_code == 303

    def plan(self) -> dict:
        return stored_problem(engine=self.engine, date=TODAY)[0]

    def version(self) -> int:
        return int(self.client.get(f"/plan?date={TODAY}").text.split('data-version="')[1].split('"')[0])


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


def _valid(engine: Engine) -> None:
    plan_data, problem_data = stored_problem(engine=engine, date=TODAY)
    problem = problem_from_json(problem_data)
    assert validate_plan(plan_from_json(plan_data), problem.tasks, problem.resources,
                         make_provider("builtin"), problem.lab) == []


def _stops(plan: dict) -> dict[str, tuple[str, str]]:
    return {s["task"]: (r["resource"], s["start"]) for r in plan["routes"] for s in r["stops"] if s["task"]}


def test_plan_the_day_button_stores_a_new_valid_version(planned):
    """"Planlegg dagen" plans the date again, stores version 2 and says so in Norwegian."""
    planned.log_in(Role.COORDINATOR)
    page = planned.client.get(f"/plan?date={TODAY}").text
    assert "Planlegg dagen" in page and 'hx-indicator="#plan-progress"' in page
    response = planned.client.post("/plan/make", data={"date": TODAY.isoformat()})
    assert response.status_code == 200
    assert "Dagen er planlagt; den nye versjonen vises." in response.text
    assert planned.version() == 2
    _valid(planned.engine)


def test_htmx_plan_button_redirects_with_hx_redirect(planned):
    """With htmx the button's answer tells the browser where the new plan is (HX-Redirect)."""
    planned.log_in(Role.COORDINATOR)
    response = planned.client.post("/plan/make", data={"date": TODAY.isoformat()}, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == f"/plan?date={TODAY}&done=planned"


def test_urgent_visit_replans_and_keeps_pins(planned):
    """An urgent visit for a patient is in the next version; a confirmed stop keeps its resource and time."""
    planned.log_in(Role.COORDINATOR)
    before = _stops(planned.plan())
    kept = next(iter(before))
    from hjemme.services.auth import Principal
    from hjemme.services.planning import pin_task

    pin_task(engine=planned.engine, principal=Principal(username(Role.COORDINATOR), Role.COORDINATOR),
             date=TODAY, task_id=kept, status="confirmed", at=NOW)
    patient = next(s["patient"] for r in planned.plan()["routes"] for s in r["stops"] if s["type"] == "visit")
    response = planned.client.post(
        "/plan/replan", data={"date": TODAY.isoformat(), "action": "urgent", "urgent": patient}
    )
    assert response.status_code == 200
    assert "Hastebesøket er lagt til" in response.text
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
    bad = DEFAULT_SCENARIO.read_text(encoding="utf-8").replace("replications: 30", "replications: -3", 1)
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


def test_scenario_run_shows_results_and_serves_a_valid_workbook(planned):
    """The default scenario runs in the background; its page then has the table, charts and an xlsx to download."""
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
    assert "sammendrag" in workbook.sheetnames
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
    """The van-loads page lists what the warehouse picks, lot by lot, earliest expiry first per product."""
    planned.log_in(Role.LOGISTICS)
    page = planned.client.get(f"/logistics?date={TODAY}").text
    assert "Plukkliste" in page and "Lasterekkefølge" in page
    rows = re.findall(r'<tr data-pick="([^"]+)">(.*?)</tr>', page)
    assert rows, "the planned day has deliveries to pick"
    expiries: dict[str, list[str]] = {}
    for product, cells in rows:
        expiry = re.findall(r"<td>([^<]*)</td>", cells)[-1]
        if expiry:
            expiries.setdefault(product, []).append(expiry)
    assert all(dates == sorted(dates) for dates in expiries.values())
