"""Times of day and time windows."""

import pytest
from hypothesis import example, given
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


# -- moments as people read them: Oslo wall clock with the date, across both DST changes (issue 11) --

import datetime as dt  # noqa: E402

from hjemme.domain.time import (  # noqa: E402
    HOSPITAL_TZ,
    at_local,
    format_local,
    format_local_date,
    local_date,
    local_minute,
)

UTC = dt.UTC
SPRING = dt.date(2026, 3, 29)  # last Sunday of March: 02:00 CET → 03:00 CEST
AUTUMN = dt.date(2026, 10, 25)  # last Sunday of October: 03:00 CEST → 02:00 CET


@pytest.mark.parametrize(
    ("utc", "nb", "en"),
    [
        # spring: the minute before and the minute of the change, and either side of midnight
        (dt.datetime(2026, 3, 28, 22, 59, tzinfo=UTC), "28.03.2026 23:59", "28 Mar 2026 23:59"),
        (dt.datetime(2026, 3, 28, 23, 0, tzinfo=UTC), "29.03.2026 00:00", "29 Mar 2026 00:00"),
        (dt.datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "29.03.2026 01:59", "29 Mar 2026 01:59"),
        (dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29.03.2026 03:00", "29 Mar 2026 03:00"),
        (dt.datetime(2026, 3, 29, 21, 59, tzinfo=UTC), "29.03.2026 23:59", "29 Mar 2026 23:59"),
        (dt.datetime(2026, 3, 29, 22, 0, tzinfo=UTC), "30.03.2026 00:00", "30 Mar 2026 00:00"),
        # autumn: 02:00–03:00 happens twice, so those moments carry their zone
        (dt.datetime(2026, 10, 24, 21, 59, tzinfo=UTC), "24.10.2026 23:59", "24 Oct 2026 23:59"),
        (dt.datetime(2026, 10, 24, 22, 0, tzinfo=UTC), "25.10.2026 00:00", "25 Oct 2026 00:00"),
        (dt.datetime(2026, 10, 24, 23, 59, tzinfo=UTC), "25.10.2026 01:59", "25 Oct 2026 01:59"),
        (dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "25.10.2026 02:30 CEST", "25 Oct 2026 02:30 CEST"),
        (dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "25.10.2026 02:30 CET", "25 Oct 2026 02:30 CET"),
        (dt.datetime(2026, 10, 25, 2, 0, tzinfo=UTC), "25.10.2026 03:00", "25 Oct 2026 03:00"),
        (dt.datetime(2026, 10, 25, 22, 59, tzinfo=UTC), "25.10.2026 23:59", "25 Oct 2026 23:59"),
        (dt.datetime(2026, 10, 25, 23, 0, tzinfo=UTC), "26.10.2026 00:00", "26 Oct 2026 00:00"),
    ],
)
def test_a_utc_moment_reads_as_oslo_wall_clock_with_its_date(utc: dt.datetime, nb: str, en: str) -> None:
    """A stored UTC moment shows Oslo's clock and calendar date on each side of both DST changes."""
    assert format_local(utc) == nb
    assert format_local(utc, "en") == en


def test_the_same_moment_reads_the_same_from_any_zone() -> None:
    """Where a moment came from (UTC, Oslo, New York) does not change how it is shown."""
    moment = dt.datetime(2026, 7, 1, 8, 5, 9, tzinfo=UTC)
    for zone in (UTC, HOSPITAL_TZ, dt.timezone(dt.timedelta(hours=-4))):
        assert format_local(moment.astimezone(zone)) == "01.07.2026 10:05"
    assert format_local(moment, seconds=True) == "01.07.2026 10:05:09"


def test_a_moment_without_a_zone_is_refused() -> None:
    """A naive datetime is an error, never silently read as UTC or as Oslo time."""
    with pytest.raises(ValueError, match="no time zone"):
        format_local(dt.datetime(2026, 11, 29, 10, 5))


def test_dates_in_both_languages() -> None:
    """A calendar date reads 05.01.2027 in bokmål and 5 Jan 2027 in English."""
    assert format_local_date(dt.date(2027, 1, 5)) == "05.01.2027"
    assert format_local_date(dt.date(2027, 1, 5), "en") == "5 Jan 2027"


def test_clock_times_on_the_days_the_clocks_change() -> None:
    """A plan's 02:30 on the spring day does not exist and is read as 03:30 summer time; on the
    autumn day it exists twice and is its first (summer-time) occurrence."""
    spring = at_local(SPRING, 150)
    assert spring.astimezone(UTC) == dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert format_local(spring) == "29.03.2026 03:30"
    assert local_minute(spring) == 210 and local_date(spring) == SPRING
    autumn = at_local(AUTUMN, 150)
    assert autumn.astimezone(UTC) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert format_local(autumn) == "25.10.2026 02:30 CEST"
    assert at_local(AUTUMN, 600).astimezone(UTC).hour == 9  # 10:00 CET after the change


_SHOWN = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 12, 31), timezones=st.just(UTC)
)


@given(_SHOWN, _SHOWN)
def test_two_different_minutes_never_read_the_same(a: dt.datetime, b: dt.datetime) -> None:
    """What a person reads names exactly one minute, also in the hour October repeats."""
    a, b = a.replace(second=0, microsecond=0), b.replace(second=0, microsecond=0)
    assert (format_local(a) == format_local(b)) == (a == b)


@given(_SHOWN)
@example(dt.datetime(2027, 10, 31, 0, 0, tzinfo=UTC))  # 02:00 CEST, the repeated hour's first minute
@example(dt.datetime(2027, 10, 31, 1, 0, tzinfo=UTC))  # 02:00 CET, its second occurrence
def test_the_text_shown_reads_back_as_the_moment(moment: dt.datetime) -> None:
    """Read back as Oslo wall clock (the zone, when shown, picks the occurrence), the text is the moment."""
    text = format_local(moment)
    day, clock, *zone = text.split(" ")
    wall = dt.datetime.strptime(f"{day} {clock}", "%d.%m.%Y %H:%M")
    fold = 1 if zone == ["CET"] else 0
    back = wall.replace(tzinfo=HOSPITAL_TZ, fold=fold)
    # compared in UTC: Python never calls a moment of the repeated hour equal to one in another zone
    # (PEP 495), so `back == moment` would fail on 02:00 CEST even when it is the same moment
    assert back.astimezone(UTC) == moment.replace(second=0, microsecond=0)
    assert format_local_date(back.date()) == day
