"""What the phone endpoints refuse, with stable codes (listed in docs/api.md)."""

from typing import ClassVar

from django.utils.translation import gettext_lazy as _

from suivi.core.errors import Conflict, DomainError, InvalidInput, NotFound


class PhoneUnauthenticated(DomainError):
    """A request the PBX bridge did not sign with our secret (or signed too long ago)."""

    status: ClassVar[int] = 401
    code = "phone_signature_invalid"
    default_message = _("The signature of this request is missing or wrong.")


class PhoneSignatureMissing(PhoneUnauthenticated):
    code = "phone_signature_missing"
    default_message = _("Sign the request: X-Suivi-Timestamp and X-Suivi-Signature are required.")


class PhoneTimestampStale(PhoneUnauthenticated):
    code = "phone_timestamp_stale"
    default_message = _("The request was signed more than 5 minutes away from our clock.")


class PhoneNotConfigured(PhoneUnauthenticated):
    code = "phone_not_configured"
    default_message = _("The phone channel has no webhook secret (SUIVI_PHONE_WEBHOOK_SECRET).")


class PhoneEventInvalid(InvalidInput):
    code = "phone_event_invalid"
    default_message = _("This is not a phone event Suivi understands.")


class PhoneRateLimited(DomainError):
    status: ClassVar[int] = 429
    code = "rate_limited"
    default_message = _("Too many requests. Please try again in a minute.")


class CallNotFound(NotFound):
    code = "not_found"


class CallWithoutCustomer(Conflict):
    code = "call_without_customer"
    default_message = _("This call has no customer file (the number was withheld).")


class CallNoteEmpty(InvalidInput):
    code = "call_note_empty"
    default_message = _("Write the note first.")
