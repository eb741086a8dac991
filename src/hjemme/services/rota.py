"""Use cases of the staff rota (issue 17): demand, plan, edit with instant check, publish, re-plan after
a sick call, a nurse's own rota, Excel export. One write = one function = one transaction, audited.

A team is a clinic; its rota covers the clinic's clinical staff. Stored rotas key cells by date; the
engine (:mod:`hjemme.rota`) counts days from the first day of the period.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import asdict, dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hjemme.catalogue import Catalogue, load_catalogue
from hjemme.domain.people import CLINICAL_ROLES, Staff
from hjemme.domain.rota import RotaStatus, RotaVersion, StaffWish
from hjemme.domain.security import Role
from hjemme.domain.time import local_date
from hjemme.errors import ConflictError, InputError, NotFoundError
from hjemme.rota.check import Breach, check_rota, describe
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


@dataclass(frozen=True, slots=True)
class RotaView:
    """A stored rota with its problem and every breach: what the grid, the CLI and the API show."""

    rota: RotaVersion
    staff: tuple[Staff, ...]
    problem: RotaProblem
    breaches: tuple[Breach, ...]
    skill_names: dict[str, str] = field(default_factory=dict)  # bokmål names from the catalogue

    def messages(self, language: str = "nb") -> list[str]:
        names = self.skill_names if language == "nb" else None
        return [describe(b, self.problem, language, names) for b in self.breaches]

    @property
    def hard_breaches(self) -> tuple[Breach, ...]:
        return tuple(b for b in self.breaches if b.hard)

    def cover(self) -> dict[tuple[int, str], tuple[int, DemandCell]]:
        """(day, shift) -> (people on it, demand)."""
        on: dict[tuple[int, str], int] = defaultdict(int)
        for (_, date), code in self.rota.cells.items():
            on[(date - self.rota.first_day).days, code] += 1
        return {(c.day, c.shift): (on[c.day, c.shift], c) for c in self.problem.demand}


def _audit(session: Session, principal: Principal, resource: str, at: dt.datetime, action: str) -> None:
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
    session: Session, team: str, first_day: dt.date, days: int, catalogue: Catalogue
) -> tuple[DemandCell, ...]:
    """Demand per shift and skill from the stays of the team's patients known today, the census held
    at today's level by expected admissions (see :mod:`hjemme.rota.demand`)."""
    last = first_day + dt.timedelta(days=days - 1)
    enrolments = [
        e for e in repo.list_enrolments(session) if e.end_date >= first_day and e.start_date <= last
    ]
    patients = {p.id: p for p in repo.list_patients(session, ids=sorted({e.patient_id for e in enrolments}))}
    work = team_work(enrolments, patients, team, first_day, days, catalogue)
    return forecast_demand(work)


def _problem(
    session: Session,
    team: str,
    first_day: dt.date,
    days: int,
    demand: tuple[DemandCell, ...],
    locks: dict[tuple[str, dt.date], str | None],
    rules: RotaRules,
) -> tuple[RotaProblem, list[Staff]]:
    staff = team_staff(session, team)
    ids = {s.id for s in staff}
    last = first_day + dt.timedelta(days=days - 1)
    unavailable = set()
    for absence in realdata.absences(session):
        if absence.staff_id in ids and absence.all_day:
            for day in range(days):
                if absence.covers(first_day + dt.timedelta(days=day)):
                    unavailable.add((absence.staff_id, day))
    wishes = tuple(
        Wish(w.staff_id, (w.date - first_day).days, WishKind(w.kind), w.shift, w.weight)
        for w in store.wishes(session, ids, first_day, last)
    )
    problem = RotaProblem(
        team=team,
        first_day=first_day,
        days=days,
        staff=tuple(RotaStaff(s.id, s.name, s.skills, s.contract_pct) for s in staff),
        demand=demand,
        rules=rules,
        wishes=wishes,
        locks={(sid, (d - first_day).days): code for (sid, d), code in locks.items() if sid in ids},
        unavailable=frozenset(unavailable),
    )
    return problem, staff


def _demand_rows(demand: tuple[DemandCell, ...]) -> list[dict[str, object]]:
    return [asdict(c) for c in demand]


def _demand_cells(rows: list[dict[str, object]]) -> tuple[DemandCell, ...]:
    return tuple(DemandCell(**row) for row in rows)  # type: ignore[arg-type]


def _rules(rows: dict[str, object]) -> RotaRules:
    return RotaRules(**rows) if rows else RotaRules()  # type: ignore[arg-type]


def _dated(first_day: dt.date, cells: dict[tuple[str, int], str]) -> dict[tuple[str, dt.date], str]:
    return {(sid, first_day + dt.timedelta(days=day)): code for (sid, day), code in cells.items()}


def _indexed(rota: RotaVersion) -> dict[tuple[str, int], str]:
    return {(sid, (date - rota.first_day).days): code for (sid, date), code in rota.cells.items()}


def _view(session: Session, rota: RotaVersion) -> RotaView:
    problem, staff = _problem(
        session,
        rota.team,
        rota.first_day,
        rota.days,
        _demand_cells(rota.demand),
        rota.locks,
        _rules(rota.rules),
    )
    skills = dict(load_catalogue().skills)
    return RotaView(rota, tuple(staff), problem, tuple(check_rota(problem, _indexed(rota))), skills)


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
) -> RotaView:
    """Forecast the team's demand, solve the rota and store it as a new draft version."""
    require_role(principal, PLANNERS)
    days = _period(first_day, weeks)
    catalogue = catalogue or load_catalogue()
    rules = rules or RotaRules()
    with session_scope(engine) as session:
        if not team_staff(session, team):
            raise InputError(
                "team", f"no clinical staff in team {team!r}; one of {', '.join(teams(session))}"
            )
        demand = team_demand(session, team, first_day, days, catalogue)
        problem, _ = _problem(session, team, first_day, days, demand, {}, rules)
        result = solve_rota(problem, params or RotaParams())
        version = RotaVersion(
            id=0,
            team=team,
            first_day=first_day,
            days=days,
            status=RotaStatus.DRAFT,
            version=store.next_version(session, team, first_day),
            cells=_dated(first_day, result.cells),
            demand=_demand_rows(demand),
            rules=asdict(rules),
            username=principal.username,
            at=now,
        )
        rota_id = store.add_rota(session, version)
        _audit(session, principal, f"rota {rota_id} planned for {team} from {first_day}", now, "write")
        return _view(session, _load(session, rota_id))


def read_rota(*, engine: Engine, principal: Principal, rota_id: int) -> RotaView:
    """A stored rota with its cover and every breach."""
    require_role(principal, READERS)
    with session_scope(engine) as session:
        return _view(session, _load(session, rota_id))


def list_rotas(*, engine: Engine, principal: Principal, team: str | None = None) -> list[RotaVersion]:
    require_role(principal, READERS)
    with session_scope(engine) as session:
        return store.list_rotas(session, team=team)


@dataclass(frozen=True, slots=True)
class CellEdit:
    staff_id: str
    date: dt.date
    shift: str | None  # None: a day off
    lock: bool = False


def edit_rota(
    *, engine: Engine, principal: Principal, rota_id: int, edits: list[CellEdit], now: dt.datetime
) -> RotaView:
    """Set cells of a draft (a published rota is copied into a new draft first) and check at once."""
    require_role(principal, PLANNERS)
    with session_scope(engine) as session:
        rota = _load(session, rota_id, for_update=True)
        codes = {s.code for s in _view(session, rota).problem.shifts}
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
            target = store.add_rota(
                session,
                RotaVersion(
                    id=0,
                    team=rota.team,
                    first_day=rota.first_day,
                    days=rota.days,
                    status=RotaStatus.DRAFT,
                    version=store.next_version(session, rota.team, rota.first_day),
                    cells=cells,
                    locks=locks,
                    based_on=rota.id,
                    demand=rota.demand,
                    rules=rota.rules,
                    username=principal.username,
                    at=now,
                ),
            )
        _audit(session, principal, f"rota {target}: {len(edits)} cell(s) edited", now, "write")
        return _view(session, _load(session, target))


def publish_rota(*, engine: Engine, principal: Principal, rota_id: int, now: dt.datetime) -> RotaView:
    """Publish a draft that breaks no rule; the team's earlier published rotas for the period are
    superseded. Publishing twice has the effect of once."""
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
        for other in store.list_rotas(session, team=rota.team):
            overlaps = other.first_day <= rota.last_day and rota.first_day <= other.last_day
            if other.id != rota.id and other.status is RotaStatus.PUBLISHED and overlaps:
                store.set_status(session, other.id, RotaStatus.SUPERSEDED)
        store.set_status(session, rota.id, RotaStatus.PUBLISHED, username=principal.username, at=now)
        _audit(session, principal, f"rota {rota_id} published", now, "write")
        return _view(session, _load(session, rota_id))


def replan_rota(
    *,
    engine: Engine,
    principal: Principal,
    rota_id: int,
    now: dt.datetime,
    params: RotaParams | None = None,
) -> RotaView:
    """After a sick call or a new absence (recorded in the absence register): re-plan from today with
    as few changes as possible to the others' shifts; the result is a new draft with the count of
    changed cells (publish it to make it the rota)."""
    require_role(principal, PLANNERS)
    with session_scope(engine) as session:
        rota = _load(session, rota_id)
        problem, _ = _problem(
            session,
            rota.team,
            rota.first_day,
            rota.days,
            _demand_cells(rota.demand),
            rota.locks,
            _rules(rota.rules),
        )
        keep_before = max(0, (local_date(now) - rota.first_day).days)
        result = solve_rota(problem, params or RotaParams(), previous=_indexed(rota), keep_before=keep_before)
        new_id = store.add_rota(
            session,
            RotaVersion(
                id=0,
                team=rota.team,
                first_day=rota.first_day,
                days=rota.days,
                status=RotaStatus.DRAFT,
                version=store.next_version(session, rota.team, rota.first_day),
                cells=_dated(rota.first_day, result.cells),
                locks=rota.locks,
                based_on=rota.id,
                demand=rota.demand,
                rules=rota.rules,
                changed=len(result.changed),
                username=principal.username,
                at=now,
                note=f"re-planned from version {rota.version}: {len(result.changed)} cell(s) changed",
            ),
        )
        _audit(session, principal, f"rota {new_id} re-planned from {rota_id}", now, "write")
        return _view(session, _load(session, new_id))


def add_wish(*, engine: Engine, principal: Principal, wish: StaffWish, now: dt.datetime) -> int:
    """Record a staff wish (planners for anyone; a clinician for themself)."""
    require_role(principal, PLANNERS | {Role.CLINICIAN})
    if wish.kind not in {k.value for k in WishKind}:
        raise InputError("kind", f"one of {', '.join(k.value for k in WishKind)}")
    with session_scope(engine) as session:
        if principal.role is Role.CLINICIAN:
            user = repo.get_user(session, principal.username)
            if user is None or user.staff_id != wish.staff_id:
                raise InputError("staff_id", "a clinician records wishes for themself only")
        if realdata.find_staff(session, wish.staff_id) is None:
            raise NotFoundError("staff", wish.staff_id)
        wish_id = store.add_wish(session, wish, username=principal.username, at=now)
        _audit(session, principal, f"rota wish {wish_id} for {wish.staff_id}", now, "write")
        return wish_id


def my_wishes(*, engine: Engine, principal: Principal, first: dt.date, days: int = 56) -> list[StaffWish]:
    """The caller's own wishes (a clinician's linked staff id) from ``first`` on."""
    require_role(principal, READERS)
    with session_scope(engine) as session:
        user = repo.get_user(session, principal.username)
        if user is None or user.staff_id is None:
            return []
        return store.wishes(session, [user.staff_id], first, first + dt.timedelta(days=days - 1))


@dataclass(frozen=True, slots=True)
class MyShift:
    date: dt.date
    shift: str | None
    start_min: int | None
    end_min: int | None
    team: str


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
            code = published_shift(session, staff_id, date, person.clinic if person else None)
            shift = _shift_def(code)
            out.append(
                MyShift(
                    date,
                    code,
                    shift.start_min if shift else None,
                    shift.end_min if shift else None,
                    person.clinic if person else "",
                )
            )
        return out


def _shift_def(code: str | None) -> ShiftDef | None:
    return next((s for s in DEFAULT_SHIFTS if s.code == code), None)


def published_shift(session: Session, staff_id: str, date: dt.date, team: str | None) -> str | None:
    """The shift ``staff_id`` works on ``date`` in the team's published rota (None: off or no rota)."""
    for rota in store.published_on(session, date, [team] if team else None):
        return rota.cells.get((staff_id, date))
    return None


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
    sheet.append(["Navn" if nb else "Name", *[d.strftime("%a %d.%m") for d in dates]])
    for person in view.staff:
        sheet.append([person.name, *[rota.cells.get((person.id, d), "") for d in dates]])
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
                *[
                    f"{cover[d, code][0]}/{cover[d, code][1].total}" if (d, code) in cover else ""
                    for d in range(rota.days)
                ],
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
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
