"""Times of day and time windows."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hjemme.domain.time import TimeWindow, format_hhmm, parse_hhmm


def test_parse_and_format_round_trip_named_times() -> None:
    """A coordinator's HH:MM reads as minutes after midnight and prints back the same."""
    assert parse_hhmm("07:30") == 450
    assert format_hhmm(450) == "07:30"
    assert parse_hhmm("24:00") == 1440


@pytest.mark.parametrize("bad", ["7.30", "25:00", "12:60", "", "ab:cd", "24:01"])
def test_parse_rejects_what_is_not_a_time(bad: str) -> None:
    """Anything that is not HH:MM within one day is refused with the offending text."""
    with pytest.raises(ValueError, match="not a time of day"):
        parse_hhmm(bad)


@given(st.integers(min_value=0, max_value=1440))
def test_every_minute_of_the_day_round_trips(minute: int) -> None:
    """Formatting then parsing any minute of the day returns it unchanged."""
    assert parse_hhmm(format_hhmm(minute)) == minute


def test_window_must_lie_within_one_day_and_be_ordered() -> None:
    """A window ending before it starts is an error, not an empty window."""
    with pytest.raises(ValueError):
        TimeWindow(600, 500)
    assert TimeWindow.parse("08:00", "10:00").contains(540)
    assert not TimeWindow.parse("08:00", "10:00").contains(601)


def test_hospital_day_is_oslo_time() -> None:
    """Just after midnight in Oslo it is already tomorrow for the hospital, while UTC is still today."""
    import datetime as dt

    from hjemme.domain.time import at_local, local_date, local_minute

    late_utc = dt.datetime(2026, 11, 23, 23, 30, tzinfo=dt.UTC)
    assert local_date(late_utc) == dt.date(2026, 11, 24)
    assert local_minute(late_utc) == 30
    summer = at_local(dt.date(2026, 7, 1), 600)
    assert summer.astimezone(dt.UTC).hour == 8  # CEST is UTC+2
