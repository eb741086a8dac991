"""The independent evaluator scores hand-made rosters: each penalty and each hard rule, held and broken."""

from __future__ import annotations

from hjemme.rota.benchmark.evaluate import read_roster_xml, score_roster
from tests.rota.benchmark_text import tiny_instance


def roster(line: str, employee: str = "A") -> dict[str, list[tuple[int, str]]]:
    """``'DD..N..'`` → A's assignments (``.`` is a day off)."""
    return {employee: [(day, s) for day, s in enumerate(line) if s != "."]}


def rules(text: str, line: str) -> list[str]:
    return [b.rule for b in score_roster(text, roster(line)).breaches]


def test_a_clean_roster_costs_nothing():
    """A roster that meets every rule, request and cover scores zero with no breach."""
    score = score_roster(tiny_instance(cover="0,D,1,100,1"), roster("DD..DD."))
    assert score.feasible and score.objective == 0


def test_unmet_shift_on_request_costs_its_weight():
    """A shift-on request not granted costs its weight; granted, nothing."""
    text = tiny_instance(on="A,2,D,3")
    assert score_roster(text, roster("DD..DD.")).shift_on == 3
    assert score_roster(text, roster("..DD...")).shift_on == 0


def test_met_shift_off_request_costs_its_weight():
    """A shift-off request that is worked anyway costs its weight; a different shift that day does not."""
    text = tiny_instance(off="A,0,D,4")
    assert score_roster(text, roster("DD.....")).shift_off == 4
    assert score_roster(text, roster("NN.....")).shift_off == 0


def test_under_cover_costs_weight_per_missing_person():
    """Two needed, nobody there: twice the under weight."""
    score = score_roster(tiny_instance(cover="3,D,2,100,1"), roster("DD....."))
    assert score.under_cover == 200 and score.over_cover == 0


def test_over_cover_costs_weight_per_extra_person():
    """Nobody needed, one there: once the over weight."""
    score = score_roster(tiny_instance(cover="0,D,0,100,5"), roster("DD....."))
    assert score.over_cover == 5 and score.under_cover == 0


def test_days_off_are_hard():
    """Working a day off is a breach."""
    assert "day off" in rules(tiny_instance(days_off="A,1"), "DD.....")
    assert rules(tiny_instance(days_off="A,2"), "DD.....") == []


def test_forbidden_successor():
    """N may not be followed by D the next day; D after N with a day between is fine."""
    assert "shift rotation" in rules(tiny_instance(), "ND.....")
    assert rules(tiny_instance(), "NN..DD.") == []


def test_max_shifts_per_type():
    """More shifts of a type than the employee's maximum (or a type they may not work) is a breach."""
    assert "max shifts" in rules(tiny_instance(staff="A,D=1|N=7,4800,0,3,2,2,1"), "DD.....")
    assert "max shifts" in rules(tiny_instance(staff="A,D=7,4800,0,3,2,2,1"), "NN.....")


def test_total_minutes_bounds():
    """Total minutes above the maximum or below the minimum are breaches."""
    assert "total minutes" in rules(tiny_instance(staff="A,D=7|N=7,900,0,3,2,2,1"), "DD.....")
    assert "total minutes" in rules(tiny_instance(staff="A,D=7|N=7,4800,1000,3,2,2,1"), "DD.....")


def test_max_consecutive_shifts():
    """Four shifts in a row break a maximum of three; the horizon's edge does not reset the count."""
    assert "max consecutive shifts" in rules(tiny_instance(), "DDDD...")
    assert rules(tiny_instance(), "DDD..DD") == []


def test_min_consecutive_shifts_inside_the_horizon():
    """A lone shift between days off breaks a minimum of two; at the horizon's edge it does not."""
    assert "min consecutive shifts" in rules(tiny_instance(), "..D....")
    assert rules(tiny_instance(), "D......") == []
    assert rules(tiny_instance(), "......D") == []


def test_min_consecutive_days_off():
    """A single day off between shifts breaks a minimum of two days off."""
    assert "min consecutive days off" in rules(tiny_instance(), "DD.DD..")
    assert rules(tiny_instance(), "DD..DD.") == []


def test_max_weekends():
    """Working Saturday of one weekend and Sunday of the next is two weekends, over a maximum of one."""
    text = tiny_instance(horizon=14)
    assert "max weekends" in rules(text, ".....DD.....DD")
    assert rules(text, ".....DD.......") == []


def test_two_shifts_a_day_and_unknown_names():
    """Two shifts on one day, an unknown shift or an unknown employee are breaches."""
    text = tiny_instance()
    assert "one shift a day" in [b.rule for b in score_roster(text, {"A": [(0, "D"), (0, "N")]}).breaches]
    assert "unknown day or shift" in rules(text, "X......")
    assert "unknown employee" in [b.rule for b in score_roster(text, roster("DD.....", "Z")).breaches]


def test_roster_xml_is_read():
    """The benchmark's XML roster format yields each employee's (day, shift) assignments."""
    xml = (
        "<Roster><SchedulingPeriodFile>x.ros</SchedulingPeriodFile><Employee ID='A'>"
        "<Assign><Day>0</Day><Shift>D</Shift></Assign><Assign><Day>3</Day><Shift>N</Shift></Assign>"
        "</Employee></Roster>"
    )
    assert read_roster_xml(xml) == {"A": [(0, "D"), (3, "N")]}
