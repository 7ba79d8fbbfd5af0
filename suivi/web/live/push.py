"""Sending pushes through the channel layer, without ever hurting the publisher.

A push carries ids only; each socket turns it into HTML for its own advisor, after
checking that advisor may see it (`fragments`). Pushes are best effort: a page that was
not connected when something happened shows it on its next load. So a failing layer is
logged, never raised, and the publisher never waits on the layer.
"""

import asyncio
import logging
import os
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from channels.layers import BaseChannelLayer, InMemoryChannelLayer

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
    """Hand each (group, payload) to the layer and return at once; call it from
    `transaction.on_commit`."""
    batch = [(group, {**payload, "type": PUSH}) for group, payload in messages]
    if not batch:
        return
    try:
        # Imported here: this module loads with the app registry, and a tool run from
        # inside the package folder (makemessages) would find suivi/channels instead.
        from channels.layers import InMemoryChannelLayer, get_channel_layer

        layer = get_channel_layer()
        if layer is None:
            return
        if isinstance(layer, InMemoryChannelLayer):
            _send_in_process(layer, batch)
        else:
            _sender.send(layer, batch)
    except Exception:
        logger.exception("Live push failed; the pages show it on their next load.")


class _Sender:
    """One thread with its own event loop sends this process's pushes to Redis, one batch
    after the other: the publisher (a request, a worker task) never waits on Redis, the
    connections are reused, and pushes keep their order."""

    MAX_WAITING = 10_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue[tuple[BaseChannelLayer, list[Message]]] | None = None

    def send(self, layer: "BaseChannelLayer", batch: list[Message]) -> None:
        loop = self._running_loop()
        loop.call_soon_threadsafe(self._enqueue, layer, batch)

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                self._queue = asyncio.Queue(self.MAX_WAITING)
                thread = threading.Thread(
                    target=self._run, args=(loop,), name="suivi-live-push", daemon=True
                )
                thread.start()
                self._loop = loop
            return self._loop

    def _run(self, loop: asyncio.AbstractEventLoop) -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(self._drain())

    def _enqueue(self, layer: "BaseChannelLayer", batch: list[Message]) -> None:
        assert self._queue is not None
        try:
            self._queue.put_nowait((layer, batch))
        except asyncio.QueueFull:
            logger.error("Live push dropped: %d pushes wait for the layer.", self.MAX_WAITING)

    async def _drain(self) -> None:
        assert self._queue is not None
        while True:
            layer, batch = await self._queue.get()
            try:
                await _group_send_all(layer, batch)
            except Exception:
                logger.exception("Live push failed; the pages show it on their next load.")

    def forget(self) -> None:
        # A forked child does not inherit the thread: it starts its own when needed.
        self._lock = threading.Lock()
        self._loop = self._queue = None


_sender = _Sender()
os.register_at_fork(after_in_child=_sender.forget)


def _send_in_process(layer: "InMemoryChannelLayer", batch: list[Message]) -> None:
    loop = _serving_loop
    if loop is None or loop.is_closed():
        # No socket was ever served by this process (a worker, a command): with the
        # in-memory layer nobody can be listening here.
        return
    future = asyncio.run_coroutine_threadsafe(_group_send_all(layer, batch), loop)
    future.add_done_callback(_log_failure)


async def _group_send_all(layer: "BaseChannelLayer", batch: list[Message]) -> None:
    async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
        for group, message in batch:
            await layer.group_send(group, message)


def _log_failure(future: "Future[None]") -> None:
    if not future.cancelled() and future.exception() is not None:
        logger.error("Live push failed", exc_info=future.exception())
