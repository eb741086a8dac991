"""Log-in through the API: tokens, the session cookie, and 401 for everyone else."""

from __future__ import annotations

import datetime as dt

from hjemme.api.deps import get_now
from hjemme.domain.security import Role
from tests.api.conftest import NOW, PASSWORD, SELF, Api


def test_token_for_the_right_password(api: Api) -> None:
    """The right user name and password give a bearer token that /api/me accepts."""
    response = api.client.post("/api/auth/token", data={"username": "patient1", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    me = api.client.get("/api/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {"username": "patient1", "role": "patient", "patient_id": SELF}


def test_wrong_password_is_401(api: Api) -> None:
    """A wrong password or an unknown user gets 401 with a Bearer challenge and no token."""
    for username, password in (("admin1", "guess"), ("mallory", PASSWORD)):
        response = api.client.post("/api/auth/token", data={"username": username, "password": password})
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert "access_token" not in response.json()


def test_missing_form_field_names_it(api: Api) -> None:
    """A log-in without a password is a 422 whose location names the password field."""
    response = api.client.post("/api/auth/token", data={"username": "admin1"})
    assert response.status_code == 422
    assert ["body", "password"] in [e["loc"] for e in response.json()["detail"]]


def test_session_cookie_log_in(api: Api) -> None:
    """The web's log-in sets an HTTP-only session cookie that authenticates API calls."""
    response = api.client.post("/api/auth/session", data={"username": "clinician1", "password": PASSWORD})
    assert response.status_code == 204
    assert "httponly" in response.headers["set-cookie"].lower()
    assert api.client.get("/api/me").json()["role"] == "clinician"


def test_expired_token_is_401(api: Api) -> None:
    """A token presented after its lifetime gets 401."""
    headers = api.headers(Role.ADMIN)
    api.client.app.dependency_overrides[get_now] = lambda: NOW + dt.timedelta(minutes=61)
    response = api.client.get("/api/me", headers=headers)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_garbage_token_is_401(api: Api) -> None:
    """A malformed bearer token gets 401."""
    response = api.client.get("/api/me", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401


def test_unknown_user_token_is_401(api: Api) -> None:
    """A correctly signed token for a user who does not exist gets 401."""
    from hjemme.services.auth import Principal, create_access_token

    token = create_access_token(Principal("ghost", Role.ADMIN), settings=api.settings, now=NOW)
    response = api.client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_every_endpoint_needs_a_log_in(api: Api) -> None:
    """Every operation in the OpenAPI document except log-in answers 401 without a token."""
    public = {"/api/auth/token", "/api/auth/session"}
    checked = []
    for path, operations in api.client.get("/openapi.json").json()["paths"].items():
        if path in public:
            continue
        url = path.replace("{", "").replace("}", "")  # any value: authentication comes first
        for method in operations:
            response = api.client.request(method.upper(), url)
            assert response.status_code == 401, (method, path, response.status_code)
            checked.append(path)
    assert {"/api/me", "/api/patients", "/fhir/CarePlan", "/api/audit/access-log"} <= set(checked)


def test_openapi_document_declares_bearer_log_in(api: Api) -> None:
    """The OpenAPI document is public and declares the OAuth2 password flow at /api/auth/token."""
    document = api.client.get("/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert any(s.get("flows", {}).get("password", {}).get("tokenUrl") == "/api/auth/token"
               for s in schemes.values())
