"""The HTTP edge (#12): bad input is a 4xx naming the field with nothing stored, bodies have a size
limit, error replies never echo the input back, every response carries the security headers, API
writes need a bearer token, and /docs needs no CDN."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from hjemme.api.app import create_app
from hjemme.domain.security import Role
from hjemme.store.monitoring_tables import DeadLetterRecord, ObservationRecord
from tests.api.conftest import PASSWORD, SETTINGS, TODAY, Api
from tests.api.test_fhir_ingest import device_headers
from tests.services.monitoring_fixtures import count

PLAN = f"/api/plans/{TODAY.isoformat()}"
DEEP = b"[" * 3000 + b"]" * 3000
HUGE_INT = b"9" * 5000


def _json(api: Api, path: str, body: bytes, headers: dict[str, str]) -> object:
    return api.client.post(path, content=body, headers={**headers, "Content-Type": "application/json"})


def _stored_nothing(api: Api) -> bool:
    return count(api.engine, ObservationRecord) == 0 and count(api.engine, DeadLetterRecord) == 0


@pytest.mark.parametrize(("body", "loc"), [
    (b'{"time_limit_s": NaN}', ["body", "time_limit_s"]),
    (b'{"time_limit_s": Infinity}', ["body", "time_limit_s"]),
    (b'{"time_limit_s": -Infinity}', ["body", "time_limit_s"]),
    (b'{"time_limit_s": 1e999}', ["body", "time_limit_s"]),
    (b'{"seed": ' + HUGE_INT + b"}", ["body", "seed"]),
    (DEEP, ["body"]),
])
def test_json_no_parser_should_see_is_422_naming_the_field(api: Api, body: bytes, loc: list) -> None:
    """NaN, Infinity, a 5,000-digit integer or 3,000 levels of nesting: 422 naming where, no plan stored."""
    response = _json(api, PLAN, body, api.headers(Role.COORDINATOR))
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == loc
    assert api.client.get(PLAN, headers=api.headers(Role.COORDINATOR)).status_code == 404


@pytest.mark.parametrize("body", [DEEP, b'{"resourceType": "Observation", "valueQuantity": {"value": ' + HUGE_INT + b"}}",
                                  b'{"resourceType": "Observation", "valueQuantity": {"value": NaN}}'])
def test_fhir_routes_refuse_such_json_with_an_operation_outcome(api: Api, body: bytes) -> None:
    """On /fhir the same bodies are a 422 OperationOutcome, and nothing (not even a dead letter) is stored."""
    response = api.client.post("/fhir/Observation", content=body,
                               headers={**device_headers(api), "Content-Type": "application/fhir+json"})
    assert response.status_code == 422 and response.json()["resourceType"] == "OperationOutcome"
    assert _stored_nothing(api)
    response = api.client.post("/fhir/QuestionnaireResponse", content=body,
                               headers={**api.headers(Role.PATIENT), "Content-Type": "application/fhir+json"})
    assert response.status_code == 422 and response.json()["resourceType"] == "OperationOutcome"


def test_a_body_over_the_limit_is_413_and_nothing_is_stored(api: Api) -> None:
    """A 2 MB Observation is refused with 413 before parsing; no observation, no dead letter."""
    padding = "x" * 2_000_000
    body = f'{{"resourceType": "Observation", "note": [{{"text": "{padding}"}}]}}'.encode()
    response = api.client.post("/fhir/Observation", content=body,
                               headers={**device_headers(api), "Content-Type": "application/fhir+json"})
    assert response.status_code == 413 and response.json()["resourceType"] == "OperationOutcome"
    assert _stored_nothing(api)
    assert _json(api, PLAN, b'{"seed": 1, "x": "' + b"a" * 1_100_000 + b'"}',
                 api.headers(Role.COORDINATOR)).status_code == 413


def test_the_limits_are_settings(db_engine, api: Api) -> None:
    """HJEMME_MAX_JSON_BYTES lowers the JSON limit: a 3 kB body is then too large."""
    app = create_app(SETTINGS.model_copy(update={"max_json_bytes": 2048}), engine=db_engine)
    with TestClient(app) as client:
        response = client.post(PLAN, content=b'{"seed": 1, "pad": "' + b"a" * 3000 + b'"}',
                               headers={**api.headers(Role.COORDINATOR), "Content-Type": "application/json"})
    assert response.status_code == 413


def test_an_upload_over_its_limit_is_413(db_engine, api: Api) -> None:
    """A multipart upload over max_upload_bytes is refused with 413, even with no Content-Length."""
    app = create_app(SETTINGS.model_copy(update={"max_upload_bytes": 4096}), engine=db_engine)

    def chunks():
        yield b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.yaml\"\r\n\r\n"
        for _ in range(10):
            yield b"a" * 1000
        yield b"\r\n--b--\r\n"

    with TestClient(app) as client:
        response = client.post("/api/auth/token", content=chunks(),
                               headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert response.status_code == 413


@pytest.mark.parametrize("path", ["/api/plans/0001-01-01", "/api/plans/9999-12-31", "/api/plans/1999-12-31"])
def test_dates_outside_the_service_are_422(api: Api, path: str) -> None:
    """A date no computation can handle (0001-01-01, 9999-12-31) is 422 naming the date, read or write."""
    headers = api.headers(Role.COORDINATOR)
    for response in (api.client.get(path, headers=headers),
                     api.client.post(path, json={"time_limit_s": 0.1}, headers=headers),
                     api.client.get(f"/api/tasks?date={path.rsplit('/', 1)[1]}", headers=headers)):
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"][-1] == "date"


def test_seed_and_offset_beyond_their_range_are_422(api: Api) -> None:
    """A seed of 2^32 and an offset above 2^63 are 422 naming the field."""
    response = api.client.post(PLAN, json={"seed": 2**32}, headers=api.headers(Role.COORDINATOR))
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "seed"]
    response = api.client.get(f"/api/patients?offset={2**63 + 5}", headers=api.headers(Role.ADMIN))
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "offset"]


def test_a_422_never_echoes_the_whole_input(api: Api) -> None:
    """A 500 kB string in a wrong field comes back as a short excerpt only."""
    response = api.client.post(PLAN, json={"seed": "x" * 500_000}, headers=api.headers(Role.COORDINATOR))
    assert response.status_code == 422 and len(response.content) < 1000
    assert response.json()["detail"][0]["loc"] == ["body", "seed"]


def test_every_response_has_the_security_headers(api: Api) -> None:
    """API answers, pages, errors and static files all carry CSP, nosniff and a Referrer-Policy; only
    static files may be cached."""
    answers = {
        "api": api.client.get("/api/me", headers=api.headers(Role.ADMIN)),
        "page": api.client.get("/login"),
        "error": api.client.get("/api/me"),
        "static": api.client.get("/static/css/hjemme.css"),
        "docs": api.client.get("/docs"),
    }
    for name, response in answers.items():
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, name
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0], name
        assert response.headers["x-content-type-options"] == "nosniff", name
        assert response.headers["referrer-policy"] == "same-origin", name
        assert "strict-transport-security" not in response.headers, name
    for name in ("api", "page", "error", "docs"):
        assert answers[name].headers["cache-control"] == "no-store", name
    assert "no-store" not in answers["static"].headers.get("cache-control", "")


def test_hsts_over_https_and_behind_a_configured_proxy(db_engine, api: Api) -> None:
    """HSTS is sent when the request came over https, or always when HJEMME_HTTPS says a proxy does TLS."""
    with TestClient(api.client.app, base_url="https://testserver") as client:
        assert "max-age=" in client.get("/login").headers["strict-transport-security"]
    app = create_app(SETTINGS.model_copy(update={"https": True}), engine=db_engine)
    with TestClient(app) as client:
        assert "max-age=" in client.get("/login").headers["strict-transport-security"]


def test_the_map_tile_server_is_allowed_for_images_only(db_engine) -> None:
    """A configured tile server appears in img-src (its {s} subdomains as a wildcard), nowhere else."""
    settings = SETTINGS.model_copy(update={"tile_url": "https://{s}.tile.example.org/{z}/{x}/{y}.png"})
    with TestClient(create_app(settings, engine=db_engine)) as client:
        csp = client.get("/login").headers["content-security-policy"]
    img = next(part for part in csp.split("; ") if part.startswith("img-src"))
    assert "https://*.tile.example.org" in img and csp.count("tile.example.org") == 1


def test_api_writes_refuse_the_session_cookie(api: Api) -> None:
    """With only the web's session cookie, an API write is 401 and stores nothing; reads still work."""
    opened = api.client.post("/api/auth/session", data={"username": "coordinator1", "password": PASSWORD})
    assert opened.status_code == 204
    assert api.client.get("/api/me").status_code == 200
    response = api.client.post(PLAN, json={"time_limit_s": 0.1})
    assert response.status_code == 401 and "bearer" in response.json()["detail"]
    assert api.client.get(PLAN, headers=api.headers(Role.COORDINATOR)).status_code == 404


def test_docs_load_swagger_from_this_server(api: Api) -> None:
    """/docs names no other host: its script and style are this server's static files."""
    page = api.client.get("/docs").text
    assert "cdn" not in page.lower() and "http" not in page.replace("<!doctype html>", "")
    assert 'src="/static/vendor/swagger-ui/swagger-ui-bundle.js"' in page and "<script>" not in page
    assert api.client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    assert "/openapi.json" in api.client.get("/static/js/swagger-init.js").text
    assert api.client.get("/redoc").status_code == 404


def test_a_large_body_is_checked_as_well(api: Api) -> None:
    """A 200 kB body (checked in a worker thread) with NaN deep inside is 422 naming the element."""
    body = b'{"pins": ["' + b"x" * 200_000 + b'"], "time_limit_s": NaN, "cancel": "T1"}'
    response = _json(api, f"{PLAN}/replan", body, api.headers(Role.COORDINATOR))
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "time_limit_s"]
