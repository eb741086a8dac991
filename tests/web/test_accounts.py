"""Accounts on the web (issue 12): the log-in lock, log-out that really ends the session, changing
one's password, and the administrator's user actions."""

from __future__ import annotations

from hjemme.domain.security import Role
from hjemme.services.auth import SESSION_COOKIE
from tests.web.world import PASSWORD, username

NEW_PASSWORD = "et helt nytt passord"


def _login(web, user: str, password: str):
    return web.client.post("/login", data={"username": user, "password": password}, follow_redirects=False)


def test_login_form_locks_after_five_failures(web):
    """Five wrong passwords in the form lock the user: the right one then gets 429 with Retry-After
    and a Norwegian message, and no session."""
    for _ in range(5):
        assert _login(web, username(Role.ADMIN), "feil").status_code == 401
    response = _login(web, username(Role.ADMIN), PASSWORD)
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert "For mange mislykkede innlogginger" in response.text
    assert SESSION_COOKIE not in response.cookies


def test_a_copied_session_cookie_dies_at_log_out(web):
    """A session cookie kept from before log-out (e.g. copied by someone else) no longer opens a page."""
    web.log_in(Role.ADMIN)
    stolen = web.client.cookies.get(SESSION_COOKIE)
    web.client.post("/logout", follow_redirects=False)
    web.client.cookies.clear()
    web.client.cookies.set(SESSION_COOKIE, stolen)
    assert web.client.get("/admin", follow_redirects=False).headers["location"] == "/login"


def test_user_changes_their_password_and_stays_logged_in(web):
    """The password page needs the present password; after the change this session goes on and the
    new password is the one that logs in."""
    web.log_in(Role.CLINICIAN)
    wrong = web.client.post("/account/password", data={
        "old_password": "feil", "new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD})
    assert wrong.status_code == 422 and "Nåværende passord er feil" in wrong.text
    changed = web.client.post("/account/password", data={
        "old_password": PASSWORD, "new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD})
    assert changed.status_code == 200 and "Passordet ditt er endret" in changed.text
    assert web.client.get("/my-day", follow_redirects=False).status_code == 200
    web.client.cookies.clear()
    assert _login(web, username(Role.CLINICIAN), PASSWORD).status_code == 401
    assert _login(web, username(Role.CLINICIAN), NEW_PASSWORD).status_code == 303


def test_admin_disables_enables_and_resets_from_the_page(web):
    """The admin page disables a user (who can no longer log in), enables them, and resets a password."""
    web.log_in(Role.ADMIN)
    target = username(Role.LOGISTICS)
    page = web.client.post("/admin/users/disable", data={"username": target})
    assert page.status_code == 200 and "deaktivert" in page.text
    assert _login(web, target, PASSWORD).status_code == 401
    web.log_in(Role.ADMIN)
    web.client.post("/admin/users/enable", data={"username": target})
    reset = web.client.post("/admin/users/password", data={"username": target, "password": NEW_PASSWORD})
    assert reset.status_code == 200
    assert _login(web, target, NEW_PASSWORD).status_code == 303


def test_admin_page_refuses_a_short_password(web):
    """A reset to a too-short password is refused on the page and the old password still works."""
    web.log_in(Role.ADMIN)
    page = web.client.post("/admin/users/password", data={"username": username(Role.LOGISTICS), "password": "kort"})
    assert page.status_code == 422
    assert _login(web, username(Role.LOGISTICS), PASSWORD).status_code == 303


def test_a_page_refused_to_a_role_is_logged(web):
    """A clinician opening the admin page gets 403 and the access log shows the refusal."""
    web.log_in(Role.CLINICIAN)
    assert web.client.get("/admin/access-log").status_code == 403
    web.client.cookies.clear()
    web.log_in(Role.ADMIN)
    page = web.client.get(f"/admin/access-log?username={username(Role.CLINICIAN)}")
    assert "refused" in page.text and "403 GET /admin/access-log" in page.text


def test_admin_creates_links_and_changes_the_role_of_a_user_from_the_page(web):
    """On the admin page: a new clinician user is created and logs in, is linked to a member of staff,
    and is made a coordinator; bad input is refused in Norwegian and changes nothing."""
    web.log_in(Role.ADMIN)
    created = web.client.post("/admin/users/create", data={"username": "ny.sykepleier", "role": "clinician",
                                                           "password": NEW_PASSWORD})
    assert created.status_code == 200 and "Brukeren er opprettet." in created.text
    linked = web.client.post("/admin/users/link", data={"username": "ny.sykepleier", "staff": "S0001"})
    assert "Brukeren er koblet." in linked.text and "S0001" in linked.text
    bad_link = web.client.post("/admin/users/link", data={"username": "ny.sykepleier", "patient": "P00001"})
    assert bad_link.status_code == 422 and "Koblingen ble ikke laget" in bad_link.text
    role = web.client.post("/admin/users/role", data={"username": "ny.sykepleier", "role": "coordinator"})
    assert "Rollen er endret" in role.text
    taken = web.client.post("/admin/users/create", data={"username": "ny.sykepleier", "role": "clinician",
                                                         "password": NEW_PASSWORD})
    assert taken.status_code == 409 and "Brukeren ble ikke opprettet" in taken.text
    assert _login(web, "ny.sykepleier", NEW_PASSWORD).status_code == 303
    assert web.client.get("/plan", follow_redirects=False).status_code == 200  # now a coordinator
