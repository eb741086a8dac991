"""FHIR R4 ``Patient`` and ``CarePlan``: valid resources under fhir.resources, access-controlled."""

from __future__ import annotations

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.patient import Patient

from hjemme.domain.security import Role
from tests.api.conftest import OTHER, SELF, Api


def test_patient_resource_validates(api: Api) -> None:
    """The FHIR Patient re-validates under fhir.resources (R4) and carries name, phone and address."""
    response = api.client.get("/fhir/Patient/P00003", headers=api.headers(Role.COORDINATOR))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    patient = Patient.model_validate_json(response.text)
    assert patient.id == "P00003"
    assert patient.name[0].text == "Aisha Ali" and patient.name[0].family == "Ali"
    assert patient.telecom[0].value == "+47 912 34 567"
    assert patient.address[0].text == "Thereses gate 12, 0358 Oslo"
    assert patient.communication[0].language.coding[0].code == "so"
    assert patient.extension[0].valueBoolean is True  # interpreter required


def test_care_plan_bundle_validates(api: Api) -> None:
    """The CarePlan search is a searchset Bundle whose plans re-validate and name the ICD-10 diagnosis."""
    response = api.client.get(f"/fhir/CarePlan?patient={OTHER}", headers=api.headers(Role.COORDINATOR))
    assert response.status_code == 200
    bundle = Bundle.model_validate_json(response.text)
    assert bundle.type == "searchset" and bundle.total == 1
    plan = CarePlan.model_validate(bundle.entry[0].resource.model_dump())
    assert plan.subject.reference == f"Patient/{OTHER}"
    assert plan.status == "active" and plan.intent == "plan"
    assert plan.contained[0].code.coding[0].code == "J44.1"
    assert bundle.entry[0].fullUrl.endswith("/fhir/CarePlan/E00002")


def test_care_plan_search_accepts_a_reference(api: Api) -> None:
    """``patient=Patient/<id>`` finds the same care plans as the bare id."""
    response = api.client.get(f"/fhir/CarePlan?patient=Patient/{SELF}", headers=api.headers(Role.PATIENT))
    assert response.status_code == 200
    assert Bundle.model_validate_json(response.text).total == 1


def test_fhir_unknown_or_missing_patient(api: Api) -> None:
    """An unknown patient is 404 naming it; a CarePlan search without ``patient`` is 422 naming it."""
    unknown = api.client.get("/fhir/Patient/P99999", headers=api.headers(Role.COORDINATOR))
    assert unknown.status_code == 404 and "P99999" in unknown.json()["detail"]
    missing = api.client.get("/fhir/CarePlan", headers=api.headers(Role.CLINICIAN))
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["query", "patient"]


def test_fhir_outside_the_clinicians_care_is_403_whether_or_not_the_patient_exists(api: Api) -> None:
    """A clinician gets the same 403 for a patient outside their care and for an unknown id."""
    for url in ("/fhir/Patient/P00003", "/fhir/Patient/P99999", "/fhir/CarePlan?patient=P00003",
                "/fhir/CarePlan?patient=P99999"):
        response = api.client.get(url, headers=api.headers(Role.CLINICIAN))
        assert response.status_code == 403, url
    assert api.client.get(f"/fhir/CarePlan?patient={OTHER}", headers=api.headers(Role.CLINICIAN)).status_code == 200


def test_care_plan_of_a_paused_day_is_on_hold() -> None:
    """hjemme's CarePlan for a stage reads on-hold on a day the stay is paused, active around it."""
    import datetime as dt

    from hjemme.api.fhir import care_plan_resource
    from hjemme.catalogue import load_catalogue
    from hjemme.domain.people import Enrolment

    catalogue = load_catalogue()
    start = dt.date(2026, 12, 1)
    stage = Enrolment("E1", "P1", "wound_care", start, 14, pauses=((dt.date(2026, 12, 5), dt.date(2026, 12, 7)),))
    status = {
        day: care_plan_resource(stage, catalogue.pathways["wound_care"], catalogue.device_types, on=day).status
        for day in (dt.date(2026, 12, 4), dt.date(2026, 12, 6), dt.date(2026, 12, 8))
    }
    assert list(status.values()) == ["active", "on-hold", "active"]
