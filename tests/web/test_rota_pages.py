"""The rota pages: a coordinator plans a team's rota, sees the grid with cover and checks, changes a
cell and is told at once (in bokmål) what rule it breaks, publishes; the nurse sees their shifts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from hjemme.api.app import create_app
from hjemme.domain.security import Role
from hjemme.services.auth import Principal, hash_password
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.web.deps import get_now
from tests.store import factories
from tests.web.forms import FormClient
from tests.web.world import NOW, PASSWORD, SETTINGS, seed_world, username

MONDAY = dt.date(2026, 11, 30)


@pytest.fixture
def client(db_engine: Engine):
    seed_world(db_engine, hash_password(PASSWORD))
    with session_scope(db_engine) as session:
        repo.add_staff(session, [factories.nurse(f"S01{i}", name=f"Kari Turnus {i}") for i in range(5)])
    app = create_app(SETTINGS, engine=db_engine)
    app.dependency_overrides[get_now] = lambda: NOW
    with FormClient(app) as client:
        yield client


def _login(client: FormClient, role: Role) -> None:
    client.cookies.clear()
    response = client.post(
        "/login", data={"username": username(role), "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def test_plan_edit_check_publish_and_my_rota(client: FormClient) -> None:
    """Plan → grid with names and cover; an evening before a day shift is named as a rest breach and
    blocks publishing; undone, the rota publishes; the nurse's phone page lists their shifts."""
    _login(client, Role.COORDINATOR)
    home = client.get("/rota?lang=nb")
    assert home.status_code == 200 and "Planlegg en turnus" in home.text and "Hematologi" in home.text
    planned = client.post(
        "/rota/plan",
        data={"team": "haematology", "first_day": MONDAY.isoformat(), "weeks": "2"},
        follow_redirects=False,
    )
    assert planned.status_code == 303
    grid_url = planned.headers["location"]
    grid = client.get(grid_url + "?lang=nb")
    assert (
        "Kari Turnus 0" in grid.text
        and "Dekning" in grid.text
        and "Turnusen holder alle arbeidstidsregler." in grid.text
    )
    rota_id = grid_url.rsplit("/", 1)[1]
    for day in ("2026-12-01", "2026-12-04"):  # free days around the two cells: only their rest is at stake
        client.post(f"/rota/{rota_id}/cells", data={"cell": f"S010|{day}", "shift": ""})
    client.post(f"/rota/{rota_id}/cells", data={"cell": "S010|2026-12-02", "shift": "E"})
    checked = client.post(f"/rota/{rota_id}/cells?lang=nb", data={"cell": "S010|2026-12-03", "shift": "D"})
    assert checked.status_code == 200 and "hvile mellom vakter" in checked.text
    refused = client.post(f"/rota/{rota_id}/publish?lang=nb")
    assert refused.status_code == 409 and "Rett bruddene før publisering." in refused.text
    client.post(f"/rota/{rota_id}/cells", data={"cell": "S010|2026-12-03", "shift": ""})
    published = client.post(f"/rota/{rota_id}/publish", follow_redirects=False)
    assert published.status_code == 303
    assert "Publisert" in client.get(grid_url + "?lang=nb").text
    export = client.get(f"/rota/{rota_id}/export.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    _login(client, Role.CLINICIAN)
    mine = client.get("/my-rota?lang=nb")
    assert mine.status_code == 200 and "Min turnus" in mine.text
    assert (
        mine.text.count('<li class="shift shift-') == 28
    )  # four weeks, a line a day: the nurse is in the team


def test_a_nurse_records_a_wish_on_the_phone(client: FormClient) -> None:
    """A day-off wish posted from 'My rota' is listed there, in bokmål, and reaches the planner."""
    _login(client, Role.CLINICIAN)
    saved = client.post(
        "/my-rota/wishes", data={"date": "2026-12-02", "kind": "day_off"}, follow_redirects=False
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/my-rota?note=saved"
    page = client.get("/my-rota?note=saved&lang=nb")
    assert "Ønsket ditt er lagret" in page.text and "Fri dag" in page.text
    refused = client.post(
        "/my-rota/wishes", data={"date": "2026-12-02", "kind": "shift_wanted"}, follow_redirects=False
    )
    assert refused.headers["location"] == "/my-rota?note=bad"


def test_a_sick_call_is_replanned_from_the_grid(client: FormClient, db_engine: Engine) -> None:
    """Published rota, then a nurse with a shift on 1 December is off sick 1–3 December: 'Re-plan after
    absence' opens a new draft that has them off, counts the changed cells, and keeps the rules."""
    from hjemme.domain.availability import Absence, AbsenceKind
    from hjemme.services.rota import read_rota
    from hjemme.store import realdata

    _login(client, Role.COORDINATOR)
    planned = client.post(
        "/rota/plan",
        data={"team": "haematology", "first_day": MONDAY.isoformat(), "weeks": "2"},
        follow_redirects=False,
    )
    rota_id = int(planned.headers["location"].rsplit("/", 1)[1])
    assert client.post(f"/rota/{rota_id}/publish", follow_redirects=False).status_code == 303
    coordinator = Principal("coordinator1", Role.COORDINATOR)
    cells = read_rota(engine=db_engine, principal=coordinator, rota_id=rota_id).rota.cells
    sick = next(sid for (sid, date) in sorted(cells) if date == dt.date(2026, 12, 1))
    with session_scope(db_engine) as session:
        realdata.add_absence(
            session,
            Absence(sick, AbsenceKind.SICK, dt.date(2026, 12, 1), dt.date(2026, 12, 3)),
            username="coordinator1",
            at=NOW,
        )
    again = client.post(f"/rota/{rota_id}/replan", follow_redirects=False)
    assert again.status_code == 303
    new_id = int(again.headers["location"].rsplit("/", 1)[1])
    assert new_id != rota_id
    view = read_rota(engine=db_engine, principal=coordinator, rota_id=new_id)
    assert not any(view.rota.cells.get((sick, dt.date(2026, 12, d))) for d in (1, 2, 3))
    assert view.rota.changed >= 1 and view.hard_breaches == ()
    page = client.get(again.headers["location"] + "?lang=nb")
    assert f"{view.rota.changed} celler endret av omplanleggingen" in page.text
