"""The PyVRP routing adapter on hand-made specs: allowed vehicles, break room, penalties, spans,
paired pickups and capacities.

Each spec is small enough to know the right answer by hand; node 0 is every vehicle's depot.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from hjemme.planning.solvers.pyvrp import solve_routes
from hjemme.planning.solvers.spec import RoutingResult, RoutingSpec, VehicleSpec

LIMIT_S = 0.3


def line_spec(
    positions: list[int],
    vehicles: list[VehicleSpec],
    *,
    service: int = 10,
    windows: list[tuple[int, int]] | None = None,
    penalty: list[int] | None = None,
    allowed: list[tuple[int, ...]] | None = None,
) -> RoutingSpec:
    """Nodes on a line (one minute and one cost unit per step); node 0 at position 0 is the depot."""
    where = np.array([0, *positions])
    travel = np.abs(where[:, None] - where[None, :]).astype(np.int64)
    n = len(where)
    everyone = tuple(range(len(vehicles)))
    return RoutingSpec(
        travel_min=travel,
        service_min=(0,) + (service,) * (n - 1),
        windows=((0, 1440),) + tuple(windows or [(0, 1440)] * (n - 1)),
        penalty=(None,) + tuple(penalty or [1_000_000] * (n - 1)),
        allowed=((),) + tuple(allowed or [everyone] * (n - 1)),
        demands=(),
        vehicles=tuple(vehicles),
        cost_matrices=(travel,),
    )


def vehicle(
    shift: tuple[int, int] = (0, 600), *, span: int | None = None, brk: tuple[int, int, int] | None = None
) -> VehicleSpec:
    return VehicleSpec(0, 0, shift, span, brk, 0, 0, ())


def served_by(result: RoutingResult) -> dict[int, int]:
    return {node: k for k, route in enumerate(result.routes) for node, _ in route}


def test_a_node_goes_only_to_a_vehicle_it_allows():
    """A task only vehicle 1 may do (a skill) is served by vehicle 1 although vehicle 0 is as near."""
    spec = line_spec([5, 6], [vehicle(), vehicle()], allowed=[(1,), (0, 1)])
    result = solve_routes(spec, LIMIT_S)
    assert result is not None
    assert served_by(result)[1] == 1


def test_allowed_sets_are_exact_even_when_obeying_them_costs_more():
    """Two far-apart tasks each allowed on one vehicle only: both served, each by its own vehicle."""
    spec = line_spec([50, 51], [vehicle(), vehicle()], allowed=[(1,), (0,)])
    result = solve_routes(spec, LIMIT_S)
    assert result is not None
    assert served_by(result) == {1: 1, 2: 0}


def test_room_for_the_break_is_kept_before_the_shift_ends():
    """A 100-minute shift with a 30-minute break takes only work that ends by minute 70."""
    spec = line_spec([1, 2, 3], [vehicle((0, 100), brk=(40, 60, 30))], service=25)
    result = solve_routes(spec, LIMIT_S)
    assert result is not None
    (route,) = result.routes
    assert len(route) == 2  # three would need 75 minutes of service alone
    last_node, last_start = route[-1]
    assert last_start + 25 + int(spec.travel_min[last_node, 0]) <= 70


def test_the_cheaper_task_is_left_out_when_not_all_fit():
    """When the shift holds one of two tasks, the one with the higher penalty is served."""
    spec = line_spec([1, 2], [vehicle((0, 30))], service=20, penalty=[100, 10_000])
    result = solve_routes(spec, LIMIT_S)
    assert result is not None
    assert served_by(result) == {2: 0}


def test_max_span_and_windows_are_kept():
    """Starts fall in their windows and no route is longer than its span."""
    spec = line_spec(
        [3, 4, 8, 9],
        [vehicle((0, 600), span=60), vehicle((0, 600), span=60)],
        windows=[(0, 20), (30, 60), (0, 600), (100, 200)],
    )
    result = solve_routes(spec, LIMIT_S)
    assert result is not None
    assert len(served_by(result)) == 4
    for route in result.routes:
        for node, start in route:
            assert spec.windows[node][0] <= start <= spec.windows[node][1]
        if route:
            first, first_start = route[0]
            last, last_start = route[-1]
            leave = first_start - int(spec.travel_min[0, first])
            back = last_start + 10 + int(spec.travel_min[last, 0])
            assert back - leave <= 60


def test_a_sample_pickup_and_its_lab_drop_ride_together_pickup_first():
    """A pickup/drop pair (a courier's sample) is on one vehicle, the drop after the pickup, both in time."""
    spec = replace(
        line_spec([20, 2], [vehicle(), vehicle()], windows=[(30, 60), (30, 60)], penalty=[1_000_000, 0]),
        pairs=((1, 2),),
    )
    result = solve_routes(spec, LIMIT_S)
    assert result is not None
    (route,) = [r for r in result.routes if r]
    assert [node for node, _ in route] == [1, 2]
    (_, picked), (_, dropped) = route
    assert 30 <= picked < dropped <= 60


def test_capacities_split_the_goods_over_vehicles():
    """Two loads of 6 do not fit one vehicle of 10: each vehicle takes one."""
    v = replace(vehicle(), capacity=(10,))
    spec = replace(line_spec([3, 4], [v, v]), demands=((0, 6, 6),))
    result = solve_routes(spec, LIMIT_S)
    assert result is not None
    assert sorted(served_by(result).values()) == [0, 1]


def test_two_searches_side_by_side_keep_every_rule():
    """With a second search in a child process the plan still serves all and obeys allowed sets."""
    spec = line_spec([50, 51, 3, 4], [vehicle(), vehicle()], allowed=[(1,), (0,), (0, 1), (0, 1)])
    result = solve_routes(spec, LIMIT_S * 3, workers=2)
    assert result is not None
    assert len(served_by(result)) == 4
    assert served_by(result)[1] == 1 and served_by(result)[2] == 0
