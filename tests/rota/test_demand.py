"""Demand per shift and skill from the forecast work, with its uncertainty band."""

from __future__ import annotations

from hjemme.rota.demand import DayWork, DemandParams, forecast_demand, shift_of


def test_shift_of_visit_start():
    """Visits from 07:00 are day, from 15:00 evening, from 22:00 (and before 07:00) night."""
    assert [shift_of(m) for m in (8 * 60, 16 * 60, 23 * 60, 3 * 60)] == ["D", "E", "N", "N"]


def test_minutes_become_people_with_travel_and_skills():
    """660 visit minutes by day (with 45 % travel) need ceil(957/330) = 3 people, 1 of them with IV."""
    work = [DayWork({("D", "nurse"): 540.0, ("D", "iv_therapy"): 120.0}, {}, patients=10)]
    (day, evening, night) = forecast_demand(work)
    assert (day.shift, day.total, day.by_skill) == ("D", 3, {"iv_therapy": 1})
    assert evening.total == 0 and night.total == 0


def test_floor_applies_without_work():
    """A day shift is staffed by at least one even without visits (configurable floor)."""
    cells = forecast_demand([DayWork({}, {}, 0)], params=DemandParams(minimum={"D": 1, "E": 1, "N": 0}))
    assert [c.total for c in cells] == [1, 1, 0]


def test_census_held_steady_and_band_widens_as_known_stays_end():
    """When known stays fall from 10 to 5 patients, expected admissions make up the census (the demand
    stays) and the uncertainty band opens; on day 0 it is closed."""
    work = [
        DayWork({("D", "nurse"): 660.0}, {}, patients=10),
        DayWork({("D", "nurse"): 330.0}, {}, patients=5),
    ]
    first, _, _, second, _, _ = forecast_demand(work)
    assert first.total == second.total == 3
    assert first.high - first.low == 0 and second.high - second.low > 0.5
