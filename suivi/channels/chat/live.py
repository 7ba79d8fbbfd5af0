"""What the chat publishes on the channel layer, after commits.

Every socket of a conversation (the customer's widget, possibly in several tabs, and the
advisor's panel) is in the group ``chat.<conversation id>``; a chat handed to an advisor
reaches their pages through the live desk (the `chat_waiting` event, events.py). With
the in-memory layer only sockets of the same process hear each other; configure Redis
(SUIVI_REDIS_URL) when Suivi runs several web processes or processes chat messages in
the worker.
"""

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger("suivi.channels.chat")


def conversation_group(conversation_id: int) -> str:
    return f"chat.{conversation_id}"


def _send(group: str, frame: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": "chat.frame", "frame": frame})
    except Exception:
        # Committed is what matters: a socket that missed it gets it on its next resume.
        logger.exception("Could not publish to %s", group)


def publish(conversation_id: int, frame: dict[str, Any]) -> None:
    _send(conversation_group(conversation_id), frame)


def publish_message(conversation_id: int, frame: dict[str, Any]) -> None:
    publish(conversation_id, frame)
