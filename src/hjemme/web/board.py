"""What the coordinator's board draws from a day plan: colours and dash patterns per route, the
timeline's rows (name, kind, bars with their state), the map's data and the change forms' choices.

Pure functions of the view objects the services return (no database, no request), so the page
handler stays one service call per use case and the board can be tested on a hand-built plan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hjemme.services.plans_view import DayPlanView, RouteView, StopView

ROUTE_COLOURS = (
    "#1f5fa8", "#e60000", "#007a00", "#0505ff", "#d6008f", "#7a4e2e", "#0a7f76", "#6b25b1",
    "#aa0e35", "#7a2e61", "#717109", "#b8550f", "#b800f5", "#2668ed", "#265922", "#264f64",
    "#2448ff", "#a63fa6", "#4d3790", "#c610c6", "#e21269", "#e60039", "#ba4a6f", "#a80000",
)
"""24 route colours, each ≥ 4.5:1 on white (they also colour text), chosen farthest-first in CIELAB
(every pair ΔE ≥ 24), so the first routes of a day differ most."""
ROUTE_DASHES = ("", "10 6", "2 6", "14 5 3 5")
"""Beyond 24 routes a colour comes back with the next dash pattern (issue 14: 49 routes, 12 colours)."""
SWATCH_DASHES = ("", "5 3", "2 3", "6 2 2 2")
"""The same patterns drawn small, for the legend's and timeline's swatches."""
LATE_AFTER_MIN = 15
"""A visit not started this long after its planned start is shown as late."""
Gettext = Callable[[str], str]


def route_style(index: int) -> tuple[str, str]:
    """The colour and SVG dash pattern of the ``index``-th route of the day."""
    cycle, colour = divmod(index, len(ROUTE_COLOURS))
    return ROUTE_COLOURS[colour], ROUTE_DASHES[cycle % len(ROUTE_DASHES)]


def stop_state(stop: StopView, status: str | None, now_min: int | None) -> str:
    """planned, started, done (also not done, delivered, handed in) or late, as the board colours it."""
    if status in ("started", "done", "not_done"):
        return status
    if status in ("delivered", "sample_handed_in"):
        return "done"
    if stop.task_id and now_min is not None and now_min > stop.start_min + LATE_AFTER_MIN:
        return "late"
    return "planned"


def layout(plan: DayPlanView, *, tile_url: str, statuses: Mapping[str, str], now_min: int | None,
           gettext: Gettext, kind_name: Gettext) -> dict[str, Any]:
    """The timeline's span and rows, the legend and the map's data (who, when, what; no diagnosis)."""
    starts = [r.start_min for r in plan.routes if r.stops] or [7 * 60]
    ends = [r.end_min for r in plan.routes if r.stops] or [16 * 60]
    if now_min is not None:  # today: the timeline reaches the "now" line
        starts.append(now_min)
        ends.append(now_min)
    day0 = min(starts) // 60 * 60
    day1 = -(-max(max(ends), day0 + 60) // 60) * 60
    span = day1 - day0

    def pct(minutes: float) -> float:
        return round(minutes * 100 / span, 3)

    rows, map_routes = [], []
    for index, route in enumerate(plan.routes):
        colour, dash = route_style(index)
        info = plan.resources.get(route.resource_id)
        name = info.name if info is not None else route.resource_id
        role = kind_name(info.role if info is not None else route.kind)
        vehicle = route.vehicle_id if route.vehicle_id and route.kind != "clinician" else ""
        bars = [
            {
                "stop": stop, "left": pct(stop.start_min - day0),
                "width": max(pct(stop.end_min - stop.start_min), 0.25),
                "state": stop_state(stop, statuses.get(stop.task_id or ""), now_min),
            }
            for stop in route.stops
        ]
        rows.append({"route": route, "name": name, "role": role, "vehicle": vehicle, "colour": colour,
                     "dash": dash, "bars": bars, "index": index,
                     "swatch_dash": SWATCH_DASHES[ROUTE_DASHES.index(dash)]})
        map_routes.append(_map_route(route, index, name, role, colour, dash, kind_name))
    now_pct = pct(now_min - day0) if now_min is not None and day0 <= now_min <= day1 else None
    return {
        "day0": day0, "span": span, "hours": [(h, pct(h - day0)) for h in range(day0, day1 + 1, 60)],
        "rows": rows, "now_pct": now_pct, "now_min": now_min,
        "map_data": {
            "tile_url": tile_url,
            "base_map": "/static/geo/oslo-area-municipalities.geojson",
            "attribution": gettext("Map data: © Kartverket (CC BY 4.0)"),
            "routes": map_routes,
        },
        "routes_drawn": sum(1 for r in map_routes if r["stops"]),
    }


def _map_route(route: RouteView, index: int, name: str, role: str, colour: str, dash: str,
               kind_name: Gettext) -> dict[str, Any]:
    return {
        "id": route.resource_id, "index": index, "name": name, "role": role, "colour": colour, "dash": dash,
        "stops": [
            {
                "p": [s.lat, s.lon], "task": s.task_id or "",
                "when": f"{s.start}–{s.end}", "what": kind_name(s.type), "who": s.patient_name,
            }
            for s in route.stops if s.lat is not None and s.lon is not None
        ],
    }


def edit_choices(plan: DayPlanView, problem: Mapping[str, Any] | None, kind_name: Gettext) -> dict[str, Any]:
    """What the change forms offer, each choice labelled with names and kinds (the pickers filter
    on the label). Only a plan stored with its input (``problem``) can be changed."""
    if problem is None:
        return {"possible": False}
    names = {s.patient_id: s.patient_name for r in plan.routes for s in r.stops if s.patient_id}
    names.update({u.patient_id: u.patient_name for u in plan.unplanned if u.patient_id})
    patients = sorted({t["patient"] for t in problem["tasks"] if t["patient"]},
                      key=lambda p: (names.get(p) or p, p))

    def who(resource_id: str) -> str:
        info = plan.resources.get(resource_id)
        return f"{info.name} ({kind_name(info.role)})" if info is not None else resource_id

    tasks = [
        (s.task_id, f"{s.start} · {kind_name(s.type)} · {s.patient_name or s.task_id} · {who(r.resource_id)}")
        for r in plan.routes for s in r.stops if s.task_id
    ]
    vehicles = {r["vehicle"]: r for r in problem["resources"] if r["vehicle"] and r["kind"] != "clinician"}
    return {
        "possible": True,
        "vehicles": [(vid, f"{vid} · {r['name']} ({kind_name(r['kind'])})")
                     for vid, r in sorted(vehicles.items())],
        "patients": [(pid, f"{names.get(pid) or pid} ({pid})") for pid in patients],
        "tasks": tasks,
        "unplanned": [(u.task_id, f"{u.patient_name or u.task_id} ({u.task_id})")
                      for u in plan.unplanned],
        "resources": [(r["id"], who(r["id"])) for r in problem["resources"]],
        "staff": [(sid, who(sid))
                  for sid in sorted({r["staff"] for r in problem["resources"] if r["staff"]})],
    }
