"""A stay through its life: any sequence of changes leaves the tasks consistent with the pathway from
each change's date (issue 13)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hjemme.catalogue import load_catalogue
from hjemme.domain import stays
from hjemme.domain.people import Enrolment, EnrolmentStatus
from hjemme.domain.workload import tasks_for_day
from tests.helpers import make_patient

CATALOGUE = load_catalogue()
START = dt.date(2026, 11, 2)
PATHWAYS = ("ahs_blood", "wound_care", "dho_heart_failure", "palliative")
PATIENT = make_patient()


def _tasks(date: dt.date, stages: tuple[Enrolment, ...]) -> list[tuple[str, str]]:
    """The day's tasks as (kind, suffix after the stage id and date): comparable across stage ids."""
    found = tasks_for_day(
        date, stages, {PATIENT.id: PATIENT}, CATALOGUE.pathways, CATALOGUE.products, CATALOGUE.device_types
    )
    return sorted((str(t.kind), t.id.rsplit("-", 1)[1]) for t in found)


def _expected(date: dt.date, pathway: str, stage_start: dt.date, stage_end: dt.date) -> list[tuple[str, str]]:
    probe = Enrolment("X", PATIENT.id, pathway, stage_start, (stage_end - stage_start).days + 1)
    return _tasks(date, (probe,))


@dataclass
class Model:
    """The reference: pathway from each date, paused days, the last day of care."""

    stages: list[tuple[dt.date, str]]
    last: dt.date
    paused: set[dt.date] = field(default_factory=set)
    ended: bool = False

    def pathway_on(self, date: dt.date) -> tuple[str, dt.date, dt.date] | None:
        if date < self.stages[0][0] or date > self.last or date in self.paused:
            return None
        starts = [s for s in self.stages if s[0] <= date]
        start, pathway = starts[-1]
        later = [s[0] for s in self.stages if s[0] > start]
        end = min([*later], default=self.last + dt.timedelta(days=1)) - dt.timedelta(days=1)
        return pathway, start, min(end, self.last)


ops = st.lists(
    st.tuples(
        st.sampled_from(["pathway", "pause", "until", "discharge", "resume"]),
        st.integers(0, 30),
        st.integers(0, 6),
        st.sampled_from(PATHWAYS),
    ),
    max_size=6,
)


@settings(max_examples=100, deadline=None)
@given(first=st.sampled_from(PATHWAYS), length=st.integers(3, 25), changes=ops)
def test_any_sequence_of_changes_keeps_tasks_consistent_with_the_pathway_from_each_date(
    first: str, length: int, changes: list[tuple[str, int, int, str]]
) -> None:
    """After admit/change/pause/resume/discharge, every day's tasks are the pathway's in force that day."""
    stages: tuple[Enrolment, ...] = (Enrolment("E1", PATIENT.id, first, START, length),)
    model = Model([(START, first)], START + dt.timedelta(days=length - 1))
    for n, (kind, offset, span, pathway) in enumerate(changes):
        date = START + dt.timedelta(days=offset)
        try:
            if kind == "pathway":
                new = stays.change_pathway(stages, date, pathway, f"E1-{n}")
            elif kind == "pause":
                new = stays.pause(stages, date, date + dt.timedelta(days=span))
            elif kind == "resume":
                new = stays.resume(stages, date)
            elif kind == "until":
                new = stays.set_last_day(stages, date)
            else:
                new = stays.end_stay(stages, date)
        except stays.StayError:
            continue
        stages = new
        running = [st for st in model.stages if st[0] <= date]
        if kind == "pathway" and running[-1] == model.stages[-1] and running[-1][1] == pathway:
            continue  # the pathway already in force to the end: nothing changes
        if kind == "pathway":
            model.stages = [s for s in model.stages if s[0] < date] + [(date, pathway)]
        elif kind == "pause":
            model.paused |= {date + dt.timedelta(days=i) for i in range(span + 1)}
        elif kind == "resume":
            model.paused = {d for d in model.paused if d < date or not _run_contains(model.paused, date, d)}
        elif kind == "until":
            model.last = date
            model.stages = [s for s in model.stages if s[0] <= date]
        else:
            model.last = date - dt.timedelta(days=1)
            model.stages = [s for s in model.stages if s[0] < date] or model.stages[:1]
            model.ended = True
    for offset in range(-1, 40):
        date = START + dt.timedelta(days=offset)
        expected = model.pathway_on(date)
        got = _tasks(date, stages)
        if expected is None:
            assert got == [], date
        else:
            assert got == _expected(date, *expected), date


def _run_contains(paused: set[dt.date], resume: dt.date, day: dt.date) -> bool:
    """Whether ``day`` is in the run of paused days that contains ``resume`` (which resume ends)."""
    if resume not in paused or day < resume:
        return False
    return all(resume + dt.timedelta(days=i) in paused for i in range((day - resume).days + 1))


def test_discharge_on_the_first_day_cancels_the_stay() -> None:
    """A stay discharged on (or before) its first day never causes work."""
    stages = stays.end_stay((Enrolment("E1", PATIENT.id, "wound_care", START, 10),), START)
    assert all(s.status is EnrolmentStatus.CANCELLED for s in stages)
    assert _tasks(START, stages) == []


def test_changes_to_an_ended_stay_are_refused() -> None:
    """Once discharged, a stay cannot be paused or changed."""
    stages = stays.end_stay(
        (Enrolment("E1", PATIENT.id, "wound_care", START, 10),), START + dt.timedelta(days=3)
    )
    with pytest.raises(stays.StayError, match="ended"):
        stays.pause(stages, START, START)


def test_order_suggestions_follow_a_pause() -> None:
    """No goods are suggested for the days a stay is paused; the days around it keep theirs."""
    from hjemme.logistics.orders import suggest_orders

    stages = stays.pause((Enrolment("E1", PATIENT.id, "ahs_blood", START, 10),), START + dt.timedelta(days=3),
                         START + dt.timedelta(days=5))
    result = suggest_orders(START, 10, stages, CATALOGUE.pathways, CATALOGUE.products, CATALOGUE.device_types)
    days = {line.delivery_date for line in result.lines}
    assert not {START + dt.timedelta(days=d) for d in (3, 4, 5)} & days
    assert START + dt.timedelta(days=2) in days and START + dt.timedelta(days=6) in days
