"""Normalising identities: one spelling per e-mail, phone number or handle."""

from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from suivi.core.errors import InvalidInput
from suivi.core.vocabulary import is_choice

from .models import Identity

DEFAULT_PHONE_REGION = "FR"
_GMAIL_DOMAINS = {"gmail.com", "googlemail.com"}


class InvalidIdentity(InvalidInput):
    code = "invalid_identity"
    default_message = _("This identity is not valid.")


@dataclass(frozen=True)
class Normalised:
    kind: str
    value: str
    loose_value: str


def normalise(kind: str, raw: str) -> Normalised:
    """The canonical value of an identity, or InvalidIdentity with a reason people read."""
    if not is_choice(Identity.Kind, kind):
        raise InvalidIdentity(_("Unknown identity kind: %(kind)s.") % {"kind": kind}, kind=kind)
    raw = raw.strip()
    if not raw:
        raise InvalidIdentity(_("The identity value is empty."), kind=kind)
    if kind == Identity.Kind.EMAIL:
        return _email(raw)
    if kind == Identity.Kind.PHONE:
        return _phone(raw)
    if kind == Identity.Kind.CUSTOMER_NUMBER:
        value = "".join(raw.split()).upper()
        return Normalised(kind, value, value)
    handle = raw.removeprefix("@").lower()
    if any(ch.isspace() for ch in handle) or not handle:
        raise InvalidIdentity(_("A handle cannot contain spaces."), kind=kind)
    return Normalised(kind, handle, handle)


def _email(raw: str) -> Normalised:
    value = raw.lower()
    try:
        validate_email(value)
    except ValidationError as error:
        raise InvalidIdentity(
            _("“%(value)s” is not a valid e-mail address.") % {"value": raw}, kind="email"
        ) from error
    local, _sep, domain = value.rpartition("@")
    loose_local = local.split("+", 1)[0]
    if domain in _GMAIL_DOMAINS:
        loose_local, domain = loose_local.replace(".", ""), "gmail.com"
    return Normalised("email", value, f"{loose_local}@{domain}")


def _phone(raw: str) -> Normalised:
    try:
        number = phonenumbers.parse(raw, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as error:
        raise InvalidIdentity(
            _("“%(value)s” is not a phone number.") % {"value": raw}, kind="phone"
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidIdentity(
            _("“%(value)s” is not a valid phone number.") % {"value": raw}, kind="phone"
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return Normalised("phone", e164, str(number.national_number))


def guess_kind(query: str) -> str | None:
    """Which identity a search string looks like, if any."""
    text = query.strip()
    if "@" in text and " " not in text:
        return Identity.Kind.EMAIL
    digits = sum(ch.isdigit() for ch in text)
    if digits >= 6 and all(ch.isdigit() or ch in "+ .-()" for ch in text):
        return Identity.Kind.PHONE
    return None
