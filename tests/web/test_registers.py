"""The coordinator's registers page (issue 13): admit, change and discharge, absences, vehicles out of
service and file import, in Norwegian, with bad input changing nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hjemme.domain.security import Role
from hjemme.store.database import session_scope
from hjemme.store.tables import EnrolmentRecord, PatientRecord
from tests.web.conftest import Web

ADMIT = {
    "name": "Kari Webtest",
    "birth_year": "1948",
    "address": "Sannergata 12, 0557 Oslo",
    "district": "grunerlokka",
    "pathway": "wound_care",
    "start_date": "2026-12-01",
    "length_days": "14",
    "national_id": "01014812345",
    "access_notes": "Nøkkelboks 4321",
    "phone": "+47 912 00 000",
}


def _count(web: Web) -> tuple[int, int]:
    with session_scope(web.engine) as session:
        return (
            session.scalar(select(func.count()).select_from(PatientRecord)) or 0,
            session.scalar(select(func.count()).select_from(EnrolmentRecord)) or 0,
        )


def test_coordinator_admits_changes_and_discharges_a_patient(web: Web) -> None:
    """The admit form stores the patient; the patient page changes the pathway and discharges, in bokmål."""
    web.log_in(Role.COORDINATOR)
    page = web.client.get("/registers")
    assert page.status_code == 200 and "Henvis eller legg inn en pasient" in page.text
    response = web.client.post("/registers/admit", data=ADMIT, follow_redirects=False)
    assert response.status_code == 303
    patient_page = response.headers["location"].split("?")[0]
    shown = web.client.get(patient_page)
    assert "Kari Webtest" in shown.text and "Nøkkelboks 4321" in shown.text
    changed = web.client.post(
        f"{patient_page}/change",
        data={"kind": "pathway", "date": "2026-12-05", "pathway": "palliative"},
        follow_redirects=True,
    )
    assert "Lagret." in changed.text and "palliative" in changed.text
    discharged = web.client.post(
        f"{patient_page}/discharge", data={"date": "2026-12-10"}, follow_redirects=True
    )
    assert "Lagret." in discharged.text and "discharged" in discharged.text


def test_a_bad_admission_names_the_field_and_stores_nothing(web: Web) -> None:
    """An unknown pathway is shown as an error naming the field; no patient or stay is written."""
    web.log_in(Role.COORDINATOR)
    before = _count(web)
    page = web.client.post("/registers/admit", data={**ADMIT, "pathway": "nope"}, follow_redirects=True)
    assert "Ikke lagret, ingenting ble endret." in page.text and "pathway" in page.text
    assert _count(web) == before


def test_an_upload_with_bad_rows_lists_them_all_and_imports_nothing(web: Web) -> None:
    """A CSV with two bad rows is refused with both rows listed (row, column, value, why)."""
    web.log_in(Role.COORDINATOR)
    csv = (
        "name;birth_year;address;district;pathway;start_date;length_days\n"
        "Ola A;1950;Gate 1;grunerlokka;wound_care;2026-12-01;10\n"
        "Ola B;nitten;Gate 2;grunerlokka;wound_care;2026-12-01;10\n"
        "Ola C;1950;Gate 3;grunerlokka;nope;2026-12-01;10\n"
    )
    before = _count(web)
    page = web.client.post(
        "/registers/import",
        data={"kind": "patients"},
        files={"file": ("pasienter.csv", csv.encode(), "text/csv")},
    )
    assert page.status_code == 422
    assert "birth_year" in page.text and "nitten" in page.text and "pathway" in page.text
    assert _count(web) == before
    good = web.client.post(
        "/registers/import",
        data={"kind": "patients"},
        files={
            "file": (
                "pasienter.csv",
                csv.splitlines()[0].encode() + b"\n" + csv.splitlines()[1].encode(),
                "text/csv",
            )
        },
    )
    assert good.status_code == 200 and "Importerte 1 rader." in good.text
    assert _count(web) == (before[0] + 1, before[1] + 1)


def test_templates_download_and_clinicians_are_kept_out(web: Web) -> None:
    """The xlsx template downloads; a clinician gets the 403 page."""
    web.log_in(Role.COORDINATOR)
    template = web.client.get("/registers/template/patients.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    web.log_in(Role.CLINICIAN)
    assert web.client.get("/registers").status_code == 403


def test_coordinator_sets_the_patients_own_visits_and_a_bad_window_changes_nothing(web: Web) -> None:
    """The change form sets two visits a day in the patient's windows from a date, listed on the page in
    Oslo time; a window ending before it starts is refused naming the field, and nothing is stored."""
    web.log_in(Role.COORDINATOR)
    response = web.client.post("/registers/admit", data=ADMIT, follow_redirects=False)
    patient_page = response.headers["location"].split("?")[0]
    assert "Besøkshyppighet og tidsvinduer følger forløpet." in web.client.get(patient_page).text
    changed = web.client.post(
        f"{patient_page}/change",
        data={"kind": "visits", "date": "2026-12-03", "visits_per_day": "2",
              "visit_windows": "08:00-10:00, 16:00-18:00", "visit_every_days": ""},
        follow_redirects=True,
    )
    assert "Lagret." in changed.text and "Pasientens egne besøk" in changed.text
    assert "08:00–10:00, 16:00–18:00" in changed.text
    assert "Besøk per besøksdag: 2" in changed.text and "per_day=" not in changed.text  # the history line
    with session_scope(web.engine) as session:
        before = session.scalar(select(EnrolmentRecord.visit_plans))
    bad = web.client.post(
        f"{patient_page}/change",
        data={"kind": "visits", "date": "2026-12-04", "visit_windows": "10:00-09:00"},
        follow_redirects=True,
    )
    assert "Ikke lagret, ingenting ble endret." in bad.text and "visit_windows" in bad.text
    with session_scope(web.engine) as session:
        assert session.scalar(select(EnrolmentRecord.visit_plans)) == before
    back = web.client.post(
        f"{patient_page}/change", data={"kind": "visits", "date": "2026-12-05", "pathway_visits": "on"},
        follow_redirects=True,
    )
    assert "Forløpets besøk igjen" in back.text


@pytest.mark.parametrize(
    ("kind", "words"), [("sick", "Sykefravær"), ("holiday", "Ferie"), ("course", "Kurs"), ("other", "Annet")]
)
def test_an_absence_is_registered_and_listed_by_name_and_kind_in_bokmal(
    web: Web, kind: str, words: str
) -> None:
    """An absence of each kind the form offers, entered on the page, is listed with the person's name
    and the kind in words (not a code); one ending before it starts is refused and not listed."""
    from hjemme.store import repositories as repo
    from tests.web.world import NURSE

    with session_scope(web.engine) as session:
        name = next(s.name for s in repo.list_staff(session) if s.id == NURSE)
    web.log_in(Role.COORDINATOR)
    absence = {"staff_id": NURSE, "kind": kind, "from_date": "2026-12-01", "to_date": "2026-12-03"}
    saved = web.client.post("/registers/absence", data=absence, follow_redirects=True)
    assert saved.status_code == 200
    assert f"{name} ({NURSE}): {words} 01.12.2026–03.12.2026" in saved.text
    backwards = {**absence, "from_date": "2026-12-09", "to_date": "2026-12-08"}
    refused = web.client.post("/registers/absence", data=backwards, follow_redirects=True)
    assert "09.12.2026–08.12.2026" not in refused.text and refused.text.count(f"({NURSE}): {words}") == 1
