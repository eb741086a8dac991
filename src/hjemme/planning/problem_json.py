"""A day's planning input (date, lab, tasks, resources) as JSON, so a plan file can be re-checked
on its own: ``hjemme validate PLAN --problem PROBLEM`` (times as ``HH:MM``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hjemme.domain.geo import Location
from hjemme.domain.pathways import GoodsLine
from hjemme.domain.resources import Resource, ResourceKind
from hjemme.domain.tasks import Goods, SyncKind, Task, TaskKind, Together
from hjemme.domain.time import TimeWindow, format_hhmm, parse_hhmm
from hjemme.errors import InputError


@dataclass(frozen=True, slots=True)
class ProblemInput:
    date: dt.date
    lab: Location
    tasks: tuple[Task, ...]
    resources: tuple[Resource, ...]


def _loc(location: Location) -> list[float]:
    return [location.lat, location.lon]


def _win(window: TimeWindow | None) -> list[str] | None:
    return None if window is None else [format_hhmm(window.start_min), format_hhmm(window.end_min)]


def _unwin(value: list[str] | None) -> TimeWindow | None:
    return None if value is None else TimeWindow.parse(value[0], value[1])


def problem_to_json(
    date: dt.date,
    lab: Location,
    tasks: tuple[Task, ...] | list[Task],
    resources: tuple[Resource, ...] | list[Resource],
) -> dict[str, Any]:
    return {
        "date": date.isoformat(),
        "lab": _loc(lab),
        "tasks": [
            {
                "id": t.id,
                "kind": t.kind.value,
                "patient": t.patient_id,
                "enrolment": t.enrolment_id,
                "pathway": t.pathway_id,
                "location": _loc(t.location),
                "duration_min": t.duration_min,
                "window": _win(t.window),
                "skill": t.skill,
                "goods": None
                if t.goods is None
                else {
                    "lines": [[g.product_id, g.quantity] for g in t.goods.lines],
                    "volume_l": t.goods.volume_l,
                    "weight_kg": t.goods.weight_kg,
                    "cold_chain": t.goods.cold_chain,
                    "qualified_carrier": t.goods.qualified_carrier,
                },
                "sample_type": t.sample_type,
                "sample_stability_min": t.sample_stability_min,
                "taken_at": t.taken_at,
                "before": list(t.before),
                "mandatory": t.mandatory,
                "fixed_time": t.fixed_time,
                "interpreter": t.interpreter,
                "preferred_staff": list(t.preferred_staff_ids),
                "excluded_staff": list(t.excluded_staff_ids),
                **_together_to_json(t),
            }
            for t in tasks
        ],
        "resources": [
            {
                "id": r.id,
                "kind": r.kind.value,
                "name": r.name,
                "staff": r.staff_id,
                "vehicle": r.vehicle_id,
                "skills": sorted(r.skills),
                "start": _loc(r.start),
                "end": _loc(r.end),
                "shift": _win(r.shift),
                "break_window": _win(r.break_window),
                "break_min": r.break_min,
                "max_work_min": r.max_work_min,
                "volume_l": r.volume_l,
                "weight_kg": r.weight_kg,
                "cold_chain": r.cold_chain,
                "qualified_carrier": r.qualified_carrier,
                "co2_g_per_km": r.co2_g_per_km,
                "cost_nok_per_km": r.cost_nok_per_km,
            }
            for r in resources
        ],
    }


def problem_from_json(data: dict[str, Any]) -> ProblemInput:
    """Read the input back; a malformed document is an :class:`InputError`."""
    try:
        tasks = tuple(
            Task(
                id=t["id"],
                kind=TaskKind(t["kind"]),
                patient_id=t["patient"],
                enrolment_id=t["enrolment"],
                pathway_id=t["pathway"],
                location=Location(*t["location"]),
                duration_min=t["duration_min"],
                window=TimeWindow.parse(*t["window"]),
                skill=t["skill"],
                goods=None
                if t["goods"] is None
                else Goods(
                    lines=tuple(GoodsLine(p, q) for p, q in t["goods"]["lines"]),
                    volume_l=t["goods"]["volume_l"],
                    weight_kg=t["goods"]["weight_kg"],
                    cold_chain=t["goods"]["cold_chain"],
                    qualified_carrier=t["goods"]["qualified_carrier"],
                ),
                sample_type=t["sample_type"],
                sample_stability_min=t["sample_stability_min"],
                taken_at=t["taken_at"],
                before=tuple(t["before"]),
                mandatory=t["mandatory"],
                fixed_time=t["fixed_time"],
                interpreter=t["interpreter"],
                preferred_staff_ids=tuple(t["preferred_staff"]),
                excluded_staff_ids=tuple(t["excluded_staff"]),
                together=_together_from_json(t.get("together")),
                soft_end_min=t.get("soft_end_min"),
                late_cost_per_min=int(t.get("late_cost_per_min", 0)),
            )
            for t in data["tasks"]
        )
        resources = tuple(
            Resource(
                id=r["id"],
                kind=ResourceKind(r["kind"]),
                name=r["name"],
                staff_id=r["staff"],
                vehicle_id=r["vehicle"],
                skills=frozenset(r["skills"]),
                start=Location(*r["start"]),
                end=Location(*r["end"]),
                shift=TimeWindow.parse(*r["shift"]),
                break_window=_unwin(r["break_window"]),
                break_min=r["break_min"],
                max_work_min=r["max_work_min"],
                volume_l=r["volume_l"],
                weight_kg=r["weight_kg"],
                cold_chain=r["cold_chain"],
                qualified_carrier=r["qualified_carrier"],
                co2_g_per_km=r["co2_g_per_km"],
                cost_nok_per_km=r["cost_nok_per_km"],
            )
            for r in data["resources"]
        )
        return ProblemInput(dt.date.fromisoformat(data["date"]), Location(*data["lab"]), tasks, resources)
    except (KeyError, TypeError, ValueError) as error:
        raise InputError("problem", f"not a problem document: {error!r}") from None


__all__ = ["ProblemInput", "parse_hhmm", "problem_from_json", "problem_to_json"]


def _together_to_json(t: Task) -> dict[str, Any]:
    """Two-person visit and soft-window keys, only when set (older documents stay as they were)."""
    out: dict[str, Any] = {}
    if t.together is not None:
        out["together"] = {
            "partner": t.together.partner_task_id,
            "kind": t.together.kind.value,
            "first": t.together.first,
            "gap_min": [t.together.min_gap_min, t.together.max_gap_min],
        }
    if t.soft_end_min is not None:
        out["soft_end_min"] = t.soft_end_min
        out["late_cost_per_min"] = t.late_cost_per_min
    return out


def _together_from_json(data: dict[str, Any] | None) -> Together | None:
    if data is None:
        return None
    low, high = data["gap_min"]
    return Together(data["partner"], SyncKind(data["kind"]), bool(data["first"]), int(low), int(high))
