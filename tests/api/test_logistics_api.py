"""Logistics over HTTP: who may call what, no clinical data in the answers, 422 naming the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hjemme.catalogue import load_catalogue
from hjemme.domain.people import StaffRole, VehicleKind
from hjemme.domain.security import Role
from hjemme.planning.params import PlannerParams
from hjemme.services import logistics as service
from hjemme.services.journal import plan_day
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from tests.api.conftest import NOW, TODAY, Api
from tests.store import factories

SKILLS = frozenset({"nurse", "oncology", "lung", "heart_failure", "sampling", "iv_therapy", "doctor"})
ORDER_ROLES = {Role.ADMIN, Role.COORDINATOR, Role.LOGISTICS}
DEVICE_ROLES = ORDER_ROLES | {Role.TECHNICIAN}
CATALOGUE = load_catalogue()
DIAGNOSIS_CODES = {p.diagnosis_code for p in CATALOGUE.pathways.values()}
PATHWAY_IDS = set(CATALOGUE.pathways)


@pytest.fixture
def stocked(api: Api) -> tuple[Api, list[str]]:
    """The API's three patients with staff, vans, stock and devices; today's lines accepted; the day planned."""
    with session_scope(api.engine) as session:
        repo.add_staff(
            session,
            [
                factories.nurse("S0001", skills=SKILLS),
                factories.nurse("S0002", skills=SKILLS, home_base_site_id="ullevaal"),
                factories.nurse("S0003", role=StaffRole.DRIVER, skills=frozenset()),
                factories.nurse("S0004", role=StaffRole.COURIER, skills=frozenset(), qualified_carrier=True),
            ],
        )
        repo.add_vehicles(
            session,
            [
                factories.van("V001", cold_chain=True),
                factories.van("C001", kind=VehicleKind.COURIER, volume_l=300.0, qualified_carrier=True),
            ],
        )
    service.seed_logistics(engine=api.engine, date=TODAY, seed=2)
    lines = service.suggest_orders(engine=api.engine, date=TODAY, horizon_days=7).lines
    today = [ln.id for ln in lines if ln.delivery_date == TODAY]
    later = [ln.id for ln in lines if ln.delivery_date > TODAY]
    assert today and len(later) >= 2
    service.accept_order_lines(
        engine=api.engine, line_ids=today, principal=api.principal(Role.COORDINATOR), client=None, at=NOW
    )
    plan_day(engine=api.engine, date=TODAY, now=NOW, params=PlannerParams(time_limit_s=0.3, rounds=1))
    return api, later


def _calls(later: list[str]) -> dict[str, tuple[str, str, Any]]:
    return {
        "suggest": ("POST", f"/api/orders/suggest?date={TODAY}&horizon=3", None),
        "orders": ("GET", f"/api/orders?date={TODAY}", None),
        "accept": ("POST", "/api/orders/accept", {"lines": [{"id": later[0]}]}),
        "reject": ("POST", "/api/orders/reject", {"ids": [later[1]]}),
        "stock": ("GET", "/api/stock", None),
        "expiring": ("GET", "/api/stock/expiring?within_days=30", None),
        "low": ("GET", "/api/stock/low?horizon=10", None),
        "devices_due": ("GET", "/api/devices/due?within_days=30", None),
        "loads": ("GET", f"/api/plans/{TODAY}/loads", None),
        "purchase_orders": ("GET", f"/api/purchase-orders?date={TODAY}&horizon=10&service_level=0.9", None),
    }


def _expected(role: Role) -> dict[str, int]:
    order = 200 if role in ORDER_ROLES else 403
    return {
        **dict.fromkeys(
            ("suggest", "orders", "accept", "reject", "stock", "expiring", "low", "loads", "purchase_orders"),
            order,
        ),
        "devices_due": 200 if role in DEVICE_ROLES else 403,
    }


def test_logistics_rbac_matrix_and_no_clinical_data(stocked) -> None:
    """Each role gets its status on every logistics endpoint, and no answer names a diagnosis or pathway."""
    api, later = stocked
    for role in Role:
        observed: dict[str, int] = {}
        for name, (method, url, body) in _calls(later).items():
            response = api.client.request(method, url, json=body, headers=api.headers(role))
            observed[name] = response.status_code
            if response.status_code != 200:
                continue
            text = response.text
            # Every answer has content to check, except the low list: nothing is low in this world.
            assert response.json() or name == "low", f"{role} {name}: empty answer"
            assert not {code for code in DIAGNOSIS_CODES if code in text}, (role, name)
            assert not {pid for pid in PATHWAY_IDS if f'"{pid}"' in text}, (role, name)
            assert not {w for w in ("pathway", "diagnosis", "enrolment") if f'"{w}' in text}, (role, name)
        assert observed == _expected(role), role


def test_accept_with_adjustment_and_reject(stocked) -> None:
    """Accepting with a new quantity stores it; a rejected line is listed as rejected."""
    api, later = stocked
    headers = api.headers(Role.LOGISTICS)
    line = next(
        ln
        for ln in api.client.get("/api/orders?status=suggested", headers=headers).json()
        if ln["id"] == later[0]
    )
    body = {
        "lines": [{"id": later[0], "quantity": line["quantity"] + 2, "delivery_date": line["delivery_date"]}]
    }
    (accepted,) = api.client.post("/api/orders/accept", json=body, headers=headers).json()
    assert (accepted["status"], accepted["quantity"]) == ("accepted", line["quantity"] + 2)
    (rejected,) = api.client.post("/api/orders/reject", json={"ids": [later[1]]}, headers=headers).json()
    assert rejected["status"] == "rejected"
    stored = {ln["id"]: ln["status"] for ln in api.client.get("/api/orders", headers=headers).json()}
    assert stored[later[0]] == "accepted" and stored[later[1]] == "rejected"


@pytest.mark.parametrize(
    ("method", "url", "body", "loc"),
    [
        ("POST", "/api/orders/accept", {"lines": [{"id": "{ok}"}, {"id": "nope"}]}, ["body", "lines"]),
        (
            "POST",
            "/api/orders/accept",
            {"lines": [{"id": "{ok}", "delivery_date": "2027-01-01"}]},
            ["body", "lines", "delivery_date"],
        ),
        (
            "POST",
            "/api/orders/accept",
            {"lines": [{"id": "{ok}", "quantity": -1}]},
            ["body", "lines", 0, "quantity"],
        ),
        ("POST", "/api/orders/accept", {"lines": []}, ["body", "lines"]),
        ("POST", "/api/orders/reject", {"ids": ["{ok}", "nope"]}, ["body", "ids"]),
        ("POST", f"/api/orders/suggest?date={TODAY}&model=alt9", None, ["query", "model"]),
        ("POST", f"/api/orders/suggest?date={TODAY}&horizon=0", None, ["query", "horizon"]),
        ("GET", "/api/orders?status=maybe", None, ["query", "status"]),
        ("GET", "/api/orders?date=2026-02-30", None, ["query", "date"]),
        ("GET", "/api/stock?location=nowhere", None, ["location"]),
        ("GET", "/api/stock/expiring?within_days=-1", None, ["query", "within_days"]),
        ("GET", "/api/devices/due?within_days=x", None, ["query", "within_days"]),
        ("GET", "/api/plans/2026-02-30/loads", None, ["path", "date"]),
        ("GET", "/api/purchase-orders?service_level=1", None, ["query", "service_level"]),
        ("GET", "/api/purchase-orders?service_level=0.3", None, ["query", "service_level"]),
        ("GET", "/api/purchase-orders?horizon=0", None, ["query", "horizon"]),
        ("GET", "/api/purchase-orders?date=2026-13-01", None, ["query", "date"]),
    ],
)
def test_bad_input_is_422_naming_the_field_and_changes_nothing(stocked, method, url, body, loc) -> None:
    """Bad input answers 422 with the field's location, and no order line changes."""
    api, later = stocked
    headers = api.headers(Role.COORDINATOR)
    if body is not None:
        body = {
            k: [
                v.replace("{ok}", later[0])
                if isinstance(v, str)
                else {**v, "id": v["id"].replace("{ok}", later[0])}
                for v in vs
            ]
            for k, vs in body.items()
        }
    before = api.client.get("/api/orders", headers=headers).json()
    response = api.client.request(method, url, json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == loc
    assert api.client.get("/api/orders", headers=headers).json() == before


def test_loads_of_a_day_without_a_plan_is_404(stocked) -> None:
    """Van loads for a day that has no stored plan answer 404."""
    api, _ = stocked
    response = api.client.get(
        f"/api/plans/{TODAY + dt.timedelta(days=1)}/loads", headers=api.headers(Role.LOGISTICS)
    )
    assert response.status_code == 404


def test_reads_are_access_logged_per_patient(stocked) -> None:
    """Listing order lines and van loads writes one access-log row per patient shown, under the caller's name."""
    api, _ = stocked
    headers = api.headers(Role.LOGISTICS)
    lines = api.client.get(f"/api/orders?date={TODAY}", headers=headers).json()
    loads = api.client.get(f"/api/plans/{TODAY}/loads", headers=headers).json()
    log = api.client.get("/api/audit/access-log?user=logistics1", headers=api.headers(Role.ADMIN)).json()
    by_resource: dict[str, set[str]] = {}
    for row in log:
        by_resource.setdefault(row["resource"], set()).add(row["patient_id"])
    assert by_resource[f"order lines {TODAY}"] == {ln["patient"] for ln in lines}
    loaded = {item["patient"] for load in loads["loads"] for item in load["items"]}
    assert loaded and by_resource[f"van loads {TODAY} v{loads['version']}"] == loaded


def test_purchase_orders_are_aggregates_and_not_access_logged(stocked) -> None:
    """Purchase orders name products and clinics only, in whole packs, and write no access-log row."""
    api, _ = stocked
    before = api.client.get("/api/audit/access-log?user=logistics1", headers=api.headers(Role.ADMIN)).json()
    response = api.client.get(f"/api/purchase-orders?date={TODAY}", headers=api.headers(Role.LOGISTICS))
    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["date"], data["horizon_days"], data["service_level"]) == (TODAY.isoformat(), 14, 0.95)
    for order in data["orders"]:
        assert order["quantity"] == order["packs"] * CATALOGUE.products[order["product"]].pack_size
        assert order["position"] <= order["reorder_point"]
    assert all(p["pooled"] <= p["separate"] + 1e-3 for p in data["pooling"]["products"])
    assert not any(pid in response.text for pid in ("P00001", "P00002", "P00003"))
    after = api.client.get("/api/audit/access-log?user=logistics1", headers=api.headers(Role.ADMIN)).json()
    assert after == before
