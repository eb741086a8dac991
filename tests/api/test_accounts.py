"""Accounts through the API (issue 12): log-in throttling, log-out, password change, user admin."""

from __future__ import annotations

import datetime as dt

import pytest

from hjemme.api.deps import get_now
from hjemme.domain.security import Role
from tests.api.conftest import NOW, PASSWORD, Api

NEW_PASSWORD = "a brand new passphrase"


def _token(api: Api, username: str, password: str = PASSWORD, **headers: str) -> tuple[int, dict[str, str]]:
    response = api.client.post(
        "/api/auth/token", data={"username": username, "password": password}, headers=headers
    )
    return response.status_code, dict(response.headers)


def _bearer(api: Api, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = api.client.post("/api/auth/token", data={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_five_wrong_passwords_lock_the_user_even_for_the_right_one(api: Api) -> None:
    """After five wrong passwords the user name answers 429 with Retry-After, and the right password
    does not get through until the window has passed."""
    for _ in range(5):
        assert _token(api, "coordinator1", "guess")[0] == 401
    status, headers = _token(api, "coordinator1")
    assert status == 429
    assert 0 < int(headers["retry-after"]) <= 15 * 60
    api.client.app.dependency_overrides[get_now] = lambda: NOW + dt.timedelta(minutes=16)
    assert _token(api, "coordinator1")[0] == 200


def test_lock_is_per_user(api: Api) -> None:
    """One user's lock does not stop another user logging in from the same address."""
    for _ in range(5):
        _token(api, "coordinator1", "guess")
    assert _token(api, "coordinator1")[0] == 429
    assert _token(api, "clinician1")[0] == 200


def test_one_address_guessing_many_users_is_locked(api: Api) -> None:
    """Twenty failures from one address, spread over many user names, lock that address for all."""
    for n in range(20):
        assert _token(api, f"nobody{n}", "guess")[0] == 401
    assert _token(api, "admin1")[0] == 429


def test_a_success_clears_the_users_failures(api: Api) -> None:
    """Four failures, then the right password, then four more failures: still not locked."""
    for _ in range(4):
        _token(api, "admin1", "guess")
    assert _token(api, "admin1")[0] == 200
    for _ in range(4):
        _token(api, "admin1", "guess")
    assert _token(api, "admin1")[0] == 200


def test_session_log_in_is_throttled_too(api: Api) -> None:
    """The web's log-in endpoint shares the throttle with the token endpoint."""
    for _ in range(5):
        _token(api, "responder1", "guess")
    response = api.client.post("/api/auth/session", data={"username": "responder1", "password": PASSWORD})
    assert response.status_code == 429 and "retry-after" in response.headers


def test_log_out_ends_every_token_of_the_user(api: Api) -> None:
    """After log-out, the token used and any other token of the same user get 401; a new log-in works."""
    first, second = _bearer(api, "clinician1"), _bearer(api, "clinician1")
    assert api.client.post("/api/auth/logout", headers=first).status_code == 204
    for headers in (first, second):
        assert api.client.get("/api/me", headers=headers).status_code == 401
    assert api.client.get("/api/me", headers=_bearer(api, "clinician1")).status_code == 200


def test_password_change_needs_the_old_password(api: Api) -> None:
    """A wrong present password or a short new one is a 422 naming the field; nothing changes."""
    headers = _bearer(api, "clinician1")
    wrong = api.client.post("/api/me/password", headers=headers,
                            json={"old_password": "guess", "new_password": NEW_PASSWORD})
    short = api.client.post("/api/me/password", headers=headers,
                            json={"old_password": PASSWORD, "new_password": "short"})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["old_password"]
    assert short.status_code == 422 and short.json()["detail"][0]["loc"] == ["new_password"]
    assert _token(api, "clinician1")[0] == 200


def test_password_change_replaces_the_password_and_the_tokens(api: Api) -> None:
    """After a change the new password logs in, the old does not, old tokens die and the reply's token works."""
    headers = _bearer(api, "clinician1")
    response = api.client.post("/api/me/password", headers=headers,
                               json={"old_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 200
    assert api.client.get("/api/me", headers=headers).status_code == 401
    fresh = {"Authorization": f"Bearer {response.json()['access_token']}"}
    assert api.client.get("/api/me", headers=fresh).status_code == 200
    assert _token(api, "clinician1")[0] == 401
    assert _token(api, "clinician1", NEW_PASSWORD)[0] == 200


def test_admin_disables_and_enables_a_user(api: Api) -> None:
    """A disabled user's live token stops working at once and they cannot log in; re-enabled they can."""
    victim = _bearer(api, "logistics1")
    admin = api.headers(Role.ADMIN)
    response = api.client.post("/api/users/logistics1/disable", headers=admin)
    assert response.status_code == 200 and response.json()["active"] is False
    assert api.client.get("/api/me", headers=victim).status_code == 401
    assert _token(api, "logistics1")[0] == 401
    assert api.client.post("/api/users/logistics1/enable", headers=admin).json()["active"] is True
    assert _token(api, "logistics1")[0] == 200


def test_admin_resets_a_password(api: Api) -> None:
    """A reset password logs in, the old one does not, and the user's tokens end."""
    victim = _bearer(api, "technician1")
    response = api.client.post("/api/users/technician1/password", headers=api.headers(Role.ADMIN),
                               json={"password": NEW_PASSWORD})
    assert response.status_code == 200 and response.json()["password_changed_at"] is not None
    assert api.client.get("/api/me", headers=victim).status_code == 401
    assert _token(api, "technician1", NEW_PASSWORD)[0] == 200


def test_user_admin_is_for_admins_only_and_checks_input(api: Api) -> None:
    """Other roles get 403; an unknown user 404; a short password 422; disabling oneself 409."""
    admin = api.headers(Role.ADMIN)
    assert api.client.get("/api/users", headers=api.headers(Role.COORDINATOR)).status_code == 403
    assert api.client.post("/api/users/admin1/disable", headers=api.headers(Role.CLINICIAN)).status_code == 403
    assert api.client.post("/api/users/ghost/disable", headers=admin).status_code == 404
    assert api.client.post("/api/users/admin1/disable", headers=admin).status_code == 409
    short = api.client.post("/api/users/clinician1/password", headers=admin, json={"password": "x"})
    assert short.status_code == 422 and short.json()["detail"][0]["loc"] == ["password"]
    listed = api.client.get("/api/users", headers=admin).json()
    assert {u["username"] for u in listed} == {f"{r.value}1" for r in Role}
    assert all("password_hash" not in u for u in listed)


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_every_other_role_is_refused_user_admin(api: Api, role: Role) -> None:
    """Every role but admin gets 403 from every user-administration route."""
    headers = api.headers(role)
    assert api.client.get("/api/users", headers=headers).status_code == 403
    for action in ("disable", "enable"):
        assert api.client.post(f"/api/users/clinician1/{action}", headers=headers).status_code == 403
    reset = api.client.post("/api/users/clinician1/password", headers=headers, json={"password": NEW_PASSWORD})
    assert reset.status_code == 403


def test_admin_changes_a_role_and_the_old_tokens_end(api: Api) -> None:
    """A new role applies at once: the user's live token stops working and a new log-in carries the new
    role; a patient user keeps its role, and the admin cannot change their own."""
    victim = _bearer(api, "technician1")
    admin = api.headers(Role.ADMIN)
    changed = api.client.post("/api/users/technician1/role", headers=admin, json={"role": "logistics"})
    assert changed.status_code == 200 and changed.json()["role"] == "logistics"
    assert api.client.get("/api/me", headers=victim).status_code == 401
    me = api.client.get("/api/me", headers=_bearer(api, "technician1"))
    assert me.status_code == 200 and "logistics" in me.text
    assert api.client.post("/api/users/patient1/role", headers=admin, json={"role": "clinician"}).status_code == 422
    assert api.client.post("/api/users/admin1/role", headers=admin, json={"role": "clinician"}).status_code == 409
    assert api.client.post("/api/users/technician1/role", headers=admin, json={"role": "boss"}).status_code == 422
    assert api.client.post("/api/users/nobody/role", headers=admin, json={"role": "clinician"}).status_code == 404
