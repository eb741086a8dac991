"""``/api/tasks``: the day's work per role, bad dates, and the access log."""

from __future__ import annotations

import re

import pytest

from hjemme.domain.security import Role
from tests.api.conftest import OTHER, SELF, TODAY, Api

HHMM = re.compile(r"^\d\d:\d\d$")


def test_tasks_have_the_cli_shape(api: Api) -> None:
    """A coordinator's tasks carry id, kind, patient, position, duration, HH:MM window and skill."""
    tasks = api.client.get(f"/api/tasks?date={TODAY}", headers=api.headers(Role.COORDINATOR)).json()
    assert {t["patient"] for t in tasks} == {SELF, OTHER, "P00003"}
    visit = next(t for t in tasks if t["kind"] == "visit" and t["patient"] == SELF)
    assert HHMM.match(visit["window_start"]) and HHMM.match(visit["window_end"])
    assert visit["skill"] and visit["pathway_id"] == "ahs_blood"
    assert isinstance(visit["lat"], float) and visit["duration_min"] > 0


def test_logistics_tasks_keep_goods_but_no_clinical_fields(api: Api) -> None:
    """Logistics sees deliveries with their goods but never a pathway, skill or sample type."""
    tasks = api.client.get(f"/api/tasks?date={TODAY}", headers=api.headers(Role.LOGISTICS)).json()
    assert any(t["kind"] == "delivery" and t["goods"]["lines"] for t in tasks)
    for task in tasks:
        assert not {"pathway_id", "skill", "sample_type", "enrolment_id"} & set(task)


@pytest.mark.parametrize("bad", ["2026-02-30", "2026-13-01", "tomorrow", "23.11.2026", ""])
def test_impossible_dates_are_422_naming_date(api: Api, bad: str) -> None:
    """An impossible or malformed date gets 422 whose location names the ``date`` query field."""
    response = api.client.get("/api/tasks", params={"date": bad}, headers=api.headers(Role.CLINICIAN))
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["query", "date"]]


def test_missing_date_is_422_naming_date(api: Api) -> None:
    """A task request without a date gets 422 naming ``date``."""
    response = api.client.get("/api/tasks", headers=api.headers(Role.CLINICIAN))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "date"]


def test_task_reads_are_logged_per_patient(api: Api) -> None:
    """Reading a day's tasks leaves one row per patient whose tasks were shown, naming the date."""
    api.client.get(f"/api/tasks?date={TODAY}", headers=api.headers(Role.LOGISTICS))
    rows = api.client.get("/api/audit/access-log", params={"user": "logistics1"},
                          headers=api.headers(Role.ADMIN)).json()
    assert sorted(r["patient_id"] for r in rows) == ["P00003"]  # the one delivery of the day
    assert {r["resource"] for r in rows} == {f"tasks {TODAY}"}


def test_a_quiet_day_has_no_tasks_and_no_rows(api: Api) -> None:
    """A day nobody is enrolled gives an empty list and writes no access-log row."""
    response = api.client.get("/api/tasks?date=2030-01-01", headers=api.headers(Role.COORDINATOR))
    assert response.status_code == 200 and response.json() == []
    assert api.client.get("/api/audit/access-log", headers=api.headers(Role.ADMIN)).json() == []
