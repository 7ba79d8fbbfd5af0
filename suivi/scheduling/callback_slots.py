"""Windows offered for a callback: only where someone who may call this customer works,
is not absent, is not in an appointment, and does not already hold too many callbacks.

Who may call: the dedicated advisor, their backup, then the customer's team members who
speak the customer's language (the order routing follows). Slots start at every
`SLOT_MINUTES` of the team's business calendar. Five queries (calendar, candidates,
absences, appointments, callbacks held) whatever the number of days.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from suivi.core import clock
from suivi.customers.models import Customer
from suivi.people.models import Absence, Advisor
from suivi.promises.calendars import NoBusinessHours, WorkingTime, add_business_time_or_default
from suivi.promises.policies import calendar_for, policy_for
from suivi.routing.availability import within_working_hours

from .errors import InvalidWindow
from .models import ACTIVE_APPOINTMENT_STATUSES, Appointment, Callback

SLOT_MINUTES = 30
# Windows are offered (and accepted) up to this far ahead, and last at most WINDOW_MAX.
MAX_AHEAD = timedelta(days=90)
WINDOW_MAX = timedelta(days=7)
# One advisor makes at most this many callbacks in one 30-minute window: a call, its
# note, and room for the live calls that keep coming.
MAX_CALLBACKS_PER_SLOT = 3
Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class CallbackSlot:
    starts_at: datetime
    ends_at: datetime
    # Who could call then, preferred first; never shown to customers.
    advisor_ids: tuple[int, ...]


def callback_team_id(customer: Customer) -> int | None:
    """The team that answers for the customer's callbacks (policy, calendar, people)."""
    if customer.team_id is not None:
        return customer.team_id
    if customer.dedicated_advisor_id is not None:
        return (
            Advisor.objects.filter(pk=customer.dedicated_advisor_id)
            .values_list("team_id", flat=True)
            .first()
        )
    return None


def asap_window(*, customer: Customer, team_id: int | None = None) -> Interval:
    """ "As soon as possible": from the next business moment until the team's callback
    promise (policy `callback_minutes` of business time) has run out."""
    moment = clock.now()
    if team_id is None:
        team_id = callback_team_id(customer)
    calendar = calendar_for(team_id=team_id)
    policy = policy_for(team_id=team_id, channel="phone")
    ends = add_business_time_or_default(moment, policy.callback_minutes * 60, calendar=calendar)
    try:
        starts = next(iter(calendar.intervals_from(moment)))[0]
    except (NoBusinessHours, StopIteration):
        starts = moment
    return min(starts, ends - timedelta(minutes=1)), ends


def candidates(customer: Customer) -> list[Advisor]:
    """Who may call the customer back, preferred first. One query.

    A customer nobody follows yet (a new caller) may be called by any advisor of a team
    who speaks their language."""
    dedicated_id = customer.dedicated_advisor_id
    who = Q(pk__in=[])
    if dedicated_id is not None:
        who |= Q(pk=dedicated_id)
        who |= Q(pk=Subquery(Advisor.objects.filter(pk=dedicated_id).values("backup_id")[:1]))
        who |= Q(team=Subquery(Advisor.objects.filter(pk=dedicated_id).values("team_id")[:1]))
    if customer.team_id is not None:
        who |= Q(team_id=customer.team_id)
    if dedicated_id is None and customer.team_id is None:
        who = Q(team__isnull=False)
    advisors = list(Advisor.objects.filter(who, user__is_active=True).order_by("pk"))
    backup_id = next((a.backup_id for a in advisors if a.pk == dedicated_id), None)

    def rank(advisor: Advisor) -> tuple[int, int]:
        if advisor.pk == dedicated_id:
            return 0, advisor.pk
        if advisor.pk == backup_id:
            return 1, advisor.pk
        return 2, advisor.pk

    return sorted(
        (
            a
            for a in advisors
            if a.pk in (dedicated_id, backup_id) or customer.language in (a.languages or ())
        ),
        key=rank,
    )


def _busy(advisor_ids: list[int], begin: datetime, end: datetime) -> dict[int, list[Interval]]:
    """Absences and appointments of these advisors overlapping [begin, end)."""
    busy: dict[int, list[Interval]] = defaultdict(list)
    absences = Absence.objects.filter(
        advisor_id__in=advisor_ids, starts_at__lt=end, ends_at__gt=begin
    ).values_list("advisor_id", "starts_at", "ends_at")
    appointments = Appointment.objects.filter(
        advisor_id__in=advisor_ids,
        status__in=ACTIVE_APPOINTMENT_STATUSES,
        starts_at__lt=end,
        ends_at__gt=begin,
    ).values_list("advisor_id", "starts_at", "ends_at")
    for advisor_id, starts, ends in [*absences, *appointments]:
        busy[advisor_id].append((starts, ends))
    return busy


def _held(
    advisor_ids: list[int], begin: datetime, end: datetime, exclude_id: int | None
) -> dict[int, list[Interval]]:
    """Open callbacks already assigned to these advisors, by window."""
    held: dict[int, list[Interval]] = defaultdict(list)
    rows = Callback.objects.filter(
        assigned_to_id__in=advisor_ids,
        status=Callback.Status.REQUESTED,
        window_starts_at__lt=end,
        window_ends_at__gt=begin,
    )
    if exclude_id is not None:
        rows = rows.exclude(pk=exclude_id)
    for advisor_id, starts, ends in rows.values_list(
        "assigned_to_id", "window_starts_at", "window_ends_at"
    ):
        held[advisor_id].append((starts, ends))
    return held


def _overlaps(intervals: list[Interval], start: datetime, end: datetime) -> int:
    return sum(1 for begins, ends in intervals if begins < end and start < ends)


def _working(advisor: Advisor, start: datetime, end: datetime) -> bool:
    hours = advisor.working_hours
    return within_working_hours(hours, start) and within_working_hours(
        hours, end - timedelta(seconds=1)
    )


def _starts(calendar: WorkingTime, begin: datetime, end: datetime) -> list[datetime]:
    """Slot starts inside the team's open hours, aligned on the opening times."""
    step = timedelta(minutes=SLOT_MINUTES)
    starts = []
    zone = calendar.zone
    day = begin.astimezone(zone).date()
    last_day = end.astimezone(zone).date()
    while day <= last_day:
        for opens, closes in calendar.day_intervals(day):
            candidate = opens
            while candidate + step <= closes:
                if begin <= candidate and candidate + step <= end:
                    starts.append(candidate)
                candidate += step
        day += timedelta(days=1)
    return starts


def callback_slots(
    *,
    customer: Customer,
    start: datetime | None = None,
    days: int = 1,
    limit: int = 48,
    exclude_callback_id: int | None = None,
) -> list[CallbackSlot]:
    """Windows of `SLOT_MINUTES` from `start` (never before now) over `days` local days
    of the team's calendar, soonest first, where at least one advisor who may call this
    customer is free."""
    now = clock.now()
    if start is not None and timezone.is_naive(start):
        raise InvalidWindow(_("The window needs its time zone."), field="start")
    begin = max(start or now, now)
    if begin - now > MAX_AHEAD:
        return []  # nobody plans callbacks that far
    team_id = callback_team_id(customer)
    calendar = calendar_for(team_id=team_id)
    local_day = begin.astimezone(calendar.zone).date()
    end = datetime.combine(local_day + timedelta(days=days), datetime.min.time(), calendar.zone)
    people = candidates(customer)
    if not people:
        return []
    ids = [a.pk for a in people]
    busy = _busy(ids, begin, end)
    held = _held(ids, begin, end, exclude_callback_id)
    slots: list[CallbackSlot] = []
    step = timedelta(minutes=SLOT_MINUTES)
    for slot_start in _starts(calendar, begin, end):
        slot_end = slot_start + step
        free = tuple(
            a.pk
            for a in people
            if _working(a, slot_start, slot_end)
            and not _overlaps(busy[a.pk], slot_start, slot_end)
            and _overlaps(held[a.pk], slot_start, slot_end) < MAX_CALLBACKS_PER_SLOT
        )
        if free:
            slots.append(CallbackSlot(slot_start, slot_end, free))
            if len(slots) >= limit:
                break
    return slots


def slot_at(*, customer: Customer, starts_at: datetime, ends_at: datetime) -> CallbackSlot | None:
    """The offered slot exactly matching the window, if any."""
    for slot in callback_slots(customer=customer, start=starts_at, days=1, limit=1):
        if slot.starts_at == starts_at and slot.ends_at == ends_at:
            return slot
    return None


def next_slots(*, customer: Customer, after: datetime, count: int = 5) -> list[CallbackSlot]:
    """The next offered windows, proposed when the wanted one is not."""
    return callback_slots(customer=customer, start=after, days=7, limit=count)


def first_free(
    *, customer: Customer, starts_at: datetime, ends_at: datetime
) -> CallbackSlot | None:
    """The first offered slot inside [starts_at, ends_at], if any."""
    zone = calendar_for(team_id=callback_team_id(customer)).zone
    days = ends_at.astimezone(zone).date() - max(starts_at, clock.now()).astimezone(zone).date()
    for slot in callback_slots(customer=customer, start=starts_at, days=days.days + 1, limit=1):
        if slot.ends_at <= ends_at:
            return slot
    return None


def time_zone(customer: Customer) -> ZoneInfo:
    """The zone the customer's team works in: windows are shown in it."""
    return calendar_for(team_id=callback_team_id(customer)).zone
