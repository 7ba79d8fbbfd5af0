"""The chat's batching writer: customer messages stored and processed together.

Each web process has SUIVI_CHAT_WRITERS writers, each with its own database thread,
that share the conversations by id. A socket hands a customer's message to its
conversation's writer and waits; the writer takes every message queued meanwhile (up to
SUIVI_CHAT_BATCH_MAX, after waiting SUIVI_CHAT_BATCH_WAIT_MS for more) and, in ONE
transaction, stores them raw (one INSERT … ON CONFLICT DO NOTHING), locks their
conversations (one SELECT … FOR UPDATE, in id order), records the interactions and
transcript lines (bulk INSERTs) and marks them processed (one UPDATE). Only after the
commit does each socket send its `ack`: the ack still means "committed", and one disk
flush serves the whole batch (group commit).

A batch that fails is rolled back as a whole and its messages are taken again one by
one through the ordinary walk (`services.customer_message_receive`: stored, then
processed, a failure retried and parked alone), so one poison message never costs the
others theirs.
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection, transaction

from suivi.conversations import services as conversations
from suivi.conversations.models import Interaction
from suivi.core import statements
from suivi.core.errors import DomainError
from suivi.core.vocabulary import Channel

from ..inbound import Incoming, Outcome, inbound_processed_many, inbound_store_many
from ..models import InboundMessage
from . import assistant, live
from .models import ChatConversation, ChatMessage
from .processing import ENDED, line_id
from .services import (
    ConversationEnded,
    Received,
    _ensure_customer,
    customer_message_receive,
    inbound_key,
    message_frame,
)

logger = logging.getLogger("suivi.channels.chat")
Status = ChatConversation.Status


@dataclass(frozen=True)
class Pending:
    """A customer's message, checked (client id, text) but not stored yet."""

    conversation: ChatConversation
    client_id: str
    text: str


@dataclass
class Written:
    """What became of one message of a batch: acknowledged, or refused with `error`."""

    received: Received | None = None
    # A DomainError (the chat has ended…) becomes its error frame; anything else is a
    # server_error, and the widget sends the message again.
    error: Exception | None = None
    # For a new transcript line: the frame every socket of the conversation receives,
    # and the assistant's turn to take when no advisor has joined yet.
    frame: dict[str, Any] | None = None
    assistant_turn: tuple[ChatConversation, ChatMessage] | None = None
    conversation_id: int = 0


def _raw(item: Pending) -> bytes:
    return json.dumps(
        {"conversation": item.conversation.pk, "client_id": item.client_id, "text": item.text},
        ensure_ascii=False,
    ).encode()


def messages_receive_many(
    items: list[Pending], committed: Callable[[list[Written]], None] | None = None
) -> list[Written]:
    """Store and process `items` in one transaction; on any failure, one by one.
    `committed` is called with the results as soon as the batch has committed, before
    the other work that waits for the commit (e.g. a new customer's background task)."""
    if connection.vendor == "postgresql":
        try:
            return _together(items, committed)
        except Exception:
            logger.warning("A chat batch of %s failed; taking them one by one", len(items))
    return [_alone(item) for item in items]


def _alone(item: Pending) -> Written:
    """The ordinary walk for one message; it publishes its own line after its commit."""
    try:
        received = customer_message_receive(
            conversation=item.conversation, client_id=item.client_id, text=item.text
        )
    except DomainError as error:
        return Written(error=error)
    except Exception as error:
        logger.exception("A chat message could not be stored")
        return Written(error=error)
    return Written(received=received)


def _together(
    items: list[Pending], committed: Callable[[list[Written]], None] | None = None
) -> list[Written]:
    keys = [inbound_key(item.conversation, item.client_id) for item in items]
    written = [Written(conversation_id=item.conversation.pk) for item in items]
    with transaction.atomic():
        if committed is not None:
            # Registered first, so run first after the commit: the acks do not wait for
            # the other callbacks (each new customer's duplicate-detection task row).
            transaction.on_commit(lambda: committed(written), robust=True)
        stored = inbound_store_many(
            channel=Channel.CHAT,
            messages=[
                Incoming(
                    external_id=key, raw=_raw(item), source=f"chat:{item.conversation.widget_id}"
                )
                for key, item in zip(keys, items, strict=True)
            ],
        )
        # The first copy of a key in this batch is the one stored; the others are resends.
        first = {key: n for n, key in reversed(list(enumerate(keys)))}
        new = [n for n, key in enumerate(keys) if key in stored and first[key] == n]
        locked = {
            c.pk: c
            for c in ChatConversation.objects.select_for_update(of=("self",))
            .select_related("widget", "customer", "case", "advisor")
            .filter(pk__in={items[n].conversation.pk for n in new})
            .order_by("pk")
        }
        records: list[dict[str, Any]] = []
        lines: list[ChatMessage] = []
        for n in new:
            item, message = items[n], stored[keys[n]]
            conversation = locked[item.conversation.pk]
            if conversation.is_over:
                written[n].error = ConversationEnded(conversation_id=conversation.pk)
                continue
            customer = _ensure_customer(conversation)
            case = conversation.case if conversation.case and conversation.case.is_active else None
            records.append(
                {
                    "case": case,
                    "customer": None if case is not None else customer,
                    "channel": Channel.CHAT,
                    "direction": Interaction.Direction.INBOUND,
                    "text": item.text,
                    "occurred_at": message.received_at,
                    "metadata": {
                        "chat": {
                            "conversation": conversation.pk,
                            "client_id": item.client_id,
                            "inbound_message_id": message.pk,
                            "identified_by": conversation.identified_by,
                        }
                    },
                }
            )
            lines.append(
                ChatMessage(
                    conversation=conversation,
                    author=ChatMessage.Author.CUSTOMER,
                    text=item.text,
                    client_id=item.client_id,
                    created_at=message.received_at,
                )
            )
        interactions = conversations.interactions_record_many(records=records)
        for line, interaction in zip(lines, interactions, strict=True):
            line.interaction = interaction
        statements.insert(lines)
        results: list[tuple[InboundMessage, Outcome]] = []
        made = iter(zip(lines, interactions, records, strict=True))
        for n in new:
            message = stored[keys[n]]
            if written[n].error is not None:
                results.append((message, Outcome(ENDED, ignored=True)))
                continue
            line, interaction, record = next(made)
            conversation = line.conversation
            case = record["case"]
            results.append(
                (
                    message,
                    Outcome(
                        f"chat:{line.pk}",
                        customer_id=interaction.customer_id,
                        case_id=case.pk if case is not None else None,
                        interaction_id=interaction.pk,
                    ),
                )
            )
            written[n].received = Received(stored=message, duplicate=False, message_id=line.pk)
            written[n].frame = message_frame(line)
            if conversation.status == Status.ASSISTANT:
                written[n].assistant_turn = (conversation, line)
        inbound_processed_many(results=results)
        _resends(items, keys, new, written)
    return written


def _resends(items: list[Pending], keys: list[str], new: list[int], written: list[Written]) -> None:
    """Messages received before (a widget resending after a reconnect): the server id of
    their line, as the first copy got it. A few queries, resends being rare."""
    first: dict[str, int] = {keys[n]: n for n in new}
    old = [key for key in keys if key not in first]
    if not old and len(first) == len(keys):
        return
    before = {
        key: (pk, outcome)
        for key, pk, outcome in InboundMessage.objects.filter(
            channel=Channel.CHAT, external_id__in=old
        ).values_list("external_id", "pk", "outcome")
    }
    for n, key in enumerate(keys):
        if first.get(key) == n:
            continue
        if key in first:
            # The same message twice in this batch: the copy gets the first one's answer.
            original = written[first[key]]
            written[n].error = original.error
            if original.received is not None:
                written[n].received = Received(
                    stored=original.received.stored,
                    duplicate=True,
                    message_id=original.received.message_id,
                )
            continue
        pk, outcome = before[key]
        if outcome == ENDED:
            written[n].error = ConversationEnded(conversation_id=items[n].conversation.pk)
            continue
        message_id = line_id(outcome)
        if message_id is None:
            # Its first copy is being processed, or failed and waits for a retry.
            message_id = (
                ChatMessage.objects.filter(
                    conversation_id=items[n].conversation.pk,
                    author=ChatMessage.Author.CUSTOMER,
                    client_id=items[n].client_id,
                )
                .values_list("pk", flat=True)
                .first()
            )
        stored = InboundMessage(pk=pk, channel=Channel.CHAT, external_id=key, outcome=outcome)
        written[n].received = Received(stored=stored, duplicate=True, message_id=message_id)


# --- The asynchronous side: writers of one process -----------------------------------

_threads: dict[int, ThreadPoolExecutor] = {}


def _in_writer_thread(index: int, function: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    """Writer `index`'s own database thread (one connection), apart from the sockets'."""
    if index not in _threads:
        _threads[index] = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix=f"suivi-chat-writer-{index}"
        )
    return database_sync_to_async(function, thread_sensitive=False, executor=_threads[index])


class ChatWriter:
    """Queues messages from the sockets of one event loop and writes them in batches,
    one batch after the other, so that a conversation's lines keep their order."""

    def __init__(self, index: int = 0) -> None:
        self.index = index
        self.waiting: list[tuple[Pending, asyncio.Future[Written]]] = []
        self.wakeup = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.background: set[asyncio.Future[Any]] = set()

    async def receive(self, item: Pending) -> Received:
        """Queue one message; returns once it is committed (or raises why not)."""
        future: asyncio.Future[Written] = asyncio.get_running_loop().create_future()
        self.waiting.append((item, future))
        self.wakeup.set()
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._run())
        written = await future
        if written.error is not None:
            raise written.error
        assert written.received is not None
        return written.received

    async def _run(self) -> None:
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            wait = settings.SUIVI_CHAT_BATCH_WAIT_MS / 1000
            if wait > 0:
                await asyncio.sleep(wait)
            while self.waiting:
                size = settings.SUIVI_CHAT_BATCH_MAX
                batch, self.waiting = self.waiting[:size], self.waiting[size:]
                await self._write(batch)

    async def _write(self, batch: list[tuple[Pending, asyncio.Future[Written]]]) -> None:
        loop = asyncio.get_running_loop()
        done: list[bool] = []

        def committed(written: list[Written]) -> None:
            # In the writer's thread, right after the batch's commit.
            loop.call_soon_threadsafe(self._acknowledge, batch, written, done)

        try:
            items = [item for item, _ in batch]
            written = await _in_writer_thread(self.index, messages_receive_many)(items, committed)
        except Exception as error:
            # Not even one by one (the database is gone): no ack, the widget resends.
            logger.exception("Chat messages could not be written")
            for _item, future in batch:
                if not future.done():
                    future.set_exception(error)
            return
        # Taken one by one after a failed batch: acknowledged now.
        self._acknowledge(batch, written, done)

    def _acknowledge(
        self,
        batch: list[tuple[Pending, asyncio.Future[Written]]],
        written: list[Written],
        done: list[bool],
    ) -> None:
        """Committed: acknowledge every message, then show the new lines and let the
        assistant take its turns (in the sockets' threads, not the writer's). Once."""
        if done:
            return
        done.append(True)
        for (_item, future), result in zip(batch, written, strict=True):
            if not future.done():
                future.set_result(result)
        publishing: asyncio.Future[Any] = asyncio.ensure_future(self._publish(written))
        self.background.add(publishing)
        publishing.add_done_callback(self.background.discard)

    async def _publish(self, written: list[Written]) -> None:
        await _publish_frames(
            [(result.conversation_id, result.frame) for result in written if result.frame]
        )
        # The batch's assistant turns together, in one of the sockets' threads; their
        # lines are published from here, the loop's thread.
        turns = [result.assistant_turn for result in written if result.assistant_turn]
        if turns:
            task: asyncio.Future[Any] = asyncio.ensure_future(self._answer(turns))
            self.background.add(task)
            task.add_done_callback(self.background.discard)

    async def _answer(self, turns: list[tuple[ChatConversation, ChatMessage]]) -> None:
        from .consumers import db

        await _publish_frames(await db(assistant.answer_many)(turns))


async def _publish_frames(frames: list[assistant.Frame]) -> None:
    """Each new line to every socket of its conversation (this process's loop)."""
    layer = get_channel_layer()
    if layer is None:
        return
    for conversation_id, frame in frames:
        try:
            await layer.group_send(
                live.conversation_group(conversation_id), {"type": "chat.frame", "frame": frame}
            )
        except Exception:
            logger.exception("Could not publish chat line %s", frame.get("id"))


_writers: dict[asyncio.AbstractEventLoop, list[ChatWriter]] = {}


def writer(conversation_id: int) -> ChatWriter:
    """The writer of this conversation in this event loop (one loop per process under
    uvicorn; tests start several). SUIVI_CHAT_WRITERS writers share the conversations
    by id: each conversation always goes through the same one, in order, and two
    writers never wait for each other's conversation locks."""
    loop = asyncio.get_running_loop()
    found = _writers.get(loop)
    if found is None:
        for old in [other for other in _writers if other.is_closed()]:
            del _writers[old]
        count = max(1, settings.SUIVI_CHAT_WRITERS)
        found = _writers[loop] = [ChatWriter(index) for index in range(count)]
    return found[conversation_id % len(found)]
