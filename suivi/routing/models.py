"""Presence, capacity, and the record of every routing decision with its reason."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from suivi.core.vocabulary import Channel

# Used when an advisor has no Capacity row for the channel. E-mail-like channels count
# open cases owned; phone and chat count live contacts.
DEFAULT_CAPACITY = {Channel.PHONE: 1, Channel.CHAT: 3, Channel.EMAIL: 20}
DEFAULT_ASYNC_CAPACITY = 20
LIVE_CHANNELS = frozenset({Channel.PHONE, Channel.CHAT})


def default_capacity(channel: str) -> int:
    return DEFAULT_CAPACITY.get(channel, DEFAULT_ASYNC_CAPACITY)  # type: ignore[call-overload]


class AdvisorPresence(models.Model):
    """What the advisor (or the phone system) says right now. No row means available."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Available")
        BUSY = "busy", _("Busy")
        AWAY = "away", _("Away")

    advisor = models.OneToOneField(
        "people.Advisor", on_delete=models.CASCADE, related_name="presence"
    )
    status = models.CharField(max_length=16, choices=Status, default=Status.AVAILABLE)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("presence")
        verbose_name_plural = _("presences")

    def __str__(self) -> str:
        return f"{self.advisor_id}: {self.status}"


class Capacity(models.Model):
    """How many contacts of one channel an advisor takes at once."""

    advisor = models.ForeignKey(
        "people.Advisor", on_delete=models.CASCADE, related_name="capacities"
    )
    channel = models.CharField(max_length=16, choices=Channel)
    limit = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("capacity")
        verbose_name_plural = _("capacities")
        constraints = [
            models.UniqueConstraint(fields=["advisor", "channel"], name="capacity_unique"),
            models.CheckConstraint(condition=models.Q(limit__gt=0), name="capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.advisor_id} {self.channel}: {self.limit}"


class RoutingDecision(models.Model):
    """Who was chosen to answer, and why, shown on the case and the interaction."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="routing_decisions"
    )
    case = models.ForeignKey(
        "conversations.Case",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_decisions",
    )
    channel = models.CharField(max_length=16, choices=Channel)
    advisor = models.ForeignKey(
        "people.Advisor", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A stable code for machines (see docs/routing.md) ...
    reason_code = models.CharField(max_length=32)
    # ... the sentence as rendered when decided, and what it was built from, so it can be
    # rendered again in the reader's language.
    reason = models.CharField(max_length=500)
    details = models.JSONField(default=dict, blank=True)
    decided_at = models.DateTimeField()

    class Meta:
        verbose_name = _("routing decision")
        verbose_name_plural = _("routing decisions")
        indexes = [
            models.Index(fields=["case", "-decided_at"], name="routing_case_latest"),
            models.Index(fields=["customer", "-decided_at"], name="routing_customer_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.reason_code} → {self.advisor_id}"

    @property
    def reason_text(self) -> str:
        """The reason in the active language."""
        from .reasons import render

        details: dict[str, Any] = self.details or {}
        return render(details) if details else self.reason
