"""PROM questionnaires as FHIR data files, scoring of responses, thresholds and reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hjemme.domain.pathways import PromSpec
from hjemme.errors import CatalogueError, InputError
from hjemme.monitoring.proms import (
    evaluate_prom,
    load_questionnaires,
    parse_questionnaire,
    prom_reminders,
    score_response,
)
from hjemme.monitoring.rules import FindingKind
from tests.monitoring.helpers import at

QUESTIONNAIRES = load_questionnaires()


def response(qid: str, answers: dict[str, Any], **extra: Any) -> dict[str, Any]:
    items = []
    for link_id, value in answers.items():
        answer = {"valueCoding": {"code": value}} if isinstance(value, str) else {"valueInteger": value}
        items.append({"linkId": link_id, "answer": [answer]})
    document = {"resourceType": "QuestionnaireResponse", "id": "qr-1", "status": "completed",
                "questionnaire": QUESTIONNAIRES[qid].url, "subject": {"reference": "Patient/P1"},
                "authored": "2026-11-23T18:00:00+01:00", "item": items}
    document.update(extra)
    return document


def test_the_three_questionnaires_load() -> None:
    """The palliative, COPD and heart-failure questionnaires load with the item counts and ranges."""
    assert set(QUESTIONNAIRES) >= {"esas_r", "cat", "hf_checkin"}
    assert (len(QUESTIONNAIRES["esas_r"].items), QUESTIONNAIRES["esas_r"].max_score) == (9, 90)
    assert (len(QUESTIONNAIRES["cat"].items), QUESTIONNAIRES["cat"].max_score) == (8, 40)
    assert QUESTIONNAIRES["hf_checkin"].max_score == 12


def test_pathway_questionnaire_ids_exist() -> None:
    """Every questionnaire a pathway in the catalogue schedules exists as a data file."""
    from hjemme.catalogue import load_catalogue

    used = {spec.questionnaire_id for p in load_catalogue().pathways.values() for spec in p.proms}
    assert used <= set(QUESTIONNAIRES)


def test_esas_sum_and_threshold() -> None:
    """An ESAS-r response is the sum of its nine items and alerts at the pathway's score."""
    q = QUESTIONNAIRES["esas_r"]
    answers = {item.link_id: 5 for item in q.items}
    scored = score_response(q, response("esas_r", answers), alert_score=40)
    assert (scored.score, scored.alert, scored.patient_id) == (45.0, True, "P1")
    finding = evaluate_prom(scored, PromSpec("esas_r", 2, 40))
    assert finding is not None and finding.kind is FindingKind.PROM
    assert finding.evidence == ("qr-1",)
    assert evaluate_prom(scored, PromSpec("esas_r", 2, 46)) is None


def test_heart_failure_choices_score_their_weights() -> None:
    """Yes/no and choice answers score the ordinal value of the chosen code."""
    q = QUESTIONNAIRES["hf_checkin"]
    answers = {"more_breathless": "yes", "swollen_legs": "yes", "orthopnoea": "no", "dizzy": "no",
               "compared": "worse", "activity_limit": 1}
    scored = score_response(q, response("hf_checkin", answers))
    assert scored.score == 6.0 and scored.alert  # 2 + 1 + 2 + 1 against the file's default 6


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"cough": 6}, "cough"),
        ({"cough": "yes"}, "cough"),
        ({"sleep": None}, "sleep"),
        ({"mood": 3}, "mood"),
    ],
)
def test_bad_answers_are_refused_naming_the_item(change: dict[str, Any], field: str) -> None:
    """Out-of-range, wrong-type, missing and unknown answers are refused with the item named."""
    q = QUESTIONNAIRES["cat"]
    answers: dict[str, Any] = {item.link_id: 2 for item in q.items}
    answers.update(change)
    answers = {k: v for k, v in answers.items() if v is not None}
    with pytest.raises(InputError) as error:
        score_response(q, response("cat", answers))
    assert error.value.field == field


def test_response_for_other_patient_or_questionnaire_is_refused() -> None:
    """A patient cannot answer for someone else, nor answer one questionnaire as another."""
    q = QUESTIONNAIRES["cat"]
    answers = {item.link_id: 1 for item in q.items}
    with pytest.raises(InputError, match="seg selv"):
        score_response(q, response("cat", answers), patient_id="P2")
    with pytest.raises(InputError, match="gjelder"):
        score_response(QUESTIONNAIRES["esas_r"], response("cat", answers))
    with pytest.raises(InputError, match="status"):
        score_response(q, response("cat", answers, status="in-progress"))


def test_invalid_questionnaire_file_is_a_catalogue_error() -> None:
    """A questionnaire whose integer item has no bounds is refused when loading."""
    document = {"resourceType": "Questionnaire", "status": "active",
                "item": [{"linkId": "x", "type": "integer", "text": "?"}]}
    with pytest.raises(CatalogueError, match="minValue"):
        parse_questionnaire(document, "broken")


@given(st.lists(st.integers(0, 5), min_size=8, max_size=8))
def test_cat_score_is_the_sum_and_within_range(values: list[int]) -> None:
    """Any complete CAT-style response scores the sum of its answers, between 0 and 40."""
    q = QUESTIONNAIRES["cat"]
    scored = score_response(q, response("cat", dict(zip([i.link_id for i in q.items], values, strict=True))))
    assert scored.score == sum(values)
    assert 0 <= scored.score <= q.max_score


SPEC = PromSpec("hf_checkin", every_days=7, alert_score=6)


def test_reminder_when_not_answered_by_due_time() -> None:
    """A weekly questionnaire unanswered 24 h into its week gives one reminder for that week."""
    start = at(0)
    assert prom_reminders("P1", SPEC, start, [], at(hours=23)) == []
    (reminder,) = prom_reminders("P1", SPEC, start, [], at(hours=25))
    assert reminder.due_at == at(hours=24) and reminder.dedup_key.endswith(":0")
    assert prom_reminders("P1", SPEC, start, [at(hours=20)], at(hours=25)) == []


def test_reminder_for_a_later_week_ignores_old_answers() -> None:
    """Last week's answer does not count for this week."""
    (reminder,) = prom_reminders("P1", SPEC, at(0), [at(hours=20)], at(days=8, hours=1))
    assert reminder.dedup_key.endswith(":1")
    assert reminder.due_at == at(days=8)
    assert prom_reminders("P1", SPEC, at(0), [at(days=7, hours=2)], at(days=8, hours=1)) == []
    assert isinstance(reminder.due_at, dt.datetime)
