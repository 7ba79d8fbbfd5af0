"""What customers receive about an appointment, in their language: confirmation (with
an .ics invitation and the check-in QR code), change, cancellation and reminder."""

from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import formats, translation
from django.utils.html import escape
from django.utils.translation import gettext as _

from suivi.core import clock

from . import links
from .models import Appointment

CONFIRMATION, MOVED, CANCELLED, REMINDER = "confirmation", "moved", "cancelled", "reminder"
KINDS = (CONFIRMATION, MOVED, CANCELLED, REMINDER)


def local_time(appointment: Appointment) -> datetime:
    return appointment.starts_at.astimezone(ZoneInfo(appointment.location.time_zone))


def when_text(appointment: Appointment) -> str:
    """'mardi 3 juin 2025 à 14:30' in the active language."""
    moment = local_time(appointment)
    return _("%(date)s at %(time)s") % {
        "date": formats.date_format(moment, "l j F Y"),
        "time": formats.time_format(moment, "H:i"),
    }


def appointment_ics(appointment: Appointment) -> bytes:
    """An iCalendar invitation (METHOD:REQUEST, or CANCEL once cancelled)."""
    location = appointment.location
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Suivi//appointments//EN")
    calendar.add("version", "2.0")
    cancelled = appointment.status == Appointment.Status.CANCELLED
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = icalendar.Event()
    event.add("uid", f"appointment-{appointment.pk}@suivi")
    event.add("dtstamp", clock.now())
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    # Moving an appointment bumps the sequence so calendars replace the old event.
    event.add("sequence", int(appointment.updated_at.timestamp()) - 1_700_000_000)
    event.add("summary", f"{appointment.appointment_type.label()} · {location.name}")
    event.add("location", location.address or location.name)
    description = [_("Manage your appointment: %(url)s") % {"url": manage_url(appointment)}]
    if bring := appointment.appointment_type.what_to_bring():
        description.append(_("What to bring: %(items)s") % {"items": bring})
    event.add("description", "\n".join(description))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()


def manage_url(appointment: Appointment) -> str:
    return links.public_base_url() + links.manage_path(appointment)


def check_in_url(appointment: Appointment) -> str:
    return links.public_base_url() + links.check_in_path(appointment)


def recipient(appointment: Appointment) -> str:
    if appointment.contact_email:
        return appointment.contact_email
    identity = appointment.customer.identities.filter(kind="email").order_by("pk").first()
    return identity.value if identity else ""


def _subject(kind: str, appointment: Appointment) -> str:
    label = appointment.appointment_type.label()
    return {
        CONFIRMATION: _("Your appointment is confirmed: %(label)s"),
        MOVED: _("Your appointment has moved: %(label)s"),
        CANCELLED: _("Your appointment is cancelled: %(label)s"),
        REMINDER: _("Reminder: your appointment %(label)s"),
    }[kind] % {"label": label}


def _body(kind: str, appointment: Appointment) -> list[str]:
    customer = appointment.customer
    location = appointment.location
    lines = [_("Hello %(name)s,") % {"name": customer.greeting_name}, ""]
    facts = {
        "label": appointment.appointment_type.label(),
        "when": when_text(appointment),
        "place": location.name,
    }
    lines.append(
        {
            CONFIRMATION: _("Your appointment “%(label)s” is booked on %(when)s, %(place)s."),
            MOVED: _("Your appointment “%(label)s” now takes place on %(when)s, %(place)s."),
            CANCELLED: _("Your appointment “%(label)s” on %(when)s, %(place)s, is cancelled."),
            REMINDER: _("We look forward to seeing you on %(when)s, %(place)s (%(label)s)."),
        }[kind]
        % facts
    )
    if kind != CANCELLED:
        if location.address:
            lines += ["", location.address]
        if bring := appointment.appointment_type.what_to_bring():
            lines += ["", _("What to bring: %(items)s") % {"items": bring}]
        if not location.is_remote:
            lines += [
                "",
                _("When you arrive, check in with the QR code attached or this link:"),
                check_in_url(appointment),
            ]
        lines += ["", _("To move or cancel it, without an account:"), manage_url(appointment)]
    else:
        lines += ["", _("You can book another time here:"), links.public_base_url() + "/book/"]
    return lines


def appointment_email(kind: str, appointment: Appointment) -> EmailMultiAlternatives | None:
    """The message for `kind`, in the customer's language; None without an address."""
    to = recipient(appointment)
    if not to:
        return None
    with translation.override(appointment.language or appointment.customer.language):
        lines = _body(kind, appointment)
        message = EmailMultiAlternatives(
            subject=_subject(kind, appointment),
            body="\n".join(lines),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
        )
        html = "".join(
            f'<p><a href="{escape(line)}">{escape(line)}</a></p>'
            if line.startswith("http")
            else f"<p>{escape(line)}</p>"
            for line in lines
            if line
        )
        message.attach_alternative(html, "text/html")
        message.attach("invitation.ics", appointment_ics(appointment), "text/calendar")
        if kind in (CONFIRMATION, MOVED, REMINDER) and not appointment.location.is_remote:
            message.attach("check-in.png", links.qr_png(check_in_url(appointment)), "image/png")
    return message


def appointment_notify(*, appointment_id: int, kind: str) -> bool:
    """Send the e-mail of `kind` now; False when the customer has no e-mail address."""
    appointment = (
        Appointment.objects.select_related("location", "appointment_type", "customer")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        return False
    message = appointment_email(kind, appointment)
    if message is None:
        return False
    message.send()
    return True
