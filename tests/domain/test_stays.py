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
from hjemme.domain.people import Enrolment, EnrolmentStatus, VisitPlan
from hjemme.domain.tasks import TaskKind
from hjemme.domain.time import TimeWindow
from hjemme.domain.workload import WorkloadParams, tasks_for_day
from tests.helpers import make_patient

CATALOGUE = load_catalogue()
START = dt.date(2026, 11, 2)
PATHWAYS = ("ahs_blood", "wound_care", "dho_heart_failure", "palliative", "ahs_children")
PATIENT = make_patient()
WINDOWS = ((), (TimeWindow(14 * 60, 16 * 60),), (TimeWindow(7 * 60, 9 * 60), TimeWindow(18 * 60, 20 * 60)))

Seen = tuple[str, str, "TimeWindow | None"]


def _tasks(date: dt.date, stages: tuple[Enrolment, ...]) -> list[Seen]:
    """The day's tasks as (kind, suffix after the stage id and date, window of a visit): comparable
    across stage ids."""
    found = tasks_for_day(
        date, stages, {PATIENT.id: PATIENT}, CATALOGUE.pathways, CATALOGUE.products, CATALOGUE.device_types
    )
    return sorted(
        ((str(t.kind), t.id.rsplit("-", 1)[1], t.window if t.kind is TaskKind.VISIT else None) for t in found),
        key=repr,
    )


@dataclass(frozen=True)
class Own:
    """The reference's own-visits plan: from a date, per day, every N days, windows (all None: cleared)."""

    start: dt.date
    per_day: int | None = None
    every: int | None = None
    windows: tuple[TimeWindow, ...] = ()


def _expected(
    date: dt.date, pathway: str, stage_start: dt.date, stage_end: dt.date, own: Own | None
) -> list[Seen]:
    """The pathway's tasks on ``date``, with the regular visits (the first visit's skill) as the
    patient's own plan says, written out from the rules in docs/registers.md."""
    probe = Enrolment("X", PATIENT.id, pathway, stage_start, (stage_end - stage_start).days + 1)
    plain = _tasks(date, (probe,))
    spec = CATALOGUE.pathways[pathway]
    if own is None or not spec.visits:
        return plain
    day, length = (date - stage_start).days, probe.length_days
    regular = [i for i, v in enumerate(spec.visits) if v.skill == spec.visits[0].skill]
    visits = [
        (i, v.window)
        for i, v in enumerate(spec.visits)
        if i not in regular and v.schedule.applies(day, length)
    ]
    if own.per_day is None and own.every is None:
        mine = [(i, spec.visits[i].window) for i in regular if spec.visits[i].schedule.applies(day, length)]
        places = [regular.index(i) for i, _ in mine]
    else:
        if own.every is not None:
            visiting = (date - own.start).days % own.every == 0
        else:
            visiting = any(spec.visits[i].schedule.applies(day, length) for i in regular)
        n = (own.per_day or len(regular)) if visiting else 0
        numbers = [regular[k] if k < len(regular) else len(spec.visits) + 1 + k - len(regular) for k in range(n)]
        mine = [(i, spec.visits[i].window if i in regular else spec.visits[regular[0]].window) for i in numbers]
        places = list(range(n))
    if own.windows:
        mine = [(i, own.windows[min(p, len(own.windows) - 1)]) for (i, _), p in zip(mine, places, strict=True)]
    visits += mine
    others = [t for t in plain if t[0] != "visit"]
    if not visits and any(t[0] == "sample" for t in others):
        visits = [(len(spec.visits), WorkloadParams().sampling_window)]
    return sorted([*others, *(("visit", f"V{i}", w) for i, w in visits)], key=repr)


@dataclass
class Model:
    """The reference: pathway from each date, paused days, the last day of care, own visits by date."""

    stages: list[tuple[dt.date, str]]
    last: dt.date
    paused: set[dt.date] = field(default_factory=set)
    ended: bool = False
    own: list[Own] = field(default_factory=list)

    def pathway_on(self, date: dt.date) -> tuple[str, dt.date, dt.date] | None:
        if date < self.stages[0][0] or date > self.last or date in self.paused:
            return None
        starts = [s for s in self.stages if s[0] <= date]
        start, pathway = starts[-1]
        later = [s[0] for s in self.stages if s[0] > start]
        end = min([*later], default=self.last + dt.timedelta(days=1)) - dt.timedelta(days=1)
        return pathway, start, min(end, self.last)

    def own_on(self, date: dt.date) -> Own | None:
        plans = [p for p in self.own if p.start <= date]
        if not plans or (plans[-1].per_day, plans[-1].every, plans[-1].windows) == (None, None, ()):
            return None
        return plans[-1]

    def set_own(self, plan: Own) -> None:
        self.own = [p for p in self.own if p.start < plan.start] + [plan]


ops = st.lists(
    st.tuples(
        st.sampled_from(["pathway", "pause", "until", "discharge", "resume", "visits", "pathway_visits"]),
        st.integers(0, 24),
        st.integers(0, 6),
        st.sampled_from(PATHWAYS),
        st.tuples(st.sampled_from([None, 1, 2, 3]), st.sampled_from([None, 1, 2, 3]), st.integers(0, 2)),
    ),
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(first=st.sampled_from(PATHWAYS), length=st.integers(3, 25), changes=ops)
def test_any_sequence_of_changes_keeps_tasks_consistent_with_the_pathway_from_each_date(
    first: str, length: int, changes: list[tuple[str, int, int, str, tuple[int | None, int | None, int]]]
) -> None:
    """After admit/change/pause/resume/discharge and the patient's own visits (per day, every N days,
    windows, back to the pathway's), every day's tasks are the pathway's in force that day with the
    own visits in force that day."""
    stages: tuple[Enrolment, ...] = (Enrolment("E1", PATIENT.id, first, START, length),)
    model = Model([(START, first)], START + dt.timedelta(days=length - 1))
    for n, (kind, offset, span, pathway, (per_day, every, windows)) in enumerate(changes):
        date = START + dt.timedelta(days=offset)
        own = Own(date) if kind == "pathway_visits" else Own(date, per_day, every, WINDOWS[windows])
        try:
            if kind == "pathway":
                new = stays.change_pathway(stages, date, pathway, f"E1-{n}")
            elif kind == "pause":
                new = stays.pause(stages, date, date + dt.timedelta(days=span))
            elif kind == "resume":
                new = stays.resume(stages, date)
            elif kind == "until":
                new = stays.set_last_day(stages, date)
            elif kind in ("visits", "pathway_visits"):
                new = stays.set_visits(stages, VisitPlan(date, own.per_day, own.every, own.windows))
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
            model.set_own(Own(date))  # a new stage brings its own visits
        elif kind in ("visits", "pathway_visits"):
            model.set_own(own)
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
            assert got == _expected(date, *expected, model.own_on(date)), date


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
