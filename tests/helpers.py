"""Plain-function factories for tests."""

from __future__ import annotations

from hjemme.domain.geo import Location
from hjemme.domain.people import Patient


def make_patient(
    patient_id: str = "P1", *, needs_interpreter: bool = False, location: Location | None = None
) -> Patient:
    return Patient(
        id=patient_id,
        name="Kari Nordmann",
        birth_year=1948,
        address="Sandakerveien 1, 0477 Oslo",
        location=location or Location(59.937, 10.757),
        district_id="sagene",
        phone="+47 900 00 000",
        language="nb",
        needs_interpreter=needs_interpreter,
        lives_alone=True,
        clinic="haematology",
    )
