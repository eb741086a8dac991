"""The clinician's patients, emergency access, its review, and the research export page (issue 12).

In the web world the clinician is nurse S0001 (haematology): SELF and NASTY are on their route,
P00003 is on their clinic's list; P00002 has no enrolment and no visit, so is outside their care.
"""

from __future__ import annotations

from hjemme.domain.security import Role
from tests.web.conftest import Web
from tests.web.world import NASTY, SELF

REASON = "Pasienten ringte, egen sykepleier er syk"


def test_my_patients_lists_those_in_care_with_why(web: Web) -> None:
    """The list holds the patients in the clinician's care, each with why, and not the others."""
    web.log_in(Role.CLINICIAN)
    page = web.client.get("/my-patients")
    assert page.status_code == 200
    for patient in (SELF, NASTY, "P00003"):
        assert f'href="/my-patients/{patient}"' in page.text
    assert 'href="/my-patients/P00002"' not in page.text
    assert "på din rute" in page.text and "teamets liste" in page.text
    assert "<script>alert" not in page.text  # the name is escaped


def test_emergency_access_from_the_web_form(web: Web) -> None:
    """A patient outside care shows the emergency-access form; a stated reason opens the record."""
    web.log_in(Role.CLINICIAN)
    refused = web.client.get("/my-patients/P00002")
    assert refused.status_code == 403 and "Begrunnelse for nødtilgang" in refused.text
    unknown = web.client.get("/my-patients/P99999")
    assert unknown.status_code == 403 and unknown.text.replace("P99999", "P00002") == refused.text
    short = web.client.post("/my-patients/P00002/emergency-access", data={"reason": "fordi"})
    assert short.status_code == 422 and "10 til 500 tegn" in short.text
    opened = web.client.post("/my-patients/P00002/emergency-access", data={"reason": REASON},
                             follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == "/my-patients/P00002"
    record = web.client.get("/my-patients/P00002")
    assert record.status_code == 200 and "Begrunnelse for nødtilgang" not in record.text


def test_the_open_form_leads_to_the_patient(web: Web) -> None:
    """The "another patient" form goes to that patient's page."""
    web.log_in(Role.CLINICIAN)
    response = web.client.get("/my-patients/open", params={"patient_id": " P00002 "}, follow_redirects=False)
    assert response.headers["location"] == "/my-patients/P00002"


def test_admin_reviews_emergency_access_in_oslo_time(web: Web) -> None:
    """The administrator sees who opened which patient, why and when (Oslo time), and marks it reviewed."""
    web.log_in(Role.CLINICIAN)
    web.client.post("/my-patients/P00002/emergency-access", data={"reason": REASON})
    web.client.post("/logout")
    web.log_in(Role.ADMIN)
    page = web.client.get("/admin/emergency-access")
    assert page.status_code == 200 and REASON in page.text
    assert "23.11.2026 08:30" in page.text and "23.11.2026 20:30" in page.text  # 07:30 UTC, 12 hours
    assert 'href="/admin/emergency-access"' in page.text  # in the admin's menu
    reviewed = web.client.post("/admin/emergency-access/1/review", follow_redirects=True)
    assert "admin1, 23.11.2026 08:30" in reviewed.text and "Merk som gjennomgått" not in reviewed.text


def test_exports_page_describes_the_tables_it_serves(web: Web) -> None:
    """The exports page names every table and column of the export and offers the download form."""
    web.log_in(Role.RESEARCHER)
    page = web.client.get("/exports")
    assert page.status_code == 200
    for text in ("pathways", "measurements", "proms", "plan_kpis", "<code>pseudonym</code>, <code>age_band</code>, <code>area</code>, <code>week</code>",
                 'action="/exports/research"', "minst 5 pasienter"):
        assert text in page.text


def test_a_refused_export_shows_the_rare_group_in_norwegian(web: Web) -> None:
    """Four patients are too few for k=5: the page says which combination is too rare, with 409."""
    web.log_in(Role.RESEARCHER)
    refused = web.client.get("/exports/research", params={"format": "csv"})
    assert refused.status_code == 409
    assert "Eksporten ble avvist" in refused.text and "area = st_hanshaugen" in refused.text
