"""Cases (dossiers) and the one timeline of interactions across every channel."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from suivi.core.vocabulary import Channel


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WAITING = "waiting", _("Waiting on customer")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    ACTIVE_STATUSES = (Status.OPEN, Status.WAITING)

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="cases"
    )
    subject = models.CharField(_("subject"), max_length=200)
    topic = models.CharField(_("topic"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.OPEN)
    owner = models.ForeignKey(
        "people.Advisor",
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_cases",
    )
    # "What we know so far": kept up to date so nobody has to ask the customer again.
    summary = models.TextField(_("summary"), blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"))
    # When the oldest inbound contact still without a human answer arrived; null when
    # nothing waits. The inbox is this column, oldest first.
    awaiting_reply_since = models.DateTimeField(null=True, blank=True)
    last_interaction_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(
                fields=["owner", "awaiting_reply_since", "id"],
                name="case_inbox",
                condition=models.Q(awaiting_reply_since__isnull=False),
            ),
            models.Index(fields=["customer", "status"], name="case_customer_status"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class Interaction(models.Model):
    """One contact or note, on any channel, on the customer's single timeline."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("From the customer")
        OUTBOUND = "out", _("To the customer")
        INTERNAL = "internal", _("Internal")

    class AuthorKind(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        ADVISOR = "advisor", _("Advisor")
        ASSISTANT = "assistant", _("Assistant")
        SYSTEM = "system", _("System")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="interactions"
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="interactions"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction)
    author_kind = models.CharField(max_length=16, choices=AuthorKind)
    author_advisor = models.ForeignKey(
        "people.Advisor", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("text"), blank=True)
    # Already sanitised when stored; templates may mark it safe.
    html = models.TextField(blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    metadata = models.JSONField(default=dict, blank=True)
    # For inbound contacts: when a person first answered (the "wait" KPI ends here).
    first_answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(
                "customer", models.F("occurred_at").desc(), models.F("id").desc(),
                name="interaction_customer_timeline",
            ),
            models.Index(
                "case", models.F("occurred_at").desc(), models.F("id").desc(),
                name="interaction_case_timeline",
            ),
            models.Index(
                fields=["case", "first_answered_at"],
                name="interaction_unanswered",
                condition=models.Q(direction="in", first_answered_at__isnull=True),
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.channel} {self.direction} #{self.pk}"


class Handoff(models.Model):
    """A case passed to another advisor, with what they need to know first."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="handoffs")
    from_advisor = models.ForeignKey(
        "people.Advisor", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    to_advisor = models.ForeignKey(
        "people.Advisor", on_delete=models.SET_NULL, null=True, related_name="handoffs_received"
    )
    by = models.ForeignKey("people.Advisor", on_delete=models.SET_NULL, null=True, related_name="+")
    context_note = models.TextField(_("context note"))
    created_at = models.DateTimeField()
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("handoff")
        verbose_name_plural = _("handoffs")
        indexes = [
            models.Index(fields=["case", "-created_at"], name="handoff_case_latest"),
            # The inbox asks "handed to me and not read yet"; read handoffs pile up for years.
            models.Index(
                fields=["to_advisor", "case"],
                name="handoff_unseen",
                condition=models.Q(seen_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"case {self.case_id} → {self.to_advisor_id}"
