"""The rota pages: a coordinator plans a team's rota, sees the grid with cover and checks, changes a
cell and is told at once (in bokmål) what rule it breaks, publishes; the nurse sees their shifts."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from sqlalchemy import Engine

from hjemme.api.app import create_app
from hjemme.domain.security import Role
from hjemme.services.auth import Principal, hash_password
from hjemme.services.jobs import Jobs
from hjemme.services.rota_jobs import STAGE_PERCENTS, RotaJob
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


def _finished(client: FormClient, response) -> str:
    """Follow a plan or re-plan job started by ``response`` (303 to its page) to its end, waiting on
    the job's own event (no sleeping); the job page then sends on to the draft's grid: its URL."""
    assert response.status_code == 303 and response.headers["location"].startswith("/rota/jobs/")
    job_url = response.headers["location"]
    job = client.app.state.rota_jobs.get(job_url.rsplit("/", 1)[1], username(Role.COORDINATOR))
    assert job is not None and job.ended.wait(120), job
    done = client.get(job_url, follow_redirects=False)
    assert done.status_code == 303, done.text
    return done.headers["location"]


def _start_plan(client: FormClient, weeks: int):
    """Start planning the haematology team's rota from MONDAY: the 303 to its job."""
    data = {"team": "haematology", "first_day": MONDAY.isoformat(), "weeks": str(weeks)}
    return client.post("/rota/plan", data=data, follow_redirects=False)


def _my_wishes(page: str) -> list[str]:
    """The wishes listed on 'My rota', each as its text after the date."""
    listed = page.split('<ul class="my-wishes">', 1)[1].split("</ul>", 1)[0] if "my-wishes" in page else ""
    return [
        item.split(": ", 1)[1].split("\n", 1)[0].strip()
        for item in re.findall(r"<li>(.*?)<form", listed, re.S)
    ]


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
    planned = _start_plan(client, weeks=2)
    grid_url = _finished(client, planned)
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
    # the rota published covers two weeks: the two after it are not days off but not planned yet
    assert mine.text.count("Ingen turnus publisert ennå") == 14
    assert mine.text.count('<li class="shift shift-unplanned') == 14
    # a summary of the shifts listed: how many, and their hours (day 8, evening 7.5, night 9.5)
    codes = re.findall(r'<li class="shift shift-([DEN])[ "]', mine.text)
    hours = sum({"D": 8.0, "E": 7.5, "N": 9.5}[c] for c in codes)
    assert codes and f"{len(codes)} vakter, {hours:.1f} timer".replace(".", ",") in mine.text


def _load_of(page: str, name: str) -> tuple[int, int, str]:
    """A person's hours planned and by contract, and the cell's classes, read off the grid's row."""
    found = re.search(
        rf'<th scope="row">{re.escape(name)}</th>\s*<td class="([^"]*)" title="[^"]*">(\d+)/(\d+)</td>', page
    )
    assert found, f"no hours shown for {name}"
    return int(found[2]), int(found[3]), found[1]


def test_the_grid_shows_each_persons_hours_against_the_contract_as_cells_change(client: FormClient) -> None:
    """Each row shows hours planned / hours by contract; a day shift put on a free day adds its 8 hours
    at once, and hours far under the contract are marked."""
    _login(client, Role.COORDINATOR)
    planned = _start_plan(client, weeks=2)
    rota_id = _finished(client, planned).rsplit("/", 1)[1]
    change = {"cell": "S010|2026-12-02", "shift": ""}
    posted = client.post(f"/rota/{rota_id}/cells?lang=nb", data=change, follow_redirects=False)
    # answered with the grid's own address: reloading the checked grid reads it, it posts nothing again
    assert posted.status_code == 303 and posted.headers["location"] == f"/rota/{rota_id}?lang=nb"
    freed = client.get(posted.headers["location"])
    hours, contract, _ = _load_of(freed.text, "Kari Turnus 0")
    assert contract == 71  # two weeks of 35.5 h
    worked = client.post(f"/rota/{rota_id}/cells?lang=nb", data={"cell": "S010|2026-12-02", "shift": "D"})
    assert _load_of(worked.text, "Kari Turnus 0")[:2] == (hours + 8, contract)
    # the cell set by hand is locked (kept by a re-plan), shown bold with the legend saying so
    cell = re.search(r'<td class="([^"]*)">\s*<form[^>]*>(?:(?!</td>).)*?value="S010\|2026-12-02"', worked.text, re.S)
    assert cell and "locked" in cell[1].split() and "satt for hånd" in worked.text
    assert "Timer" in worked.text and "Helger" in worked.text
    for day in range(14):  # a whole fortnight off: far under the contract, marked and warned of
        date = (MONDAY + dt.timedelta(days=day)).isoformat()
        emptied = client.post(f"/rota/{rota_id}/cells?lang=nb", data={"cell": f"S010|{date}", "shift": ""})
    hours, _, classes = _load_of(emptied.text, "Kari Turnus 0")
    assert hours == 0 and "short" in classes.split()
    assert "Kari Turnus 0: 0 t planlagt mot 71 t etter stillingsprosent" in emptied.text


def test_a_cell_changed_by_another_planner_since_the_grid_was_shown_is_not_overwritten(
    client: FormClient,
) -> None:
    """Two planners have the grid open with a cell showing a day off; the first sets an evening, the
    second's night (posted with the day off they saw) is refused in bokmål and the evening stays."""
    _login(client, Role.COORDINATOR)
    planned = _start_plan(client, weeks=1)
    rota_id = _finished(client, planned).rsplit("/", 1)[1]
    cell = "S010|2026-12-02"
    client.post(f"/rota/{rota_id}/cells", data={"cell": cell, "shift": ""})  # both now see a day off
    grid = client.get(f"/rota/{rota_id}").text
    assert 'value="S010|2026-12-02"><input type="hidden" name="was" value="-">' in grid
    first = client.post(f"/rota/{rota_id}/cells", data={"cell": cell, "shift": "E", "was": "-"})
    assert first.status_code == 200
    second = client.post(f"/rota/{rota_id}/cells?lang=nb", data={"cell": cell, "shift": "N", "was": "-"})
    assert second.status_code == 409
    assert "Noen andre endret den cellen etter at du åpnet turnusen; ingenting ble endret." in second.text
    assert 'value="S010|2026-12-02"><input type="hidden" name="was" value="E">' in second.text
    in_english = client.post(f"/rota/{rota_id}/cells?lang=en", data={"cell": cell, "shift": "N", "was": "-"})
    assert in_english.status_code == 409 and "Someone else changed that cell" in in_english.text


def test_a_nurse_records_a_wish_on_the_phone(client: FormClient) -> None:
    """A day-off wish posted from 'My rota' is listed there, in bokmål, and reaches the planner."""
    _login(client, Role.CLINICIAN)
    saved = client.post(
        "/my-rota/wishes", data={"date": "2026-12-02", "kind": "day_off"}, follow_redirects=False
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/my-rota?note=saved"
    page = client.get("/my-rota?note=saved&lang=nb")
    assert "Ønsket ditt er lagret" in page.text and _my_wishes(page.text) == ["Fri dag, normal"]
    refused = client.post(
        "/my-rota/wishes", data={"date": "2026-12-02", "kind": "shift_wanted"}, follow_redirects=False
    )
    assert refused.headers["location"] == "/my-rota?note=bad-shift"
    assert "Et vaktønske må si hvilken vakt" in client.get("/my-rota?note=bad-shift&lang=nb").text
    high = client.post(
        "/my-rota/wishes",
        data={"date": "2026-12-03", "kind": "shift_not_wanted", "shift": "N", "weight": "5"},
        follow_redirects=False,
    )
    assert high.headers["location"] == "/my-rota?note=saved"
    page = client.get("/my-rota?lang=en").text
    assert _my_wishes(page) == ["Day off, normal", "I do not want this shift (Night), high"]
    first = re.search(r"/my-rota/wishes/(\d+)/delete", page).group(1)
    assert client.post(f"/my-rota/wishes/{first}/delete", follow_redirects=False).status_code == 303
    assert _my_wishes(client.get("/my-rota?lang=nb").text) == ["Jeg ønsker ikke denne vakten (Natt), høy"]


def test_a_sick_call_is_replanned_from_the_grid(client: FormClient, db_engine: Engine) -> None:
    """Published rota, then a nurse with a shift on 1 December is off sick 1–3 December: 'Re-plan after
    absence' opens a new draft that has them off, counts the changed cells, and keeps the rules."""
    from hjemme.domain.availability import Absence, AbsenceKind
    from hjemme.services.rota import read_rota
    from hjemme.store import realdata

    _login(client, Role.COORDINATOR)
    planned = _start_plan(client, weeks=2)
    rota_id = int(_finished(client, planned).rsplit("/", 1)[1])
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
    again = _finished(client, client.post(f"/rota/{rota_id}/replan", follow_redirects=False))
    new_id = int(again.rsplit("/", 1)[1])
    assert new_id != rota_id
    view = read_rota(engine=db_engine, principal=coordinator, rota_id=new_id)
    assert not any(view.rota.cells.get((sick, dt.date(2026, 12, d))) for d in (1, 2, 3))
    assert view.rota.changed >= 1 and view.hard_breaches == ()
    page = client.get(again + "?lang=nb")
    assert f"{view.rota.changed} celler endret av omplanleggingen" in page.text


def test_a_sick_call_entered_on_the_grid_is_registered_and_replanned(
    client: FormClient, db_engine: Engine
) -> None:
    """On the grid the coordinator names the sick nurse and the days: the absence lands in the absence
    register and the new draft has them off. A sick call ending before it starts, or naming someone
    outside the team, is refused in bokmål and records nothing; sent twice, it is recorded once."""
    from hjemme.services.rota import read_rota
    from hjemme.store import realdata

    _login(client, Role.COORDINATOR)
    planned = _start_plan(client, weeks=1)
    grid_url = _finished(client, planned)
    rota_id = int(grid_url.rsplit("/", 1)[1])
    grid = client.get(grid_url + "?lang=nb").text
    assert (
        "Sykemelding eller nytt fravær" in grid and 'name="from_date" type="date" value="2026-11-30"' in grid
    )
    coordinator = Principal("coordinator1", Role.COORDINATOR)
    cells = read_rota(engine=db_engine, principal=coordinator, rota_id=rota_id).rota.cells
    sick = next(sid for (sid, date) in sorted(cells) if date == dt.date(2026, 12, 1))

    def absences() -> list:
        with session_scope(db_engine) as session:
            return realdata.absences(session)

    before = absences()
    backwards = client.post(
        f"/rota/{rota_id}/replan?lang=nb",
        data={"staff_id": sick, "kind": "sick", "from_date": "2026-12-03", "to_date": "2026-12-01"},
        follow_redirects=False,
    )
    assert backwards.status_code == 422 and "Et fravær slutter samme dag som det begynner" in backwards.text
    stranger = client.post(
        f"/rota/{rota_id}/replan?lang=nb",
        data={"staff_id": "S9999", "kind": "sick", "from_date": "2026-12-01"},
        follow_redirects=False,
    )
    assert stranger.status_code == 422 and "Velg en i teamet." in stranger.text
    assert absences() == before and not client.app.state.rota_jobs._running
    sick_call = {"staff_id": sick, "kind": "sick", "from_date": "2026-12-01", "to_date": "2026-12-03"}
    started = client.post(f"/rota/{rota_id}/replan", data=sick_call, follow_redirects=False)
    twice = client.post(f"/rota/{rota_id}/replan", data=sick_call, follow_redirects=False)  # a double click
    again = _finished(client, started)
    _finished(client, twice)
    registered = [a for a in absences() if a not in before]
    assert [(a.staff_id, a.kind.value, a.from_date, a.to_date) for a in registered] == [
        (sick, "sick", dt.date(2026, 12, 1), dt.date(2026, 12, 3))
    ]
    view = read_rota(engine=db_engine, principal=coordinator, rota_id=int(again.rsplit("/", 1)[1]))
    assert not any(view.rota.cells.get((sick, dt.date(2026, 12, d))) for d in (1, 2, 3))
    assert view.hard_breaches == ()
    # the new draft's grid shows the three sick days as absent, and no other cell of anyone
    page = client.get(again + "?lang=nb").text
    absent = re.findall(r'<td class="[^"]*\babsent\b[^"]*"[^>]*>\s*<form[^>]*>.*?value="([^"|]+)\|([\d-]+)"', page, re.S)
    assert sorted(absent) == [(sick, f"2026-12-0{d}") for d in (1, 2, 3)]
    assert "Fravær (fraværsregisteret)" in page
    # and lists whom the re-plan affects: the sick nurse's lost shifts among the changes, marked too
    listed = re.findall(r"<li>(.*?) (\d\d\.\d\d\.2026): (\w+) → (\w+)</li>", page)
    assert f"Endringer fra versjon 1 ({len(listed)})" in page and len(listed) == view.rota.changed
    name = next(s.name for s in view.staff if s.id == sick)
    lost = [d for d in (1, 2, 3) if cells.get((sick, dt.date(2026, 12, d)))]
    assert lost and all((name, f"0{d}.12.2026") in {(n, t) for n, t, _, after in listed if after == "fri"} for d in lost)
    assert len(re.findall(r'<td class="[^"]*\bchanged\b', page)) == len(listed)  # each marked on the grid


def test_planning_shows_a_progress_bar_then_the_draft(client: FormClient) -> None:
    """Planning from the page answers at once with a job page whose bar the page polls (in bokmål and
    English); the bar's own URL sends the browser on when the job ends; the job page then opens the draft;
    a job the server does not know (after a restart) is said so, and its polling stops."""
    _login(client, Role.COORDINATOR)
    started = _start_plan(client, weeks=1)
    job_url = started.headers["location"]
    job = client.app.state.rota_jobs.get(job_url.rsplit("/", 1)[1], username(Role.COORDINATOR))
    while_running = client.get(job_url + "?lang=nb")
    if while_running.status_code == 200:  # the job may already have ended on a fast machine
        assert "<progress" in while_running.text and "Planlegger turnusen" in while_running.text
        # the job may end in between: then the page sends on to the grid (not followed here)
        english = client.get(job_url + "?lang=en", follow_redirects=False)
        assert english.status_code in (200, 303)
        if english.status_code == 200:
            assert "Planning the rota" in english.text
    assert job.ended.wait(120)
    polled = client.get(job_url + "/progress", headers={"HX-Request": "true"})
    assert polled.status_code == 204 and polled.headers["HX-Redirect"] == job_url
    opened = client.get(job_url, follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == f"/rota/{job.rota_id}"
    forgotten = client.get("/rota/jobs/" + "0" * 32 + "?lang=nb")  # e.g. after a restart
    assert forgotten.status_code == 404 and "Den planleggingsjobben er ukjent" in forgotten.text
    polled = client.get("/rota/jobs/" + "0" * 32 + "/progress", headers={"HX-Request": "true"})
    assert polled.status_code == 204 and polled.headers["HX-Redirect"] == "/rota/jobs/" + "0" * 32


def test_a_plan_waits_its_turn_behind_another_search_and_says_so(client: FormClient) -> None:
    """One search at a time (``HJEMME_ROTA_SOLVES_AT_ONCE=1``): a plan started while another
    planner's search runs waits, and its page says how many go before it, in bokmål and English;
    when the other ends it is planned and opens as usual."""
    jobs = client.app.state.rota_jobs = Jobs(at_once=1)
    gate = threading.Event()
    other = RotaJob(username="someone", percents=STAGE_PERCENTS, time_limit_s=3, kind="plan", team="x")
    jobs.start("another planner's search", other, lambda progress: gate.wait(60) and 0)
    _login(client, Role.COORDINATOR)
    started = _start_plan(client, weeks=1)
    job_url = started.headers["location"]
    waiting = client.get(job_url + "?lang=nb").text
    assert "venter på at 1 annen planlegging blir ferdig" in waiting
    assert "Når det blir dens tur, tar søket opptil" in waiting  # the time starts with its turn
    polled = client.get(job_url + "/progress?lang=en", headers={"HX-Request": "true"})
    assert "waiting for 1 other plan to finish" in polled.text
    assert "When its turn comes, the search takes up to" in polled.text
    gate.set()
    assert re.fullmatch(r"/rota/\d+", _finished(client, started))


def test_a_bad_plan_request_is_refused_at_once_in_the_page_language(client: FormClient) -> None:
    """Weeks out of range and an unknown team are refused before any job starts, named in bokmål/English."""
    _login(client, Role.COORDINATOR)
    weeks = client.post(
        "/rota/plan?lang=nb", data={"team": "haematology", "first_day": MONDAY.isoformat(), "weeks": "9"}
    )
    assert weeks.status_code == 422 and "Planlegg fra 1 til 8 uker." in weeks.text
    team = client.post(
        "/rota/plan?lang=en", data={"team": "no_such_team", "first_day": MONDAY.isoformat(), "weeks": "2"}
    )
    assert team.status_code == 422 and "Choose a team that has clinical staff." in team.text
    assert getattr(client.app.state, "rota_jobs", None) is None or not client.app.state.rota_jobs._jobs


def test_rota_page_title_is_plain_text_and_the_shift_table_is_shown_once(client: FormClient) -> None:
    """The browser tab reads the page name · OUS Hjemme, not the shift-time table's markup, and the table
    of shift times per team stands once, in the page."""
    _login(client, Role.COORDINATOR)
    home = client.get("/rota?lang=nb").text
    title = re.search(r"<title>(.*?)</title>", home, re.S)
    assert title is not None and "<" not in title.group(1) and "OUS Hjemme" in title.group(1)
    assert home.count('id="shifts-heading"') == 1


def test_team_shift_times_are_set_on_the_page_and_used_by_the_next_plan(client: FormClient) -> None:
    """The planner gives the team a 07:00–15:00 day shift: the page shows it, the next plan's grid
    shows 07:00–15:00 (8 h) in its legend; a 12-hour shift is refused in bokmål and nothing changes;
    times changed later leave the planned rota's own and the grid says so."""
    _login(client, Role.COORDINATOR)
    times = {"D_start": "07:00", "D_end": "15:00", "E_start": "15:00", "E_end": "22:30"}
    times |= {"N_start": "22:15", "N_end": "07:45"}
    saved = client.post("/rota/teams/haematology/shifts", data=times, follow_redirects=False)
    assert saved.status_code == 303
    home = client.get("/rota?note=shifts&lang=nb")
    assert "Vakttidene er lagret" in home.text and 'value="07:00"' in home.text
    refused = client.post("/rota/teams/haematology/shifts?lang=nb", data={**times, "D_end": "19:00"})
    assert refused.status_code == 422 and "en vakt varer fra 1 til 10 timer" in refused.text
    assert 'value="15:00" required aria-label="Hematologi, dag: slutt"' in refused.text  # unchanged
    planned = _start_plan(client, weeks=1)
    grid_url = _finished(client, planned)
    grid = client.get(grid_url + "?lang=en")
    assert "Day 07:00–15:00 (8.0 h)" in grid.text and "shift times have changed" not in grid.text
    client.post("/rota/teams/haematology/shifts", data={**times, "D_start": "08:00", "D_end": "16:00"})
    kept = client.get(grid_url + "?lang=nb").text
    assert "Dag 07:00–15:00" in kept and "Teamets vakttider er endret siden" in kept


def test_the_planner_enters_a_wish_on_the_grid_and_the_next_plan_grants_it(client: FormClient) -> None:
    """A day-off wish of high weight entered on the grid is listed with whether the rota grants it;
    the next plan grants it (the cell is off, marked granted); a wish without its shift is refused in
    bokmål; the wish can be withdrawn."""
    _login(client, Role.COORDINATOR)
    planned = _start_plan(client, weeks=1)
    grid_url = _finished(client, planned)
    rota_id = grid_url.rsplit("/", 1)[1]
    wish = {"staff_id": "S010", "date": "2026-12-02", "kind": "day_off", "weight": "5"}
    saved = client.post(f"/rota/{rota_id}/wishes", data=wish, follow_redirects=False)
    assert saved.status_code == 303
    page = client.get(saved.headers["location"].replace("#wishes", "") + "&lang=nb")
    assert "Ønsket er lagret" in page.text and "Ønsker (1)" in page.text and "Fri dag" in page.text
    refused = client.post(
        f"/rota/{rota_id}/wishes?lang=nb", data={**wish, "kind": "shift_wanted", "shift": ""}
    )
    assert refused.status_code == 422 and "Et vaktønske må si hvilken vakt" in refused.text
    again = _start_plan(client, weeks=1)
    grid = client.get(_finished(client, again) + "?lang=en")
    assert "Wishes (1)" in grid.text and '<td class="wish-met">granted</td>' in grid.text
    wish_id = re.search(r"/wishes/(\d+)/delete", grid.text).group(1)
    withdrawn = client.post(f"/rota/{rota_id}/wishes/{wish_id}/delete", follow_redirects=False)
    assert withdrawn.status_code == 303
    assert "Wishes (0)" in client.get(f"/rota/{rota_id}?lang=en").text
