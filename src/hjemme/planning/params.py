"""The planner's parameters: objective weights, search limits and seeds, validated when built.

The objective is lexicographic in spirit and weighted in practice (issue 3, item 2): an unplanned
task costs far more than any route, clinicians' minutes on the road cost more than anyone else's,
then driving time, then kilometres and CO2, and last the number of vehicles taken out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True, slots=True)
class PlannerParams:
    """How :func:`hjemme.planning.solve` weighs and searches; all weights are integer cost units.

    ``time_limit_s`` bounds the routing searches of one planning round (the only wall-clock the
    planner reads): the clinicians' routes get ``clinician_share`` of it, vans and couriers the
    rest. ``engine`` names the routing engine of both stages: PyVRP (the stronger search) or
    OR-Tools; OR-Tools also takes over a stage whenever PyVRP finds no feasible plan in its time.
    ``search_workers`` > 1 runs that many PyVRP searches side by side (one per CPU core, in child
    processes, different seeds) and keeps the cheapest plan. An OR-Tools first solution is always
    completed, within ``first_solution_limit_s``, so a short limit on a big day gives a worse
    plan, never an empty one.
    ``seed`` makes the search reproducible. ``clinician_sample_detour_min`` is the largest detour
    a clinician makes to drop a sample at the lab before a courier is asked instead.
    ``rounds`` is how often the clinician and transport stages are re-run to repair precedence.
    Continuity of care needs one cost matrix per clinician; above ``max_cost_matrix_entries``
    (memory) the non-preferred cost is dropped for that day rather than running out of memory.

    Stability during the day (issue 11, item 4; :mod:`hjemme.planning.repair`): a task moved to
    another person or vehicle costs ``reassign_cost``, and each minute a stop's start moves costs
    ``moved_cost_per_min``. A clinician's minute on the road costs 150 (100 + 50), so the default
    20,000 per reassignment equals about 2 h 15 min of a clinician's driving: work changes hands
    only when that saves more than a long detour, or when it is needed to plan a task at all
    (an unplanned mandatory task costs 10,000,000). 200 per minute moved makes a 15-minute shift
    cost 3,000, about 20 minutes of a clinician's driving: times move for a real gain, not for a
    few minutes of driving. ``freeze_horizon_min``: stops starting within this many minutes of now
    are frozen by :func:`hjemme.planning.repair.frozen_pins` (the nurse is already on the way).
    """

    time_limit_s: float = 2.0
    first_solution_limit_s: float = 120.0
    seed: int = 0
    unplanned_mandatory_cost: int = 10_000_000
    unplanned_optional_cost: int = 100_000
    clinician_drive_cost_per_min: int = 100
    drive_cost_per_min: int = 50
    cost_per_km: int = 20
    cost_per_kg_co2: int = 20
    vehicle_used_cost: int = 10
    non_preferred_clinician_cost: int = 5_000
    split_patient_cost: int = 200
    span_cost_per_min: int = 1
    clinician_sample_detour_min: int = 10
    precedence_step_min: int = 30
    rounds: int = 2
    max_cost_matrix_entries: int = 40_000_000
    engine: Literal["pyvrp", "ortools"] = "pyvrp"
    clinician_share: float = 0.5
    search_workers: int = 1
    reassign_cost: int = 20_000
    moved_cost_per_min: int = 200
    freeze_horizon_min: int = 60

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0 or self.first_solution_limit_s <= 0:
            raise ValueError("time limits must be positive")
        weights = (
            self.unplanned_mandatory_cost,
            self.unplanned_optional_cost,
            self.clinician_drive_cost_per_min,
            self.drive_cost_per_min,
            self.cost_per_km,
            self.cost_per_kg_co2,
            self.vehicle_used_cost,
            self.non_preferred_clinician_cost,
            self.split_patient_cost,
            self.span_cost_per_min,
            self.reassign_cost,
            self.moved_cost_per_min,
        )
        if any(w < 0 for w in weights):
            raise ValueError("objective weights must not be negative")
        if self.unplanned_mandatory_cost < self.unplanned_optional_cost:
            raise ValueError("a mandatory task must cost more to drop than an optional one")
        if self.clinician_sample_detour_min < 0 or self.precedence_step_min < 1:
            raise ValueError("detour and precedence step must be non-negative / positive minutes")
        if not 0 < self.clinician_share < 1:
            raise ValueError("clinician_share must be between 0 and 1")
        if self.engine not in ("pyvrp", "ortools"):
            raise ValueError("engine must be 'pyvrp' or 'ortools'")
        if self.search_workers < 1:
            raise ValueError("search_workers must be at least 1")
        if not 0 <= self.freeze_horizon_min <= 24 * 60:
            raise ValueError("freeze_horizon_min must be between 0 and 1440 minutes")
        if self.rounds < 1:
            raise ValueError("rounds must be at least 1")
