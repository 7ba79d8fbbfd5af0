"""Business time: adding working hours to a moment, counting them between two moments.

Pure functions over a `WorkingTime` value (opening hours per weekday in a time zone,
public holidays, closures). Intervals are built in local time and measured in UTC, so a
day with a daylight-saving change counts the hours that really pass.
"""

import logging
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib
from django.utils import timezone

logger = logging.getLogger("suivi.promises")

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A calendar with no opening hour at all would loop forever; ten years is "never".
MAX_DAYS = 3660

Span = tuple[time, time, bool]  # start, end, ends the next day


class NoBusinessHours(ValueError):
    """The calendar never opens: no business time can be added."""


@lru_cache(maxsize=32)
def public_holidays(country: str, subdivision: str = "") -> Container[date]:
    """Public holidays of `country` (e.g. "FR", subdivision "57" for Moselle), every year."""
    if not country:
        return frozenset()
    return holidays_lib.country_holidays(country, subdiv=subdivision or None)


def _office_hours() -> dict[int, list[Span]]:
    return parse_opening_hours({day: [["09:00", "18:00"]] for day in WEEKDAYS[:5]})


def _parse_time(value: str) -> tuple[time, bool]:
    if value in ("24:00", "24:00:00"):
        return time(0), True
    return time.fromisoformat(value), False


def parse_opening_hours(raw: Mapping[str, Sequence[Sequence[str]]]) -> dict[int, list[Span]]:
    """{"mon": [["09:00", "18:00"]]} → {0: [(09:00, 18:00, False)]}; raises ValueError."""
    weekly: dict[int, list[Span]] = {}
    for day, spans in raw.items():
        if day not in WEEKDAYS:
            raise ValueError(f"Unknown weekday: {day!r}")
        parsed: list[Span] = []
        for start_text, end_text in spans:
            start, start_next = _parse_time(start_text)
            end, end_next = _parse_time(end_text)
            if start_next:
                raise ValueError("An opening cannot start at 24:00")
            parsed.append((start, end, end_next or end <= start))
        weekly[WEEKDAYS.index(day)] = sorted(parsed)
    return weekly


@dataclass(frozen=True)
class WorkingTime:
    """Everything the clock of a promise needs to know about when a team works."""

    time_zone: str = "Europe/Paris"
    weekly: Mapping[int, Sequence[Span]] = field(default_factory=lambda: _office_hours())
    holidays: Container[date] = field(default_factory=lambda: public_holidays("FR"))
    closures: Sequence[tuple[datetime, datetime]] = ()

    @classmethod
    def build(
        cls,
        *,
        time_zone: str = "Europe/Paris",
        opening_hours: Mapping[str, Sequence[Sequence[str]]] | None = None,
        holiday_country: str = "FR",
        holiday_subdivision: str = "",
        closures: Iterable[tuple[datetime, datetime]] = (),
    ) -> "WorkingTime":
        ZoneInfo(time_zone)  # fails early on an unknown zone
        weekly = (
            parse_opening_hours(opening_hours) if opening_hours is not None else _office_hours()
        )
        return cls(
            time_zone=time_zone,
            weekly=weekly,
            holidays=public_holidays(holiday_country, holiday_subdivision),
            closures=tuple(sorted(closures)),
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def day_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """Open intervals that start on local `day`, in UTC, minus closures."""
        if day in self.holidays:
            return []
        zone = self.zone
        intervals = []
        for start, end, next_day in self.weekly.get(day.weekday(), ()):
            opens = _to_utc(datetime.combine(day, start), zone)
            closes = _to_utc(datetime.combine(day + timedelta(days=next_day), end), zone)
            if closes > opens:
                intervals.append((opens, closes))
        return _subtract(intervals, self.closures)

    def intervals_from(
        self, moment: datetime, until: datetime | None = None
    ) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals, in order, that end after `moment`, clipped to start at it;
        without `until`, raises NoBusinessHours when the calendar never opens again."""
        zone = self.zone
        first_day = moment.astimezone(zone).date() - timedelta(days=1)  # overnight spans
        last_day = until.astimezone(zone).date() if until is not None else None
        for offset in range(MAX_DAYS):
            day = first_day + timedelta(days=offset)
            if last_day is not None and day > last_day:
                return
            for opens, closes in self.day_intervals(day):
                if closes > moment:
                    yield max(opens, moment), closes
        if until is None:
            raise NoBusinessHours("No opening hours in the next ten years.")


def _to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    # A wall time inside a spring-forward gap does not exist: it is read as the time
    # after the change (02:30 → 03:30), as Python's zoneinfo does with fold=0.
    return local.replace(tzinfo=zone).astimezone(UTC)


def _subtract(
    intervals: list[tuple[datetime, datetime]], closures: Sequence[tuple[datetime, datetime]]
) -> list[tuple[datetime, datetime]]:
    for closed_from, closed_until in closures:
        remaining = []
        for opens, closes in intervals:
            if closed_until <= opens or closed_from >= closes:
                remaining.append((opens, closes))
                continue
            if opens < closed_from:
                remaining.append((opens, closed_from))
            if closed_until < closes:
                remaining.append((closed_until, closes))
        intervals = remaining
    return intervals


DEFAULT = WorkingTime()


def _aware(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError("Business time needs timezone-aware datetimes.")
    return moment.astimezone(UTC)


def add_business_time(
    start: datetime, seconds: float, *, calendar: WorkingTime | None = None
) -> datetime:
    """The moment when `seconds` of business time have passed since `start`.

    Zero seconds from a closed moment is that moment; otherwise the result always lies
    inside (or at the end of) an open interval."""
    calendar = calendar or DEFAULT
    moment = _aware(start)
    if seconds <= 0:
        return moment
    left = timedelta(seconds=seconds)
    for opens, closes in calendar.intervals_from(moment):
        available = closes - opens
        if left <= available:
            return opens + left
        left -= available
    raise NoBusinessHours()  # pragma: no cover - intervals_from raises first


def add_business_time_or_default(
    start: datetime, seconds: float, *, calendar: WorkingTime | None = None
) -> datetime:
    """`add_business_time`, falling back to the default calendar when a misconfigured
    one never opens: a case must still open, and its promise still be watched."""
    try:
        return add_business_time(start, seconds, calendar=calendar)
    except NoBusinessHours:
        logger.error("A business calendar never opens; using Mon-Fri 9-18 instead.")
        return add_business_time(start, seconds, calendar=DEFAULT)


def business_seconds_between(
    a: datetime, b: datetime, *, calendar: WorkingTime | None = None
) -> float:
    """Business seconds from `a` to `b`; 0 when `b` is not after `a`."""
    calendar = calendar or DEFAULT
    start, end = _aware(a), _aware(b)
    if end <= start:
        return 0.0
    total = timedelta()
    for opens, closes in calendar.intervals_from(start, until=end):
        if opens >= end:
            break
        total += min(closes, end) - opens
    return total.total_seconds()
