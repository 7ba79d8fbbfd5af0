"""The walk of one inbound message, for every channel: store, process, retry, park, replay.

`inbound_store` is the only thing an adapter does before answering its sender. All the
understanding happens later, run by a task; each channel provides a processor
(`PROCESSORS`) that turns one raw message into an interaction.

The stored messages are their own queue (`queue.py`): a new message does not get a task
of its own but wakes a drain (`inbound_process_due`), and the drain takes fresh messages
a batch at a time, in one transaction (one by one, each in its own, if the batch
fails). A message that failed is retried alone (`inbound_process`), enqueued by the
retry sweep once its backoff has passed.
"""

import logging
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from suivi.core import clock, db, work
from suivi.core.errors import Conflict, NotFound
from suivi.core.vocabulary import Channel
from suivi.promises import policies

from . import queue
from .models import InboundMessage

logger = logging.getLogger("suivi.channels")
Status = InboundMessage.Status

MAX_ATTEMPTS = 5
# 30 s, 2 min, 8 min, 32 min: a database hiccup passes, a real bug gets parked in ~45 min.
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_FACTOR = 4
# A stored message not picked up by then (its enqueue was lost) is swept up again.
PICKUP_GRACE = timedelta(minutes=2)
# A message still "processing" after this killed its worker (or the worker died).
STALE_PROCESSING = timedelta(minutes=10)
# A drain gives its worker back after this long, so that sending and sweeps get a turn.
DRAIN_BUDGET = timedelta(seconds=1)
# Messages processed together in one transaction by a drain (one commit, one claim, one
# outcome UPDATE for all); a failure replays the batch one message at a time.
BATCH_SIZE = 16

# Channels whose processor is one unit of work (suivi.core.work) that may span a whole
# batch: what each message puts off (promises, the acknowledgement, Message-IDs, the
# case's clocks) is written once for the batch, the rows of one table in one statement.
BATCH_UNITS = frozenset({Channel.EMAIL})

PROCESSORS: dict[str, str] = {
    Channel.EMAIL: "suivi.channels.email.processing.process",
    Channel.PHONE: "suivi.channels.phone.processing.process",
    Channel.CHAT: "suivi.channels.chat.processing.process",
}


@dataclass
class Outcome:
    """What a processor made of a message."""

    outcome: str
    ignored: bool = False
    customer_id: int | None = None
    case_id: int | None = None
    interaction_id: int | None = None
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    # The customer was created by this message: their duplicate detection is enqueued
    # after the commit, once for all the new customers of a batch.
    customer_created: bool = False


class NotReplayable(Conflict):
    code = "inbound_not_replayable"
    default_message = _("Only a message that failed or was ignored can be replayed.")


def backoff(attempts: int) -> timedelta:
    return BACKOFF_BASE * (BACKOFF_FACTOR ** max(0, attempts - 1))


def _enqueue(message_id: int) -> None:
    from .tasks import process_inbound

    try:
        process_inbound.enqueue(message_id=message_id)
    except Exception:
        # Stored is what matters: the retry sweep picks the message up after PICKUP_GRACE.
        logger.exception("Could not enqueue inbound message %s", message_id)


def _detect_duplicates(customer_ids: list[int]) -> None:
    from .tasks import detect_duplicates_of

    try:
        detect_duplicates_of.enqueue(customer_ids=customer_ids)
    except Exception:
        # Only a hint for advisors is lost; the customers are stored.
        logger.exception("Could not enqueue the duplicate detection of %s", customer_ids)


def _wake() -> None:
    """After a message is committed: make sure a drain will run after this moment."""
    from .tasks import process_inbound_due

    queue.wake(process_inbound_due)


def _insert_once(message: InboundMessage) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING: one statement, no savepoint, no prior SELECT;
    False when the message was stored already."""
    meta = InboundMessage._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(message, True), connection) for f in fields]
    # Names come from the model's metadata; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({quote('channel')}, {quote('external_id')}) DO NOTHING "
        f"RETURNING {quote(InboundMessage._meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    message.pk = row[0]
    message._state.adding, message._state.db = False, connection.alias
    return True


def inbound_store(
    *,
    channel: str,
    external_id: str,
    raw: bytes,
    source: str = "",
    envelope: dict[str, Any] | None = None,
    enqueue: bool = True,
) -> tuple[InboundMessage, bool]:
    """Store a raw message once and have it processed after the commit.

    Returns the message and whether it was new; a duplicate delivery returns the stored
    one. When this returns, the message is committed (unless the caller holds a
    transaction) and the sender may be told so. `enqueue=False` is for an adapter that
    processes at once itself (chat): if it does not get to it, the retry sweep picks the
    message up after PICKUP_GRACE."""
    moment = clock.now()
    message = InboundMessage(
        channel=channel,
        external_id=external_id[:255],
        raw=raw,
        size=len(raw),
        source=source[:200],
        envelope=envelope or {},
        received_at=moment,
        next_attempt_at=moment + PICKUP_GRACE,
    )
    if connection.vendor == "postgresql":
        created = _insert_once(message)
        if not created:
            message = InboundMessage.objects.get(channel=channel, external_id=external_id[:255])
    else:
        with transaction.atomic():
            message, created = InboundMessage.objects.get_or_create(
                channel=channel,
                external_id=external_id[:255],
                defaults={
                    f: getattr(message, f)
                    for f in ("raw", "size", "source", "envelope", "received_at", "next_attempt_at")
                },
            )
    if created and enqueue:
        transaction.on_commit(_wake)
    return message, created


def _claim_assignments(moment: datetime) -> tuple[str, list[Any]]:
    sql = "status = %s, attempts = attempts + 1, processing_started_at = %s, next_attempt_at = %s"
    return sql, [Status.PROCESSING, moment, moment + STALE_PROCESSING]


def _claim(message_id: int) -> InboundMessage | None:
    """Take a received message for processing; None when another worker has it or it is
    no longer due (a duplicate enqueue costs one UPDATE)."""
    moment = clock.now()
    if connection.vendor == "postgresql":
        assignments, params = _claim_assignments(moment)
        return queue.claim_returning(
            InboundMessage,
            assignments=assignments,
            where="id = %s AND status = %s",
            params=[*params, message_id, Status.RECEIVED],
        )
    claimed = InboundMessage.objects.filter(pk=message_id, status=Status.RECEIVED).update(
        status=Status.PROCESSING,
        attempts=F("attempts") + 1,
        processing_started_at=moment,
        next_attempt_at=moment + STALE_PROCESSING,
    )
    if not claimed:
        return None
    return InboundMessage.objects.get(pk=message_id)


def _claim_next() -> InboundMessage | None:
    """Take the oldest message never tried yet, skipping those other workers are taking.
    Retries (attempts > 0) wait for their backoff and come through the retry sweep."""
    moment = clock.now()
    fresh = InboundMessage.objects.filter(status=Status.RECEIVED, attempts=0)
    if connection.vendor == "postgresql":
        assignments, params = _claim_assignments(moment)
        return queue.claim_returning(
            InboundMessage,
            assignments=assignments,
            where=queue.next_row(InboundMessage, "status = %s AND attempts = 0"),
            params=[*params, Status.RECEIVED],
        )
    # Elsewhere (SQLite) writers are serialised: the conditional UPDATE decides.
    while pk := fresh.order_by("next_attempt_at", "pk").values_list("pk", flat=True).first():
        if (message := _claim(pk)) is not None:
            return message
    return None


def inbound_process(*, message_id: int) -> str:
    """Process one message: its channel's processor runs in one transaction; a failure
    rolls everything back and schedules a retry, or parks the message after the last."""
    message = _claim(message_id)
    if message is None:
        return "skipped"
    return _process(message)


def _claim_batch(size: int) -> list[InboundMessage]:
    """Take up to `size` of the oldest messages never tried yet (PostgreSQL: one
    statement), in the order they arrived."""
    if size <= 1:
        message = _claim_next()
        return [message] if message is not None else []
    assignments, params = _claim_assignments(clock.now())
    messages = queue.claim_many(
        InboundMessage,
        assignments=assignments,
        condition="status = %s AND attempts = 0",
        params=[*params, Status.RECEIVED],
        limit=size,
    )
    return sorted(messages, key=lambda m: (m.received_at, m.pk))


def inbound_process_due(*, budget: timedelta = DRAIN_BUDGET, batch: int = BATCH_SIZE) -> int:
    """Process fresh messages, `batch` at a time in one transaction (group commit),
    until none is left or the time budget is spent; then, if some may remain, enqueue
    the next drain so that other tasks (sending, sweeps) get a worker in between.

    When anything in a batch fails, the batch is rolled back and its messages are
    processed again one by one, each in its own transaction: the poison message is
    retried (and parked) alone, the others go through. Several workers drain together:
    each claims its next batch with SKIP LOCKED."""
    deadline = time.monotonic() + budget.total_seconds()
    count = 0
    if connection.vendor != "postgresql":
        batch = 1  # elsewhere, one message per claim and per transaction
    # The acknowledgements committed meanwhile wake the sending drain once, at the end.
    with queue.wakes_deferred():
        while messages := _claim_batch(batch):
            _process_batch(messages)
            count += len(messages)
            if len(messages) < batch:
                # None was left when we claimed; a message stored since woke a drain.
                break
            if time.monotonic() >= deadline:
                transaction.on_commit(_wake)
                break
    return count


def _processor(message: InboundMessage) -> Callable[[InboundMessage], Outcome]:
    return import_string(PROCESSORS[message.channel])


def _process_batch(messages: list[InboundMessage]) -> None:
    """Process claimed messages in one transaction; one by one if that fails."""
    if len(messages) == 1:
        _process(messages[0])
        return
    try:
        with transaction.atomic(), policies.remembered():
            with _batch_unit(messages):
                results = [_processor(message)(message) for message in messages]
            _record_outcomes(list(zip(messages, results, strict=True)))
    except Exception as error:
        logger.info("A batch of %s inbound messages failed (%s): one by one", len(messages), error)
        for message in messages:
            _process(message)


@contextmanager
def _batch_unit(messages: list[InboundMessage]) -> Iterator[None]:
    """One unit of work for the whole batch when every message's processor allows it
    (`BATCH_UNITS`); otherwise each processor has its own, or none."""
    if all(message.channel in BATCH_UNITS for message in messages):
        with db.no_nested_savepoints(), work.unit_of_work():
            yield
    else:
        yield


def _record_outcomes(done: list[tuple[InboundMessage, Outcome]]) -> None:
    """What each message became, in one UPDATE on PostgreSQL; and their callbacks after
    the commit."""
    moment = clock.now()
    for _message, result in done:
        for callback in result.after_commit:
            transaction.on_commit(callback)
    created = [r.customer_id for _m, r in done if r.customer_created and r.customer_id]
    if created:
        transaction.on_commit(lambda: _detect_duplicates(created))
    if connection.vendor != "postgresql" or len(done) == 1:
        for message, result in done:
            InboundMessage.objects.filter(pk=message.pk).update(
                status=Status.IGNORED if result.ignored else Status.DONE,
                outcome=result.outcome[:40],
                customer_id=result.customer_id,
                case_id=result.case_id,
                interaction_id=result.interaction_id,
                processed_at=moment,
                next_attempt_at=None,
                last_error="",
            )
        return
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(done))
    params: list[Any] = [moment]
    for message, result in done:
        params += [
            message.pk,
            Status.IGNORED if result.ignored else Status.DONE,
            result.outcome[:40],
            result.customer_id,
            result.case_id,
            result.interaction_id,
        ]
    table = connection.ops.quote_name(InboundMessage._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS m SET status = v.status, outcome = v.outcome, "  # noqa: S608
            "customer_id = v.customer_id::bigint, case_id = v.case_id::bigint, "
            "interaction_id = v.interaction_id::bigint, processed_at = %s, "
            "next_attempt_at = NULL, last_error = '' "
            f"FROM (VALUES {rows}) AS v(id, status, outcome, customer_id, case_id, interaction_id) "
            "WHERE m.id = v.id::bigint",
            params,
        )


def _process(message: InboundMessage) -> str:
    try:
        with transaction.atomic():
            result = _processor(message)(message)
            _record_outcomes([(message, result)])
    except Exception as error:
        _record_failure(message, error)
        return "failed"
    return result.outcome


def _record_failure(message: InboundMessage, error: BaseException) -> None:
    detail = "".join(traceback.format_exception(error, limit=6))[-4000:]
    parked = message.attempts >= MAX_ATTEMPTS
    logger.warning(
        "Inbound message %s failed (attempt %s/%s)%s: %s",
        message.pk,
        message.attempts,
        MAX_ATTEMPTS,
        " and needs attention" if parked else "",
        error,
    )
    InboundMessage.objects.filter(pk=message.pk).update(
        status=Status.NEEDS_ATTENTION if parked else Status.RECEIVED,
        last_error=f"{type(error).__name__}: {error}\n\n{detail}",
        next_attempt_at=None if parked else clock.now() + backoff(message.attempts),
    )


def inbound_retry_due(*, limit: int = 500) -> int:
    """Enqueue received messages whose retry (or first pick-up) is due, and give back
    messages stuck in processing by a worker that died. Idempotent."""
    moment = clock.now()
    stale = InboundMessage.objects.filter(
        status=Status.PROCESSING, processing_started_at__lt=moment - STALE_PROCESSING
    )
    # A message that killed its worker MAX_ATTEMPTS times is a poison message: park it.
    stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Status.NEEDS_ATTENTION,
        last_error=_("Processing never finished: the worker stopped while handling it."),
        next_attempt_at=None,
    )
    stale.update(status=Status.RECEIVED, next_attempt_at=moment)
    due = list(
        InboundMessage.objects.filter(status=Status.RECEIVED, next_attempt_at__lte=moment)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    # Push the due time forward so the next sweep does not enqueue them a second time.
    InboundMessage.objects.filter(pk__in=due).update(next_attempt_at=moment + PICKUP_GRACE)
    for pk in due:
        _enqueue(pk)
    return len(due)


def inbound_replay(*, message: InboundMessage) -> InboundMessage:
    """Process a parked (or ignored) message again, from a fresh count of attempts."""
    if message.status not in (Status.NEEDS_ATTENTION, Status.IGNORED):
        raise NotReplayable(message_id=message.pk, status=message.status)
    with transaction.atomic():
        updated = InboundMessage.objects.filter(
            pk=message.pk, status__in=[Status.NEEDS_ATTENTION, Status.IGNORED]
        ).update(status=Status.RECEIVED, attempts=0, next_attempt_at=clock.now() + PICKUP_GRACE)
        if not updated:
            raise NotReplayable(message_id=message.pk)
        transaction.on_commit(lambda: _enqueue(message.pk))
    message.refresh_from_db()
    return message


def inbound_replay_all_failed() -> int:
    count = 0
    for message in InboundMessage.objects.filter(status=Status.NEEDS_ATTENTION).order_by("pk"):
        try:
            inbound_replay(message=message)
        except NotReplayable:
            continue
        count += 1
    return count


def inbound_get(*, message_id: int) -> InboundMessage:
    message = InboundMessage.objects.filter(pk=message_id).first()
    if message is None:
        raise NotFound(message_id=message_id)
    return message


def inbound_needing_attention(*, limit: int = 100) -> list[InboundMessage]:
    """Parked messages, newest first, without their raw bytes."""
    return list(
        InboundMessage.objects.filter(status=Status.NEEDS_ATTENTION)
        .defer("raw")
        .order_by("-received_at", "-pk")[:limit]
    )


def inbound_counts() -> dict[str, int]:
    from django.db.models import Count

    rows = InboundMessage.objects.values("status").annotate(n=Count("pk")).order_by()
    return {row["status"]: row["n"] for row in rows}


def inbound_waiting() -> int:
    """Messages stored and not yet processed (the backlog)."""
    return InboundMessage.objects.filter(
        Q(status=Status.RECEIVED) | Q(status=Status.PROCESSING)
    ).count()


# --- Several messages in one transaction (the chat's batching writer) ----------------


@dataclass(frozen=True)
class Incoming:
    """One raw message for `inbound_store_many`."""

    external_id: str
    raw: bytes
    source: str = ""


def inbound_store_many(*, channel: str, messages: list[Incoming]) -> dict[str, InboundMessage]:
    """Store several raw messages in one statement (PostgreSQL: INSERT … SELECT FROM
    unnest(…) ON CONFLICT DO NOTHING RETURNING), inside the caller's transaction; the
    caller processes them in that same transaction (`inbound_processed_many`) and
    nothing is enqueued. Returns the new messages by external id; a key stored before
    is left out (a duplicate)."""
    if not messages:
        return {}
    moment = clock.now()
    rows: dict[str, InboundMessage] = {}
    for item in messages:
        external_id = item.external_id[:255]
        rows.setdefault(
            external_id,
            InboundMessage(
                channel=channel,
                external_id=external_id,
                raw=item.raw,
                size=len(item.raw),
                source=item.source[:200],
                envelope={},
                received_at=moment,
                next_attempt_at=moment + PICKUP_GRACE,
            ),
        )
    # Arrays, not one placeholder per value: the statement stays the same size (and
    # cheap to build) whatever the number of messages. Fixed names; values are parameters.
    sql = (
        f"INSERT INTO {InboundMessage._meta.db_table} "  # noqa: S608
        "(channel, external_id, raw, size, source, envelope, received_at, status, attempts,"
        " last_error, next_attempt_at, outcome) "
        "SELECT %s, u.external_id, u.raw, octet_length(u.raw), u.source, '{}'::jsonb, %s, %s,"
        " 0, '', %s, '' "
        "FROM unnest(%s::varchar[], %s::bytea[], %s::varchar[]) AS u(external_id, raw, source) "
        "ON CONFLICT (channel, external_id) DO NOTHING RETURNING id, external_id"
    )
    params: list[Any] = [
        channel,
        moment,
        str(Status.RECEIVED),
        moment + PICKUP_GRACE,
        [row.external_id for row in rows.values()],
        [bytes(row.raw) for row in rows.values()],
        [row.source for row in rows.values()],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = dict(cursor.fetchall())
    stored: dict[str, InboundMessage] = {}
    for pk, external_id in returned.items():
        row = rows[external_id]
        row.pk = pk
        row._state.adding, row._state.db = False, connection.alias
        stored[external_id] = row
    return stored


def inbound_processed_many(*, results: list[tuple[InboundMessage, Outcome]]) -> None:
    """Record, in one UPDATE, what the caller's processing made of messages it stored in
    the same transaction (`inbound_store_many`): one attempt, done or ignored."""
    if not results:
        return
    moment = clock.now()
    columns: list[list[Any]] = [[], [], [], [], [], []]
    for message, result in results:
        for column, value in zip(
            columns,
            (
                message.pk,
                str(Status.IGNORED if result.ignored else Status.DONE),
                result.outcome[:40],
                result.customer_id,
                result.case_id,
                result.interaction_id,
            ),
            strict=True,
        ):
            column.append(value)
    # Fixed names; every value is a parameter (one array per column).
    sql = (
        f"UPDATE {InboundMessage._meta.db_table} AS m SET status = v.status,"  # noqa: S608
        " outcome = v.outcome, customer_id = v.customer_id, case_id = v.case_id,"
        " interaction_id = v.interaction_id, attempts = m.attempts + 1,"
        " processing_started_at = %s, processed_at = %s, next_attempt_at = NULL, last_error = ''"
        " FROM unnest(%s::bigint[], %s::varchar[], %s::varchar[], %s::bigint[], %s::bigint[],"
        " %s::bigint[]) AS v(id, status, outcome, customer_id, case_id, interaction_id)"
        " WHERE m.id = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [moment, moment, *columns])
