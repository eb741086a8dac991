"""PROM use cases (issue 5): the questionnaires a patient app fetches, and scoring the answers.

Split from :mod:`hjemme.services.monitoring`, whose rule evaluation and alarm helpers a PROM answer
reuses: a score at or above the pathway's limit opens an alarm in the answer's own transaction.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from hjemme.domain.pathways import PromSpec
from hjemme.domain.security import CLINICAL_ACCESS, Role
from hjemme.errors import InputError, PermissionDeniedError
from hjemme.monitoring.proms import (
    PromScore,
    QuestionnaireDef,
    default_questionnaire_dir,
    evaluate_prom,
    load_questionnaires,
    score_response,
)
from hjemme.services.access import log_access, require_patient, require_role
from hjemme.services.care import require_in_care
from hjemme.services.monitoring import apply_findings_in_session, patient_monitoring
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope
from hjemme.store.monitoring_tables import PromResponseRecord

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from hjemme.services.auth import Principal

PROM_ROLES = CLINICAL_ACCESS | {Role.PATIENT}
"""Who may fetch questionnaires and answer them: the patient (for itself) and clinical staff."""


def list_questionnaires(*, principal: Principal) -> list[dict[str, Any]]:
    """The FHIR ``Questionnaire`` documents as stored (``GET /fhir/Questionnaire``), by id.

    No patient data: nothing to access-log. Each file is validated by loading it first.
    """
    require_role(principal, PROM_ROLES)
    directory = default_questionnaire_dir()
    known = load_questionnaires(directory)
    return [json.loads((directory / f"{stem}.json").read_text(encoding="utf-8")) for stem in sorted(known)]


def questionnaires_by_url(directory: Any = None) -> Mapping[str, QuestionnaireDef]:
    """Questionnaires keyed by canonical URL and by id, as responses may cite either."""
    result: dict[str, QuestionnaireDef] = {}
    for q in load_questionnaires(directory).values():
        result[q.url] = q
        result[q.id] = q
    return result


def submit_questionnaire_response(
    *, engine: Engine, principal: Principal, document: Mapping[str, Any], at: dt.datetime,
    client: str | None = None,
) -> PromScore:
    """``POST /fhir/QuestionnaireResponse`` (patient role for itself, or clinicians): score, store
    idempotently on the response id, and open an alarm when the score crosses the pathway's limit."""
    require_role(principal, PROM_ROLES)
    if not isinstance(document, Mapping) or document.get("resourceType") != "QuestionnaireResponse":
        raise InputError("resourceType", "forventet en QuestionnaireResponse")
    cited = str(document.get("questionnaire") or "").split("|")[0]
    questionnaire = questionnaires_by_url().get(cited)
    if questionnaire is None:
        raise InputError("questionnaire", f"ukjent spørreskjema '{cited}'")
    own = principal.patient_id if principal.role is Role.PATIENT else None
    if principal.role is Role.PATIENT:
        if own is None:
            raise InputError("subject", "brukeren er ikke knyttet til en pasient")
        subject = document.get("subject")
        reference = subject.get("reference") if isinstance(subject, Mapping) else None
        if isinstance(reference, str) and reference.rsplit("/", 1)[-1] != own:
            raise PermissionDeniedError("du kan bare svare for deg selv")
    scored = score_response(questionnaire, document, patient_id=own)
    require_patient(principal, scored.patient_id)
    with session_scope(engine) as session:
        require_in_care(session, principal, scored.patient_id, at)
        repo.get_patient(session, scored.patient_id)
        setup = patient_monitoring(session, scored.patient_id, at)
        spec = next((s for _, s in setup.proms if s.questionnaire_id == questionnaire.id), None)
        if spec is None and questionnaire.default_alert_score is not None:
            spec = PromSpec(questionnaire.id, 7, questionnaire.default_alert_score)
        alert = spec is not None and scored.score >= spec.alert_score
        exists = session.scalar(select(PromResponseRecord.id).where(
            PromResponseRecord.response_id == scored.response_id))
        if exists is None:
            session.add(PromResponseRecord(
                response_id=scored.response_id, patient_id=scored.patient_id,
                questionnaire_id=questionnaire.id, authored_at=scored.authored_at, received_at=at,
                score=scored.score, alert=alert, item_scores=dict(scored.item_scores), raw=dict(document)))
            session.flush()
            finding = evaluate_prom(scored, spec) if spec is not None else None
            apply_findings_in_session(session, scored.patient_id, [finding] if finding else [], at)
        log_access(session=session, principal=principal, patient_ids=[scored.patient_id],
                   resource=f"QuestionnaireResponse {questionnaire.id}", client=client, at=at, action="write")
    return PromScore(scored.response_id, scored.patient_id, scored.questionnaire_id, scored.authored_at,
                     scored.score, scored.item_scores, alert)
