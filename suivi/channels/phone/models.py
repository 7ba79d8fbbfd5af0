"""A phone call as the PBX reports it: the facts gathered from its CTI events.

One row per call id; every event of the call updates it under a row lock, so events of
the same call arriving at once are applied one after the other. The interaction on the
customer's timeline is built from these facts.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PhoneCall(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "in", _("Incoming call")
        OUTBOUND = "out", _("Outgoing call")

    class Outcome(models.TextChoices):
        IN_PROGRESS = "", _("In progress")
        ANSWERED = "answered", _("Answered")
        MISSED = "missed", _("Missed")
        VOICEMAIL = "voicemail", _("Voicemail")

    call_id = models.CharField(_("call id"), max_length=255, unique=True)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction)
    # The customer's number in E.164 when it could be read; the raw value otherwise.
    customer_number = models.CharField(_("customer number"), max_length=64, blank=True)
    # The other end: the line the customer dialled, or the advisor's extension.
    our_number = models.CharField(_("our number"), max_length=64, blank=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Created for this call from an unknown number: their file is to complete.
    customer_created = models.BooleanField(default=False)
    case = models.ForeignKey(
        "conversations.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    interaction = models.OneToOneField(
        "conversations.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="phone_call",
    )
    # Who it last rang for, and who picked up.
    ringing_advisor = models.ForeignKey(
        "people.Advisor", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_by = models.ForeignKey(
        "people.Advisor", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    queue_wait_seconds = models.PositiveIntegerField(_("queue wait"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome, blank=True, default=Outcome.IN_PROGRESS
    )
    # The callback made for a missed call (once per call, whatever the events).
    callback = models.ForeignKey(
        "scheduling.Callback", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    note_by = models.ForeignKey(
        "people.Advisor", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("phone call")
        verbose_name_plural = _("phone calls")
        indexes = [
            models.Index(fields=["customer", "-started_at"], name="phonecall_customer"),
            # Calls in progress per advisor: their load in routing (channels/live_load.py).
            models.Index(
                fields=["answered_by", "answered_at"],
                name="phonecall_in_progress",
                condition=models.Q(ended_at__isnull=True, answered_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.call_id
