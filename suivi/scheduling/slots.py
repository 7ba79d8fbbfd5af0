"""Free slots: when a location is open, a qualified advisor works there, is not absent,
and has no appointment at that time. Three queries whatever the number of days.

A slot is offered at every `slot_step_minutes` from each opening time of the location.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from suivi.core import clock
from suivi.people.models import Absence

from .errors import TypeNotOffered
from .models import (
    ACTIVE_APPOINTMENT_STATUSES,
    AdvisorSchedule,
    Appointment,
    AppointmentType,
    Location,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    ends_at: datetime
    # Free and qualified advisors, never shown to customers.
    advisor_ids: tuple[int, ...]


def check_offered(*, location: Location, appointment_type: AppointmentType) -> None:
    """TypeNotOffered unless the type may be booked at the location."""
    if not location.is_active:
        raise TypeNotOffered(location_id=location.pk)
    offered_at = [loc.pk for loc in appointment_type.locations.all()]
    if offered_at and location.pk not in offered_at:
        raise TypeNotOffered(location_id=location.pk, appointment_type_id=appointment_type.pk)


def parse_hours(day: date, shifts: Iterable[Iterable[str]], zone: ZoneInfo) -> list[Interval]:
    intervals = []
    for shift in shifts:
        start, end = (time.fromisoformat(part) for part in shift)
        begins = datetime.combine(day, start, tzinfo=zone)
        ends = datetime.combine(day, end, tzinfo=zone)
        if ends > begins:
            intervals.append((begins, ends))
    return intervals


def _within(intervals: list[Interval], start: datetime, end: datetime) -> bool:
    return any(begins <= start and end <= ends for begins, ends in intervals)


def _overlaps(intervals: list[Interval], start: datetime, end: datetime) -> bool:
    return any(begins < end and start < ends for begins, ends in intervals)


def qualified(skills: Iterable[str], required: Iterable[str]) -> bool:
    return set(required) <= set(skills)


def free_slots(
    *,
    location: Location,
    appointment_type: AppointmentType,
    start: datetime | None = None,
    days: int = 7,
    limit: int = 200,
    exclude_appointment_id: int | None = None,
    ignore_bookings: bool = False,
) -> list[Slot]:
    """Free slots from `start` (never before now) over `days` local days, soonest first.

    `exclude_appointment_id` frees the time of an appointment being moved;
    `ignore_bookings` tells what the location would offer on an empty agenda."""
    now = clock.now()
    start = max(start or now, now)
    if timezone.is_naive(start):
        raise ValueError("free_slots needs a timezone-aware start")
    zone = ZoneInfo(location.time_zone)
    first_day = start.astimezone(zone).date()
    window_start = datetime.combine(first_day, time.min, tzinfo=zone)
    window_end = window_start + timedelta(days=days + 1)
    duration = timedelta(minutes=appointment_type.duration_minutes)
    step = timedelta(minutes=max(5, location.slot_step_minutes))
    schedules = [
        schedule
        for schedule in AdvisorSchedule.objects.select_related("advisor")
        .filter(location=location)
        .order_by("advisor_id")
        if qualified(schedule.advisor.skills, appointment_type.required_skills)
    ]
    if not schedules:
        return []
    advisor_ids = [s.advisor_id for s in schedules]
    unavailable: dict[int, list[Interval]] = defaultdict(list)
    for advisor_id, begins, ends in Absence.objects.filter(
        advisor_id__in=advisor_ids, starts_at__lt=window_end, ends_at__gt=window_start
    ).values_list("advisor_id", "starts_at", "ends_at"):
        unavailable[advisor_id].append((begins, ends))
    if not ignore_bookings:
        booked = Appointment.objects.filter(
            advisor_id__in=advisor_ids,
            status__in=ACTIVE_APPOINTMENT_STATUSES,
            starts_at__lt=window_end,
            ends_at__gt=window_start,
        )
        if exclude_appointment_id is not None:
            booked = booked.exclude(pk=exclude_appointment_id)
        for advisor_id, begins, ends in booked.values_list("advisor_id", "starts_at", "ends_at"):
            unavailable[advisor_id].append((begins, ends))

    slots: list[Slot] = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        key = WEEKDAYS[day.weekday()]
        working = {
            s.advisor_id: parse_hours(day, s.hours().get(key, []), zone)
            for s in schedules
            if (s.valid_from is None or s.valid_from <= day)
            and (s.valid_until is None or day <= s.valid_until)
        }
        for opens, closes in parse_hours(day, location.opening_hours.get(key, []), zone):
            candidate = opens
            while candidate + duration <= closes:
                end = candidate + duration
                if candidate >= start:
                    free = tuple(
                        advisor_id
                        for advisor_id, intervals in working.items()
                        if _within(intervals, candidate, end)
                        and not _overlaps(unavailable[advisor_id], candidate, end)
                    )
                    if free:
                        slots.append(Slot(candidate, end, free))
                        if len(slots) >= limit:
                            return slots
                candidate += step
    return slots
