"""Changes to a day as pure data, and the day they make (issue 11, items 1 and 5).

A change is what a coordinator, a clinician or the response centre enters during the day: an
urgent visit, a cancellation, a member of staff absent for some time, a vehicle out of service.
:func:`apply_changes` turns a problem and a sequence of changes into the problem of the changed
day; :func:`hjemme.planning.repair.repair` then fits the latest plan to it. The day's journal keeps
the changes, so they can be applied again to any version of the day.

Absence and out-of-service trim the resource's shift (a resource has one shift, so one stretch of
work is kept):

- an absence covering the shift start moves the start to ``to_min``;
- any other absence that begins during the shift ends it at ``from_min`` (a mid-shift absence
  ends the working day there: the hours before it may already have been worked, the hours after
  it are not planned — enter a new shift by hand if the person comes back);
- an absence covering the whole shift removes the resource;
- an absence outside the shift changes nothing.

The break follows the shift: its window is clipped to the trimmed shift, and a shift that no
longer reaches the break window has no break (a short shift). A vehicle out of service takes the
route that uses it off the road in the same way (a clinician without the car cannot drive out).

Applying is idempotent: cancelling twice is cancelling once, adding the same task twice adds it
once, trimming twice trims once. With ``strict`` (the default) a change naming a task, member of
staff or vehicle that is neither in the problem nor removed by an earlier change of the same
sequence raises :class:`~hjemme.errors.NotFoundError`; replaying a journal onto a day that may
already contain some of its changes passes ``strict=False``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from hjemme.domain.resources import Resource
from hjemme.domain.tasks import Task, TaskKind
from hjemme.domain.time import MINUTES_PER_DAY, TimeWindow
from hjemme.errors import InputError, NotFoundError
from hjemme.planning.problem import Problem, rebuild_problem


@dataclass(frozen=True, slots=True)
class AddTask:
    """A new task to fit into the day: usually an urgent visit (``mandatory=True``)."""

    task: Task


@dataclass(frozen=True, slots=True)
class CancelTask:
    """A task that will not happen; samples taken at a cancelled visit go with it."""

    task_id: str


@dataclass(frozen=True, slots=True)
class StaffAbsent:
    """A member of staff away from ``from_min`` to ``to_min`` (the whole day by default)."""

    staff_id: str
    from_min: int = 0
    to_min: int = MINUTES_PER_DAY


@dataclass(frozen=True, slots=True)
class VehicleOutOfService:
    """A vehicle that cannot be used from ``from_min`` to ``to_min`` (the whole day by default)."""

    vehicle_id: str
    from_min: int = 0
    to_min: int = MINUTES_PER_DAY


Change = AddTask | CancelTask | StaffAbsent | VehicleOutOfService


def apply_changes(problem: Problem, changes: Sequence[Change], *, strict: bool = True) -> Problem:
    """The day after ``changes``, in order; the travel matrix is recomputed only for a new place.

    Raises :class:`InputError` for a malformed change (an empty or out-of-day interval, a new task
    whose id is taken by another task, references :func:`build_problem` rejects) and, with
    ``strict``, :class:`NotFoundError` for an unknown id (see the module docstring).
    """
    tasks = {t.id: t for t in problem.tasks}
    resources = {r.id: r for r in problem.resources}
    cancelled: set[str] = set()
    gone_staff: set[str] = set()
    gone_vehicles: set[str] = set()
    for change in changes:
        if isinstance(change, AddTask):
            _add(tasks, change.task)
            cancelled.discard(change.task.id)
        elif isinstance(change, CancelTask):
            if change.task_id not in tasks:
                if strict and change.task_id not in cancelled:
                    raise NotFoundError("task", change.task_id)
                continue
            cancelled |= _cancel(tasks, change.task_id)
        elif isinstance(change, StaffAbsent):
            _check_interval("staff_absent", change.from_min, change.to_min)
            hit = [r for r in resources.values() if r.staff_id == change.staff_id]
            if not hit and strict and change.staff_id not in gone_staff:
                raise NotFoundError("staff", change.staff_id)
            gone_staff.add(change.staff_id)
            removed = _trim_all(resources, hit, change.from_min, change.to_min)
            gone_vehicles |= {r.vehicle_id for r in removed if r.vehicle_id}
        else:
            _check_interval("vehicle_out_of_service", change.from_min, change.to_min)
            hit = [r for r in resources.values() if r.vehicle_id == change.vehicle_id]
            if not hit and strict and change.vehicle_id not in gone_vehicles:
                raise NotFoundError("vehicle", change.vehicle_id)
            gone_vehicles.add(change.vehicle_id)
            removed = _trim_all(resources, hit, change.from_min, change.to_min)
            gone_staff |= {r.staff_id for r in removed}
    return rebuild_problem(problem, tasks.values(), resources.values())


def trimmed(resource: Resource, from_min: int, to_min: int) -> Resource | None:
    """``resource`` with ``from_min``–``to_min`` taken out of its shift, or ``None`` if nothing is left."""
    start, end = resource.shift.start_min, resource.shift.end_min
    if to_min <= start or from_min >= end:
        return resource
    if from_min <= start:
        start = to_min
    else:
        end = from_min
    if start >= end:
        return None
    shift = TimeWindow(start, end)
    brk = resource.break_window
    if brk is not None and resource.break_min > 0:
        lo, hi = max(brk.start_min, start), min(brk.end_min, end - resource.break_min)
        brk = TimeWindow(lo, hi) if lo <= hi else None
    if shift == resource.shift and brk == resource.break_window:
        return resource
    return replace(
        resource,
        shift=shift,
        break_window=brk,
        break_min=resource.break_min if brk is not None else 0,
    )


def _add(tasks: dict[str, Task], task: Task) -> None:
    existing = tasks.get(task.id)
    if existing is not None and existing != task:
        raise InputError("task", f"task id {task.id!r} is already used by another task of the day")
    tasks[task.id] = task


def _cancel(tasks: dict[str, Task], task_id: str) -> set[str]:
    gone = {task_id} | {t.id for t in tasks.values() if t.kind is TaskKind.SAMPLE and t.taken_at == task_id}
    for tid in gone:
        del tasks[tid]
    for tid, t in list(tasks.items()):
        if any(b in gone for b in t.before):
            tasks[tid] = replace(t, before=tuple(b for b in t.before if b not in gone))
    return gone


def _check_interval(field: str, from_min: int, to_min: int) -> None:
    if not 0 <= from_min < to_min <= MINUTES_PER_DAY:
        raise InputError(field, f"the interval {from_min}–{to_min} is not a stretch of one day (minutes)")


def _trim_all(
    resources: dict[str, Resource], hit: list[Resource], from_min: int, to_min: int
) -> list[Resource]:
    """Trim each hit resource in place; the ones with nothing left are removed and returned."""
    removed = []
    for resource in hit:
        kept = trimmed(resource, from_min, to_min)
        if kept is None:
            del resources[resource.id]
            removed.append(resource)
        else:
            resources[resource.id] = kept
    return removed
