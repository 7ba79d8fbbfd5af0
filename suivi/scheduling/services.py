"""Booking, moving and cancelling appointments, online or by an advisor.

Never a double booking: inside one transaction the advisor's row is locked
(SELECT ... FOR UPDATE), the overlap is checked, then the appointment is inserted. Two
requests for the same advisor therefore run one after the other, and the second sees the
first one's appointment. On PostgreSQL an exclusion constraint refuses overlaps as well
(migration 0002), so even code that forgets the lock cannot double-book.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from suivi.conversations.models import Case
from suivi.core import clock
from suivi.core.errors import InvalidInput
from suivi.customers import selectors as customer_selectors
from suivi.customers import services as customer_services
from suivi.customers.models import Customer, Identity
from suivi.customers.services import IdentityInput
from suivi.people.models import Advisor

from . import tasks
from .errors import (
    AppointmentNotChangeable,
    ContactRequired,
    SlotNotOffered,
    SlotTaken,
)
from .models import ACTIVE_APPOINTMENT_STATUSES, Appointment, AppointmentType, Location
from .slots import Slot, check_offered, free_slots

ALTERNATIVES = 5
Source = Appointment.Source


def _aware(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise InvalidInput(field="starts_at")
    return moment


def alternatives(
    *,
    location: Location,
    appointment_type: AppointmentType,
    after: datetime,
    exclude_appointment_id: int | None = None,
) -> list[Slot]:
    """The next free slots, offered when the wanted one is gone."""
    return free_slots(
        location=location,
        appointment_type=appointment_type,
        start=after,
        days=14,
        limit=ALTERNATIVES,
        exclude_appointment_id=exclude_appointment_id,
    )


def _slot_at(
    *,
    location: Location,
    appointment_type: AppointmentType,
    starts_at: datetime,
    exclude_appointment_id: int | None = None,
) -> Slot:
    """The free slot starting at `starts_at`; SlotTaken if it exists but is full,
    SlotNotOffered if the location never offers it."""
    check_offered(location=location, appointment_type=appointment_type)
    for ignore_bookings in (False, True):
        found = [
            slot
            for slot in free_slots(
                location=location,
                appointment_type=appointment_type,
                start=starts_at,
                days=1,
                limit=1,
                exclude_appointment_id=exclude_appointment_id,
                ignore_bookings=ignore_bookings,
            )
            if slot.starts_at == starts_at
        ]
        if found and not ignore_bookings:
            return found[0]
        if found:
            raise _taken(location, appointment_type, starts_at, exclude_appointment_id)
    raise SlotNotOffered(starts_at=starts_at.isoformat())


def _taken(
    location: Location,
    appointment_type: AppointmentType,
    starts_at: datetime,
    exclude_appointment_id: int | None = None,
) -> SlotTaken:
    error = SlotTaken(starts_at=starts_at.isoformat())
    error.alternatives = alternatives(  # type: ignore[attr-defined]
        location=location,
        appointment_type=appointment_type,
        after=starts_at - timedelta(hours=2),
        exclude_appointment_id=exclude_appointment_id,
    )
    return error


def _candidates(slot: Slot, preferred: list[int | None]) -> list[int]:
    """The preferred advisors first (the one asked for, the dedicated advisor), then the
    others in a stable order."""
    first = [pk for pk in preferred if pk is not None and pk in slot.advisor_ids]
    return list(dict.fromkeys(first + list(slot.advisor_ids)))


def _lock_and_check(
    advisor_id: int, starts_at: datetime, ends_at: datetime, exclude: int | None
) -> bool:
    """Lock the advisor, then tell whether they are still free. Call inside a transaction."""
    list(Advisor.objects.select_for_update().filter(pk=advisor_id).values_list("pk"))
    busy = Appointment.objects.filter(
        advisor_id=advisor_id,
        status__in=ACTIVE_APPOINTMENT_STATUSES,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    if exclude is not None:
        busy = busy.exclude(pk=exclude)
    return not busy.exists()


def appointment_book(
    *,
    customer: Customer,
    location: Location,
    appointment_type: AppointmentType,
    starts_at: datetime,
    source: str = Source.ONLINE,
    booked_by: Advisor | None = None,
    advisor: Advisor | None = None,
    case: Case | None = None,
    reason: str = "",
    language: str | None = None,
    contact_email: str = "",
    contact_phone: str = "",
) -> Appointment:
    """Book the free slot at `starts_at` with a qualified advisor (the one asked for,
    else the customer's own advisor, else the first free one). SlotTaken, with the next
    free slots, when it is gone."""
    starts_at = _aware(starts_at)
    if case is not None and case.customer_id != customer.pk:
        raise InvalidInput(field="case_id")
    slot = _slot_at(location=location, appointment_type=appointment_type, starts_at=starts_at)
    if advisor is not None and advisor.pk not in slot.advisor_ids:
        raise _taken(location, appointment_type, starts_at)
    wanted: list[int | None] = [advisor.pk] if advisor else [customer.dedicated_advisor_id]
    for advisor_id in _candidates(slot, wanted) if advisor is None else [advisor.pk]:
        appointment = _insert(
            advisor_id=advisor_id,
            customer=customer,
            location=location,
            appointment_type=appointment_type,
            slot=slot,
            source=source,
            booked_by=booked_by,
            case=case,
            reason=reason.strip(),
            language=language or customer.language,
            contact_email=contact_email.strip().lower(),
            contact_phone=contact_phone.strip(),
        )
        if appointment is not None:
            return appointment
    raise _taken(location, appointment_type, starts_at)


@transaction.atomic
def _insert(*, advisor_id: int, slot: Slot, **fields: object) -> Appointment | None:
    if not _lock_and_check(advisor_id, slot.starts_at, slot.ends_at, exclude=None):
        return None
    moment = clock.now()
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                advisor_id=advisor_id,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                created_at=moment,
                updated_at=moment,
                **fields,
            )
    except IntegrityError:
        # The PostgreSQL exclusion constraint: someone got there without the lock.
        return None
    _notify(appointment, "confirmation")
    return appointment


def _notify(appointment: Appointment, kind: str) -> None:
    pk = appointment.pk
    transaction.on_commit(
        lambda: tasks.send_appointment_email.enqueue(appointment_id=pk, kind=kind)
    )


def _lock_appointment(appointment: Appointment) -> Appointment:
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    appointment.status, appointment.starts_at = locked.status, locked.starts_at
    appointment.ends_at, appointment.advisor_id = locked.ends_at, locked.advisor_id
    if not appointment.is_changeable:
        raise AppointmentNotChangeable(appointment_id=appointment.pk)
    if appointment.starts_at <= clock.now():
        raise AppointmentNotChangeable(appointment_id=appointment.pk)
    return appointment


def appointment_move(
    *, appointment: Appointment, starts_at: datetime, by: Advisor | None = None
) -> Appointment:
    """Move to the free slot at `starts_at`, with the same advisor when they are free."""
    starts_at = _aware(starts_at)
    if not appointment.is_changeable or appointment.starts_at <= clock.now():
        raise AppointmentNotChangeable(appointment_id=appointment.pk)
    slot = _slot_at(
        location=appointment.location,
        appointment_type=appointment.appointment_type,
        starts_at=starts_at,
        exclude_appointment_id=appointment.pk,
    )
    for advisor_id in _candidates(slot, [appointment.advisor_id]):
        if _move_to(appointment, advisor_id, slot):
            return appointment
    raise _taken(appointment.location, appointment.appointment_type, starts_at, appointment.pk)


@transaction.atomic
def _move_to(appointment: Appointment, advisor_id: int, slot: Slot) -> bool:
    _lock_appointment(appointment)
    if not _lock_and_check(advisor_id, slot.starts_at, slot.ends_at, exclude=appointment.pk):
        return False
    previous = (appointment.advisor_id, appointment.starts_at, appointment.ends_at)
    appointment.advisor_id = advisor_id
    appointment.starts_at, appointment.ends_at = slot.starts_at, slot.ends_at
    # A new time deserves a new reminder.
    appointment.reminder_sent_at = None
    appointment.updated_at = clock.now()
    try:
        with transaction.atomic():
            appointment.save(
                update_fields=["advisor", "starts_at", "ends_at", "reminder_sent_at", "updated_at"]
            )
    except IntegrityError:
        appointment.advisor_id, appointment.starts_at, appointment.ends_at = previous
        return False
    _notify(appointment, "moved")
    return True


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, reason: str = "", by: Advisor | None = None
) -> Appointment:
    _lock_appointment(appointment)
    appointment.status = Appointment.Status.CANCELLED
    appointment.cancelled_at = appointment.updated_at = clock.now()
    appointment.cancel_reason = reason.strip()[:200]
    appointment.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
    _notify(appointment, "cancelled")
    return appointment


@dataclass(frozen=True)
class ContactDetails:
    given_name: str
    family_name: str
    email: str = ""
    phone: str = ""
    language: str = "fr"


def customer_for_booking(*, contact: ContactDetails) -> Customer:
    """The customer who holds this e-mail (else this phone number), or a new one."""
    if not (contact.email.strip() or contact.phone.strip()):
        raise ContactRequired()
    for kind, value in ((Identity.Kind.EMAIL, contact.email), (Identity.Kind.PHONE, contact.phone)):
        if value.strip():
            found = customer_selectors.customer_by_identity(kind=kind, value=value)
            if found is not None:
                return found
    identities = [
        IdentityInput(kind, value.strip())
        for kind, value in (
            (Identity.Kind.EMAIL, contact.email),
            (Identity.Kind.PHONE, contact.phone),
        )
        if value.strip()
    ]
    return customer_services.customer_create(
        given_name=contact.given_name,
        family_name=contact.family_name,
        language=contact.language,
        preferred_channel="email" if contact.email.strip() else "phone",
        identities=identities,
    )


@transaction.atomic
def appointment_book_online(
    *,
    location: Location,
    appointment_type: AppointmentType,
    starts_at: datetime,
    contact: ContactDetails,
    reason: str = "",
) -> Appointment:
    """A customer books on the public page: recognised by e-mail or phone, or created.
    If the slot is gone, nothing is kept (not even the new customer)."""
    customer = customer_for_booking(contact=contact)
    appointment = appointment_book(
        customer=customer,
        location=location,
        appointment_type=appointment_type,
        starts_at=starts_at,
        source=Source.ONLINE,
        reason=reason,
        language=contact.language,
        contact_email=contact.email,
        contact_phone=contact.phone,
    )
    if customer.team_id is None:
        # Someone must be able to see a customer who came in online: the advisor's team.
        team_id = Advisor.objects.filter(pk=appointment.advisor_id).values_list(
            "team_id", flat=True
        )[0]
        if team_id is not None:
            Customer.objects.filter(pk=customer.pk, team__isnull=True).update(team_id=team_id)
            customer.team_id = team_id
    return appointment
