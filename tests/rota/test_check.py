"""The rota checker names every broken working-time rule, lock and absence, in bokmål and English."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from hjemme.rota.check import PersonLoad, check_rota, describe, person_loads
from hjemme.rota.problem import RotaRules
from tests.rota.factories import problem, team


def cells_of(line: str, staff_id: str = "s0") -> dict[tuple[str, int], str]:
    return {(staff_id, d): c for d, c in enumerate(line) if c != "."}


def codes(p, line: str) -> list[str]:
    return [b.code for b in check_rota(p, cells_of(line)) if b.hard]


def test_evening_then_day_breaks_the_daily_rest():
    """Evening (ends 22:30) then day (starts 07:30) leaves 9 h, under 11 h; named with hours."""
    p = problem()
    breaches = [b for b in check_rota(p, cells_of("ED............")) if b.code == "rest"]
    assert len(breaches) == 1
    assert describe(breaches[0], p, "nb") == "Nurse 0: bare 9 t hvile mellom vakter (minst 11 t), 30.11.2026"
    assert (
        describe(breaches[0], p, "en") == "Nurse 0: only 9 h rest between shifts (at least 11 h), 30 Nov 2026"
    )
    assert "rest" not in codes(p, "DE............")


def test_night_then_day_breaks_the_daily_rest():
    """A night (ends 07:45) followed by a day shift the same morning is a breach."""
    assert "rest" in codes(problem(), "ND............")


def test_weekly_rest_needs_a_long_enough_free_period():
    """Six shifts and a lone free day boxed in by an evening and a day shift (33 h) breaks 35 h rest;
    two free days keep it."""
    rules = RotaRules(max_consecutive_days=7)
    assert "weekly_rest" in codes(problem(rules=rules), "DDDDE.D.......")
    assert "weekly_rest" not in codes(problem(rules=rules), "DDDD..D.......")


def test_consecutive_days():
    """Seven working days in a row break a maximum of six."""
    assert "consecutive" in codes(problem(), "DDDDDDD.......")
    assert "consecutive" not in codes(problem(), "DDDDDD........")


def test_weekends_in_a_cycle():
    """Two weekends in a row worked break 'every other weekend off'; one in two is fine."""
    assert "weekends" in codes(problem(), ".....D......D.")
    assert "weekends" not in codes(problem(), ".....DD.......")


def test_hours_per_week_and_per_day():
    """A week of 6 nights (57 h) breaks 48 h; a shift longer than the daily limit is named."""
    assert "hours_week" in codes(problem(), "NNN.NNN.......")
    assert "hours_day" in codes(problem(rules=RotaRules(max_hours_day=9)), "N.............")


def test_absent_and_locked_cells():
    """A shift on an absence day and a changed locked cell are both breaches."""
    p = problem(unavailable=frozenset({("s0", 2)}), locks={("s0", 4): "E"})
    found = codes(p, "..D...........")
    assert "absent" in found and "locked" in found


def test_cover_and_contract_are_warnings():
    """Missing cover and hours far from the contract are warnings, not broken rules."""
    breaches = check_rota(problem(), cells_of("D.............", "s1") | cells_of("D.............", "s2"))
    assert {b.code for b in breaches if not b.hard} >= {"under_cover", "skill_cover", "contract"}
    assert not [b for b in breaches if b.hard]


def test_a_short_handed_shift_is_one_warning_naming_the_skill_it_lacks():
    """A day shift needing 2 (1 with IV therapy) with nobody on is one warning that names both
    shortfalls; with two on duty but neither with IV therapy, the skill alone is named."""
    p = problem()
    empty = [b for b in check_rota(p, {}) if b.day == 0 and b.values.get("shift") == "D"]
    assert [b.code for b in empty] == ["under_cover"]
    names = {"iv_therapy": "IV-behandling"}
    assert describe(empty[0], p, "nb", names) == "30.11.2026 D: 0 av 2 på vakt, 0 av 1 med IV-behandling"
    assert describe(empty[0], p, "en", {"iv_therapy": "IV therapy"}) == (
        "30 Nov 2026 D: 0 of 2 on duty, 0 of 1 with IV therapy"
    )
    no_iv = cells_of("D.............", "s1") | cells_of("D.............", "s2")  # s0, s3 … have IV
    day0 = [b for b in check_rota(p, no_iv) if b.day == 0 and b.values.get("shift") == "D"]
    assert [describe(b, p, "nb", names) for b in day0] == ["30.11.2026 D: 0 av 1 med IV-behandling"]
    evening = next(b for b in check_rota(p, no_iv) if b.day == 0 and b.values.get("shift") == "E")
    assert describe(evening, p, "en") == "30 Nov 2026 E: 0 of 1 on duty"


def test_hours_with_a_fraction_are_written_with_the_languages_decimal_mark():
    """A night (ends 07:45) then an evening (starts 15:00) leaves 7¼ h: bokmål writes 7,2 t, English 7.2 h."""
    p = problem()
    breach = next(b for b in check_rota(p, cells_of("NE............")) if b.code == "rest")
    assert describe(breach, p, "nb") == "Nurse 0: bare 7,2 t hvile mellom vakter (minst 11 t), 30.11.2026"
    assert describe(breach, p, "en") == "Nurse 0: only 7.2 h rest between shifts (at least 11 h), 30 Nov 2026"


def test_person_loads_count_hours_nights_and_weekends_against_the_contract():
    """Day 8 h, evening 7.5 h, two nights 9.5 h each and two weekends worked (Sunday 6 December and
    Saturday 12 December); a half-time contract and a week's absence lower the contracted hours."""
    p = replace(
        problem(n=2, unavailable=frozenset(("s1", d) for d in range(7))),
        staff=(team(2)[0], replace(team(2)[1], contract_pct=50)),
    )
    loads = person_loads(p, cells_of("DENN..D.....E.") | cells_of(".......D.D....", "s1"))
    full = p.rules.full_time_week_min * 2  # two weeks at 100 %
    assert loads["s0"] == PersonLoad(480 * 2 + 450 * 2 + 570 * 2, full, nights=2, weekends=2)
    assert loads["s1"] == PersonLoad(960, full * 0.5 / 2, nights=0, weekends=0)
    assert loads["s0"].off_contract(10)  # 50 h of 71
    assert not loads["s1"].off_contract(10)  # 16 h of 17.75, within 10 %


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="DEN.", min_size=14, max_size=14))
def test_the_contract_warning_is_given_exactly_when_the_load_is_off_contract(line: str):
    """Whatever the line, the hours shown add up its shifts, and the checker warns of the contract
    exactly when they lie more than 10 % from two weeks of 35.5 h (4,260 minutes)."""
    p = problem(n=1)
    cells = cells_of(line)
    load = person_loads(p, cells)["s0"]
    planned = sum({"D": 480, "E": 450, "N": 570}[c] for c in line if c != ".")
    assert load.minutes == planned and load.target_minutes == 4260
    assert load.nights == line.count("N")
    assert load.weekends == any(c != "." for c in line[5:7]) + any(c != "." for c in line[12:14])
    warned = any(b.code == "contract" for b in check_rota(p, cells))
    assert warned == (abs(planned - 4260) > 426) == load.off_contract(p.rules.contract_tolerance_pct)
