"""The registers' API (issue 13): admit, change, discharge; staff, absences, vehicles; file import
all or nothing with every rejected row listed; bad input 422 naming the field."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from hjemme.domain.security import Role
from hjemme.store.database import session_scope
from hjemme.store.realdata_tables import StaffAbsenceRecord
from hjemme.store.tables import PatientRecord, StaffRecord, VehicleRecord
from tests.api.conftest import Api

ADMIT = {
    "name": "Per API",
    "birth_year": 1944,
    "address": "Kirkeveien 1, Oslo",
    "district": "frogner",
    "pathway": "palliative",
    "start_date": "2026-11-30",
    "length_days": 21,
    "national_id": "01014412345",
}


def _count(api: Api, table: type) -> int:
    with session_scope(api.engine) as session:
        return session.scalar(select(func.count()).select_from(table)) or 0


def test_admit_change_and_discharge_through_the_api(api: Api) -> None:
    """A coordinator admits (201), pauses the stay for two days and discharges it; each answer shows the stages."""
    h = api.headers(Role.COORDINATOR)
    admitted = api.client.post("/api/stays", json=ADMIT, headers=h)
    assert admitted.status_code == 201, admitted.text
    pid = admitted.json()["patient_id"]
    paused = api.client.post(
        f"/api/stays/{pid}/changes",
        headers=h,
        json={"kind": "pause", "date": "2026-12-02", "until": "2026-12-03"},
    )
    assert paused.status_code == 200 and paused.json()["stages"][0]["pauses"] == [
        ["2026-12-02", "2026-12-03"]
    ]
    done = api.client.post(
        f"/api/stays/{pid}/discharge", headers=h, json={"date": "2026-12-10", "died": True}
    )
    assert done.status_code == 200
    assert (
        done.json()["stages"][0]["status"] == "deceased"
        and done.json()["stages"][0]["end_date"] == "2026-12-09"
    )


def test_bad_changes_are_422_naming_the_field(api: Api) -> None:
    """A pause without its last day, and an unknown absence kind, are refused naming the field."""
    h = api.headers(Role.COORDINATOR)
    pid = api.client.post("/api/stays", json=ADMIT, headers=h).json()["patient_id"]
    bad = api.client.post(
        f"/api/stays/{pid}/changes", headers=h, json={"kind": "pause", "date": "2026-12-02"}
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["until"]
    api.client.post(
        "/api/staff",
        headers=h,
        json={
            "id": "N1",
            "name": "Nina",
            "profession": "nurse",
            "skills": ["nurse"],
            "home_base": "ullevaal",
        },
    )
    before = _count(api, StaffAbsenceRecord)
    wrong = api.client.post(
        "/api/staff/N1/absences", headers=h, json={"kind": "flu", "from_date": "2026-12-01"}
    )
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["kind"]
    assert _count(api, StaffAbsenceRecord) == before


def test_staff_and_vehicles_are_registered(api: Api) -> None:
    """A nurse with an absence and a van with a period out of service are stored."""
    h = api.headers(Role.COORDINATOR)
    assert (
        api.client.post(
            "/api/staff",
            headers=h,
            json={
                "id": "N2",
                "name": "Nils",
                "profession": "nurse",
                "skills": ["nurse", "sampling"],
                "home_base": "aker",
                "contract_pct": 60,
                "phone": "+47 911 11 111",
            },
        ).status_code
        == 201
    )
    assert (
        api.client.post(
            "/api/staff/N2/absences",
            headers=h,
            json={"kind": "course", "from_date": "2026-12-01", "from_min": 480, "to_min": 720},
        ).status_code
        == 201
    )
    assert (
        api.client.post(
            "/api/vehicles",
            headers=h,
            json={
                "id": "VAN9",
                "kind": "cold_van",
                "home_site": "logistics_centre",
                "volume_l": 3000,
                "weight_kg": 800,
                "cold_chain": True,
            },
        ).status_code
        == 201
    )
    assert (
        api.client.post(
            "/api/vehicles/VAN9/out-of-service",
            headers=h,
            json={"from_date": "2026-12-01", "to_date": "2026-12-02", "reason": "repair"},
        ).status_code
        == 201
    )
    assert _count(api, StaffRecord) == 1 and _count(api, VehicleRecord) == 1


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_import_is_all_or_nothing_and_the_template_imports(api: Api) -> None:
    """The template's example row imports; a file with bad rows lists each (row, column, value, why) and writes nothing."""
    h = api.headers(Role.COORDINATOR)
    template = api.client.get("/api/import/patients/template", headers=h).content
    dry = api.client.post(
        "/api/import/patients?dry_run=true", headers=h, files={"file": ("t.xlsx", template)}
    )
    assert dry.status_code == 200 and dry.json()["written"] == 0
    before = _count(api, PatientRecord)
    assert (
        api.client.post("/api/import/patients", headers=h, files={"file": ("t.xlsx", template)}).json()[
            "written"
        ]
        == 1
    )
    header = [c.value for c in next(load_workbook(io.BytesIO(template)).active.iter_rows(max_row=1))]
    again = api.client.post("/api/import/patients", headers=h, files={"file": ("t.xlsx", template)})
    assert again.status_code == 422 and {r["column"] for r in again.json()["rows"]} == {
        "patient_id",
        "national_id",
        "hospital_id",
    }
    rows = [
        ["name", "birth_year", "address", "district", "pathway", "start_date", "length_days"],
        ["Ok Row", 1950, "Gate 1", "frogner", "wound_care", "2026-12-01", 5],
        ["", 1950, "Gate 2", "frogner", "wound_care", "2026-12-01", 5],
        ["Bad Date", 1950, "Gate 3", "frogner", "wound_care", "1. desember", 5],
    ]
    rejected = api.client.post("/api/import/patients", headers=h, files={"file": ("p.xlsx", _xlsx(rows))})
    assert rejected.status_code == 422
    assert [(r["row"], r["column"]) for r in rejected.json()["rows"]] == [(3, "name"), (4, "start_date")]
    assert rejected.json()["rows"][1]["value"] == "1. desember"
    assert _count(api, PatientRecord) == before + 1
    assert "pathway" in header


def test_a_national_id_typed_as_a_number_keeps_its_leading_zero(api: Api) -> None:
    """Excel drops the leading zero of 01015099999 typed as a number; the import restores it."""
    h = api.headers(Role.COORDINATOR)
    rows = [["name", "birth_year", "address", "district", "pathway", "start_date", "length_days", "national_id"],
            ["Zero Lead", 1950, "Gate 1", "frogner", "wound_care", "2026-12-01", 5, 1015099999]]
    assert api.client.post("/api/import/patients", headers=h, files={"file": ("p.xlsx", _xlsx(rows))}).status_code == 200
    found = api.client.get("/fhir/Patient", params={"identifier": "01015099999"}, headers=h).json()
    assert found["total"] == 1


def test_own_visits_through_the_api_and_bad_ones_422_naming_the_field(api: Api) -> None:
    """The patient's own visits from a date are stored and shown (windows HH:MM); a window ending before
    it starts, zero visits a day and an unknown field are 422 naming it, and nothing changes."""
    h = api.headers(Role.COORDINATOR)
    pid = api.client.post("/api/stays", json=ADMIT, headers=h).json()["patient_id"]
    url = f"/api/stays/{pid}/changes"
    own = api.client.post(
        url,
        headers=h,
        json={"kind": "visits", "date": "2026-12-02", "visits_per_day": 2, "visit_every_days": 1,
              "visit_windows": ["08:00-10:00", "16:00-18:00"]},
    )
    assert own.status_code == 200, own.text
    assert own.json()["stages"][0]["visit_plans"] == [
        {"from": "2026-12-02", "per_day": 2, "every_days": 1, "windows": ["08:00-10:00", "16:00-18:00"]}
    ]
    for body, field in (
        ({"visit_windows": ["10:00-09:00"]}, "visit_windows"),
        ({"visit_windows": ["10:00"]}, "visit_windows"),
        ({"visits_per_day": 0}, "visits_per_day"),
        ({"visit_every_days": 0}, "visit_every_days"),
        ({"visits_per_week": 3}, "visits_per_week"),
    ):
        bad = api.client.post(url, headers=h, json={"kind": "visits", "date": "2026-12-05", **body})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == field, (body, bad.text)
    back = api.client.post(url, headers=h, json={"kind": "visits", "date": "2026-12-04", "pathway_visits": True})
    assert [p["from"] for p in back.json()["stages"][0]["visit_plans"]] == ["2026-12-02", "2026-12-04"]
