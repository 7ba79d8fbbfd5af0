"""The seam where the assistant will answer chat turns.

`answer` calls the function named by the setting SUIVI_CHAT_ASSISTANT (by default
`assistant_turn` below) once for every customer message of a conversation that no
advisor has joined yet (status "assistant"), after the message is committed. It does
nothing today: the knowledge assistant (issue #6, built separately) plugs in here, e.g.
by enqueueing a task that answers from published knowledge with an outbound interaction
(channel `assistant`) and a transcript line (author "assistant").
"""

from django.conf import settings
from django.utils.module_loading import import_string

from .models import ChatConversation, ChatMessage


def answer(*, conversation: ChatConversation, message: ChatMessage) -> None:
    """Hand one customer turn to the assistant configured in SUIVI_CHAT_ASSISTANT."""
    import_string(settings.SUIVI_CHAT_ASSISTANT)(conversation=conversation, message=message)


def assistant_turn(*, conversation: ChatConversation, message: ChatMessage) -> None:
    """Answer one customer turn. Deliberately a no-op until the assistant exists."""
    return None
