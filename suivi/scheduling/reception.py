"""Check-in and the waiting list at a location.

The order of the list is one rule, stored at check-in as `Visit.queue_at`:

- a walk-in queues from their arrival;
- a customer with an appointment queues from the time of the appointment, even when
  early, as long as they arrive no later than LATE_GRACE after it; later than that,
  they queue from their arrival like a walk-in;
- ties (same queue time) go by arrival, then by check-in order (id).

So an appointment at 10:00 is called before anyone who walked in after 10:00, and after
walk-ins who were already there before 10:00.
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q, QuerySet

from suivi.core import clock
from suivi.customers import selectors as customer_selectors
from suivi.customers.models import Customer, Identity
from suivi.people.models import Absence, Advisor

from .errors import AlreadyCheckedIn, CheckInClosed, NameRequired, NobodyWaiting, VisitNotOpen
from .models import Appointment, Location, Visit
from .slots import WEEKDAYS, parse_hours

LATE_GRACE = timedelta(minutes=15)
CHECK_IN_OPENS = timedelta(hours=1)
DEFAULT_VISIT_MINUTES = 20
RECENT_VISITS = 20


def queue_time(*, arrived_at: datetime, appointment: Appointment | None) -> datetime:
    if appointment is not None and arrived_at <= appointment.starts_at + LATE_GRACE:
        return appointment.starts_at
    return arrived_at


def _short_name(customer: Customer) -> str:
    """What the screens show: given name and initial, never the full file."""
    initial = f" {customer.family_name[:1]}." if customer.family_name else ""
    return (customer.given_name + initial).strip() or customer.full_name or f"#{customer.pk}"


@transaction.atomic
def appointment_check_in(*, appointment: Appointment) -> Visit:
    """The customer is here: they join the location's waiting list."""
    locked = (
        Appointment.objects.select_for_update().select_related("customer").get(pk=appointment.pk)
    )
    moment = clock.now()
    if locked.status == Appointment.Status.CHECKED_IN:
        raise AlreadyCheckedIn(appointment_id=appointment.pk)
    if locked.status != Appointment.Status.BOOKED:
        raise CheckInClosed(appointment_id=appointment.pk)
    if not (locked.starts_at - CHECK_IN_OPENS <= moment <= locked.ends_at):
        raise CheckInClosed(appointment_id=appointment.pk)
    visit = Visit.objects.create(
        location_id=locked.location_id,
        appointment=locked,
        customer=locked.customer,
        name=_short_name(locked.customer),
        reason=locked.reason[:300],
        status=Visit.Status.WAITING,
        arrived_at=moment,
        queue_at=queue_time(arrived_at=moment, appointment=locked),
    )
    locked.status = Appointment.Status.CHECKED_IN
    locked.updated_at = moment
    locked.save(update_fields=["status", "updated_at"])
    appointment.status = locked.status
    return visit


def _identify(email: str, phone: str) -> Customer | None:
    for kind, value in ((Identity.Kind.EMAIL, email), (Identity.Kind.PHONE, phone)):
        if value.strip():
            found = customer_selectors.customer_by_identity(kind=kind, value=value)
            if found is not None:
                return found
    return None


@transaction.atomic
def walk_in_add(
    *,
    location: Location,
    name: str,
    reason: str = "",
    email: str = "",
    phone: str = "",
    customer: Customer | None = None,
) -> Visit:
    """Someone came without an appointment; reception notes a name and the reason."""
    if not name.strip() and customer is None:
        raise NameRequired(field="name")
    customer = customer or _identify(email, phone)
    moment = clock.now()
    return Visit.objects.create(
        location=location,
        customer=customer,
        name=name.strip()[:120] or _short_name(customer),  # type: ignore[arg-type]
        reason=reason.strip()[:300],
        contact_email=email.strip().lower()[:254],
        contact_phone=phone.strip()[:32],
        status=Visit.Status.WAITING,
        arrived_at=moment,
        queue_at=moment,
    )


def waiting_queryset(location: Location) -> QuerySet[Visit]:
    return (
        Visit.objects.filter(location=location, status=Visit.Status.WAITING)
        .select_related("appointment", "appointment__appointment_type", "appointment__advisor")
        .order_by("queue_at", "arrived_at", "pk")
    )


def _claim(visit_id: int, advisor: Advisor) -> bool:
    """Only one advisor gets a person, even when two press "call next" together."""
    return bool(
        Visit.objects.filter(pk=visit_id, status=Visit.Status.WAITING).update(
            status=Visit.Status.CALLED, called_at=clock.now(), called_by=advisor
        )
    )


def visit_call_next(*, location: Location, advisor: Advisor) -> Visit:
    """The first person in the order who is a walk-in or has an appointment with this
    advisor (another advisor's appointment waits for them, or for "call this person")."""
    for _attempt in range(5):
        mine = waiting_queryset(location).filter(
            Q(appointment__isnull=True) | Q(appointment__advisor=advisor)
        )
        candidates = list(mine.values_list("pk", flat=True)[:5])
        if not candidates:
            raise NobodyWaiting(location_id=location.pk)
        for visit_id in candidates:
            if _claim(visit_id, advisor):
                return Visit.objects.select_related("appointment", "customer").get(pk=visit_id)
    raise NobodyWaiting(location_id=location.pk)


def visit_call(*, visit: Visit, advisor: Advisor) -> Visit:
    if not _claim(visit.pk, advisor):
        raise VisitNotOpen(visit_id=visit.pk)
    visit.refresh_from_db()
    return visit


@transaction.atomic
def visit_leave(*, visit: Visit) -> Visit:
    """The person left before being seen (their appointment counts as missed)."""
    updated = Visit.objects.filter(
        pk=visit.pk, status__in=[Visit.Status.WAITING, Visit.Status.CALLED]
    ).update(status=Visit.Status.LEFT, finished_at=clock.now())
    if not updated:
        raise VisitNotOpen(visit_id=visit.pk)
    if visit.appointment_id:
        Appointment.objects.filter(pk=visit.appointment_id).update(
            status=Appointment.Status.NO_SHOW, updated_at=clock.now()
        )
    visit.refresh_from_db()
    return visit


# --- The waiting list, with honest waits -------------------------------------------


@dataclass(frozen=True)
class WaitingEntry:
    visit: Visit
    place: int  # 1 for the next person
    wait_minutes: int


@dataclass(frozen=True)
class WaitingList:
    location: Location
    entries: list[WaitingEntry]
    in_progress: list[Visit]
    average_visit_minutes: int
    advisors_on_duty: int


def average_visit_minutes(location: Location) -> int:
    """Average length of the last visits at this location (called → finished)."""
    recent: list[tuple[datetime, datetime]] = list(
        Visit.objects.filter(
            location=location,
            status=Visit.Status.DONE,
            called_at__isnull=False,
            finished_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list("called_at", "finished_at")[:RECENT_VISITS]  # type: ignore[arg-type]
    )
    if not recent:
        return DEFAULT_VISIT_MINUTES
    total = sum((end - start).total_seconds() for start, end in recent)
    return max(1, round(total / len(recent) / 60))


def advisors_on_duty(location: Location, at: datetime) -> int:
    """Advisors scheduled at the location at `at` and not absent; at least one."""
    zone = ZoneInfo(location.time_zone)
    local = at.astimezone(zone)
    day: date = local.date()
    key = WEEKDAYS[day.weekday()]
    schedules = list(location.schedules.select_related("advisor"))
    absent = set(
        Absence.objects.filter(
            advisor_id__in=[s.advisor_id for s in schedules], starts_at__lte=at, ends_at__gt=at
        ).values_list("advisor_id", flat=True)
    )
    working = sum(
        1
        for s in schedules
        if s.advisor_id not in absent
        and any(
            start <= local < end for start, end in parse_hours(day, s.hours().get(key, []), zone)
        )
    )
    return max(1, working)


def _round_up(minutes: float, step: int = 5) -> int:
    return int(math.ceil(minutes / step) * step) if minutes > 0 else 0


def waiting_list(*, location: Location) -> WaitingList:
    """Who waits, in order, each with their place and an estimated wait: people ahead
    and those being seen, shared among the advisors on duty, times the average length of
    recent visits; never before the time of one's appointment."""
    moment = clock.now()
    waiting = list(waiting_queryset(location))
    in_progress = list(
        Visit.objects.filter(location=location, status=Visit.Status.CALLED)
        .select_related("called_by")
        .order_by("called_at", "pk")
    )
    average = average_visit_minutes(location)
    servers = advisors_on_duty(location, moment)
    entries = []
    for index, visit in enumerate(waiting):
        turns = math.floor((index + len(in_progress)) / servers)
        wait = turns * average
        until_due = (visit.queue_at - moment).total_seconds() / 60
        entries.append(WaitingEntry(visit, index + 1, _round_up(max(wait, until_due))))
    return WaitingList(location, entries, in_progress, average, servers)


def waiting_entry(*, visit: Visit) -> WaitingEntry | None:
    """The customer's own place, for their waiting page; None once called or gone."""
    if visit.status != Visit.Status.WAITING:
        return None
    for entry in waiting_list(location=visit.location).entries:
        if entry.visit.pk == visit.pk:
            return entry
    return None


def appointments_of_day(*, location: Location, day: date | None = None) -> QuerySet[Appointment]:
    zone = ZoneInfo(location.time_zone)
    day = day or clock.now().astimezone(zone).date()
    start = datetime.combine(day, time.min, tzinfo=zone)
    return (
        Appointment.objects.filter(
            location=location,
            starts_at__gte=start,
            starts_at__lt=start + timedelta(days=1),
        )
        .exclude(status=Appointment.Status.CANCELLED)
        .select_related("customer", "advisor", "appointment_type")
        .order_by("starts_at", "pk")
    )
