"""Solomon VRPTW instances, the CVRPLIB distance convention and an independent solution checker.

Used by ``hjemme bench vrptw`` to measure the planner's routing core against published best-known
solutions and against peer solvers. All arithmetic is in integer tenths: each arc is the
Euclidean distance truncated to one decimal (``floor(10 d)``), the convention of ``bks.csv``, also
used as travel time when checking windows.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hjemme.errors import InputError
from hjemme.geo.provider import IntMatrix


@dataclass(frozen=True, slots=True, eq=False)
class VrptwInstance:
    """Node 0 is the depot (its due time closes the day); times and demands as in the file."""

    name: str
    vehicles: int
    capacity: int
    x: tuple[float, ...]
    y: tuple[float, ...]
    demand: tuple[int, ...]
    ready: tuple[int, ...]
    due: tuple[int, ...]
    service: tuple[int, ...]

    @property
    def size(self) -> int:
        return len(self.x)

    def tenths(self) -> IntMatrix:
        """Arc lengths in tenths, truncated: ``floor(10 * euclid)``."""
        x, y = np.array(self.x), np.array(self.y)
        d = np.sqrt((x[:, None] - x[None, :]) ** 2 + (y[:, None] - y[None, :]) ** 2)
        result: IntMatrix = np.floor(10 * d + 1e-9).astype(np.int64)
        return result


def read_solomon(path: Path) -> VrptwInstance:
    """Read one Solomon (or Homberger) text file; a malformed file is an input error naming it."""
    lines = [line.split() for line in path.read_text().splitlines()]
    try:
        at = next(i for i, parts in enumerate(lines) if parts[:1] == ["NUMBER"])
        vehicles, capacity = (int(v) for v in lines[at + 1][:2])
        rows = [
            [float(v) for v in parts] for parts in lines[at + 2 :] if len(parts) == 7 and parts[0].isdigit()
        ]
    except (StopIteration, ValueError, IndexError):
        raise InputError("instances", f"{path} is not a Solomon instance") from None
    if not rows or int(rows[0][0]) != 0:
        raise InputError("instances", f"{path} has no depot row")
    cols = list(zip(*rows, strict=True))
    return VrptwInstance(
        name=path.stem,
        vehicles=vehicles,
        capacity=capacity,
        x=tuple(cols[1]),
        y=tuple(cols[2]),
        demand=tuple(int(v) for v in cols[3]),
        ready=tuple(int(v) for v in cols[4]),
        due=tuple(int(v) for v in cols[5]),
        service=tuple(int(v) for v in cols[6]),
    )


def read_bks(path: Path) -> dict[str, tuple[int, float]]:
    """``bks.csv`` as ``{instance: (vehicles, distance)}``; an absent file gives an empty mapping."""
    if not path.exists():
        return {}
    with path.open() as handle:
        return {
            row["instance"]: (int(row["vehicles"]), float(row["distance"])) for row in csv.DictReader(handle)
        }


@dataclass(frozen=True, slots=True)
class VrptwCheck:
    distance: float
    vehicles: int
    violations: tuple[str, ...]


def check_solution(instance: VrptwInstance, routes: list[list[int]]) -> VrptwCheck:
    """Re-check a solution from scratch: every customer once, capacity, windows, depot closing time."""
    d = instance.tenths()
    problems: list[str] = []
    seen: dict[int, int] = {}
    total = 0
    used = [r for r in routes if r]
    if len(used) > instance.vehicles:
        problems.append(f"{len(used)} routes, only {instance.vehicles} vehicles")
    for k, route in enumerate(used):
        load = sum(instance.demand[c] for c in route)
        if load > instance.capacity:
            problems.append(f"route {k}: load {load} > capacity {instance.capacity}")
        t, prev = 0, 0
        for c in route:
            if not 1 <= c < instance.size:
                problems.append(f"route {k}: unknown customer {c}")
                break
            seen[c] = seen.get(c, 0) + 1
            total += int(d[prev, c])
            arrive_tenths = t + int(d[prev, c])
            start = max(arrive_tenths, 10 * instance.ready[c])
            if start > 10 * instance.due[c]:
                problems.append(f"route {k}: customer {c} starts {start / 10} after due {instance.due[c]}")
            t = start + 10 * instance.service[c]
            prev = c
        total += int(d[prev, 0])
        if t + int(d[prev, 0]) > 10 * instance.due[0]:
            problems.append(f"route {k}: back at depot after {instance.due[0]}")
    for c in range(1, instance.size):
        if seen.get(c, 0) != 1:
            problems.append(f"customer {c} served {seen.get(c, 0)} times")
    return VrptwCheck(distance=total / 10, vehicles=len(used), violations=tuple(problems))
