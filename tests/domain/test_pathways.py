"""Day schedules of pathway activities."""

from hypothesis import given
from hypothesis import strategies as st

from hjemme.domain.pathways import DaySchedule


def test_every_other_day_from_day_one() -> None:
    """Wound care every second day from day 1 falls on days 1, 3, 5 of a week's stay."""
    schedule = DaySchedule(every_days=2, first_day=1)
    assert [d for d in range(7) if schedule.applies(d, 7)] == [1, 3, 5]


def test_last_day_only() -> None:
    """A device pick-up pinned to the last day happens once, on the last day."""
    schedule = DaySchedule(on_last_day=True)
    assert [d for d in range(10) if schedule.applies(d, 10)] == [9]


def test_explicit_days_win_over_recurrence() -> None:
    """Explicit days list exactly those days that fall inside the stay."""
    schedule = DaySchedule(days=(0, 14, 28))
    assert [d for d in range(20) if schedule.applies(d, 20)] == [0, 14]


@given(st.integers(1, 10), st.integers(0, 5), st.integers(1, 60))
def test_never_outside_the_stay(every: int, first: int, length: int) -> None:
    """No activity is scheduled before day 0 or after the last day of the stay."""
    schedule = DaySchedule(every_days=every, first_day=first)
    assert not schedule.applies(-1, length)
    assert not schedule.applies(length, length)
