"""What channels keep: raw inbound messages (all channels), e-mail Message-IDs,
attachments, outgoing e-mails and their delivery."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from suivi.core.vocabulary import Channel


class InboundMessage(models.Model):
    """A raw payload exactly as a channel received it, stored before anything else.

    (channel, external_id) is the idempotency key: the same message delivered twice is
    stored once. Processing turns it into an interaction; a failure is retried with
    backoff, then parked as "needs attention" until an admin replays it.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSING = "processing", _("Processing")
        DONE = "done", _("Done")
        NEEDS_ATTENTION = "needs_attention", _("Needs attention")
        IGNORED = "ignored", _("Ignored")

    channel = models.CharField(_("channel"), max_length=16, choices=Channel)
    external_id = models.CharField(_("external id"), max_length=255)
    raw = models.BinaryField(_("raw message"))
    size = models.PositiveIntegerField(_("size in bytes"))
    # Where it came from: "smtp", "imap:user@host/INBOX", "webhook"...
    source = models.CharField(_("source"), max_length=200, blank=True)
    # Transport facts that are not in the payload (SMTP envelope, peer address).
    envelope = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(_("received at"))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.RECEIVED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # When a received message is (again) due for processing; the retry sweep reads it.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # What processing made of it: "new_case", "threaded:token", "auto_reply", ...
    outcome = models.CharField(_("outcome"), max_length=40, blank=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    case = models.ForeignKey(
        "conversations.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    interaction = models.ForeignKey(
        "conversations.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], name="inbound_unique_external_id"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="inbound_due",
                condition=models.Q(status__in=["received", "processing"]),
            ),
            models.Index(fields=["status", "-received_at"], name="inbound_status"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.external_id}"


class EmailMessageId(models.Model):
    """A Message-ID we sent or received on a case: how replies find their thread.

    Kept in its own indexed table (not only in interaction metadata) because every
    inbound e-mail looks its In-Reply-To and References up here.
    """

    class Direction(models.TextChoices):
        INBOUND = "in", _("Received")
        OUTBOUND = "out", _("Sent")

    message_id = models.CharField(max_length=255, db_index=True)
    case = models.ForeignKey("conversations.Case", on_delete=models.CASCADE, related_name="+")
    interaction = models.ForeignKey(
        "conversations.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    direction = models.CharField(max_length=3, choices=Direction)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("e-mail Message-ID")
        verbose_name_plural = _("e-mail Message-IDs")

    def __str__(self) -> str:
        return self.message_id


class EmailAttachment(models.Model):
    """A file that came with an e-mail. Always downloaded, never rendered as a page."""

    inbound = models.ForeignKey(InboundMessage, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(
        "conversations.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    interaction = models.ForeignKey(
        "conversations.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=127)
    size = models.PositiveIntegerField(_("size in bytes"))
    inline = models.BooleanField(default=False)
    content_id = models.CharField(max_length=255, blank=True)
    content = models.BinaryField(blank=True)
    # Why the content was not kept (too large, dangerous type); empty when it was.
    refused = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["interaction"], name="attachment_interaction")]

    def __str__(self) -> str:
        return self.filename


class OutboundEmail(models.Model):
    """An e-mail we send (an advisor's reply, an acknowledgement) and its delivery."""

    class Kind(models.TextChoices):
        REPLY = "reply", _("Reply")
        ACKNOWLEDGEMENT = "ack", _("Acknowledgement")

    class Status(models.TextChoices):
        PENDING = "pending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Not delivered")

    kind = models.CharField(max_length=8, choices=Kind)
    case = models.ForeignKey("conversations.Case", on_delete=models.CASCADE, related_name="+")
    interaction = models.OneToOneField(
        "conversations.Interaction", on_delete=models.CASCADE, related_name="+"
    )
    to_address = models.EmailField(_("to"), max_length=254)
    from_address = models.CharField(max_length=320)
    reply_to = models.CharField(max_length=320)
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField()
    html = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, unique=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    language = models.CharField(max_length=8, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbound_due",
                condition=models.Q(status="pending"),
            ),
            # Acknowledgements are rate-limited per recipient.
            models.Index(fields=["to_address", "kind", "created_at"], name="outbound_recipient"),
            models.Index(fields=["case", "-created_at"], name="outbound_case"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to_address}"


# The adapters' models live beside their code; importing them here registers them.
from .chat.models import ChatConversation, ChatMessage, ChatWidget  # noqa: E402
from .phone.models import PhoneCall  # noqa: E402

__all__ = [
    "ChatConversation",
    "ChatMessage",
    "ChatWidget",
    "EmailAttachment",
    "EmailMessageId",
    "InboundMessage",
    "OutboundEmail",
    "PhoneCall",
]
