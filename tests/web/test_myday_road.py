"""My day for a nurse on the road (issue 14, item 5): call and navigate from each stop, who the
patient is and their treatment, the door notes, video links, and marks in order with undo."""

from __future__ import annotations

import re

from sqlalchemy import update

from hjemme.domain.security import Role
from hjemme.services.auth import Principal
from hjemme.services.planning import task_statuses
from hjemme.services.plans_view import read_transport_routes
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.tables import PatientRecord, UserRecord
from tests.web.test_language_scan import visible_text
from tests.web.world import NOW, TODAY, Planned


def _first_visit(planned: Planned) -> tuple[str, dict]:
    route = next(r for r in planned.plan()["routes"] if r["resource"] == planned.staff_id)
    stop = next(s for s in route["stops"] if s["type"] == "visit")
    return stop["task"], stop


def _card(page: str, task: str) -> str:
    start = page.index(f'id="stop-{task}"')
    return page[start:page.index("</li>\n", start)]


def test_each_visit_can_be_called_and_navigated_to(planned: Planned):
    """A visit's card has a tel: link, a geo: link to its coordinates, the age, treatment and door notes."""
    task, stop = _first_visit(planned)
    with session_scope(planned.engine) as session:
        patient = repo.list_patients(session, ids=[stop["patient"]])[0]
    planned.log_in(Role.CLINICIAN)
    card = _card(planned.client.get(f"/my-day?date={TODAY}").text, task)
    assert f'href="tel:{patient.phone.replace(" ", "")}"' in card
    assert re.search(rf'href="geo:{stop["lat"]},{stop["lon"]}\?q=', card)
    text = visible_text(card)
    assert f"{TODAY.year - patient.birth_year} år" in text and "Behandling:" in text
    if patient.delivery_notes:
        assert f"Adkomst og levering: {patient.delivery_notes}" in text


def test_door_notes_and_next_of_kin_are_on_the_nurses_card_only(planned: Planned):
    """How to get in and who the next of kin are show on the clinician's card, never on a driver's page."""
    task, stop = _first_visit(planned)
    with session_scope(planned.engine) as session:
        session.execute(update(PatientRecord).where(PatientRecord.id == stop["patient"]).values(
            access_notes="Nøkkelboks 4321", next_of_kin="Ola Nordmann (sønn) 98765432"))
    planned.log_in(Role.CLINICIAN)
    text = visible_text(_card(planned.client.get(f"/my-day?date={TODAY}").text, task))
    assert "Slik kommer du inn: Nøkkelboks 4321" in text
    assert "Pårørende: Ola Nordmann (sønn) 98765432" in text
    driver = Principal(username="logistics1", role=Role.LOGISTICS)
    transport = read_transport_routes(engine=planned.engine, principal=driver, date=TODAY, client=None, at=NOW)
    stops = [s for r in transport.routes for s in r.stops if s.patient_id == stop["patient"]]
    assert all(not s.access_notes and not s.next_of_kin for s in stops)


def test_marks_come_in_order_and_the_last_one_can_be_undone(planned: Planned):
    """First only "Start besøk"; once started "Fullfør" and an undo; undo takes the visit back to unmarked."""
    task, _stop = _first_visit(planned)
    planned.log_in(Role.CLINICIAN)

    def buttons() -> list[str]:
        card = _card(planned.client.get(f"/my-day?date={TODAY}").text, task)
        return re.findall(r'<button type="submit"[^>]*>([^<]+)</button>', card)

    assert buttons() == ["Start besøk"]
    planned.client.post(f"/my-day/stops/{task}", data={"date": TODAY.isoformat(), "status": "started"})
    assert buttons() == ["Fullfør", "Angre: startet"]
    planned.client.post(f"/my-day/stops/{task}", data={"date": TODAY.isoformat(), "status": "done"})
    assert buttons() == ["Angre: ferdig"]
    planned.client.post(f"/my-day/stops/{task}", data={"date": TODAY.isoformat(), "status": "undo"})
    assert task_statuses(engine=planned.engine, date=TODAY)[task] == "started"
    planned.client.post(f"/my-day/stops/{task}", data={"date": TODAY.isoformat(), "status": "undo"})
    assert task not in task_statuses(engine=planned.engine, date=TODAY)
    refused = planned.client.post(f"/my-day/stops/{task}", data={"date": TODAY.isoformat(), "status": "undo"})
    assert "Det er ingen markering å angre" in refused.text


def test_video_visits_have_their_link_and_no_address(planned: Planned):
    """With a video link template set, a video slot links to its room; its card shows no street address."""
    route = next(r for r in planned.plan()["routes"] if any(s["type"] == "video" for s in r["stops"]))
    videos = [s for s in route["stops"] if s["type"] == "video"]
    with session_scope(planned.engine) as session:  # the clinician works the route with video slots
        session.execute(update(UserRecord).where(UserRecord.username == "clinician1")
                        .values(staff_id=route["resource"]))
    planned.app.state.settings = planned.app.state.settings.model_copy(
        update={"video_url": "https://video.example.no/rom/{task}"})
    planned.log_in(Role.CLINICIAN)
    page = planned.client.get(f"/my-day?date={TODAY}").text
    assert videos
    for video in videos:
        card = _card(page, video["task"])
        assert f'href="https://video.example.no/rom/{video["task"]}"' in card
        assert 'class="where"' not in card and "geo:" not in card


def test_staff_and_vehicles_are_named(planned: Planned):
    """My day never names a colleague or vehicle by its id (S0057): deliveries and couriers by name."""
    planned.log_in(Role.CLINICIAN)
    text = visible_text(planned.client.get(f"/my-day?date={TODAY}").text)
    assert not re.search(r"\bS\d{4}\b", text)


def test_changed_since_last_time_names_the_patient(planned: Planned):
    """When a visit of mine gets a new time in a newer version, my day says whose visit moved, not its id."""
    import json

    from hjemme.services.planning import stored_problem
    from tests.web.world import NOW

    plan, problem = stored_problem(engine=planned.engine, date=TODAY)
    route = next(r for r in plan["routes"] if r["resource"] == planned.staff_id)
    stop = next(s for s in route["stops"] if s["type"] == "visit")
    start_h, start_m = map(int, stop["start"].split(":"))
    later = start_h * 60 + start_m + 10
    stop["start"] = f"{later // 60:02d}:{later % 60:02d}"
    with session_scope(planned.engine) as session:
        patient = repo.list_patients(session, ids=[stop["patient"]])[0]
        repo.save_plan(session, date=TODAY, plan_json=json.dumps(plan), created_at=NOW,
                       problem_json=json.dumps(problem))
    planned.log_in(Role.CLINICIAN)
    planned.client.cookies.set("hjemme_myday_seen", f"{TODAY.isoformat()}:1")
    text = visible_text(planned.client.get(f"/my-day?date={TODAY}").text)
    assert f"Ny tid for {patient.name}:" in text and stop["task"] not in text.split("Endret siden sist")[1][:200]
