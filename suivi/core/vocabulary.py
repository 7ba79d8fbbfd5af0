"""Words shared by every domain package: channels and directions of a contact."""

from functools import cache
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    CHAT = "chat", _("Chat")
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SOCIAL = "social", _("Social network")
    VISIT = "visit", _("Visit")
    LETTER = "letter", _("Letter")
    WEB_FORM = "web_form", _("Web form")
    ASSISTANT = "assistant", _("Assistant")
    NOTE = "note", _("Internal note")


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")


@cache
def _values(choices: type[models.Choices]) -> frozenset[Any]:
    return frozenset(member.value for member in choices)


def is_choice(choices: type[models.Choices], value: Any) -> bool:
    """Whether `value` is one of the choices' values. `X.values` builds two lists on
    every call (choices, then values): the services check every contact's channel,
    direction and language this way, several times per inbound message."""
    try:
        return value in _values(choices)
    except TypeError:  # unhashable: certainly not a value
        return False
