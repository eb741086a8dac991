"""Generalised quasi-identifiers and the k-anonymity check (issue 12, item 3)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from hypothesis import given
from hypothesis import strategies as st

from hjemme.domain.research import age_band, check_k_anonymity, iso_week

ROWS = st.lists(
    st.fixed_dictionaries({"who": st.integers(0, 30), "band": st.sampled_from(["0-9", "70-79", "90+"]),
                           "area": st.sampled_from(["alna", "frogner", "grorud"])}),
    max_size=80,
)


def test_age_bands_are_ten_years_wide_and_open_from_ninety() -> None:
    """Ages fall in ten-year bands; 90 and older share one band; wider bands are possible."""
    on = dt.date(2026, 6, 1)
    assert [age_band(y, on) for y in (2026, 1957, 1947, 1937, 1936, 1900)] == [
        "0-9", "60-69", "70-79", "80-89", "90+", "90+"]
    assert age_band(1950, on, 20) == "60-79" and age_band(1940, on, 20) == "80+"


def test_dates_become_iso_weeks() -> None:
    """A date is generalised to its ISO week (the ISO year, so 2026-12-31 is in 2026-W53)."""
    assert iso_week(dt.date(2026, 11, 23)) == "2026-W48"
    assert iso_week(dt.date(2027, 1, 1)) == "2026-W53"


def test_a_group_below_k_is_named_with_its_size() -> None:
    """A combination shared by fewer than k subjects is reported with its values and its size."""
    rows = [{"who": i, "band": "70-79", "area": "alna"} for i in range(5)] + [
        {"who": 9, "band": "90+", "area": "grorud"}, {"who": 9, "band": "90+", "area": "grorud"}]
    result = check_k_anonymity(rows, ("band", "area"), 5, subject="who")
    assert not result.holds
    (rare,) = result.rare
    assert rare.values == {"band": "90+", "area": "grorud"} and rare.patients == 1  # one person, two rows


def test_groups_of_k_or_more_pass() -> None:
    """When every combination is shared by at least k subjects the check holds."""
    rows = [{"who": i, "band": "70-79", "area": "alna"} for i in range(5)]
    result = check_k_anonymity(rows, ("band", "area"), 5, subject="who")
    assert result.holds and result.smallest == 5


@given(rows=ROWS, k=st.integers(1, 6))
def test_a_passing_check_means_every_group_has_k_subjects(rows: list[dict[str, object]], k: int) -> None:
    """Whatever the rows: the check holds exactly when every quasi-identifier group has ≥ k subjects,
    and the rare groups it names are exactly those below k."""
    members: dict[tuple[object, object], set[object]] = defaultdict(set)
    for row in rows:
        members[(row["band"], row["area"])].add(row["who"])
    result = check_k_anonymity(rows, ("band", "area"), k, subject="who")
    small = {key for key, people in members.items() if len(people) < k}
    assert result.holds == (not small)
    assert {(g.values["band"], g.values["area"]) for g in result.rare} == small
