"""Reading a stored day plan for people to look at: the coordinator's whole day, a clinician's route.

The planner stores each plan as JSON (``store.repositories.latest_plan``); these use cases read the
latest version for a date, join the patients its stops visit, write one access-log row per patient
shown, and return plain view objects the web pages render. They are read-only: moving tasks and
re-planning belong to the planner's services.

The JSON is read tolerantly (times as minutes or ``HH:MM``, a location as ``{"lat", "lon"}`` or as
``lat``/``lon`` on the stop, a reason as text or as ``{"nb", "en"}``) so that the pages keep working
while the plan format settles; anything unreadable raises ``InputError`` naming the field.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hjemme.domain.security import Role
from hjemme.domain.time import format_hhmm, parse_hhmm
from hjemme.errors import InputError
from hjemme.services.access import log_access, require_role
from hjemme.store import repositories as repo
from hjemme.store.database import session_scope

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from hjemme.services.auth import Principal

PLAN_READERS = frozenset({Role.COORDINATOR})
"""Roles that see the whole day plan, with every patient's name and address."""
ROUTE_READERS = frozenset({Role.CLINICIAN})
"""Roles that see their own route of the day."""


@dataclass(frozen=True, slots=True)
class StopView:
    """One stop as a page shows it; ``patient_name``/``address`` are empty for lab drops and breaks."""

    task_id: str | None
    type: str
    patient_id: str | None
    patient_name: str
    address: str
    lat: float | None
    lon: float | None
    arrive_min: int
    start_min: int
    end_min: int
    window: str

    @property
    def start(self) -> str:
        return format_hhmm(self.start_min)

    @property
    def end(self) -> str:
        return format_hhmm(self.end_min)


@dataclass(frozen=True, slots=True)
class RouteView:
    resource_id: str
    kind: str
    vehicle_id: str | None
    staff_id: str | None
    stops: tuple[StopView, ...]

    @property
    def start_min(self) -> int:
        return min((s.arrive_min for s in self.stops), default=0)

    @property
    def end_min(self) -> int:
        return max((s.end_min for s in self.stops), default=0)

    @property
    def task_count(self) -> int:
        return sum(1 for s in self.stops if s.task_id is not None)


@dataclass(frozen=True, slots=True)
class UnplannedView:
    task_id: str
    patient_id: str | None
    reason: Mapping[str, str]  # language code → text

    def reason_in(self, language: str) -> str:
        return self.reason.get(language) or next(iter(self.reason.values()), "")


@dataclass(frozen=True, slots=True)
class DayPlanView:
    """The latest stored plan of a date, with the patients it visits."""

    date: dt.date
    version: int
    created_at: dt.datetime
    routes: tuple[RouteView, ...]
    unplanned: tuple[UnplannedView, ...]
    kpis: Mapping[str, Any] = field(default_factory=dict)

    @property
    def task_count(self) -> int:
        return sum(r.task_count for r in self.routes)


def read_day_plan(
    *, engine: Engine, principal: Principal, date: dt.date, client: str | None, at: dt.datetime
) -> DayPlanView | None:
    """The latest plan for ``date`` with every stop's patient, or ``None`` when none is stored."""
    require_role(principal, PLAN_READERS)
    with session_scope(engine) as session:
        stored = repo.latest_plan(session, date)
        if stored is None:
            return None
        data = _load(stored.json)
        patient_ids = _patient_ids(data)
        patients = {p.id: p for p in repo.list_patients(session, ids=patient_ids)} if patient_ids else {}
        log_access(
            session=session,
            principal=principal,
            patient_ids=patient_ids,
            resource=f"day plan {date.isoformat()}",
            client=client,
            at=at,
        )
    names = {pid: (p.name, p.address) for pid, p in patients.items()}
    return DayPlanView(
        date=stored.date,
        version=stored.version,
        created_at=stored.created_at,
        routes=tuple(_route(r, names, i) for i, r in enumerate(_list(data, "routes"))),
        unplanned=tuple(_unplanned(u, i) for i, u in enumerate(_list(data, "unplanned"))),
        kpis=dict(data.get("kpis") or {}),
    )


def read_my_route(
    *, engine: Engine, principal: Principal, date: dt.date, client: str | None, at: dt.datetime
) -> tuple[DayPlanView | None, RouteView | None]:
    """The clinician's own route in the latest plan for ``date`` (matched by their staff id).

    Returns the plan (without other routes' patients) and the route, either ``None`` when there is
    no plan or the caller has no route in it. Only the patients on the caller's route are logged.
    """
    require_role(principal, ROUTE_READERS)
    with session_scope(engine) as session:
        user = repo.get_user(session, principal.username)
        staff_id = user.staff_id if user is not None else None
        stored = repo.latest_plan(session, date)
        if stored is None:
            return None, None
        data = _load(stored.json)
        mine = [
            (i, r)
            for i, r in enumerate(_list(data, "routes"))
            if staff_id is not None and staff_id in (r.get("staff_id"), r.get("resource_id"))
        ]
        patient_ids = _patient_ids({"routes": [r for _, r in mine]})
        patients = {p.id: p for p in repo.list_patients(session, ids=patient_ids)} if patient_ids else {}
        log_access(
            session=session,
            principal=principal,
            patient_ids=patient_ids,
            resource=f"own route {date.isoformat()}",
            client=client,
            at=at,
        )
    names = {pid: (p.name, p.address) for pid, p in patients.items()}
    plan = DayPlanView(
        date=stored.date, version=stored.version, created_at=stored.created_at, routes=(), unplanned=()
    )
    if not mine:
        return plan, None
    index, route = mine[0]
    return plan, _route(route, names, index)


# -- reading the JSON -----------------------------------------------------------------------------


def _load(text: str) -> Mapping[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError("plan", f"the stored plan is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise InputError("plan", "the stored plan is not a JSON object")
    return data


def _list(data: Mapping[str, Any], key: str) -> Sequence[Mapping[str, Any]]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise InputError(f"plan.{key}", "must be a list")
    return value


def _patient_ids(data: Mapping[str, Any]) -> list[str]:
    ids: dict[str, None] = {}
    for route in _list(data, "routes"):
        for stop in route.get("stops") or []:
            if stop.get("patient_id"):
                ids[str(stop["patient_id"])] = None
    for item in _list(data, "unplanned"):
        if item.get("patient_id"):
            ids[str(item["patient_id"])] = None
    return list(ids)


def _minutes(value: Any, where: str) -> int:
    if isinstance(value, bool):
        raise InputError(where, "must be minutes after midnight or HH:MM")
    if isinstance(value, int | float):
        return round(value)
    if isinstance(value, str):
        try:
            return parse_hhmm(value)
        except ValueError as exc:
            raise InputError(where, str(exc)) from None
    raise InputError(where, "must be minutes after midnight or HH:MM")


def _window(value: Any, where: str) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple) and len(value) == 2:
        start, end = value
    elif isinstance(value, dict):
        start = value.get("start_min", value.get("start"))
        end = value.get("end_min", value.get("end"))
    elif isinstance(value, str):
        return value
    else:
        raise InputError(where, "must be [start, end] or {start_min, end_min}")
    return f"{format_hhmm(_minutes(start, where))}–{format_hhmm(_minutes(end, where))}"


def _point(stop: Mapping[str, Any]) -> tuple[float | None, float | None]:
    location = stop.get("location")
    if isinstance(location, dict):
        return float(location["lat"]), float(location["lon"])
    if isinstance(location, list | tuple) and len(location) == 2:
        return float(location[0]), float(location[1])
    if stop.get("lat") is not None and stop.get("lon") is not None:
        return float(stop["lat"]), float(stop["lon"])
    return None, None


def _route(route: Mapping[str, Any], names: Mapping[str, tuple[str, str]], index: int) -> RouteView:
    where = f"plan.routes[{index}]"
    stops = []
    for j, stop in enumerate(route.get("stops") or []):
        here = f"{where}.stops[{j}]"
        patient_id = stop.get("patient_id")
        name, address = names.get(patient_id, ("", "")) if patient_id else ("", "")
        lat, lon = _point(stop)
        start = _minutes(stop.get("start_min", stop.get("start")), f"{here}.start_min")
        stops.append(
            StopView(
                task_id=stop.get("task_id"),
                type=str(stop.get("type", "")),
                patient_id=patient_id,
                patient_name=name,
                address=address,
                lat=lat,
                lon=lon,
                arrive_min=_minutes(stop.get("arrive_min", stop.get("arrive", start)), f"{here}.arrive_min"),
                start_min=start,
                end_min=_minutes(stop.get("end_min", stop.get("end")), f"{here}.end_min"),
                window=_window(stop.get("window"), f"{here}.window"),
            )
        )
    resource_id = route.get("resource_id")
    if not resource_id:
        raise InputError(f"{where}.resource_id", "is missing")
    return RouteView(
        resource_id=str(resource_id),
        kind=str(route.get("kind", "")),
        vehicle_id=route.get("vehicle_id"),
        staff_id=route.get("staff_id"),
        stops=tuple(stops),
    )


def _unplanned(item: Mapping[str, Any], index: int) -> UnplannedView:
    reason = item.get("reason", "")
    if isinstance(reason, dict):
        texts = {str(k): str(v) for k, v in reason.items()}
    else:
        texts = {"nb": str(reason)}
        if item.get("reason_en"):
            texts["en"] = str(item["reason_en"])
    task_id = item.get("task_id")
    if not task_id:
        raise InputError(f"plan.unplanned[{index}].task_id", "is missing")
    return UnplannedView(task_id=str(task_id), patient_id=item.get("patient_id"), reason=texts)
