"""Independent validator and scorer of HHCRSP solutions (issue 16).

It reads the solution as written (the times in the file, not a re-computed schedule) and shares no
code with :mod:`hjemme.planning.hhc.solver`. Rules, as the benchmark defines them:

- every required service of every patient is done exactly once, by a caregiver with the ability,
  not by a caregiver incompatible with the patient, and a patient's two services by two caregivers;
- a service lasts at least its duration and starts no earlier than the patient's window opens (the
  window's end is soft: starting later is *tardiness*);
- a caregiver can reach each location: the first start is no earlier than the shift start (0 without
  a shift) plus the travel from the start point; the next start no earlier than the previous
  departure plus the travel;
- simultaneous services start at the same minute; a sequential second service starts ``min``–``max``
  after the first listed one.

Comparisons are exact (``tolerance=0``), as in the authors' validator; published solutions, whose
times are rounded to three decimals, are checked with ``tolerance=1e-3``.

Costs. Mankowska: ``(total distance + total tardiness + maximum tardiness) / 3``. Extended: the six
``cost_components`` of the published solutions — ``EHHC_TravelTime``, ``EHHC_TotalTardiness``,
``EHHC_HighestTardiness``, ``EHHC_TotalExtraTime`` (return to the start point after the shift's end,
summed), ``EHHC_TotalWaitingTime`` (a caregiver waiting at a patient before starting, summed; the
first visit has none, the caregiver leaves just in time), ``EHHC_MaxIdleTime`` (per caregiver with
visits: the shift start until leaving + the waits + returning until the shift's end; the largest) —
each reproduces the published components of the four sample solutions exactly — and, as the
repository publishes no weights, their unweighted mean as the objective (:data:`EXTENDED_WEIGHTS`,
the analogue of Mankowska's mean of three).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hjemme.planning.hhc.format import Instance, Solution

EXTENDED_WEIGHTS = {
    "EHHC_TravelTime": 1 / 6,
    "EHHC_TotalTardiness": 1 / 6,
    "EHHC_HighestTardiness": 1 / 6,
    "EHHC_TotalExtraTime": 1 / 6,
    "EHHC_TotalWaitingTime": 1 / 6,
    "EHHC_MaxIdleTime": 1 / 6,
}


@dataclass(frozen=True, slots=True)
class Score:
    """What the checker found: rule violations (empty = valid), cost components and the objective."""

    violations: tuple[str, ...]
    components: dict[str, float] = field(default_factory=dict)
    objective: float = 0.0

    @property
    def valid(self) -> bool:
        return not self.violations


def score_solution(instance: Instance, solution: Solution, tolerance: float = 0.0) -> Score:
    """Check ``solution`` against ``instance`` by the benchmark's rules and compute its objective."""
    eps = tolerance
    bad: list[str] = []
    patients = {p.id: p for p in instance.patients}
    caregivers = {c.id: c for c in instance.caregivers}
    dist = instance.distances
    done: dict[tuple[str, str], list[tuple[str, float]]] = {}
    seen_caregivers: set[str] = set()
    travel = total_tard = max_tard = extra = waiting = max_idle = 0.0
    for route in solution.routes:
        c = caregivers.get(route.caregiver)
        if c is None:
            bad.append(f"unknown caregiver {route.caregiver}")
            continue
        if c.id in seen_caregivers:
            bad.append(f"caregiver {c.id} has two routes")
        seen_caregivers.add(c.id)
        if not route.locations:
            continue
        shift_start, shift_end = c.shift if c.shift is not None else (0.0, None)
        here = c.matrix_index
        free = shift_start
        idle = 0.0
        for position, loc in enumerate(route.locations):
            p = patients.get(loc.patient)
            if p is None:
                bad.append(f"{c.id}: unknown patient {loc.patient}")
                continue
            demand = next((d for d in p.demands if d.service == loc.service), None)
            if demand is None:
                bad.append(f"{c.id}: patient {p.id} does not need service {loc.service}")
                continue
            done.setdefault((p.id, loc.service), []).append((c.id, loc.arrival))
            if loc.service not in c.abilities:
                bad.append(f"{c.id} lacks the ability {loc.service} (patient {p.id})")
            if c.id in p.incompatible:
                bad.append(f"{c.id} is incompatible with patient {p.id}")
            if loc.departure - loc.arrival < demand.duration - eps:
                bad.append(f"{c.id} at {p.id}: service shorter than {demand.duration:g}")
            if loc.arrival < p.window[0] - eps:
                bad.append(
                    f"{c.id} at {p.id}: starts {loc.arrival:g} before the window opens {p.window[0]:g}"
                )
            leg = dist[here][p.matrix_index]
            travel += leg
            reach = free + leg
            if loc.arrival < reach - eps:
                bad.append(f"{c.id} at {p.id}: starts {loc.arrival:g} but cannot arrive before {reach:g}")
            elif position > 0:
                wait = loc.arrival - reach
                waiting += max(wait, 0.0)
                idle += max(wait, 0.0)
            else:
                idle += loc.arrival - leg - shift_start
            tard = max(0.0, loc.arrival - p.window[1])
            total_tard += tard
            max_tard = max(max_tard, tard)
            here = p.matrix_index
            free = loc.departure
        back = dist[here][c.matrix_index]
        travel += back
        if shift_end is not None:
            extra += max(0.0, free + back - shift_end)
            idle += max(0.0, shift_end - free - back)
        max_idle = max(max_idle, idle)
    for p in instance.patients:
        starts: list[float] = []
        for d in p.demands:
            providers = done.get((p.id, d.service), [])
            if not providers:
                bad.append(f"patient {p.id}: service {d.service} not done")
            elif len(providers) > 1:
                bad.append(f"patient {p.id}: service {d.service} done {len(providers)} times")
            else:
                starts.append(providers[0][1])
        if len(p.demands) == 2 and len(starts) == 2:
            who = {done[(p.id, d.service)][0][0] for d in p.demands}
            if len(who) < 2:
                bad.append(f"patient {p.id}: both services by the same caregiver")
            first, second = starts
            if p.sync is not None and p.sync.kind == "simultaneous" and abs(first - second) > eps:
                bad.append(f"patient {p.id}: simultaneous services start at {first:g} and {second:g}")
            if p.sync is not None and p.sync.kind == "sequential":
                gap = second - first
                if first + p.sync.min_gap > second + eps or first + p.sync.max_gap < second - eps:
                    bad.append(
                        f"patient {p.id}: second service {gap:g} after the first, "
                        f"not within [{p.sync.min_gap:g}, {p.sync.max_gap:g}]"
                    )
    if instance.variant == "mankowska":
        components = {"distance": travel, "total_tardiness": total_tard, "max_tardiness": max_tard}
        objective = (travel + total_tard + max_tard) / 3
    else:
        components = {
            "EHHC_TravelTime": travel,
            "EHHC_TotalTardiness": total_tard,
            "EHHC_HighestTardiness": max_tard,
            "EHHC_TotalExtraTime": extra,
            "EHHC_TotalWaitingTime": waiting,
            "EHHC_MaxIdleTime": max_idle,
        }
        objective = sum(EXTENDED_WEIGHTS[k] * v for k, v in components.items())
    return Score(tuple(bad), components, objective)
