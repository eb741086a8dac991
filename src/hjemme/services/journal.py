"""The day's journal: the one way in for every change to a date's plan (issue 11).

Every change — an urgent visit, a cancellation, an absence, a vehicle out of service, a task moved
by hand, a visit started or done, a whole day planned or an earlier version restored — is a
journal entry written in the same transaction as its effect, with who, role, when, why and the
plan version it was made against. The current day is the latest plan version plus the journal:

* a change **repairs** the latest version (the engine's ``repair``: only the affected routes move;
  started, done, past and soon-starting stops stay where they are), and stores the next version;
* planning the whole day again starts from the pathways and **re-applies every change in the
  journal**, so nothing entered earlier is ever dropped; it keeps every pin and, when the day
  already has a plan, improves that plan rather than starting afresh (stable times);
* a restore stores an earlier version as the newest and marks the changes it undoes as reverted.

Changes to one date are serialised (a per-date lock in this process, and the database's: an
advisory lock on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite). A change names the version it was made
against; on a newer version it is applied when it still fits and refused with
:class:`VersionConflictError` (409) naming what changed in between when it does not.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain.journal import PLAN_CHANGES, STATUS_MARKS, EntryKind
from hjemme.domain.plans import Plan
from hjemme.domain.security import Role
from hjemme.domain.tasks import Task, TaskKind
from hjemme.domain.time import (
    MINUTES_PER_DAY,
    TimeWindow,
    format_hhmm,
    format_local,
    local_date,
    local_minute,
)
from hjemme.errors import ConflictError, InfeasibleError, InputError, NotFoundError
from hjemme.geo import make_provider
from hjemme.planning.changes import (
    AddTask,
    CancelTask,
    Change,
    StaffAbsent,
    VehicleOutOfService,
    apply_changes,
)
from hjemme.planning.params import PlannerParams
from hjemme.planning.placements import moved_plan
from hjemme.planning.plan_json import plan_from_json, plan_to_json
from hjemme.planning.problem import Problem, build_problem
from hjemme.planning.problem_json import problem_from_json, problem_to_json
from hjemme.planning.repair import frozen_pins, reoptimise, repair
from hjemme.planning.resources import build_resources
from hjemme.planning.solve import solve
from hjemme.planning.validate import Violation, validate_plan
from hjemme.services.access import SYSTEM, log_access, require_role
from hjemme.services.auth import Principal
from hjemme.services.planning import PLANNERS, day_tasks, now_minute, own_staff_id
from hjemme.services.roster import working_on
from hjemme.settings import Settings
from hjemme.store import journal as journal_repo
from hjemme.store import repositories as repo
from hjemme.store.database import serialised_scope, session_scope
from hjemme.store.journal import JournalEntry

URGENT_VISIT_MIN = 45
URGENT_WINDOW_MIN = 240
MARKERS = frozenset({Role.COORDINATOR, Role.ADMIN, Role.CLINICIAN, Role.LOGISTICS})
"""Who may mark a task started, done, delivered …: planners any task, the others their own stops."""
URGENT_ORDERERS = frozenset({Role.RESPONDER, Role.COORDINATOR, Role.ADMIN})

Pins = dict[str, tuple[str, int]]
MARKING = STATUS_MARKS | {EntryKind.MARK_UNDONE}
"""Entries about a task's status: recorded without a new plan version."""


@dataclass(frozen=True, slots=True)
class DayChange:
    """One change to a day as a person asks for it; ``reason`` is their own words (kept as typed)."""

    kind: EntryKind
    patient_id: str | None = None  # urgent visit
    task_id: str | None = None  # cancel, move, status marks
    staff_id: str | None = None  # absence
    vehicle_id: str | None = None  # vehicle out of service
    resource_id: str | None = None  # move: to whom
    start_min: int | None = None  # move: from when (minutes after Oslo midnight)
    from_min: int = 0  # absence / out of service, minutes after Oslo midnight
    to_min: int = MINUTES_PER_DAY
    reason: str = ""
    removed: tuple[str, ...] = ()  # stay changed: the patient's tasks that go (issue 13)
    added: tuple[Task, ...] = ()  # stay changed: the tasks the stored stay now causes

    def __post_init__(self) -> None:
        needs = {
            EntryKind.URGENT_VISIT: ("patient", self.patient_id),
            EntryKind.STAY_CHANGED: ("patient", self.patient_id),
            EntryKind.ABSENT: ("staff", self.staff_id),
            EntryKind.VEHICLE_OUT: ("vehicle", self.vehicle_id),
            EntryKind.MOVED: ("resource", self.resource_id),
        }
        if self.kind in (EntryKind.PLANNED, EntryKind.RESTORED):
            raise InputError("kind", f"{self.kind} is not a change; use plan_day or restore_version")
        if self.kind in MARKING | {EntryKind.CANCELLED, EntryKind.MOVED} and not self.task_id:
            raise InputError("task", "name the task")
        if self.kind in needs and not needs[self.kind][1]:
            raise InputError(needs[self.kind][0], f"a {self.kind} change needs a {needs[self.kind][0]}")
        if self.kind is EntryKind.MOVED and (
            self.start_min is None or not 0 <= self.start_min < MINUTES_PER_DAY
        ):
            raise InputError("start", "give the new start as a time of day (00:00–23:59)")
        if not 0 <= self.from_min < self.to_min <= MINUTES_PER_DAY:
            raise InputError("from", "the period must run forwards within the day (from before to)")
        if len(self.reason) > 500:
            raise InputError("reason", "at most 500 characters")

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "patient": self.patient_id,
            "task": self.task_id,
            "staff": self.staff_id,
            "vehicle": self.vehicle_id,
            "resource": self.resource_id,
            "start_min": self.start_min,
        }
        if self.kind in (EntryKind.ABSENT, EntryKind.VEHICLE_OUT):
            data.update(from_min=self.from_min, to_min=self.to_min)
        if self.kind is EntryKind.STAY_CHANGED:
            data.update(removed=list(self.removed), added=[t.id for t in self.added])
        return {k: v for k, v in data.items() if v is not None}


@dataclass(frozen=True, slots=True)
class ChangeOutcome:
    """What a change did: its journal entry, the day's current version and plan after it."""

    entry: JournalEntry
    version: int
    previous_version: int | None
    plan: Plan
    problem: Problem | None = None  # None for status marks (the plan did not change)
    task_id: str | None = None  # the urgent visit's id


class VersionConflictError(ConflictError):
    """The change was made against an older version and no longer fits what changed since."""

    def __init__(self, expected: int, current: int, between: list[JournalEntry]) -> None:
        self.expected, self.current, self.between = expected, current, between
        super().__init__(self.message("en"))

    def message(self, language: str) -> str:
        changes = "; ".join(describe_entry(e, language) for e in self.between[-5:])
        if language == "nb":
            head = f"Planen er endret siden versjon {self.expected} (nå versjon {self.current})"
            return f"{head}: {changes}. Last siden på nytt og prøv igjen." if changes else f"{head}."
        head = f"The plan has changed since version {self.expected} (now version {self.current})"
        return f"{head}: {changes}. Reload and try again." if changes else f"{head}."


class AlreadyOrderedError(ConflictError):
    """An alarm has already ordered its urgent visit (issue 11, item 3: once means once)."""

    def __init__(self, alarm_id: str, task_id: str, where: str) -> None:
        self.alarm_id, self.task_id, self.where = alarm_id, task_id, where
        super().__init__(f"alarm {alarm_id} has already ordered urgent visit {task_id} ({where})")


class MoveRefusedError(InputError):
    """A hand move the rules do not allow; ``problems`` are validator rule codes (or ``pin``)."""

    def __init__(self, task_id: str, problems: list[Violation]) -> None:
        self.task_id, self.problems = task_id, problems
        rules = ", ".join(sorted({v.rule for v in problems})) or "no valid plan"
        super().__init__("start", f"task {task_id} cannot be placed there ({rules})")


KIND_LABELS: Mapping[EntryKind, tuple[str, str]] = {
    EntryKind.PLANNED: ("dagen planlagt", "day planned"),
    EntryKind.URGENT_VISIT: ("akuttbesøk lagt til", "urgent visit added"),
    EntryKind.CANCELLED: ("oppgave avlyst", "task cancelled"),
    EntryKind.ABSENT: ("fravær", "absence"),
    EntryKind.VEHICLE_OUT: ("kjøretøy ute av drift", "vehicle out of service"),
    EntryKind.MOVED: ("oppgave flyttet", "task moved"),
    EntryKind.CONFIRMED: ("oppgave bekreftet", "task confirmed"),
    EntryKind.STARTED: ("besøk startet", "visit started"),
    EntryKind.DONE: ("besøk fullført", "visit done"),
    EntryKind.NOT_DONE: ("besøk ikke utført", "visit not done"),
    EntryKind.DELIVERED: ("levering utført", "delivery done"),
    EntryKind.SAMPLE_HANDED_IN: ("prøve levert", "sample handed in"),
    EntryKind.RESTORED: ("tidligere versjon gjenopprettet", "earlier version restored"),
    EntryKind.STAY_CHANGED: ("forløp endret", "stay changed"),
    EntryKind.MARK_UNDONE: ("statusmerking angret", "status mark undone"),
}
"""A journal entry's kind as people read it (bokmål, English)."""


def describe_entry(entry: JournalEntry, language: str) -> str:
    """``23.11.2026 12:05 coordinator1: oppgave avlyst E00012-…`` in Oslo time, in ``language``."""
    label = KIND_LABELS[EntryKind(entry.kind)][0 if language == "nb" else 1]
    p = entry.payload
    target = p.get("task") or p.get("patient") or p.get("staff") or p.get("vehicle") or ""
    if entry.kind == EntryKind.RESTORED:
        target = f"v{p.get('version')}"
    when = format_local(entry.at, language)
    return f"{when} {entry.username}: {label} {target}".rstrip()


def configured(params: PlannerParams, settings: Settings) -> PlannerParams:
    """``params`` with the installation's freeze horizon and stability costs (``HJEMME_FREEZE_HORIZON_MIN``,
    ``HJEMME_REASSIGN_COST``, ``HJEMME_MOVED_COST_PER_MIN``): the one place adapters get them from."""
    return replace(
        params,
        freeze_horizon_min=settings.freeze_horizon_min,
        reassign_cost=settings.reassign_cost,
        moved_cost_per_min=settings.moved_cost_per_min,
    )


# -- the per-date lock --------------------------------------------------------------------------

_date_locks: dict[dt.date, threading.Lock] = {}
_date_locks_guard = threading.Lock()


def _date_lock(date: dt.date) -> threading.Lock:
    """Threads of this process queue here first (no database busy time-outs under load)."""
    with _date_locks_guard:
        return _date_locks.setdefault(date, threading.Lock())


class _Serialised:
    """``with _Serialised(engine, date) as session``: the date's lock and one transaction."""

    def __init__(self, engine: Engine, date: dt.date) -> None:
        self._lock = _date_lock(date)
        self._scope = serialised_scope(engine, date.toordinal())

    def __enter__(self) -> Session:
        self._lock.acquire()
        try:
            return self._scope.__enter__()
        except BaseException:
            self._lock.release()
            raise

    def __exit__(self, *exc: Any) -> None:
        try:
            self._scope.__exit__(*exc)
        finally:
            self._lock.release()


# -- changes ----------------------------------------------------------------------------------------


def change_day(
    *,
    engine: Engine,
    principal: Principal,
    date: dt.date,
    change: DayChange,
    now: dt.datetime,
    expected_version: int | None = None,
    params: PlannerParams | None = None,
    provider_name: str = "builtin",
    client: str | None = None,
    alarm_id: str | None = None,
    in_transaction: Callable[[Session, ChangeOutcome], None] | None = None,
) -> ChangeOutcome:
    """Record ``change`` in the day's journal and apply it to the latest plan, in one transaction.

    ``expected_version`` is the version the person saw (``None``: the latest, as the CLI and
    background jobs act). ``alarm_id`` ties an urgent visit to the alarm that ordered it: a second
    order for the same alarm is refused naming the visit already planned. ``in_transaction`` writes
    the caller's own record of the change (an alarm's event) in the same transaction.
    """
    _require(principal, change, alarm_id)
    params = params or PlannerParams(time_limit_s=0.5, rounds=1)
    with _Serialised(engine, date) as session:
        latest = repo.latest_plan(session, date)
        if latest is None:
            raise NotFoundError("plan", date.isoformat())
        if latest.problem_json is None:
            raise InputError("date", f"plan {date} v{latest.version} has no stored input; plan the day again")
        entries = journal_repo.list_entries(session, date)
        if alarm_id is not None:
            _refuse_second_order(session, alarm_id)
        between = _check_version(expected_version, latest.version, entries, change)
        previous = plan_from_json(json.loads(latest.json))
        stored = problem_from_json(json.loads(latest.problem_json))
        statuses = repo.pinned_tasks(session, date)
        if change.task_id is not None and change.task_id not in {t.id for t in stored.tasks}:
            raise NotFoundError("task", change.task_id)
        if change.kind is EntryKind.MARK_UNDONE:
            _require_own_stop(session, principal, previous, change)
            return _unmark(session, principal, date, change, latest.version, entries, previous, now, client)
        _refuse_finished(change, statuses)
        if change.kind in STATUS_MARKS:
            _require_own_stop(session, principal, previous, change)
            return _mark(
                session, principal, date, change, latest.version, expected_version, previous, now, client
            )
        problem = build_problem(
            date, stored.tasks, stored.resources, stored.lab, make_provider(provider_name)
        )
        urgent = (
            _urgent_visit(session, date, change.patient_id, problem.tasks, now)
            if (change.kind is EntryKind.URGENT_VISIT)
            else None
        )
        changed = apply_changes(problem, _engine_changes(change, urgent, problem))
        pins = _pins(previous, statuses, entries, date, now, params, changed)
        if change.kind is EntryKind.MOVED:
            assert (
                change.task_id is not None and change.resource_id is not None and change.start_min is not None
            )
            if change.resource_id not in changed.resources_by_id:
                raise NotFoundError("resource", change.resource_id)
            pins[change.task_id] = (change.resource_id, change.start_min)
        plan = repair(changed, previous, pins, params, now_min=now_minute(date, now))
        violations = _violations(plan, changed)
        if change.kind is EntryKind.MOVED and not violations and not _placed(plan, change):
            violations = _move_findings(previous, changed, change)
        if violations:
            if between:
                raise VersionConflictError(expected_version or 0, latest.version, between)
            if change.kind is EntryKind.MOVED:
                raise MoveRefusedError(change.task_id or "", violations)
            raise InfeasibleError(violations_text(violations))
        saved = _save(session, changed, plan, now, principal, client)
        if change.kind is EntryKind.MOVED:
            repo.pin_task(
                session,
                date=date,
                task_id=change.task_id or "",
                status="confirmed",
                username=principal.username,
                at=now,
            )
        payload = change.payload()
        if urgent is not None:
            payload.update(
                task=urgent.id, task_json=problem_to_json(date, stored.lab, [urgent], [])["tasks"][0]
            )
        entry = journal_repo.add_entry(
            session,
            date=date,
            kind=change.kind.value,
            payload=payload,
            reason=change.reason,
            username=principal.username,
            role=principal.role.value,
            at=now,
            base_version=expected_version or latest.version,
            result_version=saved,
            alarm_id=alarm_id,
        )
        outcome = ChangeOutcome(entry, saved, latest.version, plan, changed, urgent.id if urgent else None)
        if in_transaction is not None:
            in_transaction(session, outcome)
    return outcome


def plan_day(
    *,
    engine: Engine,
    date: dt.date,
    now: dt.datetime,
    params: PlannerParams | None = None,
    provider_name: str = "builtin",
    client: str | None = None,
    catalogue: Catalogue | None = None,
    reason: str = "",
    progress: Callable[[str], None] | None = None,
    principal: Principal = SYSTEM,
) -> ChangeOutcome:
    """Plan the whole day: from the pathways, the roster and the fleet, with every journalled change
    re-applied and every pin kept; a day that already has a plan is improved from it (stable).

    The search runs outside the day's lock (it may take a minute); changes made meanwhile are
    then repaired into its result under the lock, so they are never lost.
    """
    require_role(principal, PLANNERS)
    step = progress or (lambda _stage: None)
    catalogue = catalogue or load_catalogue()
    step("tasks")
    tasks = day_tasks(engine=engine, date=date, catalogue=catalogue)
    with session_scope(engine) as session:
        staff, vehicles = working_on(session, date)  # absences and vehicles out of service (issue 13)
        latest = repo.latest_plan(session, date)
        entries = journal_repo.list_entries(session, date)
        statuses = repo.pinned_tasks(session, date)
    if not staff:
        raise InputError("date", "no staff on the roster: seed the database first (hjemme seed)")
    resources = build_resources(staff, vehicles, catalogue.sites)
    fresh = build_problem(date, tasks, resources, catalogue.lab.location, make_provider(provider_name))
    problem = apply_changes(fresh, _replayed_changes(entries, fresh), strict=False)
    step("search")
    previous = plan_from_json(json.loads(latest.json)) if latest is not None else None
    if previous is None:
        plan = solve(problem, params, pins=_move_pins(entries, problem))
    else:
        pins = _pins(previous, statuses, entries, date, now, params or PlannerParams(), problem)
        plan = reoptimise(problem, previous, pins, params or PlannerParams(), now_min=now_minute(date, now))
    step("store")
    with _Serialised(engine, date) as session:
        current = repo.latest_plan(session, date)
        newer = journal_repo.list_entries(session, date)[len(entries) :]
        if any(EntryKind(e.kind) in PLAN_CHANGES | {EntryKind.RESTORED} for e in newer):
            # Changes made while the search ran: re-apply them onto its result, like any change.
            assert current is not None
            problem = apply_changes(problem, _replayed_changes(newer, problem), strict=False)
            statuses = repo.pinned_tasks(session, date)
            pins = _pins(
                plan,
                statuses,
                repo_entries := journal_repo.list_entries(session, date),
                date,
                now,
                params or PlannerParams(),
                problem,
            )
            pins.update(_move_pins(repo_entries, problem))
            plan = repair(
                problem,
                plan,
                pins,
                params or PlannerParams(time_limit_s=0.5, rounds=1),
                now_min=now_minute(date, now),
            )
        violations = _violations(plan, problem)
        if violations:
            raise InfeasibleError(violations_text(violations))
        saved = _save(session, problem, plan, now, principal, client)
        entry = journal_repo.add_entry(
            session,
            date=date,
            kind=EntryKind.PLANNED.value,
            payload={
                "replayed": sum(1 for e in entries if _live(e)),
                "from_version": latest.version if latest else None,
            },
            reason=reason,
            username=principal.username,
            role=principal.role.value,
            at=now,
            base_version=current.version if current else None,
            result_version=saved,
        )
    return ChangeOutcome(entry, saved, current.version if current else None, plan, problem)


def restore_version(
    *,
    engine: Engine,
    principal: Principal,
    date: dt.date,
    version: int,
    now: dt.datetime,
    expected_version: int | None = None,
    params: PlannerParams | None = None,
    provider_name: str = "builtin",
    client: str | None = None,
    reason: str = "",
) -> ChangeOutcome:
    """Undo: store version ``version`` again as the newest; the changes made after it are marked as
    reverted (no longer re-applied). What has happened stays: started, done and past stops keep
    their places from the latest version."""
    require_role(principal, PLANNERS)
    params = params or PlannerParams(time_limit_s=0.5, rounds=1)
    with _Serialised(engine, date) as session:
        latest = repo.latest_plan(session, date)
        target = repo.get_plan(session, date, version)
        if latest is None or target is None or target.problem_json is None:
            raise NotFoundError("plan version", f"{date} v{version}")
        if version >= latest.version:
            raise InputError("version", f"v{version} is the current version; choose an earlier one")
        entries = journal_repo.list_entries(session, date)
        between = [e for e in entries if (e.result_version or 0) > version and e.reverted_by is None]
        if expected_version is not None and expected_version != latest.version:
            raise VersionConflictError(
                expected_version,
                latest.version,
                [e for e in between if (e.result_version or 0) > expected_version],
            )
        stored = problem_from_json(json.loads(target.problem_json))
        problem = build_problem(
            date, stored.tasks, stored.resources, stored.lab, make_provider(provider_name)
        )
        current = plan_from_json(json.loads(latest.json))
        statuses = repo.pinned_tasks(session, date)
        pins = {
            k: v
            for k, v in _frozen(current, statuses, date, now, params).items()
            if k in problem.tasks_by_id and v[0] in problem.resources_by_id
        }
        plan = repair(
            problem, plan_from_json(json.loads(target.json)), pins, params, now_min=now_minute(date, now)
        )
        violations = _violations(plan, problem)
        if violations:
            raise InfeasibleError(violations_text(violations))
        saved = _save(session, problem, plan, now, principal, client)
        undone = [
            e for e in between if EntryKind(e.kind) in PLAN_CHANGES | {EntryKind.PLANNED, EntryKind.RESTORED}
        ]
        entry = journal_repo.add_entry(
            session,
            date=date,
            kind=EntryKind.RESTORED.value,
            payload={"version": version, "reverted": [e.seq for e in undone]},
            reason=reason,
            username=principal.username,
            role=principal.role.value,
            at=now,
            base_version=expected_version or latest.version,
            result_version=saved,
        )
        journal_repo.mark_reverted(session, [e.id for e in undone], entry.id)
    return ChangeOutcome(entry, saved, latest.version, plan, problem)


# -- helpers --------------------------------------------------------------------------------------


def _require(principal: Principal, change: DayChange, alarm_id: str | None) -> None:
    if change.kind in MARKING:
        require_role(principal, MARKERS)
    elif change.kind is EntryKind.URGENT_VISIT and alarm_id is not None:
        require_role(principal, URGENT_ORDERERS)
    else:
        require_role(principal, PLANNERS)


def _require_own_stop(session: Session, principal: Principal, plan: Plan, change: DayChange) -> None:
    """A clinician or driver marks only the stops of their own route."""
    if principal.role in PLANNERS:
        return
    staff_id = own_staff_id(session, principal)
    own = {
        s.task_id for r in plan.routes for s in r.stops if staff_id is not None and r.resource_id == staff_id
    }
    if principal.role is Role.LOGISTICS:
        own = {s.task_id for r in plan.routes if r.kind.value != "clinician" for s in r.stops}
    if change.task_id not in own:
        raise NotFoundError("task on your plan", change.task_id)


def _refuse_second_order(session: Session, alarm_id: str) -> None:
    done = journal_repo.entry_for_alarm(session, alarm_id)
    if done is None:
        return
    task_id = str(done.payload.get("task", ""))
    where = f"{done.date} v{done.result_version}"
    stored = repo.get_plan(session, done.date, done.result_version or 0)
    if stored is not None:
        plan = plan_from_json(json.loads(stored.json))
        stop = next(
            ((r.resource_id, s.start_min) for r in plan.routes for s in r.stops if s.task_id == task_id), None
        )
        if stop is not None:
            where = f"{stop[0]} kl. {format_hhmm(stop[1])}"
    raise AlreadyOrderedError(alarm_id, task_id, where)


def _check_version(
    expected: int | None, current: int, entries: list[JournalEntry], change: DayChange
) -> list[JournalEntry]:
    """The entries made since ``expected``; raises when one of them clashes with ``change``."""
    if expected is None or expected == current:
        return []
    if not 1 <= expected < current:
        raise VersionConflictError(expected, current, [])
    produced = max(
        (e.seq for e in entries if e.result_version == expected and EntryKind(e.kind) not in MARKING),
        default=0,
    )
    between = [e for e in entries if e.seq > produced]
    clashes = [e for e in between if _clashes(e, change)]
    if clashes:
        raise VersionConflictError(expected, current, clashes)
    return between


def _clashes(entry: JournalEntry, change: DayChange) -> bool:
    kind, p = EntryKind(entry.kind), entry.payload
    if kind is EntryKind.RESTORED or (kind is EntryKind.PLANNED and change.kind is EntryKind.MOVED):
        return True
    if change.task_id is not None and p.get("task") == change.task_id:
        return True
    if change.kind is EntryKind.URGENT_VISIT and kind is EntryKind.URGENT_VISIT:
        return p.get("patient") == change.patient_id
    if change.staff_id is not None and p.get("staff") == change.staff_id:
        return True
    return change.vehicle_id is not None and p.get("vehicle") == change.vehicle_id


def _refuse_finished(change: DayChange, statuses: Mapping[str, str]) -> None:
    """A task started or done cannot be cancelled or moved, nor done twice."""
    status = statuses.get(change.task_id or "")
    if status is None:
        return
    if change.kind in (EntryKind.CANCELLED, EntryKind.MOVED) and status in (
        "started",
        "done",
        "not_done",
        "delivered",
        "sample_handed_in",
    ):
        raise ConflictError(f"task {change.task_id} is already {status}")
    if change.kind.value == status and status != "confirmed":
        raise ConflictError(f"task {change.task_id} is already {status}")


def _mark(
    session: Session,
    principal: Principal,
    date: dt.date,
    change: DayChange,
    version: int,
    expected: int | None,
    plan: Plan,
    now: dt.datetime,
    client: str | None,
) -> ChangeOutcome:
    assert change.task_id is not None
    repo.pin_task(
        session,
        date=date,
        task_id=change.task_id,
        status=change.kind.value,
        username=principal.username,
        at=now,
    )
    entry = journal_repo.add_entry(
        session,
        date=date,
        kind=change.kind.value,
        payload=change.payload(),
        reason=change.reason,
        username=principal.username,
        role=principal.role.value,
        at=now,
        base_version=expected or version,
        result_version=version,
    )
    _log_task_write(session, principal, plan, change.task_id, change.kind.value, client, now)
    return ChangeOutcome(entry, version, version, plan)


def _unmark(
    session: Session,
    principal: Principal,
    date: dt.date,
    change: DayChange,
    version: int,
    entries: list[JournalEntry],
    plan: Plan,
    now: dt.datetime,
    client: str | None,
) -> ChangeOutcome:
    """Take back the task's last status mark: the mark before it holds again (or none at all)."""
    marks = [
        e
        for e in entries
        if e.reverted_by is None
        and EntryKind(e.kind) in STATUS_MARKS
        and e.payload.get("task") == change.task_id
    ]
    if not marks:
        raise ConflictError(f"task {change.task_id} has no status mark to undo")
    last, before = marks[-1], (marks[-2] if len(marks) > 1 else None)
    if before is None:
        repo.unpin_task(session, date=date, task_id=change.task_id or "")
    else:
        repo.pin_task(
            session,
            date=date,
            task_id=change.task_id or "",
            status=before.kind,
            username=principal.username,
            at=now,
        )
    entry = journal_repo.add_entry(
        session,
        date=date,
        kind=change.kind.value,
        payload={"task": change.task_id, "undone": last.kind},
        reason=change.reason,
        username=principal.username,
        role=principal.role.value,
        at=now,
        base_version=version,
        result_version=version,
    )
    journal_repo.mark_reverted(session, [last.id], entry.id)
    _log_task_write(session, principal, plan, change.task_id, f"{last.kind} undone", client, now)
    return ChangeOutcome(entry, version, version, plan)


def _log_task_write(
    session: Session, principal: Principal, plan: Plan, task_id: str | None, what: str, client: str | None,
    now: dt.datetime,
) -> None:
    """A status mark (or its undo) is a write of the task's patient's data: access-logged."""
    patient = next((s.patient_id for r in plan.routes for s in r.stops if s.task_id == task_id), None)
    if patient:
        log_access(session=session, principal=principal, patient_ids=[patient],
                   resource=f"task {task_id} {what}", client=client, at=now, action="write")


def _engine_changes(change: DayChange, urgent: Task | None, problem: Problem) -> list[Change]:
    if urgent is not None:
        return [AddTask(urgent)]
    if change.kind is EntryKind.CANCELLED:
        return [CancelTask(change.task_id or "")]
    if change.kind is EntryKind.ABSENT:
        if not any(r.staff_id == change.staff_id for r in problem.resources):
            raise NotFoundError("staff on this day's plan", change.staff_id)
        return [StaffAbsent(change.staff_id or "", change.from_min, change.to_min)]
    if change.kind is EntryKind.VEHICLE_OUT:
        if not any(r.vehicle_id == change.vehicle_id for r in problem.resources):
            raise NotFoundError("vehicle on this day's plan", change.vehicle_id)
        return [VehicleOutOfService(change.vehicle_id or "", change.from_min, change.to_min)]
    if change.kind is EntryKind.STAY_CHANGED:
        # Replayed by whole-day planning through the stored stays themselves, never from here.
        return [*(CancelTask(t) for t in change.removed), *(AddTask(t) for t in change.added)]
    return []


def _live(entry: JournalEntry) -> bool:
    return entry.reverted_by is None and EntryKind(entry.kind) in PLAN_CHANGES


def _replayed_changes(entries: Iterable[JournalEntry], problem: Problem) -> list[Change]:
    """The journal's changes as the engine's, in order, for a day planned again from the pathways.

    A change whose object is gone (a task no longer on the pathways, staff no longer on the roster)
    has nothing left to do and is skipped.
    """
    changes: list[Change] = []
    tasks = set(problem.tasks_by_id)
    staff = {r.staff_id for r in problem.resources}
    vehicles = {r.vehicle_id for r in problem.resources}
    for e in entries:
        if not _live(e):
            continue
        kind, p = EntryKind(e.kind), e.payload
        if kind is EntryKind.URGENT_VISIT and "task_json" in p:
            task = problem_from_json(
                {"date": e.date.isoformat(), "lab": [0, 0], "tasks": [p["task_json"]], "resources": []}
            ).tasks[0]
            changes.append(AddTask(task))
            tasks.add(task.id)
        elif kind is EntryKind.CANCELLED and p.get("task") in tasks:
            changes.append(CancelTask(p["task"]))
        elif kind is EntryKind.ABSENT and p.get("staff") in staff:
            changes.append(StaffAbsent(p["staff"], p.get("from_min", 0), p.get("to_min", MINUTES_PER_DAY)))
        elif kind is EntryKind.VEHICLE_OUT and p.get("vehicle") in vehicles:
            changes.append(
                VehicleOutOfService(p["vehicle"], p.get("from_min", 0), p.get("to_min", MINUTES_PER_DAY))
            )
    return changes


def _move_pins(entries: Iterable[JournalEntry], problem: Problem) -> Pins:
    """Each task moved by hand stays where it was last moved (unless it has gone since)."""
    pins: Pins = {}
    for e in entries:
        if _live(e) and e.kind == EntryKind.MOVED:
            pins[e.payload["task"]] = (e.payload["resource"], int(e.payload["start_min"]))
    return _fitting(pins, problem)


def _frozen(
    plan: Plan, statuses: Mapping[str, str], date: dt.date, now: dt.datetime, params: PlannerParams
) -> Pins:
    """Stops that must not move: started, done and past ones, and those starting within the horizon."""
    return frozen_pins(
        plan, now_min=now_minute(date, now), horizon_min=params.freeze_horizon_min, statuses=statuses
    )


def _pins(
    plan: Plan,
    statuses: Mapping[str, str],
    entries: Iterable[JournalEntry],
    date: dt.date,
    now: dt.datetime,
    params: PlannerParams,
    problem: Problem,
) -> Pins:
    pins = _frozen(plan, statuses, date, now, params)
    pins.update(_move_pins(entries, problem))
    return _fitting(pins, problem)


def _fitting(pins: Mapping[str, tuple[str, int]], problem: Problem) -> Pins:
    """Pins whose task and resource are still there and whose start lies within the resource's
    (possibly shortened) shift: an absent person's later stops are released, not kept."""
    kept: Pins = {}
    for task_id, (resource_id, start) in pins.items():
        resource = problem.resources_by_id.get(resource_id)
        if (
            task_id in problem.tasks_by_id
            and resource is not None
            and (resource.shift.start_min <= start < resource.shift.end_min)
        ):
            kept[task_id] = (resource_id, start)
    return kept


def _placed(plan: Plan, change: DayChange) -> bool:
    return any(
        r.resource_id == change.resource_id
        and s.task_id == change.task_id
        and s.start_min == change.start_min
        for r in plan.routes
        for s in r.stops
    )


def _move_findings(previous: Plan, problem: Problem, change: DayChange) -> list[Violation]:
    """Why a move could not be kept: the rules the plain edit (nothing else moved) breaks, else that
    the repair found no valid day with the task there."""
    assert change.task_id is not None and change.resource_id is not None and change.start_min is not None
    try:
        edited = moved_plan(previous, problem, change.task_id, change.resource_id, change.start_min)
    except (InputError, NotFoundError):
        edited = None
    found = _violations(edited, problem) if edited is not None else []
    return found or [Violation("pin", "the planner found no valid plan with the task at that place")]


def _violations(plan: Plan, problem: Problem) -> list[Violation]:
    return validate_plan(plan, problem.tasks, problem.resources, problem.provider, problem.lab)


def violations_text(violations: list[Violation]) -> str:
    shown = "; ".join(str(v) for v in violations[:5])
    more = f" (and {len(violations) - 5} more)" if len(violations) > 5 else ""
    return f"the planner produced an invalid plan, not stored: {shown}{more}"


def _save(
    session: Session, problem: Problem, plan: Plan, now: dt.datetime, principal: Principal, client: str | None
) -> int:
    """Store ``plan`` with its problem as the date's next version; the write is access-logged."""
    problem_json = problem_to_json(problem.date, problem.lab, problem.tasks, problem.resources)
    stored = repo.save_plan(
        session,
        date=problem.date,
        plan_json=json.dumps(plan_to_json(plan), ensure_ascii=False),
        problem_json=json.dumps(problem_json, ensure_ascii=False),
        created_at=now,
    )
    log_access(
        session=session,
        principal=principal,
        patient_ids=sorted({t.patient_id for t in problem.tasks}),
        resource=f"plan {problem.date.isoformat()} v{stored.version}",
        client=client,
        at=now,
        action="write",
    )
    return stored.version


def _urgent_visit(
    session: Session, date: dt.date, patient_id: str | None, tasks: Iterable[Task], now: dt.datetime
) -> Task:
    """An urgent, mandatory visit for ``patient_id`` from now (or 07:00) for up to four hours."""
    patient = repo.get_patient(session, patient_id or "", on=date)
    if patient is None:
        raise NotFoundError("patient", patient_id)
    enrolments = repo.list_enrolments(session, patient_id=patient.id, active_on=date)
    if not enrolments:
        raise InputError("patient", f"patient {patient.id} has no enrolment active on {date}")
    enrolment = enrolments[0]
    pathway = load_catalogue().pathways.get(enrolment.pathway_id)
    skill = pathway.visits[0].skill if pathway is not None and pathway.visits else "nurse"
    start = 7 * 60 if local_date(now) != date else max(7 * 60, local_minute(now))
    start = min(start, MINUTES_PER_DAY - URGENT_VISIT_MIN)
    taken = sum(1 for t in tasks if t.id.startswith(f"{enrolment.id}-{date:%Y%m%d}-U"))
    return Task(
        id=f"{enrolment.id}-{date:%Y%m%d}-U{taken}",
        kind=TaskKind.VISIT,
        patient_id=patient.id,
        enrolment_id=enrolment.id,
        pathway_id=enrolment.pathway_id,
        location=patient.location,
        duration_min=URGENT_VISIT_MIN,
        window=TimeWindow(start, min(MINUTES_PER_DAY, start + URGENT_WINDOW_MIN)),
        skill=skill,
        interpreter=patient.needs_interpreter,
        excluded_staff_ids=enrolment.excluded_staff_ids,
    )


__all__ = [
    "AlreadyOrderedError",
    "ChangeOutcome",
    "DayChange",
    "MoveRefusedError",
    "VersionConflictError",
    "change_day",
    "describe_entry",
    "plan_day",
    "restore_version",
]
