"""What a team brings to its rota besides its members (issue 17): its own shift times, and its
members' wishes (a day off, a shift wanted or not wanted, weighted). One write = one function = one
transaction, role-checked and access-logged like the rest of :mod:`hjemme.services.rota`, which
reads both when it plans.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hjemme.domain.rota import StaffWish
from hjemme.domain.security import Role
from hjemme.domain.time import local_date
from hjemme.errors import InputError, NotFoundError
from hjemme.rota.problem import DEFAULT_SHIFTS, ShiftDef, WishKind
from hjemme.services.access import require_role
from hjemme.services.auth import Principal
from hjemme.services.rota import PLANNERS, READERS, audit, team_shifts, team_staff
from hjemme.store import realdata
from hjemme.store import repositories as repo
from hjemme.store import rota as store
from hjemme.store.database import session_scope

MIN_WISH_WEIGHT, MAX_WISH_WEIGHT = 1, 5
MIN_SHIFT_MIN, MAX_SHIFT_MIN = 60, 10 * 60  # a shift lasts 1–10 h (AML § 10-5 (1) caps the day at 10 h)


def _check_wish(wish: StaffWish, today: dt.date) -> None:
    kinds = [k.value for k in WishKind]
    if wish.kind not in kinds:
        raise InputError("kind", f"one of {', '.join(kinds)}, not {wish.kind!r}")
    codes = [d.code for d in DEFAULT_SHIFTS]
    if wish.kind == WishKind.DAY_OFF and wish.shift is not None:
        raise InputError("shift", "a day-off wish names no shift")
    if wish.kind != WishKind.DAY_OFF and wish.shift not in codes:
        raise InputError("shift", f"a shift wish names its shift, one of {', '.join(codes)}")
    if not MIN_WISH_WEIGHT <= wish.weight <= MAX_WISH_WEIGHT:
        raise InputError(
            "weight", f"from {MIN_WISH_WEIGHT} (low) to {MAX_WISH_WEIGHT} (high), not {wish.weight}"
        )
    if wish.date < today:
        raise InputError("date", f"{wish.date} has passed; a wish is for today or later")


def _own_staff_id(session: Session, principal: Principal) -> str | None:
    user = repo.get_user(session, principal.username)
    return user.staff_id if user is not None else None


def add_wish(*, engine: Engine, principal: Principal, wish: StaffWish, now: dt.datetime) -> int:
    """Record a staff wish (planners for anyone; a clinician for themself): a day off, or a shift
    wanted or not wanted, weighted 1 (low) to 5 (high). The next plan of the team weighs it; the
    same wish recorded again takes the new weight (one wish, one id)."""
    require_role(principal, PLANNERS | {Role.CLINICIAN})
    _check_wish(wish, local_date(now))
    with session_scope(engine) as session:
        if principal.role is Role.CLINICIAN and _own_staff_id(session, principal) != wish.staff_id:
            raise InputError("staff_id", "a clinician records wishes for themself only")
        if realdata.find_staff(session, wish.staff_id) is None:
            raise NotFoundError("staff", wish.staff_id)
        wish_id = store.add_wish(session, wish, username=principal.username, at=now)
        audit(session, principal, f"rota wish {wish_id} for {wish.staff_id}", now, "write")
        return wish_id


def remove_wish(*, engine: Engine, principal: Principal, wish_id: int, now: dt.datetime) -> StaffWish:
    """Withdraw a wish (planners any; a clinician their own); returns what was withdrawn."""
    require_role(principal, PLANNERS | {Role.CLINICIAN})
    with session_scope(engine) as session:
        wish = store.get_wish(session, wish_id)
        if wish is None or (
            principal.role is Role.CLINICIAN and _own_staff_id(session, principal) != wish.staff_id
        ):
            raise NotFoundError("wish", wish_id)  # another's wish is not the clinician's to know of
        store.remove_wish(session, wish_id)
        audit(session, principal, f"rota wish {wish_id} of {wish.staff_id} withdrawn", now, "write")
        return wish


def _parse_hhmm(field_name: str, text: str) -> int:
    hours, sep, minutes = text.strip().partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise InputError(field_name, f"a time as HH:MM, not {text!r}")
    if int(hours) > 23 or int(minutes) > 59:
        raise InputError(field_name, f"a time of day from 00:00 to 23:59, not {text!r}")
    return int(hours) * 60 + int(minutes)


def shift_times(field_prefix: str, start: str, end: str) -> tuple[int, int]:
    """``start``/``end`` as HH:MM → minutes after midnight of the shift's day (an end at or before
    the start is the next morning); a shift lasts 1–10 h."""
    start_min = _parse_hhmm(f"{field_prefix}_start", start)
    end_min = _parse_hhmm(f"{field_prefix}_end", end)
    if end_min <= start_min:
        end_min += 1440
    if not MIN_SHIFT_MIN <= end_min - start_min <= MAX_SHIFT_MIN:
        raise InputError(
            f"{field_prefix}_end",
            f"a shift lasts 1–10 h, not {(end_min - start_min) / 60:g} h",
        )
    return start_min, end_min


def set_team_shifts(
    *, engine: Engine, principal: Principal, team: str, times: dict[str, tuple[int, int]], now: dt.datetime
) -> tuple[ShiftDef, ...]:
    """Set a team's shift times (code -> (start, end) minutes; a code left out keeps the default).
    Rotas planned afterwards use them, and the rules (rest, hours per day and week) are measured on
    them; rotas already planned keep the times they were planned with."""
    require_role(principal, PLANNERS)
    codes = [d.code for d in DEFAULT_SHIFTS]
    for code, (start, end) in times.items():
        if code not in codes:
            raise InputError("shift", f"one of {', '.join(codes)}, not {code!r}")
        if not (0 <= start < 1440 and MIN_SHIFT_MIN <= end - start <= MAX_SHIFT_MIN):
            raise InputError(
                f"{code}_end", f"a shift starts within the day and lasts 1–10 h, not {start}–{end}"
            )
    defaults = {d.code: (d.start_min, d.end_min) for d in DEFAULT_SHIFTS}
    own = {code: t for code, t in times.items() if t != defaults[code]}
    with session_scope(engine) as session:
        if not team_staff(session, team):
            raise NotFoundError("team", team)
        store.set_team_shifts(session, team, own, username=principal.username, at=now)
        audit(session, principal, f"rota shift times of {team} set", now, "write")
        return team_shifts(session, team)


def read_team_shifts(*, engine: Engine, principal: Principal, team: str) -> tuple[ShiftDef, ...]:
    require_role(principal, READERS)
    with session_scope(engine) as session:
        if not team_staff(session, team):
            raise NotFoundError("team", team)
        return team_shifts(session, team)


def my_wishes(*, engine: Engine, principal: Principal, first: dt.date, days: int = 56) -> list[StaffWish]:
    """The caller's own wishes (a clinician's linked staff id) from ``first`` on."""
    require_role(principal, READERS)
    with session_scope(engine) as session:
        user = repo.get_user(session, principal.username)
        if user is None or user.staff_id is None:
            return []
        return store.wishes(session, [user.staff_id], first, first + dt.timedelta(days=days - 1))
