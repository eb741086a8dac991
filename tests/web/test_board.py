"""The coordinator's board (issue 14, items 1 and 2): the offline map's data, colours that stay
apart, a timeline of named people and vehicles with a "now" line and live states, pickers that
can be searched, and the unplanned list with patient and reason in the page's language."""

from __future__ import annotations

import datetime as dt
import json
import re

from hjemme.domain.geo import Location
from hjemme.domain.journal import EntryKind
from hjemme.domain.plans import Plan, PlanKpis, Route, Stop, Unplanned
from hjemme.domain.resources import ResourceKind
from hjemme.domain.security import Role
from hjemme.services.journal import DayChange, change_day
from hjemme.services.plans_view import DayPlanView, ResourceInfo, StopView
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.web import board
from hjemme.web.rendering import STATIC
from tests.web.test_contrast import contrast
from tests.web.world import NOW, TODAY, Planned, plan_json

GEOJSON = STATIC / "geo" / "oslo-area-municipalities.geojson"


def _plan_data(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="plan-data">(.*?)</script>', page, re.S)[1])


def test_route_colours_stay_apart_and_readable():
    """At least 20 colours, each readable on white, and 49 routes get 49 different colour+dash styles."""
    assert len(set(board.ROUTE_COLOURS)) >= 20
    assert all(contrast(c, "#ffffff") >= 4.5 for c in board.ROUTE_COLOURS)
    styles = [board.route_style(i) for i in range(49)]
    assert len(set(styles)) == 49
    assert styles[0][1] == "" and styles[24][0] == styles[0][0] and styles[24][1] != ""


def test_base_map_is_vendored_with_oslo_and_its_attribution():
    """The package carries Kartverket's municipalities (Oslo among them) and says where they come from."""
    data = json.loads(GEOJSON.read_text())
    assert "0301" in {f["properties"]["kommunenummer"] for f in data["features"]}
    assert "Kartgrunnlag: © Kartverket (CC BY 4.0)" in (GEOJSON.parent / "README.md").read_text()


def test_board_names_people_and_vehicles_with_their_kind(planned: Planned):
    """Timeline rows and the legend name each resource with its kind; the map's stops say who, when and what."""
    planned.log_in(Role.COORDINATOR)
    response = planned.client.get(f"/plan?date={TODAY}")
    page = response.text
    assert "Kartgrunnlag: © Kartverket (CC BY 4.0)" in page
    names = re.findall(r'class="route-pick link-button"[^>]*>.*?</svg>(.*?)</button>\s*<span class="kind">(.*?)</span>',
                       page, re.S)
    assert len(names) == page.count('class="gantt-row" role="row"')
    kinds = {kind.split(" · ")[0] for _, kind in names}
    assert {"sykepleier", "lege", "bud"} <= kinds, kinds  # the small day has no van route
    assert not any(re.fullmatch(r"S\d+", name.strip()) for name, _ in names)
    data = _plan_data(page)
    assert data["base_map"] == "/static/geo/oslo-area-municipalities.geojson" and data["tile_url"] == ""
    stop = next(s for r in data["routes"] for s in r["stops"] if s["what"] == "besøk")
    assert re.fullmatch(r"\d\d:\d\d–\d\d:\d\d", stop["when"]) and stop["who"]
    assert "diagnosis" not in json.dumps(data) and "pathway" not in json.dumps(data)
    assert planned.client.get(data["base_map"]).status_code == 200


def test_board_shows_now_and_visit_states(planned: Planned):
    """Today's board has a "now" line; a started visit is drawn started, and a visit well past its
    start without a mark is drawn late."""
    planned.log_in(Role.COORDINATOR)
    route = next(r for r in planned.plan()["routes"] if r["resource"] == planned.staff_id)
    task = next(s["task"] for s in route["stops"] if s["type"] == "visit")
    planned.log_in(Role.CLINICIAN)
    planned.client.post(f"/my-day/stops/{task}", data={"date": TODAY.isoformat(), "status": "started"})
    planned.log_in(Role.COORDINATOR)
    page = planned.client.get(f"/plan?date={TODAY}").text
    assert 'class="now-line"' in page and "nå 08:30" in page
    assert re.search(rf'class="bar bar-visit state-started"[^>]*data-task="{re.escape(task)}"', page)
    late = [m for m in re.finditer(r'state-late"[^>]*data-start="(\d+)"', page)]
    assert all(int(m[1]) + board.LATE_AFTER_MIN < 8 * 60 + 30 for m in late)
    other_day = planned.client.get(f"/plan?date={TODAY + dt.timedelta(days=1)}").text
    assert 'class="now-line"' not in other_day


def test_live_stream_sends_version_and_marks(planned: Planned):
    """The board's event stream says the day's version and each marked task's status."""
    planned.app.state.plan_events_lifetime_s = 0
    planned.log_in(Role.COORDINATOR)
    route = next(r for r in planned.plan()["routes"] if r["resource"] == planned.staff_id)
    task = next(s["task"] for s in route["stops"] if s["type"] == "visit")
    planned.log_in(Role.CLINICIAN)
    planned.client.post(f"/my-day/stops/{task}", data={"date": TODAY.isoformat(), "status": "started"})
    assert planned.client.get(f"/plan/events?date={TODAY}").status_code == 403
    planned.log_in(Role.COORDINATOR)
    response = planned.client.get(f"/plan/events?date={TODAY}")
    assert response.headers["content-type"].startswith("text/event-stream")
    data = json.loads(response.text.split("event: state\ndata: ", 1)[1].split("\n", 1)[0])
    assert data == {"version": 1, "statuses": {task: "started"}, "now_min": 8 * 60 + 30}


def test_pickers_are_searchable_and_say_what_each_choice_is(planned: Planned):
    """Every change form's list has a search box, and a task reads as time, kind, patient and who."""
    planned.log_in(Role.COORDINATOR)
    page = planned.client.get(f"/plan?date={TODAY}").text
    for select in ("urgent", "cancel", "absent", "move-task", "move-task-free", "move-resource"):
        assert f'data-filter-for="{select}"' in page
    options = re.search(r'<select id="move-task-free".*?</select>', page, re.S)[0]
    assert re.search(r"\d\d:\d\d · besøk · [^·<]+ · [^<(]+ \(sykepleier\)", options)
    assert "/static/js/picker.js" in page and "Flytt …" in page


def test_numbers_are_written_the_norwegian_way():
    """1074.0 is "1 074,0" in bokmål and "1,074.0" in English."""
    from hjemme.web.rendering import format_number

    assert format_number(1074.0, "nb") == "1\u00a0074,0"
    assert format_number(1074.0, "en") == "1,074.0"


def test_unplanned_shows_patient_name_and_reason_in_the_page_language(planned: Planned):
    """A task that did not fit is listed with its patient's name, and the English page gives the English reason."""
    _plan_data_json, problem = _stored(planned)
    task = next(t for t in problem["tasks"] if t["patient"])
    with session_scope(planned.engine) as session:
        patient = repo.list_patients(session, ids=[task["patient"]])[0]
        plan = Plan(TODAY, (), (), (Unplanned(task["id"], "ingen ledig sykepleier", "no nurse free"),),
                    PlanKpis(1, 0, 0.0, 0.0, 0.0, 0.0, 0, 0.0, 0.0))
        repo.save_plan(session, date=TODAY, plan_json=plan_json(plan), created_at=NOW,
                       problem_json=json.dumps(problem))
    planned.log_in(Role.COORDINATOR)
    nb = planned.client.get(f"/plan?date={TODAY}&lang=nb").text
    section = nb[nb.index('id="unplanned-heading"'):]
    assert patient.name in section and "ingen ledig sykepleier" in section
    en = planned.client.get(f"/plan?date={TODAY}&lang=en").text
    en = en[en.index('id="unplanned-heading"'):]
    assert "no nurse free" in en, en[:2000] and "ingen ledig sykepleier" not in en


def _stored(planned: Planned) -> tuple[dict, dict]:
    from hjemme.services.planning import stored_problem

    return stored_problem(engine=planned.engine, date=TODAY)


def test_stop_states_follow_marks_and_the_clock():
    """Unmarked stops turn late 15 minutes after their start; marks win over the clock."""
    stop = StopView("T1", "visit", "P1", "Kari", "Gate 1", 59.9, 10.7, 475, 480, 510, "")
    assert board.stop_state(stop, None, 480 + board.LATE_AFTER_MIN) == "planned"
    assert board.stop_state(stop, None, 481 + board.LATE_AFTER_MIN) == "late"
    assert board.stop_state(stop, "started", 600) == "started"
    assert board.stop_state(stop, "delivered", 600) == "done"
    assert board.stop_state(stop, None, None) == "planned"


def test_map_data_carries_dash_patterns_beyond_the_palette():
    """With 30 routes the 25th onwards are dashed, and each route's stops carry who/when/what."""
    routes = tuple(
        Route(f"R{i}", ResourceKind.CLINICIAN, None,
              (Stop(f"T{i}", "visit", "P1", Location(59.9, 10.7), 470, 480, 500, None),))
        for i in range(30)
    )
    view = DayPlanView(TODAY, 1, NOW, tuple(_route_view(r) for r in routes), (),
                       resources={"R0": ResourceInfo("R0", "Kari Lege", "clinician", "doctor", None)})
    layout = board.layout(view, tile_url="", statuses={}, now_min=None, gettext=str, kind_name=str)
    dashes = [r["dash"] for r in layout["map_data"]["routes"]]
    assert dashes[:24] == [""] * 24 and all(dashes[24:])
    assert layout["rows"][0]["name"] == "Kari Lege" and layout["rows"][0]["role"] == "doctor"
    assert layout["now_pct"] is None


def _route_view(route: Route):
    from hjemme.services.plans_view import _route

    return _route(route, {})


def test_a_status_mark_can_be_taken_back(planned: Planned):
    """Undo of the last mark restores the mark before it, then none; with nothing to undo it is refused."""
    import pytest

    from hjemme.errors import ConflictError
    from hjemme.services.auth import Principal

    route = next(r for r in planned.plan()["routes"] if r["resource"] == planned.staff_id)
    task = next(s["task"] for s in route["stops"] if s["type"] == "visit")
    coordinator = Principal("coordinator1", Role.COORDINATOR)
    for kind in (EntryKind.STARTED, EntryKind.DONE):
        change_day(engine=planned.engine, principal=coordinator, date=TODAY, now=NOW,
                   change=DayChange(kind, task_id=task))
    undo = DayChange(EntryKind.MARK_UNDONE, task_id=task)
    change_day(engine=planned.engine, principal=coordinator, date=TODAY, now=NOW, change=undo)
    assert _status(planned, task) == "started"
    change_day(engine=planned.engine, principal=coordinator, date=TODAY, now=NOW, change=undo)
    assert _status(planned, task) is None
    with pytest.raises(ConflictError):
        change_day(engine=planned.engine, principal=coordinator, date=TODAY, now=NOW, change=undo)
    planned.log_in(Role.COORDINATOR)
    assert planned.version() == 1


def _status(planned: Planned, task: str) -> str | None:
    from hjemme.services.planning import task_statuses

    return task_statuses(engine=planned.engine, date=TODAY).get(task)




def test_namesakes_are_told_apart_by_their_id():
    """Two nurses with the same name are listed (and named as partners) with their id; others not."""
    from hjemme.services.plans_view import _resources

    problem = {"resources": [
        {"id": "S0011", "name": "Thea Andreassen", "kind": "clinician", "skills": ["nurse"]},
        {"id": "S0012", "name": "Thea Andreassen", "kind": "clinician", "skills": ["nurse"]},
        {"id": "S0013", "name": "Kari Lunde", "kind": "clinician", "skills": ["nurse"]},
    ]}
    names = {rid: info.name for rid, info in _resources(problem).items()}
    assert names == {"S0011": "Thea Andreassen (S0011)", "S0012": "Thea Andreassen (S0012)",
                     "S0013": "Kari Lunde"}
