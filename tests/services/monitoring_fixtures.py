"""Shared set-up for the monitoring service tests: three enrolled patients and FHIR builders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, func, select

from hjemme.domain.security import Role
from hjemme.services.auth import Principal
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from tests.store import factories

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # 10:00 in Oslo
TODAY = dt.date(2026, 11, 23)
RESPONDER = Principal("rita", Role.RESPONDER)
DRIVER = Principal("dag", Role.LOGISTICS)

LOINC = {"respiratory_rate": ("9279-1", "/min"), "spo2": ("59408-5", "%"), "pulse": ("8867-4", "/min"),
         "temperature": ("8310-5", "Cel"), "systolic_bp": ("8480-6", "mm[Hg]"), "weight": ("29463-7", "kg")}


def seed(engine: Engine) -> None:
    """HF: heart-failure follow-up; LUNG: AHS lung with the 88–92 % target; PAL: palliative."""
    with session_scope(engine) as session:
        repo.add_patients(session, [factories.patient(p) for p in ("HF", "LUNG", "PAL")])
        repo.add_enrolments(session, [
            factories.enrolment("E-HF", "HF", pathway_id="dho_heart_failure", start_date=TODAY - dt.timedelta(days=5),
                                length_days=30),
            factories.enrolment("E-LUNG", "LUNG", pathway_id="ahs_lung", start_date=TODAY, length_days=7,
                                spo2_target_88_92=True),
            factories.enrolment("E-PAL", "PAL", pathway_id="palliative", start_date=TODAY, length_days=20),
        ])


def observation(ident: str, patient: str, parameter: str, value: float, at: dt.datetime,
                unit: str | None = None) -> dict[str, Any]:
    code, default_unit = LOINC[parameter]
    return {"resourceType": "Observation", "id": ident, "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
            "subject": {"reference": f"Patient/{patient}"}, "effectiveDateTime": at.isoformat(),
            "valueQuantity": {"value": value, "system": "http://unitsofmeasure.org", "code": unit or default_unit}}


def bundle(*resources: dict[str, Any], kind: str = "batch") -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": [{"resource": r} for r in resources]}


def vitals(patient: str, at: dt.datetime, prefix: str = "v", **values: float) -> dict[str, Any]:
    base = {"respiratory_rate": 16, "spo2": 97, "systolic_bp": 120, "pulse": 70, "temperature": 37.0}
    base.update(values)
    return bundle(*(observation(f"{prefix}-{patient}-{p}".replace("_", "-"), patient, p, v, at)
                    for p, v in base.items()))


def count(engine: Engine, table: Any) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)
