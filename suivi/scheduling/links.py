"""Signed links a customer uses without an account: manage (move, cancel), check in,
and follow their place on the waiting list. A tampered link is refused as not found."""

import io

import segno
from django.conf import settings
from django.core import signing
from django.urls import reverse

from .errors import InvalidLink
from .models import Appointment, Callback, Visit

MANAGE = "suivi.scheduling.manage"
CHECK_IN = "suivi.scheduling.check-in"
WAITING = "suivi.scheduling.waiting"
CALLBACK = "suivi.scheduling.callback"


def sign(pk: int, purpose: str) -> str:
    return signing.dumps(pk, salt=purpose)


def unsign(token: str, purpose: str) -> int:
    try:
        value = signing.loads(token, salt=purpose)
    except signing.BadSignature as error:
        raise InvalidLink() from error
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidLink()
    return value


def appointment_from_token(token: str, purpose: str) -> Appointment:
    appointment = (
        Appointment.objects.select_related("location", "appointment_type", "customer")
        .filter(pk=unsign(token, purpose))
        .first()
    )
    if appointment is None:
        raise InvalidLink()
    return appointment


def visit_from_token(token: str) -> Visit:
    visit = Visit.objects.select_related("location").filter(pk=unsign(token, WAITING)).first()
    if visit is None:
        raise InvalidLink()
    return visit


def callback_from_token(token: str) -> Callback:
    callback = (
        Callback.objects.select_related("assigned_to", "customer")
        .filter(pk=unsign(token, CALLBACK))
        .first()
    )
    if callback is None:
        raise InvalidLink()
    return callback


def callback_path(callback: Callback) -> str:
    return reverse("callback-confirmation", args=[sign(callback.pk, CALLBACK)])


def public_base_url() -> str:
    """Where customers reach this server; set SUIVI_PUBLIC_URL in production."""
    return str(settings.SUIVI_PUBLIC_URL).rstrip("/")


def manage_path(appointment: Appointment) -> str:
    return reverse("booking-manage", args=[sign(appointment.pk, MANAGE)])


def check_in_path(appointment: Appointment) -> str:
    return reverse("booking-check-in", args=[sign(appointment.pk, CHECK_IN)])


def waiting_path(visit: Visit) -> str:
    return reverse("booking-waiting", args=[sign(visit.pk, WAITING)])


def qr_svg(url: str) -> str:
    """An inline SVG QR code of `url`, sized by CSS."""
    qr = segno.make(url, error="m")
    return str(qr.svg_inline(scale=4, border=2, omitsize=True, title="QR code"))


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()
