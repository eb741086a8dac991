"""Repository of the staff rota (issue 17): rows ↔ :class:`hjemme.domain.rota.RotaVersion`.

Every function takes the caller's session and neither commits nor rolls back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from hjemme.domain.rota import RotaStatus, RotaVersion, StaffWish
from hjemme.store.rota_tables import RotaCellRecord, RotaRecord, RotaWishRecord, TeamShiftRecord


def _version(session: Session, row: RotaRecord) -> RotaVersion:
    cells: dict[tuple[str, dt.date], str] = {}
    locks: dict[tuple[str, dt.date], str | None] = {}
    for cell in session.scalars(select(RotaCellRecord).where(RotaCellRecord.rota_id == row.id)):
        if cell.shift is not None:
            cells[cell.staff_id, cell.date] = cell.shift
        if cell.locked:
            locks[cell.staff_id, cell.date] = cell.shift
    return RotaVersion(
        id=row.id,
        team=row.team,
        first_day=row.first_day,
        days=row.days,
        status=RotaStatus(row.status),
        version=row.version,
        cells=cells,
        locks=locks,
        based_on=row.based_on,
        note=row.note,
        demand=list(row.demand or []),
        rules=dict(row.rules or {}),
        shifts=list(row.shifts or []),
        changed=row.changed,
        username=row.username,
        at=row.at,
        published_by=row.published_by,
        published_at=row.published_at,
    )


def next_version(session: Session, team: str, first_day: dt.date) -> int:
    latest = session.scalar(
        select(func.max(RotaRecord.version)).where(RotaRecord.team == team, RotaRecord.first_day == first_day)
    )
    return (latest or 0) + 1


def add_rota(session: Session, rota: RotaVersion) -> int:
    """Store a new version with its cells and locks; returns its id."""
    row = RotaRecord(
        team=rota.team,
        first_day=rota.first_day,
        days=rota.days,
        status=rota.status.value,
        version=rota.version,
        based_on=rota.based_on,
        note=rota.note,
        demand=rota.demand,
        rules=rota.rules,
        shifts=rota.shifts or None,
        changed=rota.changed,
        username=rota.username,
        at=rota.at,
    )
    session.add(row)
    session.flush()
    _write_cells(session, row.id, rota.cells, rota.locks)
    return row.id


def _write_cells(
    session: Session,
    rota_id: int,
    cells: dict[tuple[str, dt.date], str],
    locks: dict[tuple[str, dt.date], str | None],
) -> None:
    keys = set(cells) | set(locks)
    session.add_all(
        RotaCellRecord(
            rota_id=rota_id,
            staff_id=sid,
            date=date,
            shift=cells.get((sid, date)),
            locked=(sid, date) in locks,
        )
        for sid, date in sorted(keys)
    )


def replace_cells(
    session: Session,
    rota_id: int,
    cells: dict[tuple[str, dt.date], str],
    locks: dict[tuple[str, dt.date], str | None],
) -> None:
    session.execute(delete(RotaCellRecord).where(RotaCellRecord.rota_id == rota_id))
    _write_cells(session, rota_id, cells, locks)


def get_rota(session: Session, rota_id: int, *, for_update: bool = False) -> RotaVersion | None:
    query = select(RotaRecord).where(RotaRecord.id == rota_id)
    row = session.scalar(query.with_for_update() if for_update else query)
    return _version(session, row) if row is not None else None


def list_rotas(session: Session, *, team: str | None = None) -> list[RotaVersion]:
    """Every version, newest first, without cells (for lists)."""
    query = select(RotaRecord).order_by(RotaRecord.first_day.desc(), RotaRecord.version.desc())
    if team is not None:
        query = query.where(RotaRecord.team == team)
    return [
        RotaVersion(
            id=r.id,
            team=r.team,
            first_day=r.first_day,
            days=r.days,
            status=RotaStatus(r.status),
            version=r.version,
            cells={},
            based_on=r.based_on,
            changed=r.changed,
            username=r.username,
            at=r.at,
            published_by=r.published_by,
            published_at=r.published_at,
        )
        for r in session.scalars(query)
    ]


def set_status(
    session: Session,
    rota_id: int,
    status: RotaStatus,
    *,
    username: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    values: dict[str, object] = {"status": status.value}
    if status is RotaStatus.PUBLISHED:
        values |= {"published_by": username, "published_at": at}
    session.execute(update(RotaRecord).where(RotaRecord.id == rota_id).values(**values))


def published_on(session: Session, date: dt.date, teams: Collection[str] | None = None) -> list[RotaVersion]:
    """The published rotas whose period contains ``date`` (newest first per team)."""
    query = (
        select(RotaRecord)
        .where(RotaRecord.status == RotaStatus.PUBLISHED.value, RotaRecord.first_day <= date)
        .order_by(RotaRecord.published_at.desc(), RotaRecord.id.desc())
    )
    if teams is not None:
        query = query.where(RotaRecord.team.in_(list(teams)))
    out = []
    for row in session.scalars(query):
        if date < row.first_day + dt.timedelta(days=row.days):
            out.append(_version(session, row))
    return out


def add_wish(session: Session, wish: StaffWish, *, username: str, at: dt.datetime) -> int:
    """Store a wish; the same wish (person, date, kind, shift) stored again takes the new weight and
    keeps its id, so a repeated request has the effect of one."""
    same = session.scalar(
        select(RotaWishRecord).where(
            RotaWishRecord.staff_id == wish.staff_id,
            RotaWishRecord.date == wish.date,
            RotaWishRecord.kind == wish.kind,
            RotaWishRecord.shift.is_(None) if wish.shift is None else RotaWishRecord.shift == wish.shift,
        )
    )
    if same is not None:
        same.weight, same.username, same.at = wish.weight, username, at
        session.flush()
        return same.id
    row = RotaWishRecord(
        staff_id=wish.staff_id,
        date=wish.date,
        kind=wish.kind,
        shift=wish.shift,
        weight=wish.weight,
        username=username,
        at=at,
    )
    session.add(row)
    session.flush()
    return row.id


def get_wish(session: Session, wish_id: int) -> StaffWish | None:
    r = session.get(RotaWishRecord, wish_id)
    return None if r is None else StaffWish(r.staff_id, r.date, r.kind, r.shift, r.weight, r.id)


def remove_wish(session: Session, wish_id: int) -> None:
    session.execute(delete(RotaWishRecord).where(RotaWishRecord.id == wish_id))


def team_shifts(session: Session, team: str) -> dict[str, tuple[int, int]]:
    """The team's own shift times: code -> (start, end) in minutes after midnight of the first day."""
    rows = session.scalars(select(TeamShiftRecord).where(TeamShiftRecord.team == team))
    return {r.code: (r.start_min, r.end_min) for r in rows}


def set_team_shifts(
    session: Session, team: str, times: dict[str, tuple[int, int]], *, username: str, at: dt.datetime
) -> None:
    """Replace the team's shift times by ``times`` (a code left out returns to the default)."""
    session.execute(delete(TeamShiftRecord).where(TeamShiftRecord.team == team))
    session.add_all(
        TeamShiftRecord(team=team, code=code, start_min=start, end_min=end, username=username, at=at)
        for code, (start, end) in sorted(times.items())
    )
    session.flush()


def wishes(session: Session, staff_ids: Collection[str], first: dt.date, last: dt.date) -> list[StaffWish]:
    query = select(RotaWishRecord).where(
        RotaWishRecord.staff_id.in_(list(staff_ids)),
        RotaWishRecord.date >= first,
        RotaWishRecord.date <= last,
    )
    return [
        StaffWish(r.staff_id, r.date, r.kind, r.shift, r.weight, r.id)
        for r in session.scalars(query.order_by(RotaWishRecord.date, RotaWishRecord.id))
    ]
