"""Two-person visits from configuration (issue 16): a pathway's visit names its second person."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from hjemme.catalogue import load_catalogue
from hjemme.catalogue.loader import DEFAULT_DIRECTORY
from hjemme.domain.people import Enrolment
from hjemme.domain.tasks import SyncKind, TaskKind, Together
from hjemme.domain.workload import tasks_for_day
from hjemme.errors import CatalogueError
from tests.helpers import make_patient

PALLIATIVE_VISIT = '{skill: palliative, duration_min: 45, window: ["08:00", "12:00"]}'
DATE = dt.date(2026, 11, 23)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DEFAULT_DIRECTORY, target)
    return target


def _with_second_person(data: Path, second: str) -> Path:
    path = data / "pathways/palliative.yaml"
    text = path.read_text(encoding="utf-8")
    assert PALLIATIVE_VISIT in text
    path.write_text(text.replace(PALLIATIVE_VISIT, PALLIATIVE_VISIT[:-1] + f", second_person: {second}}}"))
    return data


def _palliative_day(data: Path) -> list:
    catalogue = load_catalogue(data)
    patient = make_patient()
    enrolment = Enrolment("E1", patient.id, "palliative", DATE - dt.timedelta(days=1), 6)
    return tasks_for_day(
        DATE,
        [enrolment],
        {patient.id: patient},
        catalogue.pathways,
        catalogue.products,
        catalogue.device_types,
    )


def test_a_sequential_second_person_makes_a_pair_of_visits(data_copy: Path) -> None:
    """Palliative visit, then a nurse 60–90 min later: two visits naming each other, window shifted."""
    data = _with_second_person(data_copy, "{skill: nurse, together: sequential, gap_min: [60, 90]}")
    visits = {t.id: t for t in _palliative_day(data) if t.kind is TaskKind.VISIT}
    first = next(t for t in visits.values() if t.skill == "palliative")
    second = visits[f"{first.id}B"]
    assert first.together == Together(second.id, SyncKind.SEQUENTIAL, True, 60, 90)
    assert second.together == Together(first.id, SyncKind.SEQUENTIAL, False, 60, 90)
    assert second.skill == "nurse" and second.patient_id == first.patient_id
    assert (second.window.start_min, second.window.end_min) == (9 * 60, 13 * 60 + 30)


def test_a_simultaneous_second_person_comes_at_the_same_window(data_copy: Path) -> None:
    """Two nurses at once for a heavy patient: the same window, the same duration."""
    data = _with_second_person(data_copy, "{skill: nurse}")
    visits = [t for t in _palliative_day(data) if t.kind is TaskKind.VISIT and t.together]
    assert len(visits) == 2
    assert visits[0].window == visits[1].window and visits[0].duration_min == visits[1].duration_min
    assert {v.together.kind for v in visits if v.together} == {SyncKind.SIMULTANEOUS}


def test_the_default_catalogue_has_no_two_person_visits() -> None:
    """No pathway needs a second person until the clinic configures one."""
    assert all(v.second_person is None for p in load_catalogue().pathways.values() for v in p.visits)


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ("{skill: astrology}", "visits[0].second_person.skill: unknown skill 'astrology'"),
        ("{skill: nurse, gap_min: [10, 20]}", "a simultaneous second person has no gap"),
        ("{skill: nurse, together: sequential, gap_min: [90, 60]}", "must be [min, max]"),
    ],
)
def test_a_wrong_second_person_is_reported(data_copy: Path, second: str, message: str) -> None:
    """An unknown skill or a wrong gap names the file and the key."""
    data = _with_second_person(data_copy, second)
    with pytest.raises(CatalogueError) as info:
        load_catalogue(data)
    assert "palliative.yaml" in str(info.value) and message in str(info.value)
