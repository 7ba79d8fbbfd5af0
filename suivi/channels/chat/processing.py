"""Processing of one stored chat message: the chat's step of the inbound walk.

Runs inside `inbound_process` (one transaction): the customer (an anonymous one is
created on the first message), the interaction on their timeline (on the case once the
chat was handed to a person), the transcript line; after the commit the line is
published to the conversation and, while no advisor has joined, given to the assistant.
"""

import json

from django.db import connection

from suivi.conversations import services as conversations
from suivi.conversations.models import Interaction
from suivi.core.vocabulary import Channel

from ..inbound import Outcome
from ..models import InboundMessage
from . import assistant, live
from .models import ChatConversation, ChatMessage
from .services import _ensure_customer, _lock, message_frame

ENDED = "chat_ended"


def line_id(outcome: str) -> int | None:
    """The transcript line's id in a processing outcome ("chat:123")."""
    prefix, _sep, number = outcome.partition(":")
    return int(number) if prefix == "chat" and number.isdigit() else None


def process(message: InboundMessage) -> Outcome:
    if connection.vendor == "postgresql":
        # The raw message is already durable: should this commit be lost in a crash, the
        # stale-processing sweep processes it again. Not waiting for the disk halves the
        # latency of a chat message.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
    data = json.loads(bytes(message.raw))
    conversation = _lock(ChatConversation(pk=data["conversation"]))
    client_id, text = data["client_id"], data["text"]
    if conversation.is_over:
        # Kept (ignored), never shown: the customer is told the chat has ended.
        return Outcome(ENDED, ignored=True)
    customer = _ensure_customer(conversation)
    case = conversation.case if conversation.case and conversation.case.is_active else None
    interaction = conversations.interaction_record(
        case=case,
        customer=None if case is not None else customer,
        channel=Channel.CHAT,
        direction=Interaction.Direction.INBOUND,
        text=text,
        occurred_at=message.received_at,
        metadata={
            "chat": {
                "conversation": conversation.pk,
                "client_id": client_id,
                "inbound_message_id": message.pk,
                "identified_by": conversation.identified_by,
            }
        },
    )
    line = ChatMessage.objects.create(
        conversation=conversation,
        author=ChatMessage.Author.CUSTOMER,
        text=text,
        client_id=client_id,
        interaction=interaction,
        created_at=message.received_at,
    )
    frame = message_frame(line)
    callbacks = [lambda: live.publish_message(conversation.pk, frame)]
    if conversation.status == ChatConversation.Status.ASSISTANT:
        callbacks.append(lambda: assistant.answer(conversation=conversation, message=line))
    return Outcome(
        f"chat:{line.pk}",
        customer_id=customer.pk,
        case_id=case.pk if case is not None else None,
        interaction_id=interaction.pk,
        after_commit=callbacks,
    )
