"""Publication windows: the moments when scheduled versions go live.

`SUIVI_KNOWLEDGE_WINDOWS` lists them as wall-clock times of `SUIVI_TIME_ZONE`, e.g.
"tue 10:00" (the default: once a week) or "mon 09:00, thu 14:30", or "daily 08:00".
Grouping edits into windows keeps channels and people in step: everything that changes,
changes at one known moment.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_WINDOWS = "tue 10:00"
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Window:
    weekday: int | None  # 0 = Monday; None = every day
    at: time


def parse_windows(spec: str) -> list[Window]:
    windows = []
    for item in spec.split(","):
        parts = item.strip().lower().split()
        if not parts:
            continue
        if len(parts) != 2 or (parts[0] not in _DAYS and parts[0] != "daily"):
            raise ImproperlyConfigured(
                f"SUIVI_KNOWLEDGE_WINDOWS: {item.strip()!r} is not like 'tue 10:00'"
            )
        try:
            at = time.fromisoformat(parts[1])
        except ValueError as error:
            raise ImproperlyConfigured(f"SUIVI_KNOWLEDGE_WINDOWS: bad time {parts[1]!r}") from error
        weekday = None if parts[0] == "daily" else _DAYS.index(parts[0])
        windows.append(Window(weekday=weekday, at=at))
    if not windows:
        raise ImproperlyConfigured("SUIVI_KNOWLEDGE_WINDOWS lists no window")
    return windows


def configured_windows() -> list[Window]:
    return parse_windows(getattr(settings, "SUIVI_KNOWLEDGE_WINDOWS", DEFAULT_WINDOWS))


def next_window(after: datetime) -> datetime:
    """The first publication window strictly after `after` (aware, returned in UTC)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    local_day: date = after.astimezone(zone).date()
    candidates = []
    for offset in range(8):
        day = local_day + timedelta(days=offset)
        for window in configured_windows():
            if window.weekday is None or window.weekday == day.weekday():
                moment = datetime.combine(day, window.at, tzinfo=zone)
                if moment > after:
                    candidates.append(moment)
    return min(candidates).astimezone(ZoneInfo("UTC"))
