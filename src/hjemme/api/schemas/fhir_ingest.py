"""Schemas of the FHIR write endpoints (device Observations, patients' QuestionnaireResponses) and
of the alarm's urgent visit.

FHIR answers are built as plain JSON here (``OperationOutcome``, ``batch-response`` Bundles); the
hjemme-specific summaries (counts, ids, the score) are pydantic models like every other schema.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pydantic import AwareDatetime, BaseModel

HTTP_TEXT = {200: "200 OK", 201: "201 Created", 403: "403 Forbidden", 409: "409 Conflict",
             422: "422 Unprocessable Entity"}
ENTRY_STATUS = {"created": 201, "duplicate": 200, "rejected": 422, "not-processed": 409}


class ObservationIngestRead(BaseModel):
    """What one ``POST /fhir/Observation`` of a single Observation stored."""

    stored: int
    duplicates: int
    rejected: int
    observation_ids: list[str]
    alarm_ids: list[str]


class PromScoreRead(BaseModel):
    """A scored ``QuestionnaireResponse``: the total, each item's score, and whether it alerts."""

    response_id: str
    patient_id: str
    questionnaire: str
    authored_at: AwareDatetime
    score: float
    item_scores: dict[str, float]
    alert: bool


class UrgentVisitRead(BaseModel):
    """The urgent visit a red alarm asked for: the plan version and who goes when (if planned)."""

    alarm_id: str
    patient_id: str
    date: dt.date
    plan_version: int | None
    task_id: str | None
    staff_id: str | None
    start: str | None  # "HH:MM" local time


def operation_outcome(issues: Sequence[tuple[str, str | None]], *, code: str = "invalid",
                      severity: str = "error") -> dict[str, Any]:
    """A FHIR ``OperationOutcome`` with one issue per (message, FHIRPath expression)."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": message,
                   **({"expression": [path]} if path else {})} for message, path in issues],
    }


def batch_response(bundle_type: str, entries: Sequence[Any]) -> dict[str, Any]:
    """A ``batch-response``/``transaction-response`` Bundle: one entry per posted entry, in order.

    Each entry's ``response.status`` is ``201 Created``, ``200 OK`` (already stored), ``422`` with an
    ``OperationOutcome`` naming the element, or ``409`` (a failed transaction's other entries).
    ``response.location`` is ``Observation/<id>`` of the first observation the entry made.
    """
    out = []
    for entry in entries:
        status = ENTRY_STATUS[entry.status]
        response: dict[str, Any] = {"status": HTTP_TEXT[status]}
        if entry.observation_ids:
            response["location"] = f"Observation/{entry.observation_ids[0]}"
        if entry.reason:
            response["outcome"] = operation_outcome([(entry.reason, entry.path)],
                                                    code="invalid" if status == 422 else "processing")
        out.append({"response": response})
    kind = "transaction-response" if bundle_type == "transaction" else "batch-response"
    return {"resourceType": "Bundle", "type": kind, "entry": out}
