"""Need-to-know projections, pseudonyms and the access log."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from hjemme.catalogue import load_catalogue
from hjemme.domain.security import CLINICAL_ACCESS, Role
from hjemme.errors import PermissionDeniedError
from hjemme.services.access import (
    ALL_PATIENT_FIELDS,
    PATIENT_FIELDS,
    log_access,
    project_patient,
    project_task,
    pseudonym,
    query_access_log,
)
from hjemme.services.auth import Principal
from hjemme.services.patients import patient_view
from hjemme.store.database import session_scope
from tests.store import factories

NOW = dt.datetime(2026, 11, 23, 7, 30, tzinfo=dt.UTC)
KEY = "test-key"
ADMIN = Principal("admin", Role.ADMIN)


def _full_view() -> dict[str, object]:
    return patient_view(
        factories.patient("P00001"),
        [factories.enrolment("E00001", "P00001", pathway_id="ahs_lung")],
        load_catalogue(),
        on=dt.date(2026, 11, 23),
        research_key=KEY,
    )


def test_logistics_sees_name_address_phone_and_notes_only() -> None:
    """Logistics gets what a driver needs to find and phone a patient, and no clinical field."""
    view = project_patient(_full_view(), Role.LOGISTICS)
    assert set(view) == {"id", "name", "address", "location", "phone", "delivery_notes"}


def test_technician_sees_devices_but_no_diagnosis() -> None:
    """Technicians get address, phone and the devices at home, not enrolments or diagnoses."""
    view = project_patient(_full_view(), Role.TECHNICIAN)
    assert "devices" in view and "address" in view and "phone" in view
    assert "enrolments" not in view
    assert {d["device_type_id"] for d in view["devices"]} >= {"oxygen_concentrator"}


def test_researcher_sees_a_pseudonym_instead_of_identity() -> None:
    """Researchers get a pseudonym and clinical data, never the id, name, address or phone."""
    view = project_patient(_full_view(), Role.RESEARCHER)
    assert not {"id", "name", "address", "location", "phone", "delivery_notes"} & set(view)
    assert view["pseudonym"] == pseudonym("P00001", research_key=KEY)
    assert view["enrolments"][0]["diagnosis_code"] == "J44.1"
    assert "id" not in view["enrolments"][0]


@pytest.mark.parametrize("role", sorted(CLINICAL_ACCESS))
def test_clinical_roles_see_everything_but_the_pseudonym(role: Role) -> None:
    """Clinical roles see every patient field, enrolments with diagnoses included."""
    assert set(project_patient(_full_view(), role)) == ALL_PATIENT_FIELDS


def test_tasks_lose_clinical_fields_for_logistics() -> None:
    """A task shown to logistics has no pathway, skill or sample type; clinical roles keep them."""
    task = {"id": "T1", "kind": "visit", "patient": "P1", "pathway_id": "ahs_blood", "skill": "oncology",
            "sample_type": "blood_panel", "enrolment_id": "E1", "lat": 59.9, "lon": 10.7}
    assert set(project_task(task, Role.LOGISTICS)) == {"id", "kind", "patient", "lat", "lon"}
    assert project_task(task, Role.CLINICIAN) == task
    assert project_task(task, Role.RESEARCHER) == {}


@given(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20))
def test_pseudonyms_are_stable_and_distinct(first: str, second: str) -> None:
    """The same id always gets the same pseudonym, different ids different ones, and no id shows."""
    assert pseudonym(first, research_key=KEY) == pseudonym(first, research_key=KEY)
    if first != second:
        assert pseudonym(first, research_key=KEY) != pseudonym(second, research_key=KEY)
    assert pseudonym(first, research_key=KEY) != pseudonym(first, research_key=KEY + "x")


def test_log_rows_written_and_queried_by_patient_and_user(db_engine: Engine) -> None:
    """One row per patient read is written, and an admin finds it by patient and by user."""
    reader = Principal("kari", Role.CLINICIAN)
    with session_scope(db_engine) as session:
        written = log_access(session=session, principal=reader, patient_ids=["P1", "P2", "P1"],
                             resource="patient list", client="10.0.0.7", at=NOW)
    assert written == 2
    rows = query_access_log(engine=db_engine, at=NOW, principal=ADMIN, patient_id="P2")
    assert [(r.username, r.role, r.patient_id, r.resource, r.client, r.at) for r in rows] == [
        ("kari", "clinician", "P2", "patient list", "10.0.0.7", NOW)
    ]
    assert len(query_access_log(engine=db_engine, at=NOW, principal=ADMIN, username="kari")) == 2
    assert query_access_log(engine=db_engine, at=NOW, principal=ADMIN, username="ola") == []


def test_log_rows_roll_back_with_their_transaction(db_engine: Engine) -> None:
    """A read that fails after logging leaves no log row behind."""
    with pytest.raises(RuntimeError), session_scope(db_engine) as session:
        log_access(session=session, principal=ADMIN, patient_ids=["P1"], resource="patient",
                   client=None, at=NOW)
        raise RuntimeError("the read failed")
    assert query_access_log(engine=db_engine, at=NOW, principal=ADMIN) == []


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_admin_queries_the_log(db_engine: Engine, role: Role) -> None:
    """Every role but admin is refused the access log."""
    with pytest.raises(PermissionDeniedError):
        query_access_log(engine=db_engine, at=NOW, principal=Principal("x", role))


@given(st.sampled_from(list(Role)), st.sets(st.sampled_from(sorted(ALL_PATIENT_FIELDS | {"pseudonym"}))))
def test_projection_never_widens(role: Role, present: set[str]) -> None:
    """Whatever a view holds, a role's projection keeps only its allowed fields, and no non-clinical
    role other than researchers keeps a clinical one."""
    view = {key: [] if key in {"enrolments", "devices"} else key for key in present}
    kept = set(project_patient(view, role))
    assert kept <= PATIENT_FIELDS.get(role, frozenset()) and kept <= present  # no entry: sees nothing
    if role in {Role.LOGISTICS, Role.TECHNICIAN}:
        assert "enrolments" not in kept
