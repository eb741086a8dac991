"""The rota through the HTTP API: plan, read in English, edit with the check in the answer, publish,
and a nurse's own published shifts under ``/api/me/rota``."""

from __future__ import annotations

import datetime as dt

from hjemme.domain.people import Staff, StaffRole
from hjemme.domain.security import Role
from hjemme.domain.time import TimeWindow
from hjemme.services.user_links import link_user
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from tests.api.conftest import Api

MONDAY = dt.date(2026, 11, 30)


def _team(api: Api, n: int = 6) -> list[str]:
    staff = [
        Staff(
            f"R{i}",
            f"Rota Nurse {i}",
            StaffRole.NURSE,
            frozenset({"nurse"}),
            "rikshospitalet",
            TimeWindow(450, 930),
            None,
            0,
            450,
            "haematology",
        )
        for i in range(n)
    ]
    with session_scope(api.engine) as session:
        repo.add_staff(session, staff)
    link_user(
        engine=api.engine,
        principal=api.principal(Role.ADMIN),
        username="clinician1",
        staff_id="R0",
        now=dt.datetime(2026, 11, 23, 8, tzinfo=dt.UTC),
    )
    return [s.id for s in staff]


def test_plan_edit_publish_and_my_rota(api: Api) -> None:
    """A coordinator plans and publishes; an edit answers with the named breach; the nurse sees their shifts."""
    _team(api)
    coord = api.headers(Role.COORDINATOR)
    body = {"team": "haematology", "first_day": MONDAY.isoformat(), "weeks": 2, "time_limit_s": 5}
    planned = api.client.post("/api/rotas", json=body, headers=coord)
    assert planned.status_code == 201, planned.text
    rota = planned.json()
    assert rota["status"] == "draft" and not [b for b in rota["breaches"] if b["hard"]]
    assert {c["shift"] for c in rota["cover"]} == {"D", "E", "N"}
    edits = {
        "edits": [
            {"staff_id": "R1", "date": "2026-12-02", "shift": "E"},
            {"staff_id": "R1", "date": "2026-12-03", "shift": "D"},
        ]
    }
    edited = api.client.post(f"/api/rotas/{rota['id']}/cells?lang=en", json=edits, headers=coord).json()
    assert any(b["code"] == "rest" and "rest between shifts" in b["message"] for b in edited["breaches"])
    refused = api.client.post(f"/api/rotas/{rota['id']}/publish", headers=coord)
    assert refused.status_code == 409
    fixed = {"edits": [{"staff_id": "R1", "date": "2026-12-03", "shift": None}]}
    api.client.post(f"/api/rotas/{rota['id']}/cells", json=fixed, headers=coord)
    published = api.client.post(f"/api/rotas/{rota['id']}/publish", headers=coord)
    assert published.status_code == 200 and published.json()["status"] == "published"
    mine = api.client.get("/api/me/rota?from=2026-11-30&days=14", headers=api.headers(Role.CLINICIAN)).json()
    shifts = {m["date"]: m["shift"] for m in mine if m["shift"]}
    cells = {c["date"]: c["shift"] for c in published.json()["cells"] if c["staff_id"] == "R0"}
    assert shifts == cells
    export = api.client.get(f"/api/rotas/{rota['id']}/export.xlsx", headers=coord)
    assert export.status_code == 200 and export.content[:2] == b"PK"
