"""OR-Tools routing adapter: the model for routes with breaks, skills, shifts and pickups.

OR-Tools is used where PyVRP 0.14 cannot model the day (breaks, max span, per-node allowed
vehicles, soft same-vehicle groups); see ``/work/shared/benchmarks/PEERS.md``.
"""

from __future__ import annotations

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from hjemme.domain.time import MINUTES_PER_DAY
from hjemme.planning.solvers.spec import RoutingResult, RoutingSpec


def solve_routing(spec: RoutingSpec, time_limit_s: float, seed: int = 0) -> RoutingResult:
    """Solve ``spec`` with guided local search for at most ``time_limit_s`` seconds.

    Every customer node sits in a disjunction with its penalty, so an over-full day still yields
    a plan that leaves the cheapest tasks out instead of failing. ``seed`` is accepted for
    reproducibility of the interface; OR-Tools' search is deterministic for a given model.
    """
    del seed
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
    transit = [[int(spec.service_min[i] + travel[i, j]) for j in range(n)] for i in range(n)]
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
        routing.AddDisjunction([index], int(penalty or 0))
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

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return RoutingResult(routes=tuple(() for _ in vehicles), break_start=tuple(None for _ in vehicles))
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
        while not routing.IsEnd(index):
            stops.append((manager.IndexToNode(index), solution.Min(time_dim.CumulVar(index))))
            index = solution.Value(routing.NextVar(index))
        routes.append(tuple(stops))
        break_starts.append(None if breaks[k] is None else break_values.get(f"break{k}"))
    return RoutingResult(routes=tuple(routes), break_start=tuple(break_starts))
