"""Chat widgets, conversations and their messages."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_public_key() -> str:
    return "w_" + secrets.token_urlsafe(12)


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_conversation_token() -> str:
    return secrets.token_urlsafe(24)


class ChatWidget(models.Model):
    """One chat widget a company puts on its sites: who answers, where it may run."""

    name = models.CharField(_("name"), max_length=120)
    # Public: it is in the page (`data-suivi`), it names the widget, it proves nothing.
    public_key = models.CharField(
        _("public key"), max_length=40, unique=True, default=new_public_key
    )
    # Private: the host site signs identity tokens with it (docs/channels/chat.md).
    secret = models.CharField(
        _("identity secret"),
        max_length=80,
        default=new_secret,
        help_text=_("Shared with the host site only, to sign identity tokens."),
    )
    allowed_origins = models.TextField(
        _("allowed sites"),
        blank=True,
        help_text=_("One origin per line, e.g. https://www.example.org"),
    )
    team = models.ForeignKey(
        "people.Team",
        verbose_name=_("team"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    languages = models.CharField(
        _("languages"), max_length=20, default="fr,en", help_text=_("Comma-separated: fr,en")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("chat widget")
        verbose_name_plural = _("chat widgets")

    def __str__(self) -> str:
        return self.name

    @property
    def origins(self) -> set[str]:
        return {o.strip().rstrip("/").lower() for o in self.allowed_origins.split() if o.strip()}

    @property
    def language_list(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]


class ChatConversation(models.Model):
    """One chat between a visitor and us, from the first frame to its end."""

    class Status(models.TextChoices):
        # Nobody has joined yet: the assistant (when there is one) answers the turns.
        ASSISTANT = "assistant", _("With the assistant")
        WAITING = "waiting", _("Waiting for an advisor")
        LIVE = "live", _("With an advisor")
        ENDED = "ended", _("Ended")

    widget = models.ForeignKey(ChatWidget, on_delete=models.CASCADE, related_name="+")
    # What the widget keeps to resume the conversation after a reload or a reconnect.
    token = models.CharField(max_length=40, unique=True, default=new_conversation_token)
    # Empty until the first message or identification: opening the widget creates nobody.
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # How the customer is known: "anonymous", "email" (given, not verified) or "token"
    # (signed by the host site).
    identified_by = models.CharField(max_length=12, default="anonymous")
    case = models.ForeignKey(
        "conversations.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    advisor = models.ForeignKey(
        "people.Advisor", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status, default=Status.ASSISTANT)
    language = models.CharField(max_length=2, default="fr")
    # An address the customer left to be answered by e-mail when the chat cannot go on.
    followup_email = models.EmailField(blank=True)
    origin = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    # What the assistant did before a person took over, counted as it happens so that
    # insights read one row per conversation (selectors.assistant_stats).
    assistant_turns = models.PositiveIntegerField(default=0)
    assistant_answered = models.PositiveIntegerField(default=0)
    assistant_unknown = models.PositiveIntegerField(default=0)
    # The outcome of the assistant's latest turn: "answered", "unknown", "greeting".
    assistant_last = models.CharField(max_length=10, blank=True)
    # The first "talk to a person", and the assistant's outcome just before it.
    handed_over_at = models.DateTimeField(null=True, blank=True)
    handed_over_after = models.CharField(max_length=10, blank=True)

    class Meta:
        verbose_name = _("chat conversation")
        verbose_name_plural = _("chat conversations")
        indexes = [
            models.Index(fields=["case"], name="chat_conversation_case"),
            models.Index(
                fields=["advisor", "status"],
                name="chat_conversation_live",
                condition=models.Q(status__in=["waiting", "live"]),
            ),
            models.Index(fields=["started_at"], name="chat_conversation_started"),
        ]

    def __str__(self) -> str:
        return f"chat {self.pk}"

    @property
    def is_over(self) -> bool:
        return self.status == self.Status.ENDED


class ChatMessage(models.Model):
    """One line of the transcript. Its id is the server id the widget deduplicates on."""

    class Author(models.TextChoices):
        CUSTOMER = "customer", _("Customer")
        ADVISOR = "advisor", _("Advisor")
        ASSISTANT = "assistant", _("Assistant")
        SYSTEM = "system", _("System")

    conversation = models.ForeignKey(
        ChatConversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.CharField(max_length=12, choices=Author)
    advisor = models.ForeignKey(
        "people.Advisor", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField()
    # The sender's own id for the message (widget or advisor panel): resends carry it.
    client_id = models.CharField(max_length=64, blank=True)
    interaction = models.ForeignKey(
        "conversations.Interaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The published answer the line quotes (assistant answers, advisor insertions):
    # {"article_id", "version_id", "number", "language", "title", "url"}; shown with it.
    article = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "author", "client_id"],
                name="chat_message_client_id",
                condition=~models.Q(client_id=""),
            )
        ]
        indexes = [models.Index(fields=["conversation", "id"], name="chat_transcript")]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"
