"""OR-Tools routing adapter: the model for routes with breaks, skills, shifts and pickups.

OR-Tools is used where PyVRP 0.14 cannot model the day (breaks, max span, per-node allowed
vehicles, soft same-vehicle groups); see ``/work/shared/benchmarks/PEERS.md``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from hjemme.domain.time import MINUTES_PER_DAY
from hjemme.planning.solvers.spec import RoutingResult, RoutingSpec, VehicleSpec


def breaks_as_nodes(spec: RoutingSpec, penalty: int | None) -> tuple[RoutingSpec, dict[int, int]]:
    """Model each vehicle's break as a node only it may serve, instead of OR-Tools break intervals.

    Break intervals made the first solution of a 1,500-patient day take 22 s instead of 9 s. The
    node is reached at no cost and left with the longest drive into the next stop (a safe upper
    bound on the real leg), so a route found this way still leaves room for the break and the
    real drive; the planner then places the break on its own timeline. Returns the new spec and
    {break node: vehicle}. ``penalty=None`` makes a break compulsory wherever the shift can hold it.
    """
    n = len(spec.service_min)
    owners = [k for k, v in enumerate(spec.vehicles) if v.break_ is not None]
    if not owners:
        return spec, {}
    m = n + len(owners)

    def extend(matrix: np.ndarray) -> np.ndarray:
        out = np.zeros((m, m), dtype=np.int64)
        out[:n, :n] = matrix
        out[n:, :n] = matrix.max(axis=0)[None, :]
        return out

    breaks = [spec.vehicles[k].break_ for k in owners]
    return (
        replace(
            spec,
            travel_min=extend(spec.travel_min),
            cost_matrices=tuple(extend(c) for c in spec.cost_matrices),
            service_min=spec.service_min + tuple(b[2] for b in breaks if b),
            windows=spec.windows + tuple((b[0], b[1]) for b in breaks if b),
            penalty=spec.penalty
            + tuple(penalty if penalty is not None or not _fits(spec.vehicles[k]) else None for k in owners),
            allowed=spec.allowed + tuple((k,) for k in owners),
            demands=tuple(d + (0,) * len(owners) for d in spec.demands),
            vehicles=tuple(replace(v, break_=None) for v in spec.vehicles),
        ),
        {n + i: k for i, k in enumerate(owners)},
    )


def _fits(vehicle: VehicleSpec) -> bool:
    assert vehicle.break_ is not None
    lo, hi, duration = vehicle.break_
    return max(lo, vehicle.shift[0]) <= hi and max(lo, vehicle.shift[0]) + duration <= vehicle.shift[1]


def solve_routing(
    spec: RoutingSpec,
    time_limit_s: float,
    seed: int = 0,
    *,
    break_nodes: bool = True,
    first_solution_limit_s: float = 120.0,
) -> RoutingResult:
    """Solve ``spec``: a first solution (always completed, within ``first_solution_limit_s``),
    then guided local search for ``time_limit_s`` seconds.

    Every customer node sits in a disjunction with its penalty, so an over-full day still yields
    a plan that leaves the cheapest tasks out instead of failing. ``seed`` is accepted for
    reproducibility of the interface; OR-Tools' search is deterministic for a given model.
    """
    del seed
    if not break_nodes:
        return _solve(spec, time_limit_s, first_solution_limit_s, {})
    # breaks are very dear options: dearer than every task together, so a route keeps its break
    # wherever the shift can hold one, while a day where compulsory break nodes defeat the first
    # solution heuristic (a 1,500-patient day's transport: 6 s lost) needs no second attempt
    everything = sum(p for p in spec.penalty if p is not None) + 1
    with_breaks, owner = breaks_as_nodes(spec, everything)
    return _solve(with_breaks, time_limit_s, first_solution_limit_s, owner) or _empty(spec)


def _empty(spec: RoutingSpec) -> RoutingResult:
    return RoutingResult(
        routes=tuple(() for _ in spec.vehicles), break_start=tuple(None for _ in spec.vehicles)
    )


def _solve(
    spec: RoutingSpec, time_limit_s: float, first_solution_limit_s: float, break_owner: dict[int, int]
) -> RoutingResult | None:
    n = len(spec.service_min)
    vehicles = spec.vehicles
    if not vehicles:
        return RoutingResult(routes=(), break_start=())
    manager = pywrapcp.RoutingIndexManager(
        n, len(vehicles), [v.start_node for v in vehicles], [v.end_node for v in vehicles]
    )
    routing = pywrapcp.RoutingModel(manager)
    solver = routing.solver()

    travel = spec.travel_min
    transit = (np.asarray(spec.service_min, dtype=np.int64)[:, None] + travel).tolist()
    time_cb = routing.RegisterTransitMatrix(transit)
    routing.AddDimension(time_cb, MINUTES_PER_DAY, MINUTES_PER_DAY, False, "time")
    time_dim = routing.GetDimensionOrDie("time")

    cost_cbs = [routing.RegisterTransitMatrix(m.tolist()) for m in spec.cost_matrices]
    for k, vehicle in enumerate(vehicles):
        routing.SetArcCostEvaluatorOfVehicle(cost_cbs[vehicle.cost_matrix], k)
        routing.SetFixedCostOfVehicle(vehicle.fixed_cost, k)

    for d, demand in enumerate(spec.demands):
        cb = routing.RegisterUnaryTransitVector([int(x) for x in demand])
        routing.AddDimensionWithVehicleCapacity(
            cb, 0, [int(v.capacity[d]) for v in vehicles], True, f"load{d}"
        )

    depots = {v.start_node for v in vehicles} | {v.end_node for v in vehicles}
    for node in range(n):
        if node in depots:
            continue
        index = manager.NodeToIndex(node)
        lo, hi = spec.windows[node]
        time_dim.CumulVar(index).SetRange(lo, hi)
        penalty = spec.penalty[node]
        if penalty is not None:
            routing.AddDisjunction([index], int(penalty))
        allowed = spec.allowed[node]
        forbidden = [k for k in range(len(vehicles)) if k not in set(allowed)]
        if forbidden:
            routing.VehicleVar(index).RemoveValues(forbidden)

    for pickup, delivery in spec.pairs:
        p, d = manager.NodeToIndex(pickup), manager.NodeToIndex(delivery)
        routing.AddPickupAndDelivery(p, d)
        solver.Add(routing.VehicleVar(p) == routing.VehicleVar(d))
        solver.Add(time_dim.CumulVar(p) <= time_dim.CumulVar(d))
    for nodes, cost in spec.groups:
        routing.AddSoftSameVehicleConstraint([manager.NodeToIndex(x) for x in nodes], cost)
    for node, soft_end, cost in spec.soft_ends:
        time_dim.SetCumulVarSoftUpperBound(manager.NodeToIndex(node), int(soft_end), int(cost))

    visit_transits = [0] * routing.Size()
    for index in range(routing.Size()):
        visit_transits[index] = int(spec.service_min[manager.IndexToNode(index)])
    breaks = []
    for k, vehicle in enumerate(vehicles):
        start, end = routing.Start(k), routing.End(k)
        time_dim.CumulVar(start).SetRange(*vehicle.shift)
        time_dim.CumulVar(end).SetRange(*vehicle.shift)
        if vehicle.max_span_min is not None:
            time_dim.SetSpanUpperBoundForVehicle(vehicle.max_span_min, k)
        if spec.span_cost:
            time_dim.SetSpanCostCoefficientForVehicle(spec.span_cost, k)
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(start))
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(end))
        if vehicle.break_ is None:
            breaks.append(None)
            continue
        lo, hi, duration = vehicle.break_
        interval = solver.FixedDurationIntervalVar(lo, hi, duration, False, f"break{k}")
        solver.Add(interval.StartExpr() >= time_dim.CumulVar(start))
        solver.Add(interval.EndExpr() <= time_dim.CumulVar(end))
        time_dim.SetBreakIntervalsOfVehicle([interval], k, visit_transits)
        breaks.append(interval)

    first_params = pywrapcp.DefaultRoutingSearchParameters()
    first_params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    first_params.solution_limit = 1
    first_params.time_limit.FromMilliseconds(max(1, int(first_solution_limit_s * 1000)))
    first = routing.SolveWithParameters(first_params)
    solution = None
    if first is not None:
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
        solution = routing.SolveFromAssignmentWithParameters(first, params) or first
    if solution is None:
        return None
    break_values: dict[str, int] = {}
    container = solution.IntervalVarContainer()
    for i in range(container.Size()):
        element = container.Element(i)
        break_values[element.Var().Name()] = int(element.StartValue())
    routes = []
    break_starts: list[int | None] = []
    for k in range(len(vehicles)):
        stops = []
        index = solution.Value(routing.NextVar(routing.Start(k)))
        break_start = None if breaks[k] is None else break_values.get(f"break{k}")
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            cumul = time_dim.CumulVar(index)
            # the value the cumul optimiser chose (least span), not merely the earliest bound
            at = solution.Value(cumul) if solution.Bound(cumul) else solution.Min(cumul)
            if node in break_owner:
                break_start = at
            else:
                stops.append((node, at))
            index = solution.Value(routing.NextVar(index))
        routes.append(tuple(stops))
        break_starts.append(break_start)
    return RoutingResult(routes=tuple(routes), break_start=tuple(break_starts))
