"""Plan ↔ JSON in the wire format of issue 3, item 3 (times as ``HH:MM``), see ``docs/plan.schema.json``.

An unplanned task's English reason (``Unplanned.reason_en``) is the optional ``reason_en`` (issue 14:
English pages must not show the bokmål reason); everything survives a round trip exactly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hjemme.domain.geo import Location
from hjemme.domain.plans import Partner, Plan, PlanKpis, Route, SampleJourney, Stop, Unplanned
from hjemme.domain.resources import ResourceKind
from hjemme.domain.time import TimeWindow, format_hhmm, parse_hhmm
from hjemme.errors import InputError

KPI_KEYS = (
    "tasks_total",
    "tasks_planned",
    "km",
    "drive_hours",
    "clinician_drive_hours",
    "co2_kg",
    "max_sample_age_min",
    "deliveries_per_patient",
    "solve_seconds",
)


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The plan as plain JSON-ready data."""
    return {
        "date": plan.date.isoformat(),
        "routes": [
            {
                "resource": r.resource_id,
                "kind": r.kind.value,
                "vehicle": r.vehicle_id,
                "stops": [_stop_to_json(s) for s in r.stops],
            }
            for r in plan.routes
        ],
        "samples": [
            {
                "task": s.task_id,
                "taken": format_hhmm(s.taken_min),
                "at_lab": format_hhmm(s.at_lab_min),
                "stability_min": s.stability_min,
                "carried_by": s.carried_by,
            }
            for s in plan.samples
        ],
        "unplanned": [
            {"task": u.task_id, "reason": u.reason, **({"reason_en": u.reason_en} if u.reason_en else {})}
            for u in plan.unplanned
        ],
        "kpis": {key: getattr(plan.kpis, key) for key in KPI_KEYS},
    }


def _stop_to_json(stop: Stop) -> dict[str, Any]:
    return {
        "task": stop.task_id,
        "type": stop.type,
        "patient": stop.patient_id,
        "lat": stop.location.lat if stop.location else None,
        "lon": stop.location.lon if stop.location else None,
        "arrive": format_hhmm(stop.arrive_min),
        "start": format_hhmm(stop.start_min),
        "end": format_hhmm(stop.end_min),
        "window_start": format_hhmm(stop.window.start_min) if stop.window else None,
        "window_end": format_hhmm(stop.window.end_min) if stop.window else None,
        "interpreter": stop.interpreter,
        **(
            {
                "with": {
                    "resource": stop.partner.resource_id,
                    "task": stop.partner.task_id,
                    "start": format_hhmm(stop.partner.start_min),
                }
            }
            if stop.partner
            else {}
        ),
    }


def plan_from_json(data: dict[str, Any]) -> Plan:
    """Read a plan back; a malformed document is an :class:`InputError` naming the bad key."""
    try:
        return Plan(
            date=dt.date.fromisoformat(data["date"]),
            routes=tuple(
                Route(
                    resource_id=r["resource"],
                    kind=ResourceKind(r["kind"]),
                    vehicle_id=r["vehicle"],
                    stops=tuple(_stop_from_json(s) for s in r["stops"]),
                )
                for r in data["routes"]
            ),
            samples=tuple(
                SampleJourney(
                    task_id=s["task"],
                    taken_min=parse_hhmm(s["taken"]),
                    at_lab_min=parse_hhmm(s["at_lab"]),
                    stability_min=int(s["stability_min"]),
                    carried_by=s["carried_by"],
                )
                for s in data["samples"]
            ),
            unplanned=tuple(
                Unplanned(u["task"], u["reason"], u.get("reason_en", "")) for u in data["unplanned"]
            ),
            kpis=PlanKpis(**{key: data["kpis"][key] for key in KPI_KEYS}),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InputError("plan", f"not a plan document: {error!r}") from None


def _stop_from_json(s: dict[str, Any]) -> Stop:
    location = Location(s["lat"], s["lon"]) if s["lat"] is not None else None
    window = TimeWindow.parse(s["window_start"], s["window_end"]) if s["window_start"] is not None else None
    return Stop(
        task_id=s["task"],
        type=s["type"],
        patient_id=s["patient"],
        location=location,
        arrive_min=parse_hhmm(s["arrive"]),
        start_min=parse_hhmm(s["start"]),
        end_min=parse_hhmm(s["end"]),
        window=window,
        interpreter=bool(s.get("interpreter", False)),
        partner=(
            Partner(s["with"]["resource"], s["with"]["task"], parse_hhmm(s["with"]["start"]))
            if "with" in s
            else None
        ),
    )
