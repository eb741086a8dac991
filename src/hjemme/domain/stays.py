"""A stay through its life, as pure functions on its stages (issue 13, item 1).

A stay (episode) is one or more consecutive :class:`Enrolment` stages. Every change takes effect
from a date and returns the episode's new stages; the day's work then follows from
:func:`hjemme.domain.workload.tasks_for_day` on those stages:

* **pathway stage** from ``D``: the stage running on ``D`` ends on ``D - 1`` and a new stage in the
  new pathway starts on ``D`` (its pathway days count from ``D``: day-0 deliveries, last-day
  pick-ups); a change on a stage's first day replaces its pathway; later stages are cancelled;
* **pause** ``A``–``B`` (readmitted to hospital): no work on those days; the stay's days count on
  (every stage carries the stay's pauses, so a stay extended into a pause stays paused);
* **resume** on ``D``: the pause running on ``D`` ends on ``D - 1``;
* **new last day** ``L`` (extended or shortened stay): the last stage ends on ``L``;
* **discharge or death** on ``D``: no work from ``D`` on; the last day of care is ``D - 1``.

* **the patient's own visits** from ``D`` (:class:`VisitPlan`: visits per day, every N days,
  windows) instead of the pathway's regular visits, until a later change hands them back to the
  pathway; a change from ``D`` replaces those dated ``D`` or later. A new pathway stage from ``D``
  brings its own visits (the patient's own end on ``D``).

Preferred and excluded clinicians apply to the whole stay (not date-effective).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from hjemme.domain.people import Enrolment, EnrolmentStatus, VisitPlan

Stages = tuple[Enrolment, ...]
_ONE = dt.timedelta(days=1)


class StayError(ValueError):
    """A change that does not fit the stay; ``field`` names what to correct."""

    def __init__(self, field: str, problem: str) -> None:
        self.field, self.problem = field, problem
        super().__init__(f"{field}: {problem}")


def live(stages: Sequence[Enrolment]) -> list[Enrolment]:
    """The stages that still cause work (not cancelled), in date order."""
    return sorted(
        (s for s in stages if s.status is not EnrolmentStatus.CANCELLED), key=lambda s: s.start_date
    )


def first_day(stages: Sequence[Enrolment]) -> dt.date:
    return live(stages)[0].start_date


def last_day(stages: Sequence[Enrolment]) -> dt.date:
    return live(stages)[-1].end_date


def is_open(stages: Sequence[Enrolment]) -> bool:
    """True while the stay is admitted (not yet discharged or ended by death)."""
    alive = live(stages)
    return bool(alive) and alive[-1].status is EnrolmentStatus.ADMITTED


def _require_open(stages: Sequence[Enrolment]) -> list[Enrolment]:
    alive = live(stages)
    if not alive:
        raise StayError("enrolment", "the stay has no stage left")
    if alive[-1].status is EnrolmentStatus.REFERRED:
        raise StayError("enrolment", "the patient is referred, not admitted: admit first")
    if alive[-1].status is not EnrolmentStatus.ADMITTED:
        raise StayError("enrolment", f"the stay has ended ({alive[-1].status})")
    return alive


def _length(start: dt.date, end: dt.date) -> int:
    return (end - start).days + 1


def _cancelled(stage: Enrolment) -> Enrolment:
    return replace(stage, status=EnrolmentStatus.CANCELLED)


def _cut(stages: Sequence[Enrolment], date: dt.date, status: EnrolmentStatus) -> Stages:
    """Stages with no work from ``date`` on; the last one left gets ``status``."""
    result: list[Enrolment] = []
    for stage in stages:
        if stage.status is EnrolmentStatus.CANCELLED:
            result.append(stage)
        elif stage.start_date >= date:
            result.append(_cancelled(stage))
        elif stage.end_date >= date:
            result.append(replace(stage, length_days=_length(stage.start_date, date - _ONE)))
        else:
            result.append(stage)
    alive = live(result)
    if alive:
        last = alive[-1]
        result = [replace(s, status=status) if s.id == last.id else s for s in result]
    return tuple(result)


def change_pathway(stages: Sequence[Enrolment], date: dt.date, pathway_id: str, new_id: str) -> Stages:
    """The stay in ``pathway_id`` from ``date`` (a new stage ``new_id`` unless ``date`` starts one)."""
    alive = _require_open(stages)
    if not alive[0].start_date <= date <= alive[-1].end_date:
        raise StayError("date", f"must lie within the stay ({alive[0].start_date} – {alive[-1].end_date})")
    running = next(s for s in alive if s.start_date <= date <= s.end_date)
    end = alive[-1].end_date
    if running.pathway_id == pathway_id and running is alive[-1]:
        return tuple(stages)
    result: list[Enrolment] = []
    stages = _with_plans(stages, _planned(alive[0].visit_plans, VisitPlan(date)))
    for stage in stages:
        if stage.status is EnrolmentStatus.CANCELLED or stage.end_date < date:
            result.append(stage)
        elif stage.id == running.id and stage.start_date == date:
            result.append(replace(stage, pathway_id=pathway_id, length_days=_length(date, end)))
        elif stage.id == running.id:
            result.append(replace(stage, length_days=_length(stage.start_date, date - _ONE)))
            result.append(
                replace(
                    stage,
                    id=new_id,
                    pathway_id=pathway_id,
                    start_date=date,
                    length_days=_length(date, end),
                    episode_id=stage.episode,
                )
            )
        else:
            result.append(_cancelled(stage))
    return tuple(result)


def set_visits(stages: Sequence[Enrolment], plan: VisitPlan) -> Stages:
    """The patient's own visits from ``plan.from_date`` (or the pathway's again, when ``plan`` sets
    nothing); plans dated that day or later are replaced."""
    alive = _require_open(stages)
    if not alive[0].start_date <= plan.from_date <= alive[-1].end_date:
        raise StayError("date", f"must lie within the stay ({alive[0].start_date} – {alive[-1].end_date})")
    return _with_plans(stages, _planned(alive[0].visit_plans, plan))


def _planned(plans: Sequence[VisitPlan], plan: VisitPlan) -> tuple[VisitPlan, ...]:
    """``plans`` with ``plan`` from its date; nothing is added when it changes nothing."""
    kept = tuple(p for p in plans if p.from_date < plan.from_date)
    in_force = kept[-1] if kept else None
    if (in_force is None or in_force.is_pathway) and plan.is_pathway:
        return kept
    if in_force is not None and in_force.same_visits(plan):
        return kept
    return (*kept, plan)


def _with_plans(stages: Sequence[Enrolment], plans: tuple[VisitPlan, ...]) -> Stages:
    return tuple(
        replace(s, visit_plans=plans) if s.status is not EnrolmentStatus.CANCELLED else s for s in stages
    )


def pause(stages: Sequence[Enrolment], start: dt.date, end: dt.date) -> Stages:
    """No work from ``start`` to ``end`` (inclusive) while the patient is back in hospital."""
    alive = _require_open(stages)
    if end < start:
        raise StayError("until", "the pause must end on or after its first day")
    if start > alive[-1].end_date or end < alive[0].start_date:
        raise StayError(
            "date", f"the pause must overlap the stay ({alive[0].start_date} – {alive[-1].end_date})"
        )
    return tuple(
        replace(s, pauses=_merged((*s.pauses, (start, end))))
        if s.status is not EnrolmentStatus.CANCELLED
        else s
        for s in stages
    )


def resume(stages: Sequence[Enrolment], date: dt.date) -> Stages:
    """Work again from ``date``: the pause running on ``date`` ends the day before."""
    _require_open(stages)
    if not any(s.is_paused(date) for s in stages if s.status is not EnrolmentStatus.CANCELLED):
        raise StayError("date", f"the stay is not paused on {date}")
    return tuple(
        replace(
            s,
            pauses=tuple(
                (a, date - _ONE) if a <= date <= b else (a, b) for a, b in s.pauses if not (a == date)
            ),
        )
        for s in stages
    )


def set_last_day(stages: Sequence[Enrolment], last: dt.date) -> Stages:
    """The stay extended or shortened to end on ``last``."""
    alive = _require_open(stages)
    if last < alive[0].start_date:
        raise StayError("until", f"the stay cannot end before it starts ({alive[0].start_date})")
    if last >= alive[-1].end_date:
        final = alive[-1]
        return tuple(
            replace(s, length_days=_length(s.start_date, last)) if s.id == final.id else s for s in stages
        )
    return _cut(stages, last + _ONE, EnrolmentStatus.ADMITTED)


def end_stay(stages: Sequence[Enrolment], date: dt.date, *, died: bool = False) -> Stages:
    """Discharged (or died) on ``date``: no work from that day on."""
    alive = _require_open(stages)
    if date <= alive[0].start_date:
        return tuple(_cancelled(s) for s in stages)  # the stay never began
    if date > alive[-1].end_date + _ONE:
        raise StayError(
            "date",
            f"the stay already ends on {alive[-1].end_date}; discharge on or before "
            f"{alive[-1].end_date + _ONE}",
        )
    return _cut(stages, date, EnrolmentStatus.DECEASED if died else EnrolmentStatus.DISCHARGED)


def _merged(ranges: Sequence[tuple[dt.date, dt.date]]) -> tuple[tuple[dt.date, dt.date], ...]:
    merged: list[tuple[dt.date, dt.date]] = []
    for a, b in sorted(ranges):
        if merged and a <= merged[-1][1] + _ONE:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return tuple(merged)
