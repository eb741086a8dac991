"""The HHCRSP reader, writer and independent checker against the published solutions (issue 16)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from hjemme.errors import InputError
from hjemme.planning.hhc.check import score_solution
from hjemme.planning.hhc.format import (
    Location,
    Route,
    Solution,
    instance_from_json,
    read_instance,
    read_solution,
    solution_from_json,
    solution_to_json,
)

SAMPLES = Path("/work/shared/benchmarks/hhc")
MANKOWSKA = SAMPLES / "mankowska-small"
EXTENDED = SAMPLES / "extended"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="benchmark samples not on this machine")


def _pairs(directory: Path) -> list[tuple[Path, Path]]:
    if not directory.is_dir():
        return []
    return [
        (f, next(directory.glob(f"sol-{f.stem}-*.json")))
        for f in sorted(directory.glob("*.json"))
        if not f.name.startswith("sol-")
    ]


def tiny() -> dict:
    """Office + 3 patients on a line; p3 needs two caregivers at once."""
    return {
        "patients": [
            {"id": "p1", "time_window": [0, 100], "required_caregivers": [{"service": "s1", "duration": 10}]},
            {"id": "p2", "time_window": [50, 60], "required_caregivers": [{"service": "s2"}]},
            {
                "id": "p3",
                "time_window": [0, 200],
                "required_caregivers": [{"service": "s1", "duration": 5}, {"service": "s2", "duration": 5}],
                "synchronization": {"type": "simultaneous"},
            },
        ],
        "services": [{"id": "s1", "default_duration": 10}, {"id": "s2", "default_duration": 20}],
        "caregivers": [{"id": "c1", "abilities": ["s1"]}, {"id": "c2", "abilities": ["s2"]}],
        "central_offices": [{"id": "d", "location": [0, 0]}],
        "distances": [[0, 10, 20, 30], [10, 0, 10, 20], [20, 10, 0, 10], [30, 20, 10, 0]],
    }


def tiny_solution() -> Solution:
    return Solution(
        (
            Route("c1", (Location("p1", "s1", 10, 20), Location("p3", "s1", 80, 85))),
            Route("c2", (Location("p2", "s2", 50, 70), Location("p3", "s2", 80, 85))),
        )
    )


@needs_samples
@pytest.mark.parametrize(("instance", "solution"), _pairs(MANKOWSKA), ids=lambda p: p.stem[:26])
def test_published_mankowska_solutions_are_valid(instance: Path, solution: Path) -> None:
    """Every published 10-patient solution passes the checker (times rounded to 3 decimals)."""
    score = score_solution(read_instance(instance), read_solution(solution), tolerance=1e-3)
    assert score.valid, score.violations
    assert score.objective > 0


@needs_samples
def test_published_10_1_scores_its_published_objective() -> None:
    """(distance + total tardiness + max tardiness) / 3 of the published 10_1 solution is 218.20."""
    score = score_solution(
        read_instance(MANKOWSKA / "InstanzCPLEX_HCSRP_10_1.json"),
        read_solution(next(MANKOWSKA.glob("sol-InstanzCPLEX_HCSRP_10_1-*.json"))),
    )
    assert score.valid
    assert round(score.objective, 2) == 218.20


@needs_samples
@pytest.mark.parametrize(("instance", "solution"), _pairs(EXTENDED), ids=lambda p: p.stem[:12])
def test_extended_components_reproduce_the_published_ones(instance: Path, solution: Path) -> None:
    """All six cost components of each published extended solution are reproduced exactly."""
    published = read_solution(solution)
    score = score_solution(read_instance(instance), published)
    assert score.valid, score.violations
    assert score.components == pytest.approx(published.cost_components)


def test_a_hand_made_valid_solution_scores_distance_and_tardiness() -> None:
    """Tiny instance: distance 10+20+30 + 20+10+30, p3 served together at 80 (no tardiness)."""
    score = score_solution(instance_from_json(tiny()), tiny_solution())
    assert score.valid, score.violations
    assert score.components == {"distance": 120, "total_tardiness": 0, "max_tardiness": 0}
    assert score.objective == pytest.approx(120 / 3)


def test_lateness_is_a_cost_not_a_violation() -> None:
    """Starting p2 20 minutes after its window closes is valid and costs 20 + 20 (total + max)."""
    late = Solution(
        (
            Route("c1", (Location("p1", "s1", 10, 20), Location("p3", "s1", 110, 115))),
            Route("c2", (Location("p2", "s2", 80, 100), Location("p3", "s2", 110, 115))),
        )
    )
    score = score_solution(instance_from_json(tiny()), late)
    assert score.valid, score.violations
    assert score.components["total_tardiness"] == 20
    assert score.objective == pytest.approx((120 + 20 + 20) / 3)


@pytest.mark.parametrize(
    ("route", "index", "change", "message"),
    [
        (1, 1, {"arrival": 81, "departure": 86}, "simultaneous"),
        (0, 0, {"arrival": 5, "departure": 15}, "cannot arrive"),
        (1, 0, {"arrival": 40, "departure": 60}, "before the window opens"),
        (1, 0, {"departure": 60}, "shorter"),
    ],
)
def test_each_broken_rule_is_reported(route: int, index: int, change: dict, message: str) -> None:
    """Breaking synchronisation, travel time, window start or duration is a violation."""
    base = tiny_solution()
    routes = list(base.routes)
    locations = list(routes[route].locations)
    locations[index] = dataclasses.replace(locations[index], **change)
    routes[route] = Route(routes[route].caregiver, tuple(locations))
    score = score_solution(instance_from_json(tiny()), Solution(tuple(routes)))
    assert any(message in v for v in score.violations), score.violations


def test_missing_service_wrong_ability_and_incompatibility_are_reported() -> None:
    """A service nobody does, one done without the ability and by an incompatible caregiver."""
    data = tiny()
    data["patients"][0]["incompatible_caregivers"] = ["c2"]
    wrong = Solution(
        (
            Route("c1", (Location("p3", "s1", 30, 35),)),
            Route("c2", (Location("p1", "s1", 10, 20), Location("p3", "s2", 30, 35))),
        )
    )
    violations = score_solution(instance_from_json(data), wrong).violations
    assert any("p2: service s2 not done" in v for v in violations)
    assert any("c2 lacks the ability s1" in v for v in violations)
    assert any("incompatible" in v for v in violations)


def test_sequential_gap_must_lie_within_its_range() -> None:
    """A sequential pair 5 minutes apart breaks a [10, 20] gap; 15 apart is fine."""
    data = tiny()
    data["patients"][2]["synchronization"] = {"type": "sequential", "distance": [10, 20]}
    ok = tiny_solution()
    assert any("not within" in v for v in score_solution(instance_from_json(data), ok).violations)
    shifted = Solution(
        (ok.routes[0], Route("c2", (ok.routes[1].locations[0], Location("p3", "s2", 95, 100))))
    )
    assert score_solution(instance_from_json(data), shifted).valid


def test_solutions_round_trip_through_json() -> None:
    """Writing a solution and reading it back gives the same routes and times."""
    solution = tiny_solution()
    assert solution_from_json(solution_to_json(solution)).routes == solution.routes


def test_older_patient_id_keys_are_read() -> None:
    """The README's older ``patient_id``/``service_id`` keys read like ``patient``/``service``."""
    data = {
        "routes": [
            {
                "caregiver_id": "c1",
                "locations": [
                    {"patient_id": "p1", "service_id": "s1", "arrival_time": 1, "departure_time": 2}
                ],
            }
        ]
    }
    assert solution_from_json(data).routes[0].locations[0] == Location("p1", "s1", 1, 2)


def test_a_broken_instance_is_an_input_error() -> None:
    """An unknown service is refused with a message naming it."""
    data = tiny()
    data["patients"][0]["required_caregivers"][0]["service"] = "s9"
    with pytest.raises(InputError, match="s9"):
        instance_from_json(data)
