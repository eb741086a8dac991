"""Plain-function factories of domain objects for the storage tests."""

from __future__ import annotations

import datetime as dt

from hjemme.domain.geo import Location
from hjemme.domain.people import Enrolment, Patient, Staff, StaffRole, Vehicle, VehicleKind
from hjemme.domain.time import TimeWindow


def patient(ident: str = "P00001", **changes: object) -> Patient:
    fields: dict[str, object] = {
        "id": ident,
        "name": "Kari Nordmann",
        "birth_year": 1948,
        "address": "Thereses gate 12, 0358 Oslo",
        "location": Location(59.9301, 10.7342),
        "district_id": "st_hanshaugen",
        "phone": "+47 912 34 567",
        "language": "nb",
        "needs_interpreter": False,
        "lives_alone": True,
        "clinic": "haematology",
        "delivery_notes": "Ring på hos Hansen",
    }
    fields.update(changes)
    return Patient(**fields)  # type: ignore[arg-type]


def enrolment(ident: str = "E00001", patient_id: str = "P00001", **changes: object) -> Enrolment:
    fields: dict[str, object] = {
        "id": ident,
        "patient_id": patient_id,
        "pathway_id": "ahs_blood",
        "start_date": dt.date(2026, 11, 20),
        "length_days": 7,
        "preferred_staff_ids": ("S0001",),
        "excluded_staff_ids": (),
        "spo2_target_88_92": False,
    }
    fields.update(changes)
    return Enrolment(**fields)  # type: ignore[arg-type]


def nurse(ident: str = "S0001", **changes: object) -> Staff:
    fields: dict[str, object] = {
        "id": ident,
        "name": "Ola Hansen",
        "role": StaffRole.NURSE,
        "skills": frozenset({"nurse", "oncology", "sampling"}),
        "home_base_site_id": "radiumhospitalet",
        "shift": TimeWindow(450, 930),
        "break_window": TimeWindow(660, 780),
        "break_min": 30,
        "max_work_min": 450,
        "clinic": "haematology",
        "qualified_carrier": False,
    }
    fields.update(changes)
    return Staff(**fields)  # type: ignore[arg-type]


def van(ident: str = "V001", **changes: object) -> Vehicle:
    fields: dict[str, object] = {
        "id": ident,
        "name": "Varebil 1",
        "kind": VehicleKind.VAN,
        "volume_l": 4600.0,
        "weight_kg": 1000.0,
        "cold_chain": False,
        "qualified_carrier": False,
        "electric": True,
        "co2_g_per_km": 15.0,
        "cost_nok_per_km": 4.0,
        "home_site_id": "logistics_centre",
    }
    fields.update(changes)
    return Vehicle(**fields)  # type: ignore[arg-type]
