"""A solver-neutral routing model: what the planner asks a routing engine to solve.

The planner translates its domain problem into this plain structure (nodes, minutes, integer
costs); the adapters in this package translate it into OR-Tools or PyVRP. Keeping the library
types behind this edge is what lets a stage switch engines without the planner changing.
"""

from __future__ import annotations

from dataclasses import dataclass

from hjemme.geo.provider import IntMatrix


@dataclass(frozen=True, slots=True)
class VehicleSpec:
    """One route: start/end nodes, shift bounds on leaving/returning, optional break, capacities."""

    start_node: int
    end_node: int
    shift: tuple[int, int]
    max_span_min: int | None
    break_: tuple[int, int, int] | None  # (earliest start, latest start, duration)
    cost_matrix: int  # index into RoutingSpec.cost_matrices
    fixed_cost: int
    capacity: tuple[int, ...]  # one per dimension of RoutingSpec.demands


@dataclass(frozen=True, slots=True)
class RoutingSpec:
    """Nodes 0..n-1 with service minutes, start windows, demands, penalties and allowed vehicles.

    ``travel_min[i, j]`` is the driving time; ``penalty[i]`` is the cost of leaving node ``i``
    unserved (``None`` for depots). ``allowed[i]`` lists the vehicles that may serve node ``i``
    (never empty for a customer node: the planner removes nodes nobody can serve). ``pairs``
    are (pickup, delivery) nodes on one vehicle, pickup first; ``groups`` are soft
    same-vehicle sets with the cost of each extra vehicle; ``soft_ends`` are soft latest starts
    inside the hard windows, each minute later costing its price (issue 16; OR-Tools only).
    """

    travel_min: IntMatrix
    service_min: tuple[int, ...]
    windows: tuple[tuple[int, int], ...]
    penalty: tuple[int | None, ...]
    allowed: tuple[tuple[int, ...], ...]
    demands: tuple[tuple[int, ...], ...]  # per dimension, per node
    vehicles: tuple[VehicleSpec, ...]
    cost_matrices: tuple[IntMatrix, ...]
    pairs: tuple[tuple[int, int], ...] = ()
    groups: tuple[tuple[tuple[int, ...], int], ...] = ()
    span_cost: int = 0
    soft_ends: tuple[tuple[int, int, int], ...] = ()  # (node, soft latest start, cost per minute later)


@dataclass(frozen=True, slots=True)
class RoutingResult:
    """Per vehicle: the served nodes in order with their start-of-service minute, and the break start."""

    routes: tuple[tuple[tuple[int, int], ...], ...]
    break_start: tuple[int | None, ...]
