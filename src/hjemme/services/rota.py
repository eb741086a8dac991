"""Use cases of the staff rota (issue 17): demand, plan, edit with instant check, publish, re-plan after
a sick call, a nurse's own rota, Excel export. One write = one function = one transaction, audited.

A team is a clinic; its rota covers the clinic's clinical staff. Stored rotas key cells by date; the
engine (:mod:`hjemme.rota`) counts days from the first day of the period.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from enum import Enum

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain.people import CLINICAL_ROLES, Staff
from hjemme.domain.rota import RotaStatus, RotaVersion, StaffWish
from hjemme.domain.security import Role
from hjemme.domain.time import local_date
from hjemme.errors import ConflictError, InputError, NotFoundError
from hjemme.rota.check import Breach, PersonLoad, check_rota, describe, person_loads
from hjemme.rota.demand import forecast_demand, team_work
from hjemme.rota.problem import (
    DEFAULT_SHIFTS,
    DemandCell,
    RotaParams,
    RotaProblem,
    RotaRules,
    RotaStaff,
    ShiftDef,
    Wish,
    WishKind,
)
from hjemme.rota.solve import solve_rota
from hjemme.services.access import log_access, require_role
from hjemme.services.auth import Principal
from hjemme.store import realdata
from hjemme.store import repositories as repo
from hjemme.store import rota as store
from hjemme.store.database import session_scope

PLANNERS = frozenset({Role.COORDINATOR, Role.ADMIN})
"""Who plans, edits and publishes rotas."""
READERS = PLANNERS | {Role.CLINICIAN, Role.RESPONDER, Role.MANAGEMENT}
"""Who may read a team's rota (no patient data in it)."""
MIN_WEEKS, MAX_WEEKS = 1, 8
Progress = Callable[[str], None]
"""Told the stage a long use case has reached: ``demand``, ``search``, ``store`` (for a job's bar)."""


@dataclass(frozen=True, slots=True)
class RotaView:
    """A stored rota with its problem and every breach: what the grid, the CLI and the API show."""

    rota: RotaVersion
    staff: tuple[Staff, ...]
    problem: RotaProblem
    breaches: tuple[Breach, ...]
    skill_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # language -> catalogue names
    wishes: tuple[StaffWish, ...] = ()  # the team's stored wishes for the period (with their ids)
    team_shifts: tuple[ShiftDef, ...] = DEFAULT_SHIFTS  # the team's shift times today
    previous: RotaVersion | None = None  # the version this one was made from (``based_on``)

    @property
    def team_times_changed(self) -> bool:
        """Whether the team's shift times have changed since this rota was planned."""
        return self.team_shifts != self.problem.shifts

    def messages(self, language: str = "nb") -> list[str]:
        names = self.skill_names.get(language)
        return [describe(b, self.problem, language, names) for b in self.breaches]

    @property
    def hard_breaches(self) -> tuple[Breach, ...]:
        return tuple(b for b in self.breaches if b.hard)

    def wish_met(self, wish: StaffWish) -> bool:
        """Whether the rota grants ``wish``."""
        code = self.rota.cells.get((wish.staff_id, wish.date))
        if wish.kind == WishKind.DAY_OFF:
            return code is None
        return (code == wish.shift) == (wish.kind == WishKind.SHIFT_WANTED)

    def changes(self) -> dict[tuple[str, dt.date], tuple[str | None, str | None]]:
        """(staff id, date) -> (shift before, shift now) for each cell that differs from the version
        this one was made from (None: a day off): whom a re-plan or an edit affects."""
        if self.previous is None:
            return {}
        before, now = self.previous.cells, self.rota.cells
        keys = sorted(before.keys() | now.keys())
        return {key: (before.get(key), now.get(key)) for key in keys if before.get(key) != now.get(key)}

    def loads(self) -> dict[str, PersonLoad]:
        """Per person: planned against contracted hours, nights and weekends worked."""
        return person_loads(self.problem, _indexed(self.rota))

    def cover(self) -> dict[tuple[int, str], tuple[int, DemandCell]]:
        """(day, shift) -> (people on it, demand)."""
        on: dict[tuple[int, str], int] = defaultdict(int)
        for (_, date), code in self.rota.cells.items():
            on[(date - self.rota.first_day).days, code] += 1
        return {(c.day, c.shift): (on[c.day, c.shift], c) for c in self.problem.demand}


def audit(session: Session, principal: Principal, resource: str, at: dt.datetime, action: str) -> None:
    log_access(
        session=session,
        principal=principal,
        patient_ids=[None],
        resource=resource,  # type: ignore[list-item]
        client=None,
        at=at,
        action=action,
    )


def team_staff(session: Session, team: str) -> list[Staff]:
    """The clinical staff of the clinic ``team`` (sorted by id)."""
    return [s for s in repo.list_staff(session) if s.clinic == team and s.role in CLINICAL_ROLES]


def teams(session: Session) -> list[str]:
    return sorted({s.clinic for s in repo.list_staff(session) if s.role in CLINICAL_ROLES})


def _period(first_day: dt.date, weeks: int) -> int:
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        raise InputError("weeks", f"plan {MIN_WEEKS}–{MAX_WEEKS} weeks, not {weeks}")
    return 7 * weeks


def team_demand(
    session: Session, team: str, first_day: dt.date, days: int, catalogue: Catalogue, today: dt.date
) -> tuple[DemandCell, ...]:
    """Demand per shift and skill over the period from the stays of the team's patients known
    ``today``, each pathway's census held at today's level by expected admissions (see
    :mod:`hjemme.rota.demand`); a period that started before today is forecast from its first day."""
    census_day = min(today, first_day)
    last = first_day + dt.timedelta(days=days - 1)
    enrolments = [
        e for e in repo.list_enrolments(session) if e.end_date >= census_day and e.start_date <= last
    ]
    patients = {p.id: p for p in repo.list_patients(session, ids=sorted({e.patient_id for e in enrolments}))}
    span = (last - census_day).days + 1
    work = team_work(enrolments, patients, team, census_day, span, catalogue)
    return forecast_demand(work, days=span, first=(first_day - census_day).days)


def _problem(
    session: Session,
    team: str,
    first_day: dt.date,
    days: int,
    demand: tuple[DemandCell, ...],
    locks: dict[tuple[str, dt.date], str | None],
    rules: RotaRules,
    shifts: tuple[ShiftDef, ...],
) -> tuple[RotaProblem, list[Staff], list[StaffWish]]:
    staff = team_staff(session, team)
    ids = {s.id for s in staff}
    last = first_day + dt.timedelta(days=days - 1)
    unavailable = set()
    for absence in realdata.absences(session):
        if absence.staff_id in ids and absence.all_day:
            for day in range(days):
                if absence.covers(first_day + dt.timedelta(days=day)):
                    unavailable.add((absence.staff_id, day))
    stored = store.wishes(session, ids, first_day, last)
    wishes = tuple(
        Wish(w.staff_id, (w.date - first_day).days, WishKind(w.kind), w.shift, w.weight) for w in stored
    )
    problem = RotaProblem(
        team=team,
        first_day=first_day,
        days=days,
        staff=tuple(RotaStaff(s.id, s.name, s.skills, s.contract_pct) for s in staff),
        demand=demand,
        shifts=shifts,
        rules=rules,
        wishes=wishes,
        locks={(sid, (d - first_day).days): code for (sid, d), code in locks.items() if sid in ids},
        unavailable=frozenset(unavailable),
    )
    return problem, staff, stored


def _demand_rows(demand: tuple[DemandCell, ...]) -> list[dict[str, object]]:
    return [asdict(c) for c in demand]


def _demand_cells(rows: list[dict[str, object]]) -> tuple[DemandCell, ...]:
    return tuple(DemandCell(**row) for row in rows)  # type: ignore[arg-type]


def _rules(rows: dict[str, object]) -> RotaRules:
    return RotaRules(**rows) if rows else RotaRules()  # type: ignore[arg-type]


def shifts_with(times: dict[str, tuple[int, int]]) -> tuple[ShiftDef, ...]:
    """The default shifts with a team's own times (code -> (start, end) minutes) where it has them."""
    return tuple(
        replace(d, start_min=times[d.code][0], end_min=times[d.code][1]) if d.code in times else d
        for d in DEFAULT_SHIFTS
    )


def shift_defs(rows: list[dict[str, object]]) -> tuple[ShiftDef, ...]:
    """The shifts a stored rota was planned with (rotas from before per-team times: the defaults)."""
    return tuple(ShiftDef(**row) for row in rows) if rows else DEFAULT_SHIFTS  # type: ignore[arg-type]


def team_shifts(session: Session, team: str) -> tuple[ShiftDef, ...]:
    """The team's shifts: its own times where set, the defaults otherwise."""
    return shifts_with(store.team_shifts(session, team))


def _dated(first_day: dt.date, cells: dict[tuple[str, int], str]) -> dict[tuple[str, dt.date], str]:
    return {(sid, first_day + dt.timedelta(days=day)): code for (sid, day), code in cells.items()}


def _indexed(rota: RotaVersion) -> dict[tuple[str, int], str]:
    return {(sid, (date - rota.first_day).days): code for (sid, date), code in rota.cells.items()}


def _stored_problem(session: Session, rota: RotaVersion) -> tuple[RotaProblem, list[Staff], list[StaffWish]]:
    """The problem of a stored rota: its demand, rules and shift times, today's absences and wishes."""
    return _problem(
        session,
        rota.team,
        rota.first_day,
        rota.days,
        _demand_cells(rota.demand),
        rota.locks,
        _rules(rota.rules),
        shift_defs(rota.shifts),
    )


def _view(session: Session, rota: RotaVersion) -> RotaView:
    problem, staff, wishes = _stored_problem(session, rota)
    catalogue = load_catalogue()
    skills = {"nb": catalogue.skills, "en": catalogue.skills_en}
    breaches = tuple(check_rota(problem, _indexed(rota)))
    previous = store.get_rota(session, rota.based_on) if rota.based_on is not None else None
    shifts_now = team_shifts(session, rota.team)
    return RotaView(rota, tuple(staff), problem, breaches, skills, tuple(wishes), shifts_now, previous)


def _store_draft(session: Session, draft: RotaVersion, principal: Principal, now: dt.datetime) -> int:
    """Store ``draft`` as the next draft version of its team and period, made by ``principal`` at
    ``now``; the one way a new version comes to be (planned, edited from a published one, re-planned)."""
    return store.add_rota(
        session,
        replace(
            draft,
            id=0,
            status=RotaStatus.DRAFT,
            version=store.next_version(session, draft.team, draft.first_day),
            username=principal.username,
            at=now,
            published_by=None,
            published_at=None,
        ),
    )


def _load(session: Session, rota_id: int, *, for_update: bool = False) -> RotaVersion:
    rota = store.get_rota(session, rota_id, for_update=for_update)
    if rota is None:
        raise NotFoundError("rota", rota_id)
    return rota


def plan_rota(
    *,
    engine: Engine,
    principal: Principal,
    team: str,
    first_day: dt.date,
    weeks: int,
    now: dt.datetime,
    params: RotaParams | None = None,
    rules: RotaRules | None = None,
    catalogue: Catalogue | None = None,
    progress: Progress | None = None,
) -> RotaView:
    """Forecast the team's demand, solve the rota with the team's shift times and store it as a new
    draft version. ``progress`` is told each stage (a background job shows it).

    The search runs between two transactions — reading the problem, then the one write transaction
    that stores the draft with its access-log row — so no database transaction stays open for the
    solver's seconds (up to minutes from the API) while the job runs in the background."""
    require_role(principal, PLANNERS)
    days = _period(first_day, weeks)
    catalogue = catalogue or load_catalogue()
    rules = rules or RotaRules()
    step = progress or (lambda _stage: None)
    with session_scope(engine) as session:
        _require_team(session, team)
        step("demand")
        demand = team_demand(session, team, first_day, days, catalogue, local_date(now))
        shifts = team_shifts(session, team)
        problem, _, _ = _problem(session, team, first_day, days, demand, {}, rules, shifts)
    step("search")
    result = solve_rota(problem, params or RotaParams())
    step("store")
    with session_scope(engine) as session:
        draft = RotaVersion(
            id=0,
            team=team,
            first_day=first_day,
            days=days,
            status=RotaStatus.DRAFT,
            version=0,
            cells=_dated(first_day, result.cells),
            demand=_demand_rows(demand),
            rules=asdict(rules),
            shifts=[asdict(s) for s in shifts],
        )
        rota_id = _store_draft(session, draft, principal, now)
        audit(session, principal, f"rota {rota_id} planned for {team} from {first_day}", now, "write")
        return _view(session, _load(session, rota_id))


def _require_team(session: Session, team: str) -> None:
    if not team_staff(session, team):
        raise InputError("team", f"no clinical staff in team {team!r}; one of {', '.join(teams(session))}")


def check_plan_request(*, engine: Engine, principal: Principal, team: str, weeks: int) -> None:
    """Refuse a plan that would fail on its input (role, weeks, team) before a background job is
    started for it, so bad input is answered at once and nothing runs."""
    require_role(principal, PLANNERS)
    _period(dt.date.min, weeks)
    with session_scope(engine) as session:
        _require_team(session, team)


def read_rota(*, engine: Engine, principal: Principal, rota_id: int) -> RotaView:
    """A stored rota with its cover and every breach."""
    require_role(principal, READERS)
    with session_scope(engine) as session:
        return _view(session, _load(session, rota_id))


def list_rotas(*, engine: Engine, principal: Principal, team: str | None = None) -> list[RotaVersion]:
    require_role(principal, READERS)
    with session_scope(engine) as session:
        return store.list_rotas(session, team=team)


class _Unseen(Enum):
    UNSEEN = "unseen"


UNSEEN = _Unseen.UNSEEN
"""A cell edit made without knowing what the cell held (the CLI, or an API client that does not say)."""


@dataclass(frozen=True, slots=True)
class CellEdit:
    staff_id: str
    date: dt.date
    shift: str | None  # None: a day off
    lock: bool = False
    was: str | None | _Unseen = UNSEEN
    """What the editor saw in the cell (None: a day off): if the stored cell differs, someone else
    changed it meanwhile and the edit is refused rather than silently overwriting theirs."""


def edit_rota(
    *, engine: Engine, principal: Principal, rota_id: int, edits: list[CellEdit], now: dt.datetime
) -> RotaView:
    """Set cells of a draft (a published rota is copied into a new draft first) and check at once."""
    require_role(principal, PLANNERS)
    with session_scope(engine) as session:
        rota = _load(session, rota_id, for_update=True)
        codes = {s.code for s in shift_defs(rota.shifts)}
        members = {s.id for s in team_staff(session, rota.team)}
        cells, locks = dict(rota.cells), dict(rota.locks)
        for edit in edits:
            if edit.staff_id not in members:
                raise InputError("staff_id", f"{edit.staff_id!r} is not in team {rota.team}")
            if not rota.covers(edit.date):
                raise InputError("date", f"{edit.date} is outside the rota's period")
            if edit.shift is not None and edit.shift not in codes:
                raise InputError("shift", f"unknown shift {edit.shift!r}; one of {', '.join(sorted(codes))}")
            key = (edit.staff_id, edit.date)
            if edit.was is not UNSEEN and cells.get(key) != edit.was:
                raise ConflictError(
                    f"the cell of {edit.staff_id} on {edit.date} was changed by someone else to "
                    f"{cells.get(key) or 'a day off'} after it was read as {edit.was or 'a day off'}; "
                    "nothing was changed"
                )
            cells.pop(key, None)
            if edit.shift is not None:
                cells[key] = edit.shift
            if edit.lock:
                locks[key] = edit.shift
            else:
                locks.pop(key, None)
        if rota.status is RotaStatus.DRAFT:
            store.replace_cells(session, rota.id, cells, locks)
            target = rota.id
        else:
            draft = replace(rota, cells=cells, locks=locks, based_on=rota.id, changed=0, note="")
            target = _store_draft(session, draft, principal, now)
        audit(session, principal, f"rota {target}: {len(edits)} cell(s) edited", now, "write")
        return _view(session, _load(session, target))


def publish_rota(*, engine: Engine, principal: Principal, rota_id: int, now: dt.datetime) -> RotaView:
    """Publish a draft that breaks no rule; the team's earlier published rotas for the period, and the
    drafts this one was made from, are superseded. Publishing twice has the effect of once."""
    require_role(principal, PLANNERS)
    with session_scope(engine) as session:
        rota = _load(session, rota_id, for_update=True)
        if rota.status is RotaStatus.PUBLISHED:
            return _view(session, rota)
        if rota.status is RotaStatus.SUPERSEDED:
            raise ConflictError(f"rota {rota_id} was superseded by a later version; publish that one")
        view = _view(session, rota)
        if view.hard_breaches:
            raise ConflictError(
                f"rota {rota_id} breaks {len(view.hard_breaches)} rule(s): "
                + "; ".join(view.messages("en")[:3])
            )
        versions = {other.id: other for other in store.list_rotas(session, team=rota.team)}
        for other in versions.values():
            overlaps = other.first_day <= rota.last_day and rota.first_day <= other.last_day
            if other.id != rota.id and other.status is RotaStatus.PUBLISHED and overlaps:
                store.set_status(session, other.id, RotaStatus.SUPERSEDED)
        # the drafts this one was made from are done with too: left as drafts they read as work to do
        ancestor = versions.get(rota.based_on) if rota.based_on is not None else None
        while ancestor is not None and ancestor.id != rota.id:
            if ancestor.status is RotaStatus.DRAFT:
                store.set_status(session, ancestor.id, RotaStatus.SUPERSEDED)
            ancestor = versions.get(ancestor.based_on) if ancestor.based_on is not None else None
        store.set_status(session, rota.id, RotaStatus.PUBLISHED, username=principal.username, at=now)
        audit(session, principal, f"rota {rota_id} published", now, "write")
        return _view(session, _load(session, rota_id))


def replan_rota(
    *,
    engine: Engine,
    principal: Principal,
    rota_id: int,
    now: dt.datetime,
    params: RotaParams | None = None,
    progress: Progress | None = None,
) -> RotaView:
    """After a sick call or a new absence (recorded in the absence register): re-plan from today with
    as few changes as possible to the others' shifts; the result is a new draft with the count of
    changed cells (publish it to make it the rota). It keeps the shift times the rota was planned with.
    Like :func:`plan_rota`, it searches between the read and the one write transaction."""
    require_role(principal, PLANNERS)
    step = progress or (lambda _stage: None)
    with session_scope(engine) as session:
        rota = _load(session, rota_id)
        step("demand")
        problem, _, _ = _stored_problem(session, rota)
    keep_before = max(0, (local_date(now) - rota.first_day).days)
    step("search")
    result = solve_rota(problem, params or RotaParams(), previous=_indexed(rota), keep_before=keep_before)
    step("store")
    with session_scope(engine) as session:
        draft = replace(
            rota,
            cells=_dated(rota.first_day, result.cells),
            based_on=rota.id,
            changed=len(result.changed),
            note=f"re-planned from version {rota.version}: {len(result.changed)} cell(s) changed",
        )
        new_id = _store_draft(session, draft, principal, now)
        audit(session, principal, f"rota {new_id} re-planned from {rota_id}", now, "write")
        return _view(session, _load(session, new_id))


@dataclass(frozen=True, slots=True)
class MyShift:
    date: dt.date
    shift: str | None  # None: a day off, or no published rota covers the day
    start_min: int | None
    end_min: int | None
    team: str
    published: bool = True  # False: no published rota covers the day (not planned yet, not a day off)

    @property
    def minutes(self) -> int:
        """Length of the shift in minutes, 0 on a day off (a night ends past midnight: end_min > 1440)."""
        if self.start_min is None or self.end_min is None:
            return 0
        return self.end_min - self.start_min


def my_rota(
    *, engine: Engine, principal: Principal, first: dt.date, days: int = 28, staff_id: str | None = None
) -> list[MyShift]:
    """The caller's own shifts (a clinician's linked staff id) from the published rotas, day by day."""
    require_role(principal, READERS)
    with session_scope(engine) as session:
        if staff_id is None or principal.role is Role.CLINICIAN:
            user = repo.get_user(session, principal.username)
            staff_id = user.staff_id if user is not None else None
        if staff_id is None:
            return []
        person = realdata.find_staff(session, staff_id)
        out = []
        for day in range(days):
            date = first + dt.timedelta(days=day)
            rota = _published(session, date, person.clinic if person else None)
            code = rota.cells.get((staff_id, date)) if rota else None
            shift = next((s for s in shift_defs(rota.shifts) if s.code == code), None) if rota else None
            out.append(
                MyShift(
                    date,
                    code,
                    shift.start_min if shift else None,
                    shift.end_min if shift else None,
                    person.clinic if person else "",
                    published=rota is not None,
                )
            )
        return out


def _published(session: Session, date: dt.date, team: str | None) -> RotaVersion | None:
    """The team's published rota covering ``date``, if there is one."""
    return next(iter(store.published_on(session, date, [team] if team else None)), None)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def export_rota_xlsx(*, engine: Engine, principal: Principal, rota_id: int, language: str = "nb") -> bytes:
    """The rota as an Excel workbook: people × days with coloured shifts, cover against demand,
    and a sheet of breaches in ``language``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    view = read_rota(engine=engine, principal=principal, rota_id=rota_id)
    rota = view.rota
    nb = language == "nb"
    book = Workbook()
    sheet = book.active
    sheet.title = "Turnus" if nb else "Rota"
    header = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E79")
    colours = {"D": "FFF2CC", "E": "DDEBF7", "N": "D9D2E9"}
    dates = [rota.first_day + dt.timedelta(days=d) for d in range(rota.days)]
    totals = (
        ["Timer", "Timer etter avtale", "Netter", "Helger"]
        if nb
        else ["Hours", "Contract hours", "Nights", "Weekends"]
    )
    sheet.append(["Navn" if nb else "Name", *totals, *[d.strftime("%a %d.%m") for d in dates]])
    loads = view.loads()
    for person in view.staff:
        load = loads[person.id]
        sheet.append(
            [
                person.name,
                round(load.minutes / 60, 1),
                round(load.target_minutes / 60, 1),
                load.nights,
                load.weekends,
                *[rota.cells.get((person.id, d), "") for d in dates],
            ]
        )
    for cell in sheet[1]:
        cell.font, cell.fill = header, header_fill
        cell.alignment = Alignment(horizontal="center", text_rotation=90 if cell.column > 1 else 0)
    for row in sheet.iter_rows(min_row=2, min_col=2):
        for cell in row:
            if cell.value in colours:
                cell.fill = PatternFill("solid", fgColor=colours[cell.value])
                cell.alignment = Alignment(horizontal="center")
    cover = view.cover()
    for code in ("D", "E", "N"):
        label = {
            "D": "dag" if nb else "day",
            "E": "kveld" if nb else "evening",
            "N": "natt" if nb else "night",
        }
        sheet.append(
            [
                f"{'Dekning' if nb else 'Cover'} {label[code]}",
                *[""] * len(totals),
                *[
                    f"{cover[d, code][0]}/{cover[d, code][1].total}" if (d, code) in cover else ""
                    for d in range(rota.days)
                ],
            ]
        )
    sheet.append(
        [
            "Vakttider" if nb else "Shift times",
            *[f"{s.code} {_hhmm(s.start_min)}–{_hhmm(s.end_min)}" for s in view.problem.shifts],
        ]
    )
    sheet.column_dimensions["A"].width = 28
    sheet.freeze_panes = "B2"
    notes = book.create_sheet("Brudd" if nb else "Breaches")
    notes.append(["Regel" if nb else "Rule", "Melding" if nb else "Message"])
    for cell in notes[1]:
        cell.font, cell.fill = header, header_fill
    for breach, message in zip(view.breaches, view.messages(language), strict=True):
        notes.append([breach.code, message])
    notes.column_dimensions["B"].width = 90
    if view.previous is not None:
        off = "fri" if nb else "off"
        version = view.previous.version
        changes = book.create_sheet(f"Endringer fra v{version}" if nb else f"Changes from v{version}")
        changes.append(["Navn", "Dato", "Før", "Nå"] if nb else ["Name", "Date", "Before", "Now"])
        for cell in changes[1]:
            cell.font, cell.fill = header, header_fill
        names = {s.id: s.name for s in view.staff}
        for (sid, date), (before, after) in view.changes().items():
            changes.append([names.get(sid, sid), date, before or off, after or off])
        changes.column_dimensions["A"].width = 28
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
