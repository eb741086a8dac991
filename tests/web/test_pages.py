"""The pages through FastAPI's TestClient: log-in, the role access matrix, language, escaping."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hjemme.domain.security import Role
from hjemme.services.auth import SESSION_COOKIE
from hjemme.store.database import session_scope
from hjemme.store.tables import AccessLogRecord
from hjemme.web.deps import ROLE_PAGES, start_page
from tests.web.world import NASTY, NASTY_NAME, SELF, TODAY, username

ALL_PAGES = sorted({path for pages in ROLE_PAGES.values() for path, _ in pages})


def test_login_page_is_norwegian_by_default(web):
    """The log-in page speaks bokmål unless asked otherwise, with labelled fields and a skip link."""
    page = web.client.get("/login")
    assert page.status_code == 200
    assert '<html lang="nb">' in page.text
    assert "Logg inn" in page.text
    assert '<label for="username">Brukernavn</label>' in page.text
    assert 'href="#main"' in page.text and 'id="main"' in page.text


def test_wrong_password_is_refused_without_a_session(web):
    """A wrong password shows an error and sets no session cookie."""
    response = web.client.post("/login", data={"username": "admin1", "password": "nope"}, follow_redirects=False)
    assert response.status_code == 401
    assert "Feil brukernavn eller passord." in response.text
    assert SESSION_COOKIE not in response.cookies


@pytest.mark.parametrize("role", list(Role))
def test_each_role_lands_on_its_start_page_with_a_safe_cookie(web, role):
    """Logging in sets an HttpOnly, SameSite=Lax session cookie and sends the role to its start page."""
    response = web.client.post(
        "/login", data={"username": username(role), "password": "correct horse battery staple"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == start_page(role)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert web.client.get(start_page(role)).status_code == 200


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_only_its_pages(web, role):
    """A role opens its own pages; every other page answers with the 403 page."""
    web.log_in(role)
    own = {path for path, _ in ROLE_PAGES[role]}
    for path in ALL_PAGES:
        response = web.client.get(path, follow_redirects=False)
        if path in own:
            assert response.status_code == 200, path
        else:
            assert response.status_code == 403, path
            assert "Ikke for din rolle" in response.text


@pytest.mark.parametrize("path", ["/", *ALL_PAGES])
def test_pages_send_strangers_to_log_in(web, path):
    """Without a session every page redirects to the log-in page."""
    response = web.client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"


def test_menu_shows_only_the_roles_pages(web):
    """The menu of a coordinator links to the day plan, the registers, the order suggestions (issue 14),
    the staff rota (issue 17) and scenarios, and to no other role's page."""
    web.log_in(Role.COORDINATOR)
    page = web.client.get("/plan").text
    menu = re.search(r'<nav aria-label="Hovedmeny">(.*?)</nav>', page, re.S).group(1)
    assert re.findall(r'href="([^"]+)"', menu) == ["/plan", "/registers", "/logistics/orders", "/rota", "/scenarios"]


def test_log_out_ends_the_session(web):
    """After logging out the start page asks for a log-in again."""
    web.log_in(Role.ADMIN)
    response = web.client.post("/logout", follow_redirects=False)
    assert response.status_code == 303
    web.client.cookies.clear()
    web.client.cookies.update(response.cookies)
    assert web.client.get("/admin", follow_redirects=False).headers["location"] == "/login"


def test_forged_cookie_is_not_a_session(web):
    """A session cookie not signed with the app's key is ignored."""
    web.client.cookies.set(SESSION_COOKIE, "eyJzdWIiOiJhZG1pbjEifQ.forged.signature")
    assert web.client.get("/admin", follow_redirects=False).status_code == 303


def test_english_on_request_and_remembered(web):
    """``?lang=en`` switches to English and a cookie keeps it on the next page."""
    page = web.client.get("/login?lang=en")
    assert '<html lang="en">' in page.text and "User name" in page.text
    assert "hjemme_lang=en" in page.headers["set-cookie"]
    again = web.client.get("/login")
    assert '<html lang="en">' in again.text and "Log in" in again.text


def test_day_plan_shows_routes_unplanned_and_kpis(web):
    """The coordinator's day plan lists every route, the unplanned task with its reason and the KPIs."""
    web.log_in(Role.COORDINATOR)
    page = web.client.get("/plan?date=2026-11-23").text
    assert 'data-routes="2"' in page
    assert page.count('class="gantt-row" role="row"') == 2
    assert "ikke plass i noen rute" in page
    assert "Nøkkeltall" in page and "42,5 km" in page  # Norwegian decimal comma (issue 14)
    assert "Pasient P00001" in page


def test_day_plan_escapes_patient_data(web):
    """A patient name containing markup is shown as text, never executed."""
    web.log_in(Role.COORDINATOR)
    page = web.client.get("/plan?date=2026-11-23").text
    assert NASTY_NAME not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Ola" in page


def test_day_plan_without_a_plan_says_so(web):
    """A date with no stored plan says that no plan has been made."""
    web.log_in(Role.COORDINATOR)
    page = web.client.get("/plan?date=2026-11-24").text
    assert "Det er ikke laget noen plan for denne datoen ennå." in page


def test_day_plan_is_in_the_access_log(web):
    """Opening the day plan writes one access-log row per patient it shows."""
    web.log_in(Role.COORDINATOR)
    web.client.get("/plan?date=2026-11-23")
    with session_scope(web.engine) as session:
        rows = session.scalars(select(AccessLogRecord).where(AccessLogRecord.username == "coordinator1")).all()
        assert {r.patient_id for r in rows} == {SELF, NASTY, "P00003"}
        assert {r.resource for r in rows} == {"day plan 2026-11-23"}


def test_my_day_shows_only_the_clinicians_route(web):
    """A clinician sees the stops of their own route and not the van's patient."""
    web.log_in(Role.CLINICIAN)
    page = web.client.get("/my-day?date=2026-11-23").text
    assert "Pasient P00001" in page and "08:00" in page
    assert "Pasient P00003" not in page


def test_patient_sees_only_themself(web):
    """The patient's page shows their own name and pathway and nobody else's."""
    web.log_in(Role.PATIENT)
    page = web.client.get("/me").text
    assert f"Pasient {SELF}" in page
    assert "Pasient P00002" not in page


def test_technician_sees_devices_due(web):
    """Technicians see devices due for service with serial, due date and where they are."""
    from hjemme.services.logistics import devices_due

    due = devices_due(engine=web.engine, within_days=14, today=TODAY)
    web.log_in(Role.TECHNICIAN)
    page = web.client.get("/devices").text
    assert page.count("<tr") == len(due) + 1
    assert all(d.serial in page for d in due)


def test_admin_searches_the_access_log_by_patient_and_user(web):
    """The access log filters by patient and by user."""
    web.log_in(Role.COORDINATOR)
    web.client.get("/plan?date=2026-11-23")
    web.client.cookies.clear()
    web.log_in(Role.ADMIN)
    by_patient = web.client.get(f"/admin/access-log?patient={NASTY}").text
    assert by_patient.count("<td>coordinator1</td>") == 1
    by_user = web.client.get("/admin/access-log?username=nobody").text
    assert "<td>coordinator1</td>" not in by_user
    users = web.client.get("/admin").text
    assert "<td>clinician1</td>" in users and "argon2" not in users


def test_vendored_assets_are_served(web):
    """htmx and Leaflet come from the app itself, not a CDN."""
    for path in ("/static/vendor/htmx/htmx.min.js", "/static/vendor/leaflet/leaflet.js",
                 "/static/vendor/leaflet/leaflet.css", "/static/vendor/leaflet/images/marker-icon.png",
                 "/static/js/dayplan.js", "/static/css/hjemme.css"):
        assert web.client.get(path).status_code == 200, path


def test_unplanned_list_in_english(web):
    """In English the unplanned list keeps the planner's reason (the plan stores it in bokmål)."""
    web.log_in(Role.COORDINATOR)
    page = web.client.get("/plan?date=2026-11-23&lang=en").text
    assert "Not planned (1)" in page and "ikke plass i noen rute" in page
