from datetime import UTC, datetime, timedelta

import pytest

from suivi.core import clock


def test_frozen_clock_returns_the_moment_given():
    # given
    moment = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)

    # when
    with clock.frozen_at(moment):
        seen = clock.now()

    # then
    assert seen == moment


def test_advance_moves_the_frozen_clock():
    # given
    moment = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)

    # when
    with clock.frozen_at(moment) as hand:
        hand.advance(timedelta(hours=2))
        seen = clock.now()

    # then
    assert seen == moment + timedelta(hours=2)


def test_clock_runs_again_after_the_block():
    # given
    moment = datetime(2001, 1, 1, tzinfo=UTC)

    # when
    with clock.frozen_at(moment):
        pass

    # then
    assert clock.now() > datetime(2020, 1, 1, tzinfo=UTC)


def test_nested_freezes_restore_the_outer_moment():
    # given
    outer = datetime(2025, 1, 1, tzinfo=UTC)

    # when
    with clock.frozen_at(outer):
        with clock.frozen_at(outer + timedelta(days=3)):
            pass
        seen = clock.now()

    # then
    assert seen == outer


def test_frozen_at_refuses_a_naive_datetime():
    # given
    naive = datetime(2025, 3, 1, 9, 30)

    # when / then
    with pytest.raises(ValueError, match="timezone-aware"), clock.frozen_at(naive):
        pass


def test_now_is_timezone_aware():
    # when
    seen = clock.now()

    # then
    assert seen.tzinfo is not None
    assert seen.utcoffset() == timedelta(0)


def test_frozen_clock_speaks_utc_whatever_zone_it_was_given():
    # given
    paris = datetime(2025, 3, 1, 10, 30, tzinfo=UTC).astimezone(
        __import__("zoneinfo").ZoneInfo("Europe/Paris")
    )

    # when
    with clock.frozen_at(paris):
        seen = clock.now()

    # then
    assert seen == paris
    assert seen.utcoffset() == timedelta(0)
