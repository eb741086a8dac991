"""Instances shaped like Mankowska et al.'s (issue 16), for sizes the samples lack (25–300 patients).

Shaped after the ten published 10-patient instances: patients and the office uniform on a
100 × 100 square (travel time = Euclidean distance, 3 decimals), windows 120 minutes wide opening
uniformly in [0, 480], one service duration per instance in [10, 20], six services of two kinds
(s1–s3, s4–s6), 30 % of patients needing two caregivers (a third of them simultaneous, the rest
sequential with a gap ``[g, 2g]``, ``g`` in [1, 60]), three caregivers per ten patients (40 at most)
with two or three abilities of one kind. These have no published solutions: they measure speed,
validity and how much a longer search still finds, not the gap to the literature.
"""

from __future__ import annotations

import math
import random
from typing import Any


def mankowska_like(patients: int, seed: int, caregivers: int | None = None) -> dict[str, Any]:
    """An instance in the ``iolab-uniud/hhcrsp`` JSON format; ``caregivers`` overrides the default
    three per ten patients (Mankowska's own sets have one per five patients, 40 at most)."""
    rng = random.Random(seed * 1009 + patients)
    if caregivers is None:
        caregivers = min(40, max(3, round(patients * 0.3)))
    duration = float(rng.randint(10, 20))
    points = [(float(rng.randint(0, 100)), float(rng.randint(0, 100))) for _ in range(patients + 1)]
    kinds = (("s1", "s2", "s3"), ("s4", "s5", "s6"))
    cgs = []
    for i in range(caregivers):
        kind = kinds[0] if i % 3 == 0 else kinds[1]
        cgs.append({"id": f"c{i + 1}", "abilities": sorted(rng.sample(kind, rng.choice((2, 3))))})
    for kind_index, kind in enumerate(kinds):
        # every service has someone: a missing one goes to a caregiver of its kind
        mine = [c for i, c in enumerate(cgs) if (i % 3 == 0) == (kind_index == 0)]
        for service in kind:
            if not any(service in c["abilities"] for c in mine):
                target = rng.choice(mine)
                target["abilities"] = sorted({*target["abilities"], service})
    pts = []
    doubles = round(patients * 0.3)
    for j in range(patients):
        start = float(rng.randint(0, 480))
        entry: dict[str, Any] = {
            "id": f"p{j + 1}",
            "location": list(points[j + 1]),
            "time_window": [start, start + 120],
        }
        if j < patients - doubles:
            kind = rng.choice(kinds)
            entry["required_caregivers"] = [{"service": rng.choice(kind), "duration": duration}]
        else:
            entry["required_caregivers"] = [
                {"service": rng.choice(kinds[0]), "duration": duration},
                {"service": rng.choice(kinds[1]), "duration": duration},
            ]
            if (j - (patients - doubles)) % 3 == 0:
                entry["synchronization"] = {"type": "simultaneous"}
            else:
                gap = rng.randint(1, 60)
                entry["synchronization"] = {"type": "sequential", "distance": [gap, 2 * gap]}
        pts.append(entry)
    distances = [[round(math.dist(a, b), 3) for b in points] for a in points]
    return {
        "patients": pts,
        "services": [{"id": f"s{i}", "default_duration": duration} for i in range(1, 7)],
        "caregivers": cgs,
        "central_offices": [{"id": "d", "location": list(points[0])}],
        "distances": distances,
    }
