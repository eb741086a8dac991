"""Deep mode: synthetic days routed by the day planner, compared with fast mode on the same stops."""

from __future__ import annotations

from hjemme.catalogue import load_catalogue
from hjemme.scenario.deep import DeepParams, day_tasks, run_deep, split_by_origin
from hjemme.scenario.model import ProjectionModel

TINY = DeepParams(time_limit_s=0.2, census_scale=0.03)


def test_alt1_ships_everything_from_the_logistics_centre(default_model: ProjectionModel) -> None:
    """Under Alt 1 all goods leave the logistics centre; under Alt 3 they leave several sites."""
    catalogue = load_catalogue()
    _n, tasks = day_tasks(catalogue, default_model, 2030, 0, 1, TINY)
    assert tasks
    assert set(split_by_origin(tasks, default_model, "alt1", catalogue)) == {"logistics_centre"}
    assert len(split_by_origin(tasks, default_model, "alt3", catalogue)) > 1


def test_deep_day_is_planned_validly_and_reported_beside_fast_mode(default_model: ProjectionModel) -> None:
    """A tiny deep day is planned without validator violations and reports fast and deep km and vehicles."""
    deep = run_deep(default_model, days=1, seed=1, year=2030, params=TINY, alternatives=["alt1", "alt2"])
    rows = {r["alternative"]: r for r in deep["rows"]}
    assert set(rows) == {"alt1", "alt2"}
    for row in rows.values():
        assert row["validator_violations"] == 0
        assert row["deep_km_per_day"] > 0 and row["fast_km_per_day"] > 0
        assert row["deep_vehicles"] >= 1
    assert "ruteplanleggeren" in deep["status"]
