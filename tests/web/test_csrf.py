"""Cross-site forms (#12): every state-changing page form needs this session's token; a forged form
from another site (or another port of this one) is refused with 403 and changes nothing."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from hjemme.domain.security import Role
from hjemme.services.auth import SESSION_COOKIE
from hjemme.web.csrf import CSRF_FIELD
from hjemme.web.router import PAGES
from tests.web.forms import FormClient
from tests.web.world import ALARM_RED, PASSWORD, username

POST_PAGES = sorted(
    route.path for page in PAGES for route in page.router.routes
    if isinstance(route, APIRoute) and "POST" in route.methods
)


def _waiting(web) -> str:
    return re.search(r'data-count="waiting">(\d+)<', web.client.get("/response").text).group(1)


def test_a_forged_form_without_the_token_changes_nothing(web):
    """Another site's form resolving an alarm (the nurse's cookie rides along) is 403; the alarm stays open."""
    web.log_in(Role.RESPONDER)
    before = _waiting(web)
    response = web.client.post(f"/response/alarms/{ALARM_RED}/resolve", data={"note": "forged"}, csrf=False)
    assert response.status_code == 403 and "Skjemaet ble avvist" in response.text
    assert _waiting(web) == before == "2"


def test_a_token_from_another_session_is_refused(web):
    """A token the attacker got from their own session (their own account) does not work with the
    victim's cookie."""
    with FormClient(web.client.app) as attacker:
        attacker.post("/login", data={"username": username(Role.COORDINATOR), "password": PASSWORD})
        stolen = attacker.form_token()
    web.log_in(Role.RESPONDER)
    response = web.client.post(f"/response/alarms/{ALARM_RED}/ack", csrf=False, data={CSRF_FIELD: stolen})
    assert response.status_code == 403 and _waiting(web) == "2"


def test_a_form_from_another_origin_is_refused_even_with_a_token(web):
    """A same-site page on another port (Origin names another host) is refused outright."""
    web.log_in(Role.RESPONDER)
    response = web.client.post(f"/response/alarms/{ALARM_RED}/ack", headers={"Origin": "http://testserver:8081"})
    assert response.status_code == 403 and _waiting(web) == "2"
    own = web.client.post(f"/response/alarms/{ALARM_RED}/ack", headers={"Origin": "http://testserver"},
                          follow_redirects=False)
    assert own.status_code == 303 and _waiting(web) == "1"


@pytest.mark.parametrize("path", POST_PAGES)
def test_every_post_page_refuses_a_form_without_the_token(web, path):
    """Each state-changing page route answers 403 to a form without the token, before its handler runs."""
    assert len(POST_PAGES) >= 10
    web.log_in(Role.COORDINATOR)
    url = re.sub(r"\{[^}]+\}", "x", path)
    response = web.client.post(url, data={"date": "2026-11-23"}, csrf=False, follow_redirects=False)
    assert response.status_code == 403 and "Skjemaet ble avvist" in response.text


def test_log_in_needs_the_login_forms_token(web):
    """A cross-site log-in (to plant the attacker's session) is refused and sets no session cookie."""
    response = web.client.post("/login", data={"username": username(Role.ADMIN), "password": PASSWORD},
                               csrf=False, follow_redirects=False)
    assert response.status_code == 403 and SESSION_COOKIE not in response.cookies


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.RESPONDER, Role.LOGISTICS, Role.CLINICIAN, Role.ADMIN])
def test_every_rendered_post_form_carries_the_token(web, role):
    """Each POST form on a role's pages has the hidden token field, so the real pages keep working."""
    web.log_in(role)
    page = web.client.get("/").text
    forms = re.findall(r'<form method="post"[^>]*>\s*<input type="hidden" name="csrf_token" value="([0-9a-f]+)">|'
                       r'(<form method="post")', page)
    assert forms and all(token for token, _ in forms)
    assert {token for token, _ in forms} == {web.client.form_token()}
