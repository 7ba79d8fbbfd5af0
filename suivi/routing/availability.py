"""Who can answer now: working hours, absences, presence and load, in one query.

`advisor_states` annotates every advisor asked about with their open cases, current
absence, presence, capacity and live contacts held on a channel: one SQL query whatever
their number.
"""

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from suivi.conversations.models import Case
from suivi.core.statements import Compiled
from suivi.people.models import Absence, Advisor, Team

from .live_load import live_count
from .models import LIVE_CHANNELS, AdvisorPresence, Capacity, default_capacity

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Why an advisor cannot take a contact; stable codes, also used in reasons.
ABSENT = "absent"
OUTSIDE_HOURS = "outside_hours"
AWAY = "away"
AT_CAPACITY = "at_capacity"


@dataclass(frozen=True)
class AdvisorState:
    advisor: Advisor
    open_cases: int
    absent_until: datetime | None
    presence: str
    capacity: int
    is_team_lead: bool = False
    # Calls or chats held now on the channel asked about (registered by the channels,
    # see live_load.py); 0 when none is counted.
    live_contacts: int = 0

    @property
    def pk(self) -> int:
        return self.advisor.pk

    def live_load(self) -> int:
        # The calls or chats they hold; "busy" (chosen by the advisor, or set by the phone
        # system during a call) still means no new live contact on any live channel.
        if self.presence == AdvisorPresence.Status.BUSY:
            return max(self.live_contacts, self.capacity)
        return self.live_contacts

    def load(self, channel: str) -> int:
        return self.live_load() if channel in LIVE_CHANNELS else self.open_cases

    def on_duty(self, moment: datetime, *, live: bool = True, planned: bool = False) -> str | None:
        """None when the advisor is working at `moment`, else why not.

        For a live contact (call, chat) the advisor must be at work and not away right
        now. An asynchronous one (e-mail, letter, form) is answered within its promise,
        so only an absence stands in the way: an e-mail at 22:00 stays with the
        customer's own advisor, who answers it in the morning. A `planned` contact (a
        callback window ahead) checks absences and working hours at that moment, but not
        today's presence, which says nothing about tomorrow at 10:00."""
        if self.absent_until is not None:
            return ABSENT
        if not live:
            return None
        if not within_working_hours(self.advisor.working_hours, moment):
            return OUTSIDE_HOURS
        if self.presence == AdvisorPresence.Status.AWAY and not planned:
            return AWAY
        return None


def advisor_states(
    *,
    who: Q,
    moment: datetime,
    channel: str | None = None,
    lead_of_team: Any = None,
    live_contacts: bool = True,
) -> list[AdvisorState]:
    """The state of every advisor matching `who`; one query. With a live `channel`, the
    contacts each holds on it now are counted (unless `live_contacts` is False: routing
    for a moment ahead, when today's calls and chats will be over)."""
    rows = _states(who, moment, channel, lead_of_team, live_contacts)
    return [_state(row, channel) for row in rows]


def advisor_states_compiled(
    shape: Hashable,
    who: Callable[..., tuple[Q, Any]],
    *,
    moment: datetime,
    channel: str,
    live_contacts: bool = True,
    **values: Any,
) -> list[AdvisorState] | None:
    """`advisor_states` for a `who` of one `shape`, compiled once per shape (compiling
    it cost most of a routing decision: ~2.5 ms of Python): `who(**values)` returns the
    Q and the team whose lead is asked about. None when the channel counts live
    contacts (their expression computes times from the moment: not compiled, the caller
    asks `advisor_states`)."""
    if live_contacts and live_count(channel, moment) is not None:
        return None
    key = (shape, channel, live_contacts)
    compiled = _COMPILED_STATES.get(key)
    if compiled is None:

        def build(moment: datetime, **values: Any) -> Any:
            condition, lead_of_team = who(**values)
            return _states(condition, moment, channel, lead_of_team, live_contacts)

        compiled = _COMPILED_STATES[key] = Compiled(build)
    return [_state(row, channel) for row in compiled.rows(moment=moment, **values)]


_COMPILED_STATES: dict[Hashable, Compiled[Advisor]] = {}


def _states(
    who: Q, moment: datetime, channel: str | None, lead_of_team: Any, live_contacts: bool
) -> Any:
    open_cases = (
        Case.objects.filter(owner=OuterRef("pk"), status__in=Case.ACTIVE_STATUSES)
        .order_by()
        .values("owner")
        .annotate(n=Count("pk"))
        .values("n")
    )
    absence = (
        Absence.objects.filter(advisor=OuterRef("pk"), starts_at__lte=moment, ends_at__gt=moment)
        .order_by("-ends_at")
        .values("ends_at")[:1]
    )
    rows = Advisor.objects.filter(who).annotate(
        open_cases=Coalesce(Subquery(open_cases), 0),
        absent_until=Subquery(absence),
        presence_status=F("presence__status"),
    )
    if channel is not None:
        limit = Capacity.objects.filter(advisor=OuterRef("pk"), channel=channel).values("limit")
        rows = rows.annotate(capacity_limit=Subquery(limit[:1]))
        held = live_count(channel, moment) if live_contacts else None
        if held is not None:
            rows = rows.annotate(live_contacts=held)
    if lead_of_team is not None:
        rows = rows.annotate(
            is_lead=Exists(Team.objects.filter(pk=lead_of_team, lead=OuterRef("pk")))
        )
    else:
        rows = rows.annotate(is_lead=Value(False))
    return rows.order_by("pk")


def _state(row: Any, channel: str | None) -> AdvisorState:
    fallback = default_capacity(channel) if channel is not None else 0
    return AdvisorState(
        advisor=row,
        open_cases=row.open_cases,
        absent_until=row.absent_until,
        presence=row.presence_status or AdvisorPresence.Status.AVAILABLE,
        capacity=getattr(row, "capacity_limit", None) or fallback,
        is_team_lead=bool(row.is_lead),
        live_contacts=getattr(row, "live_contacts", 0),
    )


def within_working_hours(hours: Mapping[str, Sequence[Sequence[str]]], moment: datetime) -> bool:
    """Whether `moment` falls in the advisor's weekly hours, read in the site's time zone.

    No hours configured means no constraint: presence and absences still apply. A span
    whose end is not after its start runs past midnight ("22:00"-"06:00")."""
    if not hours:
        return True
    local = timezone.localtime(moment, timezone.get_default_timezone())
    today, now = local.date(), local.time()
    yesterday = today - timedelta(days=1)
    for start, end, overnight in _spans(hours, today):
        if start <= now and (overnight or now < end):
            return True
    return any(overnight and now < end for _start, end, overnight in _spans(hours, yesterday))


def _spans(
    hours: Mapping[str, Sequence[Sequence[str]]], day: date
) -> list[tuple[time, time, bool]]:
    spans = []
    for start_text, end_text in hours.get(WEEKDAYS[day.weekday()], ()):
        start = time.fromisoformat(start_text)
        end = time(0) if end_text.startswith("24:00") else time.fromisoformat(end_text)
        spans.append((start, end, end <= start))
    return spans
