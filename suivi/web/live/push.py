"""Sending pushes through the channel layer, without ever hurting the publisher.

A push carries ids only; each socket turns it into HTML for its own advisor, after
checking that advisor may see it (`fragments`). Pushes are best effort: a page that was
not connected when something happened shows it on its next load. So a failing layer is
logged, never raised, and a push never waits long on the layer.
"""

import asyncio
import logging
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, InMemoryChannelLayer, get_channel_layer

logger = logging.getLogger(__name__)

# The consumer's message handler (`DeskConsumer.live_push`).
PUSH = "live.push"

# A layer that does not answer within this delay loses the push, not the request.
SEND_TIMEOUT_SECONDS = 2.0

# The event loop that serves this process's sockets, once one has connected. The
# in-memory layer lives in that loop: its queues must only be touched from it.
_serving_loop: asyncio.AbstractEventLoop | None = None

Message = tuple[str, dict[str, Any]]


def advisor_group(advisor_id: int) -> str:
    """Every socket of one advisor, whatever page it serves."""
    return f"suivi.advisor.{advisor_id}"


def customer_group(customer_id: int) -> str:
    """Sockets of the pages showing this customer's file (joined after a permission check)."""
    return f"suivi.customer.{customer_id}"


def serving(loop: asyncio.AbstractEventLoop) -> None:
    """Called by a consumer when it connects: this loop serves sockets in this process."""
    global _serving_loop
    _serving_loop = loop


def send(messages: Iterable[Message]) -> None:
    """Send each (group, payload) now; call it from `transaction.on_commit`."""
    batch = [(group, {**payload, "type": PUSH}) for group, payload in messages]
    if not batch:
        return
    try:
        layer = get_channel_layer()
        if layer is None:
            return
        if isinstance(layer, InMemoryChannelLayer):
            _send_in_process(layer, batch)
        elif _loop_running_here():
            # Sync code called from a thread that runs an event loop (async_to_sync would
            # refuse): send from a thread of its own, without waiting.
            threading.Thread(target=_send_logged, args=(layer, batch), daemon=True).start()
        else:
            # Under the ASGI server this runs on the server's own loop (the sync view runs
            # in a thread of it); in a worker it runs in a short-lived loop of its own.
            async_to_sync(_group_send_all)(layer, batch)
    except Exception:
        logger.exception("Live push failed; the pages show it on their next load.")


def _loop_running_here() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _send_logged(layer: BaseChannelLayer, batch: list[Message]) -> None:
    try:
        async_to_sync(_group_send_all)(layer, batch)
    except Exception:
        logger.exception("Live push failed; the pages show it on their next load.")


def _send_in_process(layer: InMemoryChannelLayer, batch: list[Message]) -> None:
    loop = _serving_loop
    if loop is None or loop.is_closed():
        # No socket was ever served by this process (a worker, a command): with the
        # in-memory layer nobody can be listening here.
        return
    future = asyncio.run_coroutine_threadsafe(_group_send_all(layer, batch), loop)
    future.add_done_callback(_log_failure)


async def _group_send_all(layer: BaseChannelLayer, batch: list[Message]) -> None:
    async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
        for group, message in batch:
            await layer.group_send(group, message)


def _log_failure(future: "Future[None]") -> None:
    if not future.cancelled() and future.exception() is not None:
        logger.error("Live push failed", exc_info=future.exception())
