"""PROMs: questionnaires as FHIR ``Questionnaire`` data, scored from ``QuestionnaireResponse``.

The questionnaires live as data files in ``catalogue/data/questionnaires/<id>.json`` (the file
stem is the id pathways use in ``PromSpec.questionnaire_id``). Scoring is the sum of item scores:
integer items score their value (bounded by the ``minValue``/``maxValue`` extensions), choice
items score the ``ordinalValue`` extension of the chosen coding. A score at or above the
pathway's ``alert_score`` is a finding for the response centre; a questionnaire not answered by
its due time is a reminder to the patient (issue 5).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from fhir.resources.R4B.questionnaire import Questionnaire as FhirQuestionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse as FhirResponse
from pydantic import ValidationError

from hjemme.domain.pathways import PromSpec
from hjemme.errors import CatalogueError, InputError
from hjemme.monitoring.rules import Finding, FindingKind, Reminder, RulesParams

MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
ALERT_SCORE = "https://hjemme.ous-hf.no/fhir/StructureDefinition/alert-score"
ANSWERED_STATUSES = frozenset({"completed", "amended"})


@dataclass(frozen=True, slots=True)
class QuestionnaireItem:
    """One scored question: an integer within bounds or a choice with a score per answer code."""

    link_id: str
    text: str
    kind: str  # "integer" or "choice"
    required: bool
    min_value: int | None = None
    max_value: int | None = None
    option_scores: tuple[tuple[str, float], ...] = ()

    @property
    def max_score(self) -> float:
        if self.kind == "integer":
            return float(self.max_value or 0)
        return max((score for _, score in self.option_scores), default=0.0)


@dataclass(frozen=True, slots=True)
class QuestionnaireDef:
    """A questionnaire as hjemme scores it; ``url`` is what responses cite in ``questionnaire``."""

    id: str
    url: str
    title: str
    items: tuple[QuestionnaireItem, ...]
    default_alert_score: float | None = None

    @property
    def max_score(self) -> float:
        return sum(item.max_score for item in self.items)


@dataclass(frozen=True, slots=True)
class PromScore:
    """A scored response: the total, each item's score, and whether it crosses the alert score."""

    response_id: str
    patient_id: str
    questionnaire_id: str
    authored_at: dt.datetime
    score: float
    item_scores: tuple[tuple[str, float], ...]
    alert: bool


@dataclass(frozen=True, slots=True)
class PromReminderParams:
    """Each questionnaire period starts every ``every_days`` from the schedule start and is due
    ``answer_within_hours`` later; an assumption to set with the clinics."""

    answer_within_hours: float = 24.0

    def __post_init__(self) -> None:
        if self.answer_within_hours <= 0:
            raise ValueError("answer_within_hours must be positive")


def _extension(extensions: Iterable[Any] | None, url: str) -> Any:
    for ext in extensions or []:
        if ext.url == url:
            for name in ("valueInteger", "valueDecimal"):
                value = getattr(ext, name, None)
                if value is not None:
                    return value
    return None


def parse_questionnaire(document: Mapping[str, Any], questionnaire_id: str) -> QuestionnaireDef:
    """Validate a FHIR Questionnaire and read what scoring needs; ``CatalogueError`` if unusable."""
    where = f"questionnaires/{questionnaire_id}.json"
    try:
        resource = FhirQuestionnaire.model_validate(dict(document))
    except ValidationError as error:
        raise CatalogueError(where, "", f"ugyldig FHIR Questionnaire: {error.errors()[0]['msg']}") from None
    items = []
    for index, item in enumerate(resource.item or []):
        path = f"item[{index}]"
        if item.type == "integer":
            low, high = _extension(item.extension, MIN_VALUE), _extension(item.extension, MAX_VALUE)
            if low is None or high is None:
                raise CatalogueError(where, path, "heltallsspørsmål trenger minValue og maxValue")
            items.append(QuestionnaireItem(item.linkId, item.text or "", "integer", bool(item.required),
                                           int(low), int(high)))
        elif item.type == "choice":
            options = []
            for option in item.answerOption or []:
                coding = option.valueCoding
                score = _extension(coding.extension, ORDINAL_VALUE) if coding else None
                if coding is None or coding.code is None or score is None:
                    raise CatalogueError(where, path, "svaralternativ trenger kode og ordinalValue")
                options.append((coding.code, float(score)))
            items.append(QuestionnaireItem(item.linkId, item.text or "", "choice", bool(item.required),
                                           option_scores=tuple(options)))
        elif item.type not in ("display", "group"):
            raise CatalogueError(where, path, f"spørsmålstypen {item.type!r} kan ikke skåres")
    if not items:
        raise CatalogueError(where, "item", "spørreskjemaet har ingen skårbare spørsmål")
    alert = _extension(resource.extension, ALERT_SCORE)
    return QuestionnaireDef(questionnaire_id, resource.url or "", resource.title or questionnaire_id,
                            tuple(items), float(alert) if alert is not None else None)


def default_questionnaire_dir() -> Path:
    return Path(str(resources.files("hjemme.catalogue") / "data" / "questionnaires"))


def load_questionnaires(directory: Path | None = None) -> dict[str, QuestionnaireDef]:
    """Every ``<id>.json`` in the questionnaire directory, parsed and validated, by id."""
    directory = directory or default_questionnaire_dir()
    result = {}
    for path in sorted(directory.glob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise CatalogueError(path.name, "", f"kan ikke leses: {error}") from None
        result[path.stem] = parse_questionnaire(document, path.stem)
    return result


def score_response(
    questionnaire: QuestionnaireDef,
    document: Mapping[str, Any],
    *,
    patient_id: str | None = None,
    alert_score: float | None = None,
) -> PromScore:
    """Validate a ``QuestionnaireResponse`` against the questionnaire and sum its item scores.

    ``patient_id`` is the authenticated patient (the patient role may only answer for itself);
    ``alert_score`` defaults to the questionnaire's own. Raises ``InputError`` naming the item.
    """
    try:
        response = FhirResponse.model_validate(dict(document))
    except ValidationError as error:
        first = error.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ()))
        raise InputError("QuestionnaireResponse", f"ugyldig ({loc}: {first.get('msg')})") from None
    if response.status not in ANSWERED_STATUSES:
        raise InputError("status", f"status {response.status!r}: bare ferdige svar kan skåres")
    cited = (response.questionnaire or "").split("|")[0]
    if cited not in (questionnaire.url, questionnaire.id):
        raise InputError("questionnaire", f"svaret gjelder '{cited}', ikke '{questionnaire.url}'")
    subject = (response.subject.reference or "") if response.subject else ""
    subject_id = subject.split("/")[-1] if subject.startswith("Patient/") else None
    if patient_id is not None and subject_id not in (None, patient_id):
        raise InputError("subject", "pasienten kan bare svare for seg selv")
    who = patient_id or subject_id
    if not who:
        raise InputError("subject", "mangler pasient")
    if response.authored is None or not isinstance(response.authored, dt.datetime):
        raise InputError("authored", "mangler tidspunkt for svaret")
    answers = {item.linkId: item.answer or [] for item in response.item or []}
    item_scores = []
    for item in questionnaire.items:
        given = answers.get(item.link_id, [])
        if not given:
            if item.required:
                raise InputError(item.link_id, "spørsmålet må besvares")
            continue
        item_scores.append((item.link_id, _answer_score(item, given[0])))
    unknown = sorted(set(answers) - {item.link_id for item in questionnaire.items})
    if unknown:
        raise InputError(unknown[0], "ukjent spørsmål i svaret")
    total = sum(score for _, score in item_scores)
    threshold = alert_score if alert_score is not None else questionnaire.default_alert_score
    ident = response.id or (response.identifier.value if response.identifier else None)
    if not ident:
        raise InputError("id", "svaret mangler id eller identifier")
    return PromScore(ident, who, questionnaire.id, response.authored, total, tuple(item_scores),
                     threshold is not None and total >= threshold)


def _answer_score(item: QuestionnaireItem, answer: Any) -> float:
    if item.kind == "integer":
        value = answer.valueInteger
        if value is None and answer.valueDecimal is not None and float(answer.valueDecimal).is_integer():
            value = int(answer.valueDecimal)
        if value is None:
            raise InputError(item.link_id, "forventet et heltall")
        low, high = item.min_value or 0, item.max_value or 0
        if not low <= value <= high:
            raise InputError(item.link_id, f"{value} er utenfor {low}–{high}")
        return float(value)
    coding = answer.valueCoding
    code = coding.code if coding is not None else answer.valueString
    scores = dict(item.option_scores)
    if code not in scores:
        raise InputError(item.link_id, f"'{code}' er ikke et av svaralternativene")
    return scores[code]


def evaluate_prom(score: PromScore, spec: PromSpec, params: RulesParams | None = None) -> Finding | None:
    """A finding when the score reaches the pathway's ``alert_score``."""
    params = params or RulesParams()
    if score.score < spec.alert_score:
        return None
    cause = f"PROM {score.questionnaire_id} skår {score.score:g} (grense {spec.alert_score:g})"
    key = f"{score.patient_id}:prom:{score.questionnaire_id}"
    return Finding(score.patient_id, FindingKind.PROM, params.prom_severity, key, cause,
                   (score.response_id,), score.authored_at, score.score)


def prom_reminders(
    patient_id: str,
    spec: PromSpec,
    schedule_start: dt.datetime,
    answered_at: Iterable[dt.datetime],
    now: dt.datetime,
    params: PromReminderParams | None = None,
) -> list[Reminder]:
    """A reminder when the latest period whose due time has passed has no answer yet.

    Period ``k`` starts ``k * every_days`` after ``schedule_start`` and is due
    ``answer_within_hours`` later; any answer authored from the period's start counts.
    """
    params = params or PromReminderParams()
    period = dt.timedelta(days=spec.every_days)
    within = dt.timedelta(hours=params.answer_within_hours)
    if now < schedule_start + within:
        return []
    k = math.floor((now - schedule_start - within) / period)
    start = schedule_start + k * period
    if any(start <= moment <= now for moment in answered_at):
        return []
    return [Reminder(patient_id, f"{patient_id}:prom:{spec.questionnaire_id}:{k}", spec.questionnaire_id,
                     start + within, "Du har et spørreskjema som venter på svar i hjemme.")]
