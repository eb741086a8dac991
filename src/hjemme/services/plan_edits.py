"""A coordinator's hand edit of the day plan: move one task to another resource or time.

The edit is checked at once by the independent validator (``planning.validate.validate_plan``)
against the problem stored with the plan, so the coordinator sees what the move breaks before
anything is saved. A valid move is then kept: the task is pinned at its new place (recorded as
``confirmed``, like any other pin), the rest of the day is planned again around it and around the
stops already pinned, and the result is stored as the next version of the date's plan.

The messages are bokmål for the page; the validator's English detail goes with each one.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace

from sqlalchemy import Engine

from hjemme.domain.plans import BREAK_STOP, Plan, Route, Stop
from hjemme.domain.security import Role
from hjemme.domain.tasks import TaskKind
from hjemme.errors import InputError, NotFoundError
from hjemme.geo import make_provider
from hjemme.planning.params import PlannerParams
from hjemme.planning.plan_json import plan_from_json
from hjemme.planning.problem import Problem, build_problem
from hjemme.planning.problem_json import problem_from_json
from hjemme.planning.solve import solve
from hjemme.planning.validate import Violation, validate_plan
from hjemme.services.access import require_role
from hjemme.services.auth import Principal
from hjemme.services.planning import store_plan
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope

EDITORS = frozenset({Role.COORDINATOR, Role.ADMIN})
"""Roles that may move tasks by hand."""

RULES_NB = {
    "reference": "Oppgaven eller ressursen finnes ikke i planen",
    "once": "En oppgave står mer enn én gang i planen",
    "window": "Starttiden er utenfor oppgavens tidsvindu",
    "skill": "Ressursen har ikke riktig kompetanse, eller pasienten har reservert seg mot den",
    "carrier": (
        "Ressursen kan ikke ta denne oppgaven (feil type ressurs, kjølekjede eller kvalifisert sjåfør)"
    ),
    "travel": "Det er ikke tid nok til å kjøre mellom stoppene",
    "shift": "Ruten går utenfor vakten eller arbeidstiden",
    "break": "Pausen passer ikke lenger i ruten",
    "capacity": "Bilen har ikke plass til varene",
    "precedence": "En leveranse må være ferdig før besøket som bruker den",
    "sample": "En prøve når ikke laboratoriet i tide",
    "kpi": "Nøkkeltallene stemmer ikke med planen",
}
"""Each validator rule code as a bokmål sentence for the coordinator."""


@dataclass(frozen=True, slots=True)
class EditProblem:
    """One reason the move cannot be kept: a bokmål sentence and the validator's own detail."""

    rule: str
    text_nb: str
    detail: str


@dataclass(frozen=True, slots=True)
class MoveResult:
    """Either the problems of the edited plan (nothing stored) or the version stored after re-planning."""

    problems: tuple[EditProblem, ...]
    version: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def describe(violation: Violation) -> EditProblem:
    """A validator violation as the coordinator reads it."""
    return EditProblem(
        violation.rule, RULES_NB.get(violation.rule, "Planen bryter en regel"), violation.message
    )


def moved_plan(plan: Plan, problem: Problem, task_id: str, resource_id: str, start_min: int) -> Plan:
    """``plan`` with ``task_id`` taken off its route and put on ``resource_id`` starting at ``start_min``.

    Nothing else moves: the other stops keep their times, so the validator says whether the new
    place really fits. Samples taken at a moved visit are taken when it now ends, and travel with
    the new clinician when the old one carried them.
    """
    task = problem.tasks_by_id.get(task_id)
    if task is None:
        raise NotFoundError("task", task_id)
    source = next((r for r in plan.routes for s in r.stops if s.task_id == task_id), None)
    if source is None:
        raise InputError("task", f"oppgaven {task_id} står ikke i planen")
    old = next(s for s in source.stops if s.task_id == task_id)
    if not any(r.resource_id == resource_id for r in plan.routes):
        if resource_id not in problem.resources_by_id:
            raise NotFoundError("resource", resource_id)
    end_min = start_min + task.duration_min
    new_stop = replace(old, arrive_min=start_min, start_min=start_min, end_min=end_min)
    routes: list[Route] = []
    placed = False
    for route in plan.routes:
        stops = [s for s in route.stops if s.task_id != task_id]
        if route.resource_id == resource_id:
            stops = _insert(stops, new_stop)
            placed = True
        if stops or route.resource_id == resource_id:
            routes.append(replace(route, stops=tuple(stops)))
    if not placed:
        resource = problem.resources_by_id[resource_id]
        routes.append(Route(resource_id, resource.kind, resource.vehicle_id, (new_stop,)))
    samples = tuple(
        replace(
            journey,
            taken_min=end_min,
            carried_by=resource_id if journey.carried_by == source.resource_id else journey.carried_by,
        )
        if task.kind is TaskKind.VISIT and problem.tasks_by_id[journey.task_id].taken_at == task_id
        else journey
        for journey in plan.samples
    )
    return replace(plan, routes=tuple(routes), samples=samples)


def move_task(
    *,
    engine: Engine,
    principal: Principal,
    date: dt.date,
    task_id: str,
    resource_id: str,
    start_min: int,
    now: dt.datetime,
    params: PlannerParams | None = None,
    provider_name: str = "builtin",
) -> MoveResult:
    """Move a task by hand: validate at once; if valid, pin it there, re-plan the rest and store it.

    An invalid move stores nothing and returns its problems. A valid one records the task as
    ``confirmed`` and stores the re-planned day as the next version.
    """
    require_role(principal, EDITORS)
    with session_scope(engine) as session:
        stored = repo.latest_plan(session, date)
        if stored is None or stored.problem_json is None:
            raise NotFoundError("plan", date.isoformat())
        pinned = set(repo.pinned_tasks(session, date))
    source = problem_from_json(json.loads(stored.problem_json))
    problem = build_problem(date, source.tasks, source.resources, source.lab, make_provider(provider_name))
    previous = plan_from_json(json.loads(stored.json))
    edited = moved_plan(previous, problem, task_id, resource_id, start_min)
    violations = validate_plan(edited, problem.tasks, problem.resources, problem.provider, problem.lab)
    if violations:
        return MoveResult(tuple(describe(v) for v in violations))
    pins = {
        s.task_id: (r.resource_id, s.start_min)
        for r in edited.routes
        for s in r.stops
        if s.task_id and (s.task_id in pinned or s.task_id == task_id)
    }
    plan = solve(problem, params or PlannerParams(time_limit_s=1.0), pins=pins)
    violations = validate_plan(plan, problem.tasks, problem.resources, problem.provider, problem.lab)
    kept = any(
        r.resource_id == resource_id and s.task_id == task_id and s.start_min == start_min
        for r in plan.routes
        for s in r.stops
    )
    if violations or not kept:
        problems = [describe(v) for v in violations]
        if not kept:
            problems.append(
                EditProblem("pin", "Planleggeren fant ingen gyldig plan med oppgaven på det nye stedet", "")
            )
        return MoveResult(tuple(problems))
    saved = store_plan(
        engine=engine,
        problem=problem,
        plan=plan,
        now=now,
        principal=principal,
        client=None,
        pin=(task_id, "confirmed"),
    )
    return MoveResult((), saved.version)


def _insert(stops: list[Stop], new: Stop) -> list[Stop]:
    """``new`` among ``stops`` by start minute (before a break starting at the same minute)."""
    at = next(
        (i for i, s in enumerate(stops) if s.start_min > new.start_min or (
            s.start_min == new.start_min and s.type == BREAK_STOP)),
        len(stops),
    )
    return [*stops[:at], new, *stops[at:]]


def pin_statuses(*, engine: Engine, date: dt.date) -> dict[str, str]:
    """Task id → confirmed/started/done for the date's pinned tasks (no patient data, not logged)."""
    with session_scope(engine) as session:
        return repo.pinned_tasks(session, date)
