"""The RBAC matrix: every role against every patient endpoint, with the status and the fields it gets.

The world has today's plan (``routed_api``): the clinician's care holds ``SELF`` (assigned) and
``OTHER`` (on their route), not ``THIRD``; logistics delivers to ``THIRD`` and swaps a device at
``OTHER``; the technician's swap is at ``OTHER``. (Every route's status per role: test_route_matrix.)

``None`` as the field set means "no patient fields to check" (not a patient resource, or an
error). For 200s on patient endpoints the set is *exactly* the top-level fields present.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from hjemme.catalogue import load_catalogue
from hjemme.domain.security import Role
from hjemme.services.access import pseudonym
from tests.api.conftest import OTHER, SELF, THIRD, TODAY, Api

FULL = frozenset({"id", "name", "birth_year", "address", "location", "district_id", "phone", "language",
                  "needs_interpreter", "lives_alone", "clinic", "delivery_notes", "enrolments", "devices"})
PERSONAL = frozenset({"id", "name", "address", "location", "phone", "delivery_notes"})
DEVICE = PERSONAL | {"devices"}
ALL_TASK = frozenset({"id", "kind", "patient", "enrolment_id", "pathway_id", "lat", "lon", "duration_min",
                      "window_start", "window_end", "skill", "goods", "sample_type", "sample_stability_min",
                      "taken_at", "before", "mandatory", "fixed_time", "interpreter"})
TRANSPORT_TASK = ALL_TASK - {"enrolment_id", "pathway_id", "skill", "sample_type"}
RESEARCH = frozenset({"pseudonym", "age_band", "district_id", "language", "needs_interpreter",
                      "lives_alone", "clinic", "enrolments", "devices"})

ENDPOINTS = {
    "me": "/api/me",
    "patients": "/api/patients",
    "patient_self": f"/api/patients/{SELF}",
    "patient_other": f"/api/patients/{OTHER}",
    "patient_third": f"/api/patients/{THIRD}",
    "fhir_patient_self": f"/fhir/Patient/{SELF}",
    "fhir_patient_other": f"/fhir/Patient/{OTHER}",
    "fhir_patient_third": f"/fhir/Patient/{THIRD}",
    "careplan_self": f"/fhir/CarePlan?patient={SELF}",
    "careplan_other": f"/fhir/CarePlan?patient={OTHER}",
    "access_log": "/api/audit/access-log",
    "tasks": f"/api/tasks?date={TODAY.isoformat()}",
}


def _clinical(audit: int, third: int = 200) -> dict[str, tuple[int, frozenset[str] | None]]:
    return {
        "me": (200, None),
        "patients": (200, FULL),
        "patient_self": (200, FULL),
        "patient_other": (200, FULL),
        "patient_third": (third, FULL if third == 200 else None),
        "fhir_patient_self": (200, None),
        "fhir_patient_other": (200, None),
        "fhir_patient_third": (third, None),
        "careplan_self": (200, None),
        "careplan_other": (200, None),
        "access_log": (audit, None),
        "tasks": (200, ALL_TASK),
    }


def _non_clinical(
    fields: frozenset[str], detail: tuple[int, int, int], tasks: tuple[int, frozenset[str] | None]
) -> dict[str, tuple[int, frozenset[str] | None]]:
    own, other, third = detail
    return {
        "me": (200, None),
        "patients": (200, fields),
        "patient_self": (own, fields if own == 200 else None),
        "patient_other": (other, fields if other == 200 else None),
        "patient_third": (third, fields if third == 200 else None),
        "fhir_patient_self": (403, None),
        "fhir_patient_other": (403, None),
        "fhir_patient_third": (403, None),
        "careplan_self": (403, None),
        "careplan_other": (403, None),
        "access_log": (403, None),
        "tasks": tasks,
    }


MATRIX: dict[Role, dict[str, tuple[int, frozenset[str] | None]]] = {
    Role.ADMIN: _clinical(audit=200),
    Role.COORDINATOR: _clinical(audit=403),
    Role.CLINICIAN: _clinical(audit=403, third=403),  # THIRD is outside their care
    Role.RESPONDER: _clinical(audit=403),
    # Only the patients they deliver to or collect from, and only the tasks they carry.
    Role.LOGISTICS: _non_clinical(PERSONAL, detail=(403, 200, 200), tasks=(200, TRANSPORT_TASK)),
    Role.TECHNICIAN: _non_clinical(DEVICE, detail=(403, 200, 403), tasks=(200, None)),  # no swap task today
    # Researchers address patients by pseudonym only: a real id is not found (see test_patients).
    Role.RESEARCHER: _non_clinical(RESEARCH, detail=(404, 404, 404), tasks=(403, None)),
    # Management reads projections, never patient data.
    Role.MANAGEMENT: {**{name: (403, None) for name in ENDPOINTS}, "me": (200, None)},
    Role.PATIENT: {
        "me": (200, None),
        "patients": (200, FULL),
        "patient_self": (200, FULL),
        "patient_other": (403, None),
        "patient_third": (403, None),
        "fhir_patient_self": (200, None),
        "fhir_patient_other": (403, None),
        "fhir_patient_third": (403, None),
        "careplan_self": (200, None),
        "careplan_other": (403, None),
        "access_log": (403, None),
        "tasks": (200, ALL_TASK),
    },
}

DIAGNOSIS_CODES = {p.diagnosis_code for p in load_catalogue().pathways.values()}
CLINICAL_WORDS = {"diagnosis", "pathway", "monitoring", "enrolment"}


def _observed(api: Api, role: Role) -> dict[str, tuple[int, frozenset[str] | None]]:
    expected = MATRIX[role]
    observed: dict[str, tuple[int, frozenset[str] | None]] = {}
    for name, url in ENDPOINTS.items():
        response = api.client.get(url, headers=api.headers(role))
        fields: frozenset[str] | None = None
        if response.status_code == 200 and expected[name][1] is not None:
            body: Any = response.json()
            items = body if isinstance(body, list) else [body]
            assert items, f"{role} {name}: empty list"
            kinds = {frozenset(item) for item in items}
            assert len(kinds) == 1, f"{role} {name}: items differ in fields: {kinds}"
            (fields,) = kinds
        observed[name] = (response.status_code, fields)
    return observed


@pytest.mark.parametrize("role", list(Role))
def test_rbac_matrix(routed_api: Api, role: Role) -> None:
    """Each role gets exactly the statuses and patient fields of its row of the matrix."""
    assert _observed(routed_api, role) == MATRIX[role]


@pytest.mark.parametrize("role", [Role.LOGISTICS, Role.TECHNICIAN])
def test_no_clinical_data_reaches_logistics_or_technicians(routed_api: Api, role: Role) -> None:
    """No response to logistics or technicians mentions a diagnosis code or a clinical field name."""
    api = routed_api
    for url in ENDPOINTS.values():
        text = api.client.get(url, headers=api.headers(role)).text
        assert not {code for code in DIAGNOSIS_CODES if code in text}, url
        assert not {word for word in CLINICAL_WORDS if f'"{word}' in text}, url


def test_researcher_never_sees_identity(routed_api: Api) -> None:
    """No researcher response contains a patient's id, name, address or phone."""
    api = routed_api
    text = api.client.get("/api/patients", headers=api.headers(Role.RESEARCHER)).text
    for secret in (SELF, OTHER, "Kari Nordmann", "Per Hansen", "Thereses gate", "+47 912"):
        assert secret not in text
    assert len(json.loads(text)) == 3


def test_patient_lists_only_itself(routed_api: Api) -> None:
    """The patient role's patient list and task list hold only its own record and tasks."""
    api = routed_api
    body = api.client.get("/api/patients", headers=api.headers(Role.PATIENT)).json()
    assert [p["id"] for p in body] == [SELF]
    tasks = api.client.get(f"/api/tasks?date={TODAY}", headers=api.headers(Role.PATIENT)).json()
    assert tasks and {t["patient"] for t in tasks} == {SELF}


def test_researcher_sees_no_birth_year_or_date(routed_api: Api) -> None:
    """Researchers get an age band and ISO weeks, never a birth year or an exact date."""
    body = routed_api.client.get("/api/patients", headers=routed_api.headers(Role.RESEARCHER)).json()
    assert {p["age_band"] for p in body} == {"70-79"}
    text = json.dumps(body)
    assert "birth_year" not in text and "2026-11-" not in text and "_date" not in text
    assert body[0]["enrolments"][0]["start_week"].startswith("2026-W")


def test_researcher_list_is_not_in_patient_id_order(routed_api: Api) -> None:
    """The researcher's list comes in pseudonym order, which says nothing about the patient ids."""
    api = routed_api
    body = api.client.get("/api/patients", headers=api.headers(Role.RESEARCHER)).json()
    names = [p["pseudonym"] for p in body]
    assert names == sorted(names)
    assert names == sorted(pseudonym(p, research_key=api.settings.research_key) for p in (SELF, OTHER, THIRD))
REGISTER_WRITES = {
    "admit": ("post", "/api/stays"),
    "change": ("post", f"/api/stays/{SELF}/changes"),
    "discharge": ("post", f"/api/stays/{SELF}/discharge"),
    "staff": ("post", "/api/staff"),
    "absence": ("post", "/api/staff/S0001/absences"),
    "vehicle": ("post", "/api/vehicles"),
    "vehicle_out": ("post", "/api/vehicles/V1/out-of-service"),
    "import": ("post", "/api/import/patients"),
    "fhir_bundle": ("post", "/fhir"),
    "user_link": ("post", "/api/users/clinician1/link"),
}
"""Issue 13's writes: coordinators and admins (user links: admins) get past the role check (422 for
the empty body sent here, so nothing is written); everyone else 403."""
REGISTER_READS = {
    "template": "/api/import/patients/template?format=csv",
    "fhir_search": "/fhir/Patient?identifier=urn:hjemme:patient|" + SELF,
    "lab_results": f"/api/lab-results?patient={SELF}",
}


def _writers(name: str) -> frozenset[Role]:
    return frozenset({Role.ADMIN}) if name == "user_link" else frozenset({Role.ADMIN, Role.COORDINATOR})


@pytest.mark.parametrize("role", list(Role))
def test_register_writes_by_role(api: Api, role: Role) -> None:
    """Only coordinators and admins reach the register writes (admins alone link users)."""
    for name, (method, url) in REGISTER_WRITES.items():
        response = getattr(api.client, method)(url, headers=api.headers(role), content=b"{}" if name != "import"
                                               else None)
        expected = 422 if role in _writers(name) else 403
        assert response.status_code == expected, (name, response.status_code, response.text[:200])


@pytest.mark.parametrize("role", list(Role))
def test_register_reads_by_role(api: Api, role: Role) -> None:
    """Templates: coordinators and admins; FHIR search and lab results: clinical roles and the patient itself."""
    clinical = {Role.ADMIN, Role.COORDINATOR, Role.CLINICIAN, Role.RESPONDER, Role.PATIENT}
    allowed = {"template": {Role.ADMIN, Role.COORDINATOR}, "fhir_search": clinical, "lab_results": clinical}
    for name, url in REGISTER_READS.items():
        status = api.client.get(url, headers=api.headers(role)).status_code
        assert status == (200 if role in allowed[name] else 403), (name, status)
