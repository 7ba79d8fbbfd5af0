"""Business time: opening hours, weekends, public holidays, closures, night shifts, DST."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suivi.promises.calendars import (
    WEEKDAYS,
    NoBusinessHours,
    WorkingTime,
    add_business_time,
    business_seconds_between,
)

PARIS = ZoneInfo("Europe/Paris")
HOUR = 3600
OFFICE = WorkingTime.build()  # Mon-Fri 9-18, Paris, French public holidays
ALWAYS = WorkingTime.build(
    opening_hours={day: [["00:00", "24:00"]] for day in WEEKDAYS}, holiday_country=""
)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def test_hours_within_one_day():
    assert add_business_time(paris(2026, 3, 2, 10), 2 * HOUR, calendar=OFFICE) == paris(
        2026, 3, 2, 12
    )


def test_the_clock_stops_overnight():
    # Monday 17:00 + 3 h = 1 h on Monday, 2 h on Tuesday morning.
    assert add_business_time(paris(2026, 3, 2, 17), 3 * HOUR, calendar=OFFICE) == paris(
        2026, 3, 3, 11
    )


def test_the_clock_stops_over_the_weekend():
    assert add_business_time(paris(2026, 3, 6, 17), 2 * HOUR, calendar=OFFICE) == paris(
        2026, 3, 9, 10
    )
    assert business_seconds_between(
        paris(2026, 3, 6, 17), paris(2026, 3, 9, 10), calendar=OFFICE
    ) == (2 * HOUR)


def test_a_start_outside_hours_waits_for_the_opening():
    # Saturday noon + 1 h = Monday 10:00.
    assert add_business_time(paris(2026, 3, 7, 12), HOUR, calendar=OFFICE) == paris(2026, 3, 9, 10)


@pytest.mark.parametrize(
    ("start", "expected", "holiday"),
    [
        (paris(2026, 7, 13, 17), paris(2026, 7, 15, 11), "14 juillet (a Tuesday)"),
        (paris(2026, 4, 30, 17), paris(2026, 5, 4, 11), "1er mai (a Friday)"),
        (paris(2026, 4, 3, 17), paris(2026, 4, 7, 11), "lundi de Pâques, 6 April 2026"),
        (paris(2026, 12, 24, 17), paris(2026, 12, 28, 11), "Noël (a Friday)"),
    ],
)
def test_french_public_holidays_are_closed(start, expected, holiday):
    assert add_business_time(start, 3 * HOUR, calendar=OFFICE) == expected, holiday


def test_regional_holidays_by_subdivision():
    # Good Friday is a holiday in Alsace-Moselle (57) only.
    moselle = WorkingTime.build(holiday_subdivision="57")
    thursday = paris(2026, 4, 2, 17)
    assert add_business_time(thursday, 2 * HOUR, calendar=OFFICE) == paris(2026, 4, 3, 10)
    assert add_business_time(thursday, 2 * HOUR, calendar=moselle) == paris(2026, 4, 7, 10)


def test_other_countries_and_no_holidays():
    no_holidays = WorkingTime.build(holiday_country="")
    assert add_business_time(paris(2026, 7, 13, 17), 3 * HOUR, calendar=no_holidays) == paris(
        2026, 7, 14, 11
    )
    germany = WorkingTime.build(holiday_country="DE", time_zone="Europe/Berlin")
    # 3 October, German Unity Day (a Saturday in 2026; 2025 is a Friday).
    start = datetime(2025, 10, 2, 17, tzinfo=ZoneInfo("Europe/Berlin"))
    assert add_business_time(start, 2 * HOUR, calendar=germany) == datetime(
        2025, 10, 6, 10, tzinfo=ZoneInfo("Europe/Berlin")
    )


def test_closures_are_skipped():
    closed = WorkingTime.build(
        closures=[(paris(2026, 3, 4, 9), paris(2026, 3, 4, 13))]  # inventory morning
    )
    assert add_business_time(paris(2026, 3, 4, 8), HOUR, calendar=closed) == paris(2026, 3, 4, 14)
    assert business_seconds_between(
        paris(2026, 3, 4, 0), paris(2026, 3, 5, 0), calendar=closed
    ) == (5 * HOUR)


def test_split_days_with_a_lunch_break():
    split = WorkingTime.build(
        opening_hours={"mon": [["13:30", "17:00"], ["09:00", "12:30"]]}, holiday_country=""
    )
    assert add_business_time(paris(2026, 3, 2, 12), HOUR, calendar=split) == paris(2026, 3, 2, 14)


def test_overnight_opening_hours():
    night = WorkingTime.build(opening_hours={"mon": [["22:00", "06:00"]]}, holiday_country="")
    assert add_business_time(paris(2026, 3, 2, 23), 2 * HOUR, calendar=night) == paris(
        2026, 3, 3, 1
    )
    # Tuesday 05:00: one hour left of Monday's night, then next Monday 22:00.
    assert add_business_time(paris(2026, 3, 3, 5), 2 * HOUR, calendar=night) == paris(
        2026, 3, 9, 23
    )
    assert business_seconds_between(
        paris(2026, 3, 2, 12), paris(2026, 3, 3, 12), calendar=night
    ) == (8 * HOUR)


def test_spring_forward_counts_the_hours_that_really_pass():
    # 29 March 2026: 02:00 becomes 03:00 in Paris; a 22:00-06:00 night is 7 hours long.
    night = WorkingTime.build(opening_hours={"sat": [["22:00", "06:00"]]}, holiday_country="")
    assert business_seconds_between(
        paris(2026, 3, 28, 12), paris(2026, 3, 29, 12), calendar=night
    ) == (7 * HOUR)
    assert add_business_time(paris(2026, 3, 28, 12), 24 * HOUR, calendar=ALWAYS) == paris(
        2026, 3, 29, 13
    )


def test_fall_back_counts_the_repeated_hour():
    # 25 October 2026: 03:00 becomes 02:00 again; that night is 9 hours long.
    night = WorkingTime.build(opening_hours={"sat": [["22:00", "06:00"]]}, holiday_country="")
    assert business_seconds_between(
        paris(2026, 10, 24, 12), paris(2026, 10, 25, 12), calendar=night
    ) == (9 * HOUR)
    assert add_business_time(paris(2026, 10, 24, 12), 24 * HOUR, calendar=ALWAYS) == paris(
        2026, 10, 25, 11
    )


def test_office_hours_across_dst_stay_nine_to_six_local():
    # Friday 27 March 17:00 + 2 h = Monday 30 March 10:00 local, whatever the offset.
    result = add_business_time(paris(2026, 3, 27, 17), 2 * HOUR, calendar=OFFICE)
    assert result == paris(2026, 3, 30, 10)
    assert result.astimezone(UTC).hour == 8  # summer time: UTC+2


def test_zero_and_negative():
    saturday = paris(2026, 3, 7, 12)
    assert add_business_time(saturday, 0, calendar=OFFICE) == saturday
    assert business_seconds_between(saturday, saturday - timedelta(hours=1)) == 0


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_time(datetime(2026, 3, 2, 10), HOUR)


def test_a_calendar_that_never_opens():
    never = WorkingTime.build(opening_hours={}, holiday_country="")
    with pytest.raises(NoBusinessHours):
        add_business_time(paris(2026, 3, 2, 10), HOUR, calendar=never)
    assert business_seconds_between(paris(2026, 3, 2), paris(2026, 4, 2), calendar=never) == 0


def test_bad_opening_hours_are_refused():
    with pytest.raises(ValueError):
        WorkingTime.build(opening_hours={"lundi": [["09:00", "18:00"]]})
    with pytest.raises(ValueError):
        WorkingTime.build(opening_hours={"mon": [["9h", "18h"]]})


@settings(max_examples=60, deadline=None)
@given(
    start=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    seconds=st.integers(min_value=1, max_value=200 * HOUR),
)
def test_adding_then_counting_gives_back_the_same_time(start, seconds):
    end = add_business_time(start, seconds, calendar=OFFICE)
    assert business_seconds_between(start, end, calendar=OFFICE) == seconds
