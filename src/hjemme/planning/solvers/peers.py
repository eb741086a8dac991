"""Peer solvers run "plain" for ``hjemme bench vrptw --peers``: OR-Tools GLS, PyVRP, VROOM.

Each is set up the way a competent user would without tuning, as in
``/work/shared/benchmarks/PEERS.md``, and returns customer routes for the independent checker.
"""

from __future__ import annotations

import numpy as np
import vroom
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from hjemme.planning.solvers.pyvrp import solve_vrptw
from hjemme.planning.vrptw import VrptwInstance


def ortools_vrptw(instance: VrptwInstance, time_limit_s: float) -> list[list[int]]:
    """OR-Tools routing, parallel cheapest insertion then guided local search."""
    d = instance.tenths()
    n = instance.size
    manager = pywrapcp.RoutingIndexManager(n, instance.vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    dist = routing.RegisterTransitMatrix(d.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(dist)
    transit = (d + 10 * np.array(instance.service)[:, None]).tolist()
    time_cb = routing.RegisterTransitMatrix(transit)
    horizon = 10 * instance.due[0]
    routing.AddDimension(time_cb, horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for c in range(1, n):
        time_dim.CumulVar(manager.NodeToIndex(c)).SetRange(10 * instance.ready[c], 10 * instance.due[c])
    demand = routing.RegisterUnaryTransitVector(list(instance.demand))
    routing.AddDimensionWithVehicleCapacity(demand, 0, [instance.capacity] * instance.vehicles, True, "load")
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return []
    routes = []
    for k in range(instance.vehicles):
        route, index = [], solution.Value(routing.NextVar(routing.Start(k)))
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = solution.Value(routing.NextVar(index))
        routes.append(route)
    return routes


def pyvrp_vrptw(instance: VrptwInstance, time_limit_s: float, seed: int = 0) -> list[list[int]]:
    """PyVRP with default search parameters. ``pyvrp.read`` cannot parse Solomon files and the
    model is the same, so this is hjemme's PyVRP core with another seed: a parity column."""
    return solve_vrptw(instance, time_limit_s, seed + 1)


def vroom_vrptw(instance: VrptwInstance) -> list[list[int]]:
    """VROOM with the tenths matrix as durations (its cost); stops by itself."""
    problem = vroom.Input()
    problem.set_durations_matrix(profile="car", matrix_input=instance.tenths())
    problem.add_vehicle(
        [
            vroom.Vehicle(
                k + 1,
                start=0,
                end=0,
                capacity=[instance.capacity],
                time_window=vroom.TimeWindow(0, 10 * instance.due[0]),
            )
            for k in range(instance.vehicles)
        ]
    )
    problem.add_job(
        [
            vroom.Job(
                id=c,
                location=c,
                delivery=[instance.demand[c]],
                default_service=10 * instance.service[c],
                time_windows=[vroom.TimeWindow(10 * instance.ready[c], 10 * instance.due[c])],
            )
            for c in range(1, instance.size)
        ]
    )
    solution = problem.solve(exploration_level=5, nb_threads=2)
    frame = solution.routes
    jobs = frame[frame["type"] == "job"]
    return [[int(i) for i in group["id"]] for _, group in jobs.groupby("vehicle_id", sort=True)]
