"""Every write of the chat: conversations, identification, messages, handover, end.

The WebSocket consumers (`consumers.py`) parse frames and call these functions; every
function is synchronous, keyword-only and runs its own transaction. What the other side
must see is published to the channel layer after the commit (`live.py`).
"""

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from suivi.conversations import services as conversations
from suivi.conversations.models import Case, Interaction
from suivi.core import clock
from suivi.core.errors import Conflict, InvalidInput, NotFound
from suivi.core.vocabulary import Channel, Language, is_choice
from suivi.customers import selectors as customer_selectors
from suivi.customers import services as customer_services
from suivi.customers.identities import normalise
from suivi.customers.models import Customer
from suivi.knowledge.errors import InvalidKnowledgeVersion
from suivi.knowledge.selectors import help_url, reply_metadata
from suivi.people.models import Advisor
from suivi.routing.models import Capacity, default_capacity
from suivi.routing.services import route
from suivi.routing.waiting import wait_estimates

from ..inbound import inbound_process, inbound_store
from ..models import InboundMessage
from . import events, identity, live
from .models import ChatConversation, ChatMessage, ChatWidget

Status = ChatConversation.Status
Author = ChatMessage.Author
MAX_TEXT = 4000
MAX_CLIENT_ID = 64
MAX_SUMMARY = 2000


class ConversationEnded(Conflict):
    code = "conversation_ended"
    default_message = _("This chat has ended.")


class EmptyMessage(InvalidInput):
    code = "empty_message"
    default_message = _("A message cannot be empty.")


class MessageTooLong(InvalidInput):
    code = "too_large"
    default_message = _("This message is too long.")


class BadClientId(InvalidInput):
    code = "bad_client_id"
    default_message = _("Each message needs its own id (client_id, 1 to 64 characters).")


class AlreadyIdentified(Conflict):
    code = "already_identified"
    default_message = _("This chat already belongs to another customer.")


class NotAChat(NotFound):
    code = "not_found"


def _language(conversation: ChatConversation) -> str:
    return conversation.language if is_choice(Language, conversation.language) else "fr"


def check_text(text: Any) -> str:
    if not isinstance(text, str) or not text.strip():
        raise EmptyMessage()
    if len(text) > MAX_TEXT:
        raise MessageTooLong(limit=MAX_TEXT)
    return text.strip()


def check_client_id(client_id: Any) -> str:
    if not isinstance(client_id, str) or not 0 < len(client_id) <= MAX_CLIENT_ID:
        raise BadClientId()
    return client_id


# --- conversations -------------------------------------------------------------------


def widget_by_key(*, public_key: str) -> ChatWidget | None:
    return ChatWidget.objects.filter(public_key=public_key[:40], is_active=True).first()


def origin_allowed(*, widget: ChatWidget, origin: str) -> bool:
    """Exact scheme://host[:port] match with one of the widget's allowed sites."""
    return bool(origin) and origin.strip().rstrip("/").lower() in widget.origins


def conversation_open(
    *, widget: ChatWidget, token: str | None, language: str, origin: str = ""
) -> ChatConversation:
    """The conversation the widget resumes (by its token), else a new one. A new one has
    no customer yet: the first message or identification makes one."""
    if token:
        found = (
            ChatConversation.objects.filter(widget=widget, token=str(token)[:40])
            .exclude(status=Status.ENDED)
            .first()
        )
        if found is not None:
            return found
    return ChatConversation.objects.create(
        widget=widget,
        language=language if is_choice(Language, language) else "fr",
        origin=origin[:200],
        started_at=clock.now(),
    )


def _anonymous_customer(conversation: ChatConversation) -> Customer:
    with translation.override(_language(conversation)):
        given = f"{gettext('Chat visitor')} {conversation.pk}"
    return customer_services.customer_create(
        given_name=given,
        family_name="",
        language=_language(conversation),
        preferred_channel=Channel.CHAT,
        team=conversation.widget.team,
        # No identity and no family name: the duplicate detection (identities, or names
        # with a family name) has nothing to compare, so no task is queued for it. An
        # identity or a name given later queues one (identity_add, customer_update).
        detect_duplicates=False,
    )


def _lock(conversation: ChatConversation) -> ChatConversation:
    locked = (
        ChatConversation.objects.select_for_update(of=("self",))
        .select_related("widget", "customer", "case", "advisor")
        .filter(pk=conversation.pk)
        .first()
    )
    if locked is None:
        raise NotAChat(conversation_id=conversation.pk)
    return locked


def _ensure_customer(conversation: ChatConversation) -> Customer:
    if conversation.customer is None:
        conversation.customer = _anonymous_customer(conversation)
        conversation.save(update_fields=["customer"])
    return conversation.customer


@transaction.atomic
def conversation_identify(
    *,
    conversation: ChatConversation,
    email: str = "",
    claims: identity.Claims | None = None,
) -> ChatConversation:
    """Tie the conversation to the customer's file: by a signed identity token (`claims`,
    trusted) or by an e-mail the visitor typed (recorded as not verified). An anonymous
    conversation that already has messages is merged into the existing customer."""
    conversation = _lock(conversation)
    kind_values: list[tuple[str, str]] = []
    if claims is not None:
        if claims.email:
            kind_values.append(("email", claims.email))
        if claims.external_id:
            kind_values.append(("customer_number", claims.external_id))
        how = "token"
    else:
        kind_values.append(("email", email))
        how = "email"
    normalised = [normalise(kind, value) for kind, value in kind_values]
    found = None
    for item in normalised:
        found = customer_selectors.customer_by_identity(kind=item.kind, value=item.value)
        if found is not None:
            break
    current = conversation.customer
    if current is not None and found is not None and current.pk != found.pk:
        if conversation.identified_by != "anonymous":
            raise AlreadyIdentified(conversation_id=conversation.pk)
        # The visitor wrote before saying who they are: fold that anonymous file into theirs.
        conversation.customer = customer_services.customers_merge(
            keep=found, duplicate=current, by=None
        )
    elif current is None and found is not None:
        conversation.customer = found
    else:
        customer = current or _anonymous_customer(conversation)
        conversation.customer = customer
        for item in normalised:
            customer_services.identity_add(customer=customer, kind=item.kind, value=item.value)
        if claims is not None and claims.name and conversation.identified_by == "anonymous":
            given, _sep, family = claims.name.partition(" ")
            customer_services.customer_update(
                customer=customer,
                changes={"given_name": given[:120], "family_name": family[:120]},
            )
    conversation.identified_by = how
    conversation.save(update_fields=["customer", "identified_by"])
    return conversation


# --- messages ------------------------------------------------------------------------


def message_frame(message: ChatMessage) -> dict[str, Any]:
    """What both sides receive for one transcript line (with the published answer it
    quotes, when it quotes one)."""
    frame = {
        "type": "message",
        "id": message.pk,
        "client_id": message.client_id,
        "author": message.author,
        "name": message.advisor.display_name if message.advisor is not None else "",
        "text": message.text,
        "at": message.created_at.isoformat(),
    }
    if message.article:
        frame["article"] = message.article
    return frame


def article_of(metadata: dict[str, Any]) -> dict[str, Any] | None:
    """The article a line quotes, as frames carry it, from an interaction's metadata
    (`knowledge.selectors.reply_metadata`); None when it quotes none."""
    if not metadata.get("knowledge_version_id"):
        return None
    language, article_id = metadata["knowledge_language"], metadata["knowledge_article_id"]
    return {
        "article_id": article_id,
        "version_id": metadata["knowledge_version_id"],
        "number": metadata["knowledge_number"],
        "language": language,
        "title": metadata["knowledge_title"],
        # A path on Suivi's host: the widget resolves it against its script's origin.
        "url": help_url(language=language, article_id=article_id),
    }


def transcript(
    *, conversation: ChatConversation, after: int = 0, limit: int = 500
) -> list[ChatMessage]:
    """Transcript lines after server id `after`, oldest first; one query."""
    return list(
        ChatMessage.objects.filter(conversation=conversation, pk__gt=after)
        .select_related("advisor")
        .order_by("pk")[:limit]
    )


def inbound_key(conversation: ChatConversation, client_id: str) -> str:
    """The idempotency key of a customer's message: widget, conversation, client id."""
    return f"{conversation.widget_id}:{conversation.pk}:{client_id}"


@dataclass(frozen=True)
class Received:
    stored: InboundMessage
    duplicate: bool
    # None while processing has not succeeded (it is retried; the line shows up then).
    message_id: int | None


def customer_message_receive(
    *, conversation: ChatConversation, client_id: str, text: str
) -> Received:
    """Store the raw message (once per client id), then process it at once. The caller
    acknowledges as soon as this returns: the message is committed."""
    from .processing import ENDED, line_id

    client_id, text = check_client_id(client_id), check_text(text)
    if conversation.is_over:
        raise ConversationEnded(conversation_id=conversation.pk)
    raw = json.dumps(
        {"conversation": conversation.pk, "client_id": client_id, "text": text},
        ensure_ascii=False,
    ).encode()
    stored, created = inbound_store(
        channel=Channel.CHAT,
        external_id=inbound_key(conversation, client_id),
        raw=raw,
        source=f"chat:{conversation.widget_id}",
        # Processed here and now; if not, the retry sweep takes it (docs/channels/email.md).
        enqueue=False,
    )
    outcome = inbound_process(message_id=stored.pk) if created else stored.outcome
    if outcome == ENDED:
        raise ConversationEnded(conversation_id=conversation.pk)
    message_id = line_id(outcome)
    if message_id is None:
        # A resend while the first copy is still being processed, or a failure.
        message_id = (
            ChatMessage.objects.filter(
                conversation_id=conversation.pk, author=Author.CUSTOMER, client_id=client_id
            )
            .values_list("pk", flat=True)
            .first()
        )
    return Received(stored=stored, duplicate=not created, message_id=message_id)


def _system_line(conversation: ChatConversation, text: str) -> ChatMessage:
    line = ChatMessage.objects.create(
        conversation=conversation, author=Author.SYSTEM, text=text, created_at=clock.now()
    )
    transaction.on_commit(lambda: live.publish_message(conversation.pk, message_frame(line)))
    return line


@transaction.atomic
def advisor_reply(
    *,
    conversation: ChatConversation,
    advisor: Advisor,
    client_id: str,
    text: str,
    knowledge_version_id: Any = None,
) -> ChatMessage:
    """An advisor's answer in the chat: an outbound interaction on the case. Sending the
    same client id twice (a reconnect) records it once. `knowledge_version_id`: the
    published answer the advisor inserted, recorded like an e-mail reply's."""
    client_id, text = check_client_id(client_id), check_text(text)
    if knowledge_version_id is not None and (
        not isinstance(knowledge_version_id, int)
        or isinstance(knowledge_version_id, bool)
        or not 0 < knowledge_version_id < 2**62
    ):
        raise InvalidKnowledgeVersion(version_id=str(knowledge_version_id)[:20])
    conversation = _lock(conversation)
    existing = (
        ChatMessage.objects.filter(
            conversation=conversation, author=Author.ADVISOR, client_id=client_id
        )
        .select_related("advisor")
        .first()
    )
    if existing is not None:
        return existing
    if conversation.is_over:
        raise ConversationEnded(conversation_id=conversation.pk)
    case = conversation.case
    if case is None:
        raise NotAChat(conversation_id=conversation.pk)
    used = reply_metadata(version_id=knowledge_version_id) if knowledge_version_id else {}
    interaction = conversations.interaction_record(
        case=case,
        channel=Channel.CHAT,
        direction=Interaction.Direction.OUTBOUND,
        author_advisor=advisor,
        text=text,
        metadata={"chat": {"conversation": conversation.pk, "client_id": client_id}, **used},
    )
    line = ChatMessage.objects.create(
        conversation=conversation,
        author=Author.ADVISOR,
        advisor=advisor,
        text=text,
        client_id=client_id,
        interaction=interaction,
        article=article_of(used),
        created_at=interaction.created_at,
    )
    if conversation.status != Status.LIVE or conversation.advisor_id != advisor.pk:
        _settled(conversation)
        conversation.status, conversation.advisor = Status.LIVE, advisor
        conversation.save(update_fields=["status", "advisor"])
    transaction.on_commit(lambda: live.publish_message(conversation.pk, message_frame(line)))
    return line


# --- talk to a person ----------------------------------------------------------------


@dataclass(frozen=True)
class Handover:
    advisor_name: str
    wait_seconds: int | None
    offer_callback: bool
    callback_url: str
    text: str

    def frame(self) -> dict[str, Any]:
        return {
            "type": "handoff",
            "advisor": self.advisor_name or None,
            "wait_seconds": self.wait_seconds,
            "offer_callback": self.offer_callback,
            "callback_url": self.callback_url,
            "offer_email": self.offer_callback,
            "text": self.text,
        }


def _minutes(seconds: int) -> int:
    return max(1, round(seconds / 60))


def _handover_text(advisor: Advisor | None, wait: int | None, offer_callback: bool) -> str:
    if advisor is None:
        return gettext(
            "Nobody can answer right now. We can call you back, or answer by e-mail: "
            "leave your address below."
        )
    if wait is None or wait < 30:
        text = gettext("%(name)s will answer you in a moment.") % {"name": advisor.display_name}
    else:
        text = gettext("%(name)s will answer you in about %(minutes)s min.") % {
            "name": advisor.display_name,
            "minutes": _minutes(wait),
        }
    if offer_callback:
        text += " " + gettext(
            "If you would rather not wait, we can call you back or answer by e-mail."
        )
    return text


def _subject(conversation: ChatConversation) -> str:
    first = (
        ChatMessage.objects.filter(conversation=conversation, author=Author.CUSTOMER)
        .order_by("pk")
        .values_list("text", flat=True)
        .first()
    )
    words = " ".join((first or "").split())[:80]
    with translation.override(_language(conversation)):
        return gettext("Chat: %(words)s") % {"words": words} if words else gettext("Chat")


@transaction.atomic
def conversation_hand_over(*, conversation: ChatConversation) -> Handover:
    """ "Talk to a person": route (the dedicated advisor first), open the case with the
    whole transcript for the chosen advisor, and tell the customer who is coming and the
    honest wait, or offer a callback or an e-mail answer when nobody can come."""
    conversation = _lock(conversation)
    if conversation.is_over:
        raise ConversationEnded(conversation_id=conversation.pk)
    customer = _ensure_customer(conversation)
    case = conversation.case if conversation.case and conversation.case.is_active else None
    decision = route(customer=customer, channel=Channel.CHAT, case=case)
    advisor = decision.advisor
    team_id = customer.team_id or conversation.widget.team_id
    estimate = wait_estimates(team_id=team_id, channels=(Channel.CHAT,))[0] if team_id else None
    wait = estimate.estimated_wait_seconds if estimate is not None and advisor else None
    offer_callback = advisor is None or (estimate is not None and estimate.offer_callback)
    if case is None:
        case = conversations.case_open(
            customer=customer, subject=_subject(conversation), owner=advisor
        )
    elif advisor is not None and case.owner_id != advisor.pk:
        conversations.case_hand_over(
            case=case, to=advisor, by=None, context_note=decision.reason or gettext("Chat")
        )
    waiting = list(
        ChatMessage.objects.filter(
            conversation=conversation, interaction__isnull=False, interaction__case__isnull=True
        ).values_list("interaction_id", flat=True)
    )
    conversations.case_attach_interactions(case=case, interaction_ids=waiting)
    conversation.case = case
    conversation.advisor = advisor
    conversation.status = Status.WAITING
    fields = ["case", "advisor", "status"]
    if conversation.handed_over_at is None:
        # Counted once, for insights: how often people left the assistant, and after what.
        conversation.handed_over_at = clock.now()
        conversation.handed_over_after = conversation.assistant_last
        fields += ["handed_over_at", "handed_over_after"]
    conversation.save(update_fields=fields)
    with translation.override(_language(conversation)):
        text = _handover_text(advisor, wait, offer_callback)
    _system_line(conversation, text)
    result = Handover(
        advisor_name=advisor.display_name if advisor is not None else "",
        wait_seconds=wait,
        offer_callback=offer_callback,
        callback_url=settings.SUIVI_PUBLIC_URL.rstrip("/") + reverse("booking-start"),
        text=text,
    )
    frame = result.frame()
    conversation_id, advisor_id = conversation.pk, advisor.pk if advisor else None
    transaction.on_commit(lambda: live.publish(conversation_id, frame))
    if advisor_id is not None:
        # The advisor's desk shows it live (suivi/web/live), after the commit.
        events.chat_waiting.publish(
            advisor_id=advisor_id, conversation_id=conversation_id, case_id=case.pk,
            customer_id=customer.pk,
        )  # fmt: skip
    return result


def _settled(conversation: ChatConversation) -> None:
    """The chat stops waiting for the advisor it was handed to (a person answers it, or
    it ends): their desk's "chat waiting" notice gives way, after the commit."""
    if conversation.status == Status.WAITING and conversation.advisor_id is not None:
        events.chat_settled.publish(
            advisor_id=conversation.advisor_id, conversation_id=conversation.pk
        )


@transaction.atomic
def followup_by_email(*, conversation: ChatConversation, email: str) -> ChatConversation:
    """The customer leaves an address: the conversation goes on by e-mail from the case
    (the advisor answers with the case page's e-mail card)."""
    address = normalise("email", email).value
    try:
        with transaction.atomic():
            conversation = conversation_identify(conversation=conversation, email=address)
    except (AlreadyIdentified, customer_services.IdentityTaken):
        # Someone already known who wants the answer at another address: keep it for
        # this conversation only, their file stays as it is.
        conversation = _lock(conversation)
    conversation.followup_email = address
    conversation.save(update_fields=["followup_email"])
    with translation.override(_language(conversation)):
        _system_line(
            conversation,
            gettext("Thank you. We will answer you by e-mail at %(address)s.")
            % {"address": address},
        )
    if conversation.case is None:
        conversation_hand_over(conversation=conversation)
        conversation = _lock(conversation)
    return conversation


@transaction.atomic
def conversation_end(
    *, conversation: ChatConversation, by: Advisor | None, summary: str = ""
) -> ChatConversation:
    """End the chat; the advisor's short summary is added to the case summary."""
    conversation = _lock(conversation)
    if conversation.is_over:
        return conversation
    summary = (summary or "").strip()[:MAX_SUMMARY]
    case = conversation.case
    if case is not None and summary and case.status != Case.Status.CLOSED:
        stamp = clock.now().strftime("%Y-%m-%d")
        with translation.override(settings.LANGUAGE_CODE):
            line = gettext("Chat of %(date)s: %(summary)s") % {"date": stamp, "summary": summary}
        combined = f"{case.summary}\n\n{line}".strip()
        conversations.case_update(case=case, changes={"summary": combined})
    _settled(conversation)
    conversation.status = Status.ENDED
    conversation.ended_at = clock.now()
    conversation.save(update_fields=["status", "ended_at"])
    with translation.override(_language(conversation)):
        _system_line(conversation, gettext("The chat has ended. Thank you!"))
    conversation_id = conversation.pk
    transaction.on_commit(lambda: live.publish(conversation_id, {"type": "ended"}))
    return conversation


def live_chats_of(*, advisor: Advisor) -> tuple[int, int]:
    """How many chats the advisor holds right now (waiting for them or live), and how
    many they take at once (their chat capacity)."""
    held = ChatConversation.objects.filter(
        advisor=advisor, status__in=[Status.WAITING, Status.LIVE]
    ).count()
    limit = (
        Capacity.objects.filter(advisor=advisor, channel=Channel.CHAT)
        .values_list("limit", flat=True)
        .first()
    )
    return held, limit or default_capacity(Channel.CHAT)
