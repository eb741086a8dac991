"""The role × route matrix (issue 12): every operation of ``/openapi.json`` and every web page, as
each role (and an anonymous caller) gets it.

The list of routes is derived from the app, so a new route without a row here fails
:func:`test_every_route_has_a_row`. The world is ``routed_api`` (see ``tests/api/conftest.py``):
the clinician's care holds ``SELF`` and ``OTHER`` but not ``THIRD``. Requests carry no body (or an
empty one), so an allowed role gets 422 where the route needs input, 404 where the id is unknown,
and nothing is planned or written; a refused role gets 401/403 (the web: 303 to the log-in page
when not logged in, the 403 page otherwise).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute

from hjemme.domain.security import Role
from hjemme.services.auth import Principal, create_session_cookie
from hjemme.web.csrf import CSRF_COOKIE, CSRF_FIELD, token_for
from hjemme.web.router import router as web_router
from tests.api.conftest import NOW, OTHER, SELF, THIRD, TODAY, Api

ANON = "anon"
COLUMNS: tuple[str, ...] = (ANON, *(str(r) for r in Role))
"""anon, admin, coordinator, clinician, responder, logistics, technician, management, researcher, patient"""

D = TODAY.isoformat()
PATH_VALUES = {"date": D, "task_id": "no-such-task", "alarm_id": "no-such-alarm", "patient_id": OTHER,
               "access_id": "1", "job_id": "no-such-job", "kind": "patients", "fmt": "csv", "staff_id": "S0001",
               "vehicle_id": "no-such-vehicle", "username": "no-such-user", "run_id": "no-such-run", "name": "x.csv", "metric": "km",
               "rota_id": "1", "wish_id": "1", "team": "no-such-team"}
QUERIES = {"/api/lab-results": f"?patient={SELF}", "/fhir/Patient": f"?identifier=urn:hjemme:patient|{SELF}","/api/tasks": f"?date={D}", "/fhir/CarePlan": f"?patient={OTHER}", "/api/orders/suggest": f"?date={D}"}

BODIES = {"/api/plans/{date}": {"time_limit_s": 0}}
"""Bodies that are invalid on purpose where an empty one would be valid (planning a day takes time)."""

ANON_ANCHOR = "anonymous-browser-anchor"
A = 401  # API without credentials
L = 303  # web page without a session: to the log-in page

# Statuses in the order of COLUMNS:
#            anon admin coord clin resp logi tech mgmt rsch pat
API: dict[tuple[str, str], tuple[int, ...]] = {
    ("POST", "/api/auth/token"): (422, 422, 422, 422, 422, 422, 422, 422, 422, 422),
    ("POST", "/api/auth/session"): (422, 422, 422, 422, 422, 422, 422, 422, 422, 422),
    ("GET", "/api/me"): (A, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/api/me/password"): (A, 422, 422, 422, 422, 422, 422, 422, 422, 422),
    ("POST", "/api/auth/logout"): (0,) * 10,  # ends every token of the user: tests/api/test_accounts.py
    ("GET", "/api/users"): (A, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/users/{username}/enable"): (A, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/users/{username}/disable"): (A, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/users/{username}/role"): (A, 422, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/users/{username}/password"): (A, 422, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/api/patients"): (A, 200, 200, 200, 200, 200, 200, 403, 200, 200),
    ("GET", "/api/patients/{patient_id}"): (A, 200, 200, 200, 200, 200, 200, 403, 404, 403),
    ("POST", "/api/patients/{patient_id}/emergency-access"): (A, 403, 403, 422, 403, 403, 403, 403, 403, 403),
    ("GET", "/api/tasks"): (A, 200, 200, 200, 200, 200, 200, 403, 403, 200),
    ("GET", "/api/plans/{date}"): (A, 200, 200, 200, 403, 200, 403, 403, 403, 403),
    ("POST", "/api/plans/{date}"): (A, 422, 422, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/plans/{date}/changes"): (A, 422, 422, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/plans/{date}/tasks/{task_id}/status"): (A, 422, 422, 422, 403, 422, 403, 403, 403, 403),
    ("POST", "/api/plans/{date}/restore"): (A, 422, 422, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/api/plans/{date}/journal"): (A, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/api/plans/{date}/versions"): (A, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/api/plans/{date}/diff"): (A, 422, 422, 422, 403, 422, 403, 403, 403, 403),
    ("GET", "/api/plans/{date}/placements"): (A, 422, 422, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/stays"): (A, 422, 422, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/stays/{patient_id}/changes"): (A, 422, 422, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/stays/{patient_id}/discharge"): (A, 422, 422, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/staff"): (A, 422, 422, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/staff/{staff_id}/absences"): (A, 422, 422, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/vehicles"): (A, 422, 422, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/vehicles/{vehicle_id}/out-of-service"): (A, 422, 422, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/import/{kind}"): (A, 422, 422, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/api/import/{kind}/template"): (A, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/users/{username}/link"): (A, 422, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/api/lab-results"): (A, 200, 200, 200, 200, 403, 403, 403, 403, 200),
    ("POST", "/fhir"): (A, 422, 422, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/fhir/Patient"): (A, 200, 200, 200, 200, 403, 403, 403, 403, 200),
    ("GET", "/fhir/metadata"): (A, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("GET", "/api/alarms"): (A, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    ("GET", "/api/alarms/{alarm_id}"): (A, 404, 404, 404, 404, 403, 403, 403, 403, 403),
    ("POST", "/api/alarms/{alarm_id}/ack"): (A, 404, 404, 404, 404, 403, 403, 403, 403, 403),
    ("POST", "/api/alarms/{alarm_id}/escalate"): (A, 404, 404, 404, 404, 403, 403, 403, 403, 403),
    ("POST", "/api/alarms/{alarm_id}/resolve"): (A, 422, 422, 422, 422, 403, 403, 403, 403, 403),
    ("POST", "/api/alarms/{alarm_id}/assign"): (A, 422, 422, 422, 422, 403, 403, 403, 403, 403),
    ("POST", "/api/alarms/{alarm_id}/urgent-visit"): (A, 404, 404, 403, 404, 403, 403, 403, 403, 403),
    ("GET", "/api/audit/access-log"): (A, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/api/audit/emergency-access"): (A, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/audit/emergency-access/{access_id}/review"): (A, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/fhir/Patient/{patient_id}"): (A, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    ("GET", "/fhir/CarePlan"): (A, 200, 200, 200, 200, 403, 403, 403, 403, 403),
    ("POST", "/fhir/Observation"): (A, A, A, A, A, A, A, A, A, A),  # device tokens only
    ("POST", "/fhir/QuestionnaireResponse"): (A, 422, 422, 422, 422, 403, 403, 403, 403, 422),
    ("GET", "/fhir/Questionnaire"): (A, 200, 200, 200, 200, 403, 403, 403, 403, 200),
    ("POST", "/api/orders/suggest"): (A, 200, 200, 403, 403, 200, 403, 403, 403, 403),
    ("GET", "/api/orders"): (A, 200, 200, 403, 403, 200, 403, 403, 403, 403),
    ("POST", "/api/orders/accept"): (A, 422, 422, 403, 403, 422, 403, 403, 403, 403),
    ("POST", "/api/orders/reject"): (A, 422, 422, 403, 403, 422, 403, 403, 403, 403),
    ("GET", "/api/stock"): (A, 200, 200, 403, 403, 200, 403, 403, 403, 403),
    ("GET", "/api/stock/low"): (A, 200, 200, 403, 403, 200, 403, 403, 403, 403),
    ("GET", "/api/stock/expiring"): (A, 200, 200, 403, 403, 200, 403, 403, 403, 403),
    ("GET", "/api/devices/due"): (A, 200, 200, 403, 403, 200, 200, 403, 403, 403),
    ("GET", "/api/plans/{date}/loads"): (A, 404, 404, 403, 403, 404, 403, 403, 403, 403),  # no stored problem
    ("GET", "/api/purchase-orders"): (A, 200, 200, 403, 403, 200, 403, 403, 403, 403),
    ("GET", "/api/exports/research"): (A, 409, 403, 403, 403, 403, 403, 403, 409, 403),
    ("GET", "/api/rotas"): (A, 200, 200, 200, 200, 403, 403, 200, 403, 403),
    ("POST", "/api/rotas"): (A, 422, 422, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/api/rotas/{rota_id}"): (A, 404, 404, 404, 404, 403, 403, 404, 403, 403),
    ("POST", "/api/rotas/{rota_id}/cells"): (A, 422, 422, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/rotas/{rota_id}/publish"): (A, 404, 404, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/api/rotas/{rota_id}/replan"): (A, 404, 404, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/api/rotas/{rota_id}/export.xlsx"): (A, 404, 404, 404, 404, 403, 403, 404, 403, 403),
    ("POST", "/api/rota-wishes"): (A, 422, 422, 422, 403, 403, 403, 403, 403, 403),
    ("DELETE", "/api/rota-wishes/{wish_id}"): (A, 404, 404, 404, 403, 403, 403, 403, 403, 403),
    ("GET", "/api/rota-jobs/{job_id}"): (A, 404, 404, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/api/rota-teams/{team}/shifts"): (A, 404, 404, 404, 404, 403, 403, 404, 403, 403),
    ("PUT", "/api/rota-teams/{team}/shifts"): (A, 422, 422, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/api/me/rota"): (A, 200, 200, 200, 200, 403, 403, 200, 403, 403),
}

WEB: dict[tuple[str, str], tuple[int, ...]] = {
    ("GET", "/"): (L, 303, 303, 303, 303, 303, 303, 303, 303, 303),
    ("GET", "/login"): (200, 303, 303, 303, 303, 303, 303, 303, 303, 303),  # logged in: to the start page
    ("POST", "/login"): (401, 401, 401, 401, 401, 401, 401, 401, 401, 401),  # no user name or password
    ("POST", "/logout"): (0,) * 10,  # ends every session of the user: tests/web/test_accounts.py
    ("GET", "/registers"): (L, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/registers/patients/{patient_id}"): (L, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/registers/template/{kind}.{fmt}"): (L, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    # the register forms answer bad input by showing the form again with the reasons (303 to it)
    ("POST", "/registers/admit"): (L, 303, 303, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/registers/absence"): (L, 303, 303, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/registers/vehicle-out"): (L, 303, 303, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/registers/import"): (L, 422, 422, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/registers/patients/{patient_id}/change"): (L, 303, 303, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/registers/patients/{patient_id}/discharge"): (L, 303, 303, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/account/password"): (L, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/account/password"): (L, 422, 422, 422, 422, 422, 422, 422, 422, 422),
    ("POST", "/admin/users/disable"): (L, 422, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/admin/users/enable"): (L, 422, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/admin/users/role"): (L, 422, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/admin/users/create"): (L, 422, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/admin/users/link"): (L, 422, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/admin/users/password"): (L, 422, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/plan/events"): (0,) * 10,  # a never-ending event stream: tests/web/test_board.py
    ("GET", "/plan"): (L, 403, 200, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/plan/make"): (L, 403, 422, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/plan/replan"): (L, 403, 422, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/plan/move"): (L, 403, 422, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/plan/restore"): (L, 403, 422, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/plan/placements"): (L, 403, 422, 403, 403, 403, 403, 403, 403, 403),  # no date
    ("GET", "/plan/jobs/{job_id}"): (L, 403, 404, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/my-day"): (L, 403, 403, 200, 403, 403, 403, 403, 403, 403),
    ("POST", "/my-day/stops/{task_id}"): (L, 403, 403, 422, 403, 403, 403, 403, 403, 403),
    ("GET", "/my-patients"): (L, 403, 403, 200, 403, 403, 403, 403, 403, 403),
    ("GET", "/my-patients/open"): (L, 403, 403, 422, 403, 403, 403, 403, 403, 403),
    ("GET", "/my-patients/{patient_id}"): (L, 403, 403, 200, 403, 403, 403, 403, 403, 403),
    ("POST", "/my-patients/{patient_id}/emergency-access"): (L, 403, 403, 422, 403, 403, 403, 403, 403, 403),
    ("GET", "/admin/emergency-access"): (L, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/admin/emergency-access/{access_id}/review"): (L, 404, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/response"): (L, 403, 403, 403, 200, 403, 403, 403, 403, 403),
    ("GET", "/response/worklist"): (L, 403, 403, 403, 200, 403, 403, 403, 403, 403),
    ("GET", "/response/events"): (L, 403, 403, 403, 0, 403, 403, 403, 403, 403),  # 0: a stream, not opened
    ("GET", "/response/alarms/{alarm_id}"): (L, 403, 403, 403, 404, 403, 403, 403, 403, 403),
    ("POST", "/response/alarms/{alarm_id}/ack"): (L, 403, 403, 403, 422, 403, 403, 403, 403, 403),
    ("POST", "/response/alarms/{alarm_id}/escalate"): (L, 403, 403, 403, 422, 403, 403, 403, 403, 403),
    ("POST", "/response/alarms/{alarm_id}/resolve"): (L, 403, 403, 403, 422, 403, 403, 403, 403, 403),
    ("POST", "/response/alarms/{alarm_id}/urgent-visit"): (L, 403, 403, 403, 404, 403, 403, 403, 403, 403),
    ("GET", "/logistics"): (L, 403, 403, 403, 403, 200, 403, 403, 403, 403),
    ("GET", "/logistics/pick-lists"): (L, 403, 403, 403, 403, 200, 403, 403, 403, 403),
    ("GET", "/logistics/orders"): (L, 403, 200, 403, 403, 200, 403, 403, 403, 403),  # coordinators decide too
    ("POST", "/logistics/orders"): (L, 403, 303, 403, 403, 303, 403, 403, 403, 403),  # nothing chosen: back
    ("GET", "/logistics/stock"): (L, 403, 403, 403, 403, 200, 403, 403, 403, 403),
    ("POST", "/logistics/stock/order"): (L, 403, 403, 403, 403, 303, 403, 403, 403, 403),  # nothing chosen: back
    ("GET", "/devices"): (L, 403, 403, 403, 403, 403, 200, 403, 403, 403),
    ("GET", "/admin"): (L, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/admin/access-log"): (L, 200, 403, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/exports"): (L, 403, 403, 403, 403, 403, 403, 403, 200, 403),
    ("GET", "/exports/research"): (L, 403, 403, 403, 403, 403, 403, 403, 409, 403),
    ("GET", "/me"): (L, 403, 403, 403, 403, 403, 403, 403, 403, 200),
    ("GET", "/scenarios"): (L, 200, 200, 403, 403, 403, 403, 200, 403, 403),
    ("POST", "/scenarios/runs"): (L, 422, 422, 403, 403, 403, 403, 422, 403, 403),
    ("GET", "/scenarios/runs/{run_id}"): (L, 404, 404, 403, 403, 403, 403, 404, 403, 403),
    ("GET", "/scenarios/compare"): (L, 200, 200, 403, 403, 403, 403, 200, 403, 403),
    ("GET", "/scenarios/runs/{run_id}/progress"): (L, 404, 404, 403, 403, 403, 403, 404, 403, 403),
    ("GET", "/scenarios/runs/{run_id}/files/{name}"): (L, 404, 404, 403, 403, 403, 403, 404, 403, 403),
    ("GET", "/scenarios/runs/{run_id}/charts/{metric}.svg"): (L, 404, 404, 403, 403, 403, 403, 404, 403, 403),
    ("GET", "/rota"): (L, 200, 200, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/rota/plan"): (L, 422, 422, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/rota/{rota_id}"): (L, 404, 404, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/rota/{rota_id}/cells"): (L, 422, 422, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/rota/{rota_id}/publish"): (L, 404, 404, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/rota/{rota_id}/replan"): (L, 404, 404, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/rota/{rota_id}/export.xlsx"): (L, 404, 404, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/my-rota"): (L, 403, 403, 200, 403, 403, 403, 403, 403, 403),
    ("POST", "/my-rota/wishes"): (L, 403, 403, 422, 403, 403, 403, 403, 403, 403),
    ("POST", "/my-rota/wishes/{wish_id}/delete"): (L, 403, 403, 404, 403, 403, 403, 403, 403, 403),
    ("POST", "/rota/teams/{team}/shifts"): (L, 422, 422, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/rota/jobs/{job_id}"): (L, 404, 404, 403, 403, 403, 403, 403, 403, 403),
    ("GET", "/rota/jobs/{job_id}/progress"): (L, 404, 404, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/rota/{rota_id}/wishes"): (L, 404, 404, 403, 403, 403, 403, 403, 403, 403),
    ("POST", "/rota/{rota_id}/wishes/{wish_id}/delete"): (L, 404, 404, 403, 403, 403, 403, 403, 403, 403),
}


def _api_operations(api: Api) -> set[tuple[str, str]]:
    paths = api.client.get("/openapi.json").json()["paths"]
    return {(method.upper(), path) for path, operations in paths.items() for method in operations}


def _web_routes(router: Any = web_router) -> Iterator[tuple[str, str]]:
    for route in router.routes:
        if isinstance(route, APIRoute):
            yield from ((method, route.path) for method in route.methods)
        elif hasattr(route, "original_router"):  # an included router (FastAPI ≥ 0.160)
            yield from _web_routes(route.original_router)


def _url(path: str) -> str:
    url = path
    for name, value in PATH_VALUES.items():
        url = url.replace("{" + name + "}", value)
    return url + QUERIES.get(path, "")


def _headers(api: Api, column: str, web: bool) -> dict[str, str]:
    if column == ANON:
        return {"Cookie": f"{CSRF_COOKIE}={ANON_ANCHOR}"} if web else {}
    role = Role(column)
    if web:
        cookie = create_session_cookie(Principal(f"{role.value}1", role), settings=api.settings)
        return {"Cookie": f"hjemme_session={cookie}"}
    return api.headers(role)


def test_every_route_has_a_row(routed_api: Api) -> None:
    """Every operation in /openapi.json and every web page has a row in the matrix, and no row is stale."""
    assert _api_operations(routed_api) == set(API)
    assert set(_web_routes()) == set(WEB)


@pytest.mark.parametrize("column", COLUMNS)
def test_role_route_matrix(routed_api: Api, column: str) -> None:
    """Each role (and an anonymous caller) gets exactly its column's status from every route and page."""
    api = routed_api
    observed: dict[tuple[str, str], int] = {}
    expected: dict[tuple[str, str], int] = {}
    for table, web in ((API, False), (WEB, True)):
        for (method, path), statuses in table.items():
            want = statuses[COLUMNS.index(column)]
            if want == 0:
                continue
            kwargs: dict[str, Any] = {"headers": _headers(api, column, web), "follow_redirects": False}
            if method == "POST" and not web:
                kwargs["json"] = BODIES.get(path, {})
            elif method == "POST":  # a page's own form: with its CSRF token, so the route itself answers
                anchor = kwargs["headers"]["Cookie"].split("=", 1)[1]
                kwargs["data"] = {CSRF_FIELD: token_for(anchor, secret_key=api.settings.secret_key)}
            response = api.client.request(method, _url(path), **kwargs)
            observed[(method, path)] = response.status_code
            expected[(method, path)] = want
    assert observed == expected


def test_matrix_world_is_the_care_world(routed_api: Api) -> None:
    """The matrix runs where the clinician's care holds SELF and OTHER but not THIRD, at NOW."""
    headers = routed_api.headers(Role.CLINICIAN)
    ids = {p["id"] for p in routed_api.client.get("/api/patients", headers=headers).json()}
    assert ids == {SELF, OTHER} and THIRD not in ids
    assert NOW.date() == TODAY
