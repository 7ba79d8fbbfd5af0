from datetime import UTC, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from suivi.knowledge import windows


def test_the_default_window_is_tuesday_ten_local_time(settings):
    settings.SUIVI_KNOWLEDGE_WINDOWS = "tue 10:00"
    settings.TIME_ZONE = "Europe/Paris"

    # Monday in winter (UTC+1), and in summer (UTC+2)
    assert windows.next_window(datetime(2026, 3, 2, 9, 30, tzinfo=UTC)) == datetime(
        2026, 3, 3, 9, 0, tzinfo=UTC
    )
    assert windows.next_window(datetime(2026, 6, 1, 9, 30, tzinfo=UTC)) == datetime(
        2026, 6, 2, 8, 0, tzinfo=UTC
    )


def test_exactly_at_a_window_the_next_one_is_a_week_later(settings):
    settings.SUIVI_KNOWLEDGE_WINDOWS = "tue 10:00"
    settings.TIME_ZONE = "Europe/Paris"

    assert windows.next_window(datetime(2026, 3, 3, 9, 0, tzinfo=UTC)) == datetime(
        2026, 3, 10, 9, 0, tzinfo=UTC
    )


def test_several_windows_and_daily(settings):
    settings.TIME_ZONE = "UTC"
    settings.SUIVI_KNOWLEDGE_WINDOWS = "mon 09:00, thu 14:30"
    tuesday = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
    assert windows.next_window(tuesday) == datetime(2026, 3, 5, 14, 30, tzinfo=UTC)

    settings.SUIVI_KNOWLEDGE_WINDOWS = "daily 08:00"
    assert windows.next_window(tuesday) == datetime(2026, 3, 4, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize("spec", ["", "tuesday 10:00", "tue 25:00", "tue", "mon 9h"])
def test_a_bad_setting_is_refused_clearly(spec):
    with pytest.raises(ImproperlyConfigured, match="SUIVI_KNOWLEDGE_WINDOWS"):
        windows.parse_windows(spec)


def test_a_bad_setting_stops_the_start_up(settings):
    from django.apps import apps

    settings.SUIVI_KNOWLEDGE_WINDOWS = "every tuesday"

    with pytest.raises(ImproperlyConfigured, match="every tuesday"):
        apps.get_app_config("knowledge").ready()
