"""Which policy and which business calendar apply to a team, with built-in defaults."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.db.models import Case as Choose
from django.db.models import IntegerField, Q, Value, When

from suivi.core import clock

from .calendars import WorkingTime
from .models import BusinessCalendar, Closure, Policy


def policy_for(*, team_id: int | None, channel: str = "") -> Policy:
    """The most specific policy for the team and channel; an unsaved Policy with the
    model's defaults when none is configured. One query (none again for the same team
    inside `remembered()`)."""
    lookups = _remembered.get()
    if lookups is not None:
        return lookups.policy(team_id=team_id, channel=channel)
    return _policy(team_id=team_id, channel=channel)


def _policy(*, team_id: int | None, channel: str) -> Policy:
    candidates = Q(team__isnull=True)
    if team_id is not None:
        candidates |= Q(team_id=team_id)
    rank = Choose(
        When(team_id=team_id, channel=channel, then=Value(0)),
        When(team_id=team_id, channel="", then=Value(1)),
        When(team__isnull=True, channel=channel, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    policy = (
        Policy.objects.filter(candidates, channel__in={channel, ""})
        .annotate(rank=rank)
        .order_by("rank")
        .first()
    )
    return policy if policy is not None else Policy(team_id=team_id, channel="")


def calendar_for(*, team_id: int | None) -> WorkingTime:
    """The team's business calendar, else the default one, else Mon-Fri 9-18 in Paris
    with French public holidays. Two queries at most (none again for the same team
    inside `remembered()`)."""
    lookups = _remembered.get()
    if lookups is not None:
        return lookups.calendar(team_id=team_id)
    return _calendar(team_id=team_id)


def _calendar(*, team_id: int | None) -> WorkingTime:
    candidates = Q(team__isnull=True)
    if team_id is not None:
        candidates |= Q(team_id=team_id)
    calendar = (
        BusinessCalendar.objects.filter(candidates)
        .order_by(Choose(When(team__isnull=True, then=Value(1)), default=Value(0)))
        .first()
    )
    if calendar is None:
        return WorkingTime.build()
    return working_time(calendar)


def working_time(calendar: BusinessCalendar) -> WorkingTime:
    # Closures that ended long ago cannot matter to a clock that runs from now on.
    recent = clock.now() - timedelta(days=366)
    closures = Closure.objects.filter(calendar=calendar, ends_at__gt=recent).values_list(
        "starts_at", "ends_at"
    )
    return WorkingTime.build(
        time_zone=calendar.time_zone,
        opening_hours=calendar.opening_hours,
        holiday_country=calendar.holiday_country,
        holiday_subdivision=calendar.holiday_subdivision,
        closures=list(closures),
    )


class Lookups:
    """Policies and calendars remembered for the length of one sweep, which may tell
    hundreds of customers of the same team, or of one unit of work (`remembered`)."""

    def __init__(self) -> None:
        self._policies: dict[int | None, list[Policy]] = {}
        self._calendars: dict[int | None, WorkingTime] = {}

    def policy(self, *, team_id: int | None, channel: str = "") -> Policy:
        if team_id not in self._policies:
            # Every channel's policy of the team and the defaults: a handful of rows.
            candidates = Q(team__isnull=True)
            if team_id is not None:
                candidates |= Q(team_id=team_id)
            self._policies[team_id] = list(Policy.objects.filter(candidates).order_by("pk"))
        # The same order as _policy's rank: team and channel, team, channel, default.
        ranked = [
            ((0 if p.team_id == team_id else 2) + (0 if p.channel == channel else 1), p.pk, p)
            for p in self._policies[team_id]
            if p.channel in (channel, "")
        ]
        if not ranked:
            return Policy(team_id=team_id, channel="")
        return min(ranked, key=lambda item: item[:2])[2]

    def calendar(self, *, team_id: int | None) -> WorkingTime:
        if team_id not in self._calendars:
            self._calendars[team_id] = _calendar(team_id=team_id)
        return self._calendars[team_id]


_remembered: ContextVar[Lookups | None] = ContextVar("promise_lookups", default=None)


@contextmanager
def remembered() -> Iterator[None]:
    """Inside this block, `policy_for` and `calendar_for` read each team's policies and
    calendar once. For one short unit of work (one inbound message opens a case with two
    policy promises), or one batch of them: a change saved meanwhile applies from the
    next one. A nested block shares the lookups of the one around it."""
    if _remembered.get() is not None:
        yield
        return
    token = _remembered.set(Lookups())
    try:
        yield
    finally:
        _remembered.reset(token)
