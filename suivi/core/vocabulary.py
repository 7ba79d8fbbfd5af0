"""Words shared by every domain package: channels and directions of a contact."""

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
