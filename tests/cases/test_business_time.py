"""Business-time arithmetic (``cases.business_time.Schedule``): pure unit tests, no database.

Expected values are built as aware datetimes in the calendar's zone; aware datetimes compare as
instants, so a result in UTC equals the same moment written in New York time.
"""

from __future__ import annotations

import datetime
import types
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.business_time import NoBusinessHours, Schedule

NY = zoneinfo.ZoneInfo("America/New_York")
UTC = datetime.UTC
MIDNIGHT = datetime.time(0, 0)
ONE_MICROSECOND = datetime.timedelta(microseconds=1)

# 2026: MLK Day Mon 19 Jan; 24 and 25 Dec are Thu/Fri. DST starts Sun 8 Mar, ends Sun 1 Nov.
HOLIDAYS = frozenset(
    {
        datetime.date(2026, 1, 19),
        datetime.date(2026, 12, 24),
        datetime.date(2026, 12, 25),
    }
)


def ny(year, month, day, hour=0, minute=0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=NY)


def utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(UTC)


def hours(n: float) -> datetime.timedelta:
    return datetime.timedelta(hours=n)


def weekly(days, *spans) -> dict:
    """``spans`` as ((h, m), (h, m)) pairs on each of ``days``."""
    return {
        day: tuple((datetime.time(*opens), datetime.time(*closes)) for opens, closes in spans)
        for day in days
    }


OFFICE = Schedule(
    time_zone="America/New_York",
    weekly=weekly(range(5), ((9, 0), (17, 0))),
    holidays=HOLIDAYS,
)
ROUND_THE_CLOCK = Schedule(
    time_zone="America/New_York", weekly={day: ((MIDNIGHT, MIDNIGHT),) for day in range(7)}
)
ALWAYS_OPEN = Schedule(
    time_zone="America/New_York",
    # hours and holidays are ignored when the calendar is always open
    weekly=weekly(range(5), ((9, 0), (17, 0))),
    holidays=HOLIDAYS,
    always_open=True,
)


# --- a Mon-Fri 09:00-17:00 office calendar ------------------------------------------------------

OFFICE_CASES = [
    pytest.param(ny(2026, 1, 12, 10), 90, ny(2026, 1, 12, 11, 30), id="within-a-day"),
    pytest.param(ny(2026, 1, 12, 16), 60, ny(2026, 1, 12, 17), id="ends-exactly-at-closing"),
    pytest.param(ny(2026, 1, 12, 9), 480, ny(2026, 1, 12, 17), id="a-whole-day"),
    pytest.param(ny(2026, 1, 12, 16), 120, ny(2026, 1, 13, 10), id="across-the-night"),
    pytest.param(ny(2026, 1, 9, 16, 30), 60, ny(2026, 1, 12, 9, 30), id="across-a-weekend"),
    pytest.param(ny(2026, 1, 10, 12), 30, ny(2026, 1, 12, 9, 30), id="starts-on-saturday"),
    pytest.param(ny(2026, 1, 11, 23, 59), 30, ny(2026, 1, 12, 9, 30), id="starts-sunday-night"),
    pytest.param(ny(2026, 1, 12, 7), 30, ny(2026, 1, 12, 9, 30), id="starts-before-opening"),
    pytest.param(ny(2026, 1, 12, 18), 30, ny(2026, 1, 13, 9, 30), id="starts-after-closing"),
    pytest.param(ny(2026, 1, 12, 17), 30, ny(2026, 1, 13, 9, 30), id="starts-at-closing"),
    pytest.param(ny(2026, 1, 16, 16), 120, ny(2026, 1, 20, 10), id="skips-a-holiday"),
    pytest.param(ny(2026, 1, 19, 10), 30, ny(2026, 1, 20, 9, 30), id="starts-on-a-holiday"),
    pytest.param(ny(2026, 12, 23, 16), 120, ny(2026, 12, 28, 10), id="run-of-holidays"),
    pytest.param(ny(2026, 1, 12, 9), 5 * 480, ny(2026, 1, 16, 17), id="a-business-week"),
    pytest.param(ny(2026, 1, 12, 10), 5 * 480, ny(2026, 1, 20, 10), id="a-week-and-a-holiday"),
    pytest.param(ny(2026, 3, 6, 16), 120, ny(2026, 3, 9, 10), id="dst-spring-forward-weekend"),
    pytest.param(ny(2026, 10, 30, 16), 120, ny(2026, 11, 2, 10), id="dst-fall-back-weekend"),
]


@pytest.mark.parametrize(("start", "minutes", "expected"), OFFICE_CASES)
def test_office_add(start, minutes, expected):
    assert OFFICE.add(start, minutes) == expected


@pytest.mark.parametrize(("start", "minutes", "expected"), OFFICE_CASES)
def test_office_between_is_the_inverse_of_add(start, minutes, expected):
    assert OFFICE.between(start, expected) == datetime.timedelta(minutes=minutes)


def test_office_add_accepts_any_zone_for_the_start():
    # 15:00 UTC is 10:00 in New York (EST)
    start = datetime.datetime(2026, 1, 12, 15, tzinfo=UTC)
    assert OFFICE.add(start, 60) == ny(2026, 1, 12, 11)


def test_office_add_takes_fractional_minutes():
    assert OFFICE.add(ny(2026, 1, 12, 16, 59), 1.5) == ny(2026, 1, 13, 9, 0) + datetime.timedelta(
        seconds=30
    )


def test_office_dst_weekends_keep_eight_hour_days():
    # Sunday 8 March has 23 hours and Sunday 1 November 25, but Mondays after still have 8.
    assert OFFICE.between(ny(2026, 3, 6, 9), ny(2026, 3, 9, 17)) == hours(16)
    assert OFFICE.between(ny(2026, 10, 30, 9), ny(2026, 11, 2, 17)) == hours(16)
    assert OFFICE.between(ny(2026, 3, 6, 17), ny(2026, 3, 9, 9)) == hours(0)
    # the Monday after spring-forward opens at 09:00 EDT, i.e. 13:00 UTC (14:00 UTC before)
    assert OFFICE.add(ny(2026, 3, 7, 12), 1) == datetime.datetime(2026, 3, 9, 13, 1, tzinfo=UTC)
    assert OFFICE.add(ny(2026, 10, 31, 12), 1) == datetime.datetime(2026, 11, 2, 14, 1, tzinfo=UTC)


def test_between_only_counts_business_time():
    # Saturday noon to Monday noon: three business hours (Monday 09:00-12:00)
    assert OFFICE.between(ny(2026, 1, 10, 12), ny(2026, 1, 12, 12)) == hours(3)
    # entirely outside hours
    assert OFFICE.between(ny(2026, 1, 12, 18), ny(2026, 1, 13, 8)) == hours(0)
    # a holiday counts nothing
    assert OFFICE.between(ny(2026, 1, 19, 0), ny(2026, 1, 20, 0)) == hours(0)
    # a two-week span with the holiday: 9 working days
    assert OFFICE.between(ny(2026, 1, 12, 0), ny(2026, 1, 26, 0)) == hours(9 * 8)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        pytest.param(ny(2026, 1, 12, 12), ny(2026, 1, 12, 12), id="equal"),
        pytest.param(ny(2026, 1, 13, 12), ny(2026, 1, 12, 12), id="end-before-start"),
    ],
)
def test_between_is_zero_when_end_is_not_after_start(start, end):
    assert OFFICE.between(start, end) == datetime.timedelta(0)
    assert ALWAYS_OPEN.between(start, end) == datetime.timedelta(0)


@pytest.mark.parametrize(
    "start",
    [ny(2026, 1, 12, 10), ny(2026, 1, 10, 12), ny(2026, 1, 12, 18)],
    ids=["in-hours", "saturday", "after-closing"],
)
def test_add_zero_returns_the_start_unchanged(start):
    assert OFFICE.add(start, 0) is start
    assert ALWAYS_OPEN.add(start, 0) is start


# --- naive datetimes and empty calendars ---------------------------------------------------------


@pytest.mark.parametrize("schedule", [OFFICE, ALWAYS_OPEN], ids=["office", "always-open"])
def test_naive_datetimes_are_refused(schedule):
    naive = datetime.datetime(2026, 1, 12, 10)
    aware = ny(2026, 1, 12, 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        schedule.add(naive, 60)
    with pytest.raises(ValueError, match="timezone-aware"):
        schedule.add(naive, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        schedule.between(naive, aware + hours(1))
    with pytest.raises(ValueError, match="timezone-aware"):
        schedule.between(aware, datetime.datetime(2026, 1, 12, 11))


@pytest.mark.parametrize(
    "schedule",
    [
        Schedule(time_zone="America/New_York"),
        Schedule(time_zone="America/New_York", weekly={0: (), 3: ()}),
    ],
    ids=["no-days", "days-without-intervals"],
)
def test_a_calendar_without_hours_raises_no_business_hours(schedule):
    start = ny(2026, 1, 12, 10)
    assert issubclass(NoBusinessHours, ValueError)
    with pytest.raises(NoBusinessHours):
        schedule.add(start, 60)
    with pytest.raises(NoBusinessHours):
        schedule.between(start, start + hours(1))


# --- intervals: lunch breaks, overlaps, midnight -----------------------------------------------

LUNCH_BREAK = Schedule(
    time_zone="America/New_York",
    weekly=weekly(range(5), ((9, 0), (12, 0)), ((13, 0), (17, 0))),
)


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        pytest.param(ny(2026, 1, 12, 11, 30), 60, ny(2026, 1, 12, 13, 30), id="over-lunch"),
        pytest.param(ny(2026, 1, 12, 12, 15), 15, ny(2026, 1, 12, 13, 15), id="starts-at-lunch"),
        pytest.param(ny(2026, 1, 12, 9), 180, ny(2026, 1, 12, 12), id="ends-at-lunch"),
        pytest.param(ny(2026, 1, 12, 9), 7 * 60, ny(2026, 1, 12, 17), id="a-whole-day"),
        pytest.param(ny(2026, 1, 12, 16), 120, ny(2026, 1, 13, 10), id="across-the-night"),
    ],
)
def test_a_day_with_a_lunch_break(start, minutes, expected):
    assert LUNCH_BREAK.add(start, minutes) == expected
    assert LUNCH_BREAK.between(start, expected) == datetime.timedelta(minutes=minutes)


def test_lunch_break_does_not_count():
    assert LUNCH_BREAK.between(ny(2026, 1, 12, 11), ny(2026, 1, 12, 14)) == hours(2)
    assert LUNCH_BREAK.between(ny(2026, 1, 12, 0), ny(2026, 1, 13, 0)) == hours(7)


def test_overlapping_intervals_count_once():
    # 09-13, 12-17 overlap; 10-11 lies inside; 17-18 touches 12-17: together 09:00-18:00
    overlapping = Schedule(
        time_zone="America/New_York",
        weekly=weekly(
            range(5), ((12, 0), (17, 0)), ((9, 0), (13, 0)), ((10, 0), (11, 0)), ((17, 0), (18, 0))
        ),
    )
    assert overlapping.between(ny(2026, 1, 12, 0), ny(2026, 1, 13, 0)) == hours(9)
    assert overlapping.add(ny(2026, 1, 12, 9), 9 * 60) == ny(2026, 1, 12, 18)
    assert overlapping.add(ny(2026, 1, 12, 9), 9 * 60 + 1) == ny(2026, 1, 13, 9, 1)
    assert overlapping.add(ny(2026, 1, 12, 12, 30), 60) == ny(2026, 1, 12, 13, 30)


def test_closes_at_midnight_means_the_end_of_the_day():
    evenings = Schedule(
        time_zone="America/New_York",
        weekly={day: ((datetime.time(18), MIDNIGHT),) for day in (0, 1)},
    )
    # Monday 23:00 + 2h: one hour to midnight, then Tuesday 18:00-19:00
    assert evenings.add(ny(2026, 1, 12, 23), 120) == ny(2026, 1, 13, 19)
    assert evenings.add(ny(2026, 1, 12, 18), 360) == ny(2026, 1, 13, 0)
    assert evenings.between(ny(2026, 1, 12, 17), ny(2026, 1, 13, 1)) == hours(6)
    # Tuesday evening, then nothing until next Monday 18:00
    assert evenings.add(ny(2026, 1, 13, 23, 30), 60) == ny(2026, 1, 19, 18, 30)


# --- a 24-hour calendar and the DST nights -------------------------------------------------------
# The inputs are given as UTC instants here; the same inputs in New York time are below.


def test_round_the_clock_days_have_23_and_25_real_hours_on_dst_sundays():
    spring_day = (ny(2026, 3, 8), ny(2026, 3, 9))
    fall_day = (ny(2026, 11, 1), ny(2026, 11, 2))
    assert ROUND_THE_CLOCK.between(*map(utc, spring_day)) == hours(23)
    assert ROUND_THE_CLOCK.between(*map(utc, fall_day)) == hours(25)
    assert ROUND_THE_CLOCK.between(utc(ny(2026, 3, 9)), utc(ny(2026, 3, 10))) == hours(24)
    assert ROUND_THE_CLOCK.add(utc(spring_day[0]), 23 * 60) == spring_day[1]
    assert ROUND_THE_CLOCK.add(utc(fall_day[0]), 25 * 60) == fall_day[1]


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        # Saturday noon EST + 24 real hours = Sunday 13:00 EDT
        pytest.param(ny(2026, 3, 7, 12), 24 * 60, ny(2026, 3, 8, 13), id="spring-a-day"),
        # 00:30 EST + 3 real hours = 04:30 EDT (02:00-03:00 does not exist)
        pytest.param(ny(2026, 3, 8, 0, 30), 180, ny(2026, 3, 8, 4, 30), id="spring-in-the-night"),
        # Saturday noon EDT + 24 real hours = Sunday 11:00 EST
        pytest.param(ny(2026, 10, 31, 12), 24 * 60, ny(2026, 11, 1, 11), id="fall-a-day"),
        # 00:30 EDT + 3 real hours = 02:30 EST (01:00-02:00 happens twice)
        pytest.param(ny(2026, 11, 1, 0, 30), 180, ny(2026, 11, 1, 2, 30), id="fall-in-the-night"),
    ],
)
def test_round_the_clock_across_the_dst_nights(start, minutes, expected):
    assert ROUND_THE_CLOCK.add(utc(start), minutes) == expected
    assert ROUND_THE_CLOCK.between(utc(start), utc(expected)) == datetime.timedelta(minutes=minutes)


def test_an_interval_across_the_dst_change_counts_real_hours():
    sundays = {6: ((datetime.time(1), datetime.time(4)),)}
    night = Schedule(time_zone="America/New_York", weekly=sundays)
    # 01:00 EST to 04:00 EDT is two real hours; 01:00 EDT to 04:00 EST four
    assert night.between(utc(ny(2026, 3, 8)), utc(ny(2026, 3, 8, 12))) == hours(2)
    assert night.between(utc(ny(2026, 11, 1)), utc(ny(2026, 11, 1, 12))) == hours(4)
    assert night.between(utc(ny(2026, 3, 15)), utc(ny(2026, 3, 15, 12))) == hours(3)


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        pytest.param(ny(2026, 3, 8, 0, 30), 180, ny(2026, 3, 8, 4, 30), id="spring"),
        pytest.param(ny(2026, 11, 1, 0, 30), 180, ny(2026, 11, 1, 2, 30), id="fall"),
    ],
)
def test_round_the_clock_with_local_datetimes(start, minutes, expected):
    assert ROUND_THE_CLOCK.add(start, minutes) == expected
    assert ROUND_THE_CLOCK.between(start, expected) == datetime.timedelta(minutes=minutes)


# --- always open --------------------------------------------------------------------------------


def test_always_open_is_plain_arithmetic_ignoring_hours_and_holidays():
    saturday = ny(2026, 1, 10, 3)
    assert ALWAYS_OPEN.add(saturday, 90) == ny(2026, 1, 10, 4, 30)
    christmas_eve = ny(2026, 12, 24, 22)
    assert ALWAYS_OPEN.add(christmas_eve, 3 * 24 * 60) == ny(2026, 12, 27, 22)
    assert ALWAYS_OPEN.between(saturday, ny(2026, 1, 12, 3)) == hours(48)
    # a calendar with no hours at all is fine when always open
    bare = Schedule(time_zone="America/New_York", always_open=True)
    assert bare.add(saturday, 60) == ny(2026, 1, 10, 4)
    assert bare.between(saturday, ny(2026, 1, 10, 4)) == hours(1)


def test_always_open_across_dst_counts_real_time():
    spring = (ny(2026, 3, 7, 12), ny(2026, 3, 8, 12))
    assert ALWAYS_OPEN.between(*map(utc, spring)) == hours(23)
    assert ALWAYS_OPEN.add(utc(spring[0]), 24 * 60) == ny(2026, 3, 8, 13)
    fall = (ny(2026, 10, 31, 12), ny(2026, 11, 1, 12))
    assert ALWAYS_OPEN.between(*map(utc, fall)) == hours(25)


def test_always_open_across_dst_with_local_datetimes():
    start, end = ny(2026, 3, 7, 12), ny(2026, 3, 8, 12)
    assert ALWAYS_OPEN.between(start, end) == hours(23)
    assert ALWAYS_OPEN.add(start, 24 * 60) == ny(2026, 3, 8, 13)


# --- from_calendar ------------------------------------------------------------------------------


def _rows(*items):
    return types.SimpleNamespace(all=lambda: list(items))


def test_from_calendar_groups_and_sorts_the_rows():
    row = types.SimpleNamespace
    calendar = row(
        time_zone="America/New_York",
        always_open=False,
        hours=_rows(
            row(weekday=0, opens=datetime.time(13), closes=datetime.time(17)),
            row(weekday=2, opens=datetime.time(9), closes=datetime.time(17)),
            row(weekday=0, opens=datetime.time(9), closes=datetime.time(12)),
        ),
        holidays=_rows(row(date=datetime.date(2026, 1, 19))),
    )
    schedule = Schedule.from_calendar(calendar)
    assert schedule.weekly == {
        0: ((datetime.time(9), datetime.time(12)), (datetime.time(13), datetime.time(17))),
        2: ((datetime.time(9), datetime.time(17)),),
    }
    assert schedule.holidays == frozenset({datetime.date(2026, 1, 19)})
    assert schedule.always_open is False
    assert schedule.zone == NY


# --- properties ---------------------------------------------------------------------------------

NY_2026 = st.datetimes(
    min_value=datetime.datetime(2026, 1, 1),
    max_value=datetime.datetime(2026, 12, 31, 23, 59, 59),
    timezones=st.just(NY),
)
UTC_2026 = st.datetimes(
    min_value=datetime.datetime(2026, 1, 1),
    max_value=datetime.datetime(2026, 12, 31, 23, 59, 59),
    timezones=st.just(UTC),
)
MINUTES = st.integers(min_value=0, max_value=20_000)


def _check_add_between(schedule, start, first, second):
    low, high = sorted((first, second))
    end = schedule.add(start, high)
    assert abs(schedule.between(start, end) - datetime.timedelta(minutes=high)) <= ONE_MICROSECOND
    assert start <= schedule.add(start, low) <= end


@settings(max_examples=150, deadline=None)
@given(start=NY_2026, first=MINUTES, second=MINUTES)
def test_property_office_between_inverts_add_and_add_is_monotonic(start, first, second):
    _check_add_between(OFFICE, start, first, second)


@settings(max_examples=100, deadline=None)
@given(start=NY_2026, first=MINUTES, second=MINUTES)
def test_property_lunch_break_between_inverts_add(start, first, second):
    _check_add_between(LUNCH_BREAK, start, first, second)


@settings(max_examples=100, deadline=None)
@given(start=UTC_2026, first=MINUTES, second=MINUTES)
def test_property_round_the_clock_is_real_time(start, first, second):
    _check_add_between(ROUND_THE_CLOCK, start, first, second)
    assert ROUND_THE_CLOCK.add(start, first) == start + datetime.timedelta(minutes=first)
