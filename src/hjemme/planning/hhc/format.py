"""Reader and writer for the ``iolab-uniud/hhcrsp`` JSON formats (issue 16).

Two variants share one format:

- **Mankowska** (Mankowska, Meisel & Bierwirth 2014): one ``central_offices`` entry where every
  caregiver starts and ends; distance-matrix rows/columns ``office, p1, p2, …``; no working shifts.
- **extended** (Ceschia, Di Gaspero, Rosati & Schaerf 2024): ``departing_points``, caregivers with a
  ``starting_point_id``, a ``working_shift`` and a ``distance_matrix_index``, patients with a
  ``distance_matrix_index`` and optional ``incompatible_caregivers``.

A patient needs one or two services (``required_caregivers``; a missing ``duration`` falls back to
the service's ``default_duration``); two services come with a ``synchronization``: ``simultaneous``
(both start at the same minute) or ``sequential`` with ``distance: [min, max]`` between the start of
the first listed service and the start of the second. Travel time equals distance.

A solution lists ``routes``: per ``caregiver_id`` the ``locations`` in visiting order, each with
``patient``, ``service``, ``arrival_time`` (the service's start, as in the published solutions) and
``departure_time``. Pure functions of JSON-like data; file helpers only read and write text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from hjemme.errors import InputError

Variant = Literal["mankowska", "extended"]


@dataclass(frozen=True, slots=True)
class Demand:
    """One service a patient needs from one caregiver."""

    service: str
    duration: float


@dataclass(frozen=True, slots=True)
class Sync:
    """How a patient's two services relate: same start, or the second ``min_gap``–``max_gap`` after."""

    kind: Literal["simultaneous", "sequential"]
    min_gap: float = 0.0
    max_gap: float = 0.0


@dataclass(frozen=True, slots=True)
class Patient:
    id: str
    window: tuple[float, float]
    demands: tuple[Demand, ...]
    matrix_index: int
    sync: Sync | None = None
    incompatible: frozenset[str] = frozenset()
    location: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class Caregiver:
    id: str
    abilities: frozenset[str]
    matrix_index: int
    start_point: str
    shift: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class Instance:
    name: str
    variant: Variant
    patients: tuple[Patient, ...]
    caregivers: tuple[Caregiver, ...]
    distances: tuple[tuple[float, ...], ...]
    services: dict[str, float] = field(default_factory=dict)

    def patient(self, patient_id: str) -> Patient:
        for p in self.patients:
            if p.id == patient_id:
                return p
        raise KeyError(patient_id)


@dataclass(frozen=True, slots=True)
class Location:
    """One service in a caregiver's route: ``arrival`` is the start of the service."""

    patient: str
    service: str
    arrival: float
    departure: float


@dataclass(frozen=True, slots=True)
class Route:
    caregiver: str
    locations: tuple[Location, ...]


@dataclass(frozen=True, slots=True)
class Solution:
    routes: tuple[Route, ...]
    global_ordering: tuple[str, ...] = ()
    cost_components: dict[str, float] = field(default_factory=dict)


def _pair(value: Any, what: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise InputError(what, f"expected [start, end], got {value!r}")
    return float(value[0]), float(value[1])


def instance_from_json(data: dict[str, Any], name: str = "") -> Instance:
    """The instance in ``data`` (either variant); ``InputError`` when a reference does not resolve."""
    try:
        services = {s["id"]: float(s.get("default_duration") or 0) for s in data["services"]}
        extended = "departing_points" in data
        patients = []
        for position, p in enumerate(data["patients"], start=1):
            demands = []
            for r in p["required_caregivers"]:
                if r["service"] not in services:
                    raise InputError("patients", f"{p['id']} needs unknown service {r['service']}")
                demands.append(Demand(r["service"], float(r.get("duration") or services[r["service"]])))
            sync = None
            if "synchronization" in p and len(demands) > 1:
                s = p["synchronization"]
                if s["type"] == "simultaneous":
                    sync = Sync("simultaneous")
                elif s["type"] == "sequential":
                    low, high = _pair(s["distance"], "synchronization")
                    sync = Sync("sequential", low, high)
                else:
                    raise InputError("patients", f"{p['id']}: unknown synchronization {s['type']!r}")
            if len(demands) > 1 and sync is None:
                raise InputError("patients", f"{p['id']} needs two services but no synchronization")
            location = p.get("location")
            patients.append(
                Patient(
                    id=p["id"],
                    window=_pair(p["time_window"], "time_window"),
                    demands=tuple(demands),
                    matrix_index=int(p["distance_matrix_index"]) if extended else position,
                    sync=sync,
                    incompatible=frozenset(p.get("incompatible_caregivers") or ()),
                    location=(float(location[0]), float(location[1])) if location else None,
                )
            )
        caregivers = []
        for c in data["caregivers"]:
            abilities = frozenset(c["abilities"])
            if extended:
                shift = c.get("working_shift")
                caregivers.append(
                    Caregiver(
                        c["id"],
                        abilities,
                        int(c["distance_matrix_index"]),
                        c.get("starting_point_id") or c.get("departing_point") or "",
                        _pair(shift, "working_shift") if shift is not None else None,
                    )
                )
            else:
                office = data["central_offices"][0]["id"]
                caregivers.append(Caregiver(c["id"], abilities, 0, office))
        distances = tuple(tuple(float(x) for x in row) for row in data["distances"])
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise InputError("instance", f"not an HHCRSP instance: {error!r}") from None
    size = len(distances)
    for row in distances:
        if len(row) != size:
            raise InputError("distances", "the distance matrix is not square")
    for index in [p.matrix_index for p in patients] + [c.matrix_index for c in caregivers]:
        if not 0 <= index < size:
            raise InputError("distances", f"matrix index {index} outside the {size}×{size} matrix")
    return Instance(
        name=name or str(data.get("name") or ""),
        variant="extended" if extended else "mankowska",
        patients=tuple(patients),
        caregivers=tuple(caregivers),
        distances=distances,
        services=services,
    )


def solution_from_json(data: dict[str, Any]) -> Solution:
    """A solution; accepts ``patient``/``service`` and the older ``patient_id``/``service_id`` keys."""
    try:
        routes = []
        for r in data["routes"]:
            locations = tuple(
                Location(
                    patient=str(loc.get("patient", loc.get("patient_id"))),
                    service=str(loc.get("service", loc.get("service_id"))),
                    arrival=float(loc["arrival_time"]),
                    departure=float(loc["departure_time"]),
                )
                for loc in r["locations"]
            )
            routes.append(Route(str(r["caregiver_id"]), locations))
        costs = {str(k): float(v) for k, v in (data.get("cost_components") or {}).items()}
        return Solution(tuple(routes), tuple(data.get("global_ordering") or ()), costs)
    except (KeyError, TypeError, ValueError) as error:
        raise InputError("solution", f"not an HHCRSP solution: {error!r}") from None


def solution_to_json(solution: Solution) -> dict[str, Any]:
    """The repository's solution format (``routes`` with ``locations``; ``global_ordering`` when known)."""
    data: dict[str, Any] = {}
    if solution.cost_components:
        data["cost_components"] = dict(solution.cost_components)
    if solution.global_ordering:
        data["global_ordering"] = list(solution.global_ordering)
    data["routes"] = [
        {
            "caregiver_id": r.caregiver,
            "locations": [
                {
                    "arrival_time": _number(loc.arrival),
                    "departure_time": _number(loc.departure),
                    "patient": loc.patient,
                    "service": loc.service,
                }
                for loc in r.locations
            ],
        }
        for r in solution.routes
    ]
    return data


def _number(value: float) -> float | int:
    """Full precision: the authors' validator compares times exactly (``>=``, ``==``), so a time
    rounded for looks could start a service a hair before the caregiver can be there."""
    return int(value) if value == int(value) else value


def read_instance(path: Path) -> Instance:
    return instance_from_json(json.loads(path.read_text(encoding="utf-8")), name=path.stem)


def read_solution(path: Path) -> Solution:
    return solution_from_json(json.loads(path.read_text(encoding="utf-8")))


def write_solution(path: Path, solution: Solution) -> None:
    path.write_text(json.dumps(solution_to_json(solution), indent=2) + "\n", encoding="utf-8")
