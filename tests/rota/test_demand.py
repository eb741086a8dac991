"""Demand per shift and skill from the forecast work, with its uncertainty band."""

from __future__ import annotations

from hjemme.rota.demand import DayWork, DemandParams, forecast_demand, shift_of


def test_shift_of_visit_start():
    """Visits from 07:00 are day, from 15:00 evening, from 22:00 (and before 07:00) night."""
    assert [shift_of(m) for m in (8 * 60, 16 * 60, 23 * 60, 3 * 60)] == ["D", "E", "N", "N"]


def test_minutes_become_people_with_travel_and_skills():
    """660 visit minutes by day (with 45 % travel) need ceil(957/330) = 3 people, 1 of them with IV."""
    work = {"ahs": [DayWork({("D", "nurse"): 540.0, ("D", "iv_therapy"): 120.0}, {}, patients=10)]}
    (day, evening, night) = forecast_demand(work)
    assert (day.shift, day.total, day.by_skill) == ("D", 3, {"iv_therapy": 1})
    assert evening.total == 0 and night.total == 0


def test_floor_applies_without_work():
    """A day shift is staffed by at least one even without visits (configurable floor)."""
    cells = forecast_demand({"ahs": [DayWork({}, {}, 0)]}, params=DemandParams(minimum={"D": 1, "E": 1, "N": 0}))
    assert [c.total for c in cells] == [1, 1, 0]
    nobody = forecast_demand({}, days=2)  # a team with no patients yet still staffs its day shifts
    assert [(c.day, c.shift, c.total) for c in nobody] == [(0, "D", 1), (0, "E", 0), (0, "N", 0),
                                                          (1, "D", 1), (1, "E", 0), (1, "N", 0)]


def test_census_held_steady_and_band_widens_as_known_stays_end():
    """When known stays fall from 10 to 5 patients, expected admissions make up the census (the demand
    stays) and the uncertainty band opens; on day 0 it is closed."""
    work = {"ahs": [
        DayWork({("D", "nurse"): 660.0}, {}, patients=10),
        DayWork({("D", "nurse"): 330.0}, {}, patients=5),
    ]}
    first, _, _, second, _, _ = forecast_demand(work)
    assert first.total == second.total == 3
    assert first.high - first.low == 0 and second.high - second.low > 0.5


def test_a_busy_short_stay_that_ends_is_replaced_by_one_of_its_own_pathway():
    """A team has 10 hospital-at-home patients (66 visit minutes a day each) whose stays all end after
    day 0, and 40 digital follow-ups (no visits) that go on. New admissions replace the ten at their
    pathway's rate, so the day shifts stay at ceil(10 · 66 · 1.45 / 330) = 3; a team-wide average of
    minutes per patient would have dropped them to 1."""
    busy = [DayWork({("D", "nurse"): 660.0}, {}, patients=10), DayWork({}, {}, patients=0)]
    quiet = [DayWork({}, {("D", "nurse"): 0.0}, patients=40)] * 2
    first, _, _, second, _, _ = forecast_demand({"ahs_lung": busy, "dho_copd": quiet})
    assert first.total == second.total == 3
    assert first.high == first.low and second.high - second.low > 2  # ten Poisson admissions: a wide band


def test_a_rota_planned_weeks_ahead_is_staffed_for_todays_census():
    """Today 10 short stays cause 660 visit minutes; all end before the period, which starts in two
    days. The period's cells (numbered from its first day) still need the 3 people of today's census,
    not the day-shift floor of an empty forecast."""
    work = {"ahs": [DayWork({("D", "nurse"): 660.0}, {}, patients=10)] + [DayWork({}, {}, patients=0)] * 3}
    cells = forecast_demand(work, first=2)
    assert [(c.day, c.shift, c.total) for c in cells if c.shift == "D"] == [(0, "D", 3), (1, "D", 3)]
