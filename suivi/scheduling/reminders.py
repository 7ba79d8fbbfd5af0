"""Reminders before an appointment, on the customer's preferred channel.

By e-mail when the customer prefers it or has no other preference and we know an
address; otherwise (phone, SMS, ...) a person must do it, so an outbound system
interaction is put on the customer's timeline, where the advisor sees the reminder is due.
Idempotent and safe with several workers: each appointment is claimed by setting
`reminder_sent_at` with a conditional UPDATE, so only one sweep reminds it.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from suivi.conversations import services as conversations
from suivi.conversations.models import Interaction
from suivi.core import clock
from suivi.core.vocabulary import Channel

from . import tasks
from .models import Appointment
from .notifications import REMINDER, recipient, when_text

REMIND_AHEAD = timedelta(hours=24)
# Appointments booked less than this before they start are not reminded: they are fresh.
FRESH = timedelta(hours=2)
BATCH = 500


def _by_email(appointment: Appointment) -> bool:
    preferred = appointment.customer.preferred_channel
    return preferred in ("", Channel.EMAIL) and bool(recipient(appointment))


def appointments_send_reminders(*, now: datetime | None = None) -> int:
    """Remind every booked appointment starting within REMIND_AHEAD; returns how many."""
    moment = now or clock.now()
    due = list(
        Appointment.objects.filter(
            status=Appointment.Status.BOOKED,
            reminder_sent_at__isnull=True,
            starts_at__gt=moment,
            starts_at__lte=moment + REMIND_AHEAD,
            created_at__lte=moment - FRESH,
        )
        .select_related("customer", "location", "appointment_type", "case")
        .order_by("starts_at", "pk")[:BATCH]
    )
    reminded = 0
    for appointment in due:
        with transaction.atomic():
            claimed = Appointment.objects.filter(
                pk=appointment.pk, reminder_sent_at__isnull=True, status=Appointment.Status.BOOKED
            ).update(reminder_sent_at=moment)
            if not claimed:
                continue  # another worker took it
            _remind(appointment)
            reminded += 1
    return reminded


def _remind(appointment: Appointment) -> None:
    customer = appointment.customer
    with translation.override(customer.language):
        facts = {
            "label": appointment.appointment_type.label(),
            "when": when_text(appointment),
            "place": appointment.location.name,
        }
        if _by_email(appointment):
            channel: str = Channel.EMAIL
            text = _("Reminder e-mailed: %(label)s on %(when)s, %(place)s.") % facts
            pk = appointment.pk
            transaction.on_commit(
                lambda: tasks.send_appointment_email.enqueue(appointment_id=pk, kind=REMINDER)
            )
        else:
            channel = customer.preferred_channel or Channel.PHONE
            text = (
                _("Reminder due: contact the customer about %(label)s on %(when)s, %(place)s.")
                % facts
            )
    conversations.interaction_record(
        case=appointment.case if appointment.case and appointment.case.status != "closed" else None,
        customer=customer,
        channel=channel,
        direction=Interaction.Direction.OUTBOUND,
        author_kind=Interaction.AuthorKind.SYSTEM,
        text=text,
        metadata={
            "appointment_id": appointment.pk,
            "reminder": True,
            "sent": channel == Channel.EMAIL,
        },
    )
