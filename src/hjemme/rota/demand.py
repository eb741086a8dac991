"""Staff needed per shift and skill from the forecast census (issue 17, item 1).

The input is, per pathway and day ahead, the clinician minutes the *known* stays cause (their
pathways' visits and video consultations, as the day planner would get them) by shift and skill, with
the number of patients behind them; the census is then projected: stays that end are replaced by new
admissions to the same pathway at the rate the service runs today (steady state, an assumption),
each new patient bringing the average minutes per patient-day of that pathway's known work. Per
pathway, because a team's short, busy stays (hospital at home with daily visits) end first while its
long digital follow-ups stay: a team-wide average would replace a visited patient with a mostly
digital one. The census is taken on
the day the rota is planned, not on the period's first day: weeks ahead, today's short stays have
ended and their successors are not known yet.
New admissions are uncertain: Poisson counts, so the band shown is the 10th–90th
percentile (± 1.28 σ) of the people needed.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hjemme.catalogue import Catalogue
from hjemme.domain.people import Enrolment, Patient
from hjemme.domain.tasks import TaskKind
from hjemme.domain.workload import tasks_for_day
from hjemme.rota.problem import DemandCell

Z_80 = 1.2816  # 10th–90th percentile of a normal distribution


@dataclass(frozen=True, slots=True)
class DemandParams:
    """Assumptions (configurable): a shift's minutes with patients, travel per visit minute, a floor."""

    productive_min: Mapping[str, int] = field(default_factory=lambda: {"D": 330, "E": 300, "N": 360})
    travel_per_visit_min: float = 0.45  # the day planner's observed travel per minute of visit (assumption)
    minimum: Mapping[str, int] = field(default_factory=lambda: {"D": 1, "E": 0, "N": 0})
    base_skill: str = "nurse"  # every person on the team has it; other skills get their own count


def shift_of(start_min: int) -> str:
    """The shift a visit starting at ``start_min`` (minutes after midnight) falls in."""
    if 7 * 60 <= start_min < 15 * 60:
        return "D"
    if 15 * 60 <= start_min < 22 * 60:
        return "E"
    return "N"


@dataclass(frozen=True, slots=True)
class DayWork:
    """The known work of one day: minutes by (shift, skill), ``travel`` marks visit minutes."""

    visit_min: Mapping[tuple[str, str], float]
    video_min: Mapping[tuple[str, str], float]
    patients: int


def team_work(
    enrolments: Sequence[Enrolment],
    patients: Mapping[str, Patient],
    team: str,
    first_day: dt.date,
    days: int,
    catalogue: Catalogue,
) -> dict[str, list[DayWork]]:
    """The known clinician work of the team's patients (``Patient.clinic``) on each day of the period,
    per pathway: visits and video consultations as the day planner would get them, by shift and skill."""
    mine = [
        e for e in enrolments
        if e.pathway_id in catalogue.pathways and e.patient_id in patients
        and patients[e.patient_id].clinic == team
    ]
    by_id = dict(patients)
    work: dict[str, list[DayWork]] = {}
    for pathway in sorted({e.pathway_id for e in mine}):
        stays = [e for e in mine if e.pathway_id == pathway]
        work[pathway] = []
        for day in range(days):
            date = first_day + dt.timedelta(days=day)
            active = [e for e in stays if e.is_active(date)]
            tasks = tasks_for_day(
                date, active, by_id, catalogue.pathways, catalogue.products, catalogue.device_types
            )
            visit: dict[tuple[str, str], float] = defaultdict(float)
            video: dict[tuple[str, str], float] = defaultdict(float)
            for task in tasks:
                if task.kind in (TaskKind.VISIT, TaskKind.VIDEO):
                    key = (shift_of(task.window.start_min), task.skill or "nurse")
                    (visit if task.kind is TaskKind.VISIT else video)[key] += task.duration_min
            work[pathway].append(DayWork(visit, video, len({e.patient_id for e in active})))
    return work


def _minutes(today: DayWork, code: str, travel: float) -> dict[str, float]:
    per_skill: dict[str, float] = {}
    for key in set(today.visit_min) | set(today.video_min):
        if key[0] == code:
            minutes = today.visit_min.get(key, 0.0) * (1 + travel) + today.video_min.get(key, 0.0)
            per_skill[key[1]] = per_skill.get(key[1], 0.0) + minutes
    return per_skill


def forecast_demand(
    work: Mapping[str, Sequence[DayWork]],
    params: DemandParams = DemandParams(),
    shifts: Sequence[str] = ("D", "E", "N"),
    days: int | None = None,
    first: int = 0,
) -> tuple[DemandCell, ...]:
    """One cell per day and shift of the period, people needed, by skill, with the 80 % band.

    ``work`` is the known work per pathway from the census day (index 0: today, when the rota is
    planned) to the period's last day, each list ``days`` long (by default the longest list's; a team
    without patients still gets its floor, given ``days``); the period starts at index ``first`` and
    its cells are numbered from there. A day's minutes are those of its known stays plus, for each
    expected patient of a pathway beyond them, the average minutes per patient-day of that pathway's
    known work from the census day on; each pathway's census of the census day is held steady, so a
    rota planned weeks ahead, when today's short stays have ended, is still staffed for the patients
    the service has now."""
    days = max((len(w) for w in work.values()), default=0) if days is None else days
    cells = []
    for code in shifts:
        productive = params.productive_min.get(code, 330)
        per_skill: list[dict[str, float]] = [defaultdict(float) for _ in range(days)]
        variance = [0.0] * days  # of the day's minutes, from the Poisson count of new patients
        for pathway_work in work.values():
            census = pathway_work[0].patients
            patient_days = sum(day.patients for day in pathway_work)
            average: dict[str, float] = defaultdict(float)
            for day in pathway_work:
                for skill, minutes in _minutes(day, code, params.travel_per_visit_min).items():
                    average[skill] += minutes / max(1, patient_days)
            for index, known in enumerate(pathway_work):
                new = max(0, census - known.patients)
                for skill, minutes in _minutes(known, code, params.travel_per_visit_min).items():
                    per_skill[index][skill] += minutes
                for skill, minutes in average.items():
                    per_skill[index][skill] += new * minutes
                variance[index] += new * sum(average.values()) ** 2
        for index in range(first, days):
            mean = sum(per_skill[index].values()) / productive
            spread = Z_80 * math.sqrt(variance[index]) / productive
            by_skill = {
                skill: math.ceil(minutes / productive - 1e-9)
                for skill, minutes in sorted(per_skill[index].items())
                if skill != params.base_skill and minutes > 0
            }
            total = max(params.minimum.get(code, 0), math.ceil(mean - 1e-9), sum(by_skill.values()))
            cells.append(DemandCell(
                index - first, code, total, by_skill, low=max(0.0, mean - spread), high=mean + spread
            ))
    return tuple(sorted(cells, key=lambda c: (c.day, shifts.index(c.shift))))
