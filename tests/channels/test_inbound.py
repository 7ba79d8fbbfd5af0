"""The walk of one inbound message: stored once, retried with backoff, parked after the
last attempt, replayable, and a poison message never blocks the others."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from suivi.channels import inbound
from suivi.channels.inbound import MAX_ATTEMPTS, Outcome, backoff
from suivi.channels.models import InboundMessage
from suivi.core import clock
from suivi.customers.models import Customer
from tests import builders

Status = InboundMessage.Status
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
calls: list[int] = []


def flaky(message: InboundMessage) -> Outcome:
    """A processor that fails on payloads saying 'poison'."""
    calls.append(message.pk)
    if b"poison" in bytes(message.raw):
        raise RuntimeError("cannot understand this one")
    return Outcome("ok")


@pytest.fixture
def processor(monkeypatch):
    calls.clear()
    monkeypatch.setitem(inbound.PROCESSORS, "sms", f"{__name__}.flaky")


def store(raw: bytes, external_id: str, capture) -> InboundMessage:
    with capture(execute=True):
        message, _created = inbound.inbound_store(channel="sms", external_id=external_id, raw=raw)
    message.refresh_from_db()
    return message


def test_the_same_message_delivered_twice_is_stored_once(db, processor):
    first, created = inbound.inbound_store(channel="sms", external_id="m1", raw=b"hello")
    again, created_again = inbound.inbound_store(channel="sms", external_id="m1", raw=b"hello")

    assert created and not created_again
    assert first.pk == again.pk
    assert InboundMessage.objects.count() == 1


def test_the_same_id_on_another_channel_is_another_message(db, processor):
    inbound.inbound_store(channel="sms", external_id="m1", raw=b"hello")
    inbound.inbound_store(channel="chat", external_id="m1", raw=b"hello")

    assert InboundMessage.objects.count() == 2


def test_a_stored_message_is_processed_after_the_commit(
    db, processor, django_capture_on_commit_callbacks
):
    message = store(b"hello", "m1", django_capture_on_commit_callbacks)

    assert message.status == Status.DONE
    assert message.attempts == 1
    assert message.outcome == "ok"


def test_a_failure_is_retried_with_backoff_then_parked(
    db, processor, django_capture_on_commit_callbacks
):
    with clock.frozen_at(T0) as hand:
        # given a message that always fails
        message = store(b"poison", "p1", django_capture_on_commit_callbacks)
        assert message.status == Status.RECEIVED
        assert message.attempts == 1
        assert message.next_attempt_at == T0 + backoff(1)
        assert "cannot understand" in message.last_error

        # when the sweep runs before the retry is due, nothing happens
        assert inbound.inbound_retry_due() == 0

        # when each retry falls due
        for attempt in range(2, MAX_ATTEMPTS + 1):
            hand.advance(backoff(attempt - 1))
            assert inbound.inbound_retry_due() == 1
            message.refresh_from_db()
            assert message.attempts == attempt

    # then after the last attempt it needs attention and is no longer retried
    assert message.status == Status.NEEDS_ATTENTION
    assert message.next_attempt_at is None
    assert inbound.inbound_retry_due() == 0
    assert [m.pk for m in inbound.inbound_needing_attention()] == [message.pk]


def test_backoff_grows():
    assert backoff(1) == timedelta(seconds=30)
    assert backoff(2) == timedelta(minutes=2)
    assert backoff(3) == timedelta(minutes=8)


def test_a_poison_message_does_not_block_the_others(
    db, processor, django_capture_on_commit_callbacks
):
    poison = store(b"poison", "p1", django_capture_on_commit_callbacks)
    good = store(b"fine", "g1", django_capture_on_commit_callbacks)

    assert poison.status == Status.RECEIVED
    assert good.status == Status.DONE


def test_a_message_stuck_in_processing_is_given_back(db, processor):
    # given a worker that died while processing (status stays "processing")
    with clock.frozen_at(T0) as hand:
        message, _ = inbound.inbound_store(channel="sms", external_id="s1", raw=b"fine")
        InboundMessage.objects.filter(pk=message.pk).update(
            status=Status.PROCESSING, processing_started_at=T0, attempts=1
        )

        # when the sweep runs much later
        hand.advance(inbound.STALE_PROCESSING + timedelta(seconds=1))
        inbound.inbound_retry_due()

    # then it was processed again
    message.refresh_from_db()
    assert message.status == Status.DONE
    assert message.attempts == 2


def test_a_message_that_kills_its_worker_every_time_is_parked(db, processor):
    with clock.frozen_at(T0) as hand:
        message, _ = inbound.inbound_store(channel="sms", external_id="k1", raw=b"fine")
        InboundMessage.objects.filter(pk=message.pk).update(
            status=Status.PROCESSING, processing_started_at=T0, attempts=MAX_ATTEMPTS
        )
        hand.advance(inbound.STALE_PROCESSING + timedelta(seconds=1))
        inbound.inbound_retry_due()

    message.refresh_from_db()
    assert message.status == Status.NEEDS_ATTENTION
    assert calls == []


def test_a_lost_enqueue_is_swept_up(db, processor):
    # given a message stored but whose enqueue never ran (no on_commit here)
    with clock.frozen_at(T0) as hand:
        message, _ = inbound.inbound_store(channel="sms", external_id="l1", raw=b"fine")
        hand.advance(inbound.PICKUP_GRACE)
        assert inbound.inbound_retry_due() == 1
    message.refresh_from_db()
    assert message.status == Status.DONE


def _park(raw: bytes, external_id: str) -> InboundMessage:
    message, _ = inbound.inbound_store(channel="sms", external_id=external_id, raw=raw)
    InboundMessage.objects.filter(pk=message.pk).update(
        status=Status.NEEDS_ATTENTION, attempts=MAX_ATTEMPTS, last_error="boom"
    )
    return message


def test_replay_by_id_processes_again(db, processor, django_capture_on_commit_callbacks, capsys):
    message = _park(b"fine now", "r1")

    with django_capture_on_commit_callbacks(execute=True):
        call_command("inbound", "replay", str(message.pk))

    message.refresh_from_db()
    assert message.status == Status.DONE
    assert message.attempts == 1
    assert "queued again" in capsys.readouterr().out


def test_replay_all_failed(db, processor, django_capture_on_commit_callbacks):
    first, second = _park(b"fine", "r1"), _park(b"fine too", "r2")
    done = store(b"done", "d1", django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("inbound", "replay", "--all-failed")

    statuses = dict(InboundMessage.objects.values_list("pk", "status"))
    assert statuses == {first.pk: Status.DONE, second.pk: Status.DONE, done.pk: Status.DONE}
    assert calls.count(done.pk) == 1


def test_a_processed_message_is_not_replayed(db, processor, django_capture_on_commit_callbacks):
    done = store(b"done", "d1", django_capture_on_commit_callbacks)

    with pytest.raises(inbound.NotReplayable):
        inbound.inbound_replay(message=done)


def test_list_shows_messages_needing_attention(db, processor, capsys):
    message = _park(b"x", "x1")

    call_command("inbound", "list")

    out = capsys.readouterr().out
    assert f"{message.pk}\tsms" in out
    assert "boom" in out


# --- The drain: stored messages are their own queue ------------------------------------

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _waiting_drains() -> int:
    from django_tasks_db.models import DBTaskResult

    return (
        DBTaskResult.objects.ready()
        .filter(task_path="suivi.channels.tasks.process_inbound_due")
        .count()
    )


def test_messages_arriving_together_wake_one_drain(db, processor, settings):
    # given the database task backend (what production runs)
    settings.TASKS = DB_TASKS

    # when three messages are stored, each committed on its own
    for n in range(3):
        inbound.inbound_store(channel="sms", external_id=f"t{n}", raw=b"fine")
        inbound._wake()  # what the commit of each store runs

    # then one drain waits for a worker, not three tasks
    assert _waiting_drains() == 1

    # and that drain processes them all, oldest first
    assert inbound.inbound_process_due() == 3
    assert calls == sorted(calls)
    assert set(InboundMessage.objects.values_list("status", flat=True)) == {Status.DONE}


def test_a_drain_out_of_time_wakes_the_next_one(
    db, processor, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = DB_TASKS
    for n in range(2):
        inbound.inbound_store(channel="sms", external_id=f"b{n}", raw=b"fine")

    # a drain whose time is spent after the first message (batches of one)
    with django_capture_on_commit_callbacks(execute=True):
        assert inbound.inbound_process_due(budget=timedelta(0), batch=1) == 1

    # leaves the second to the next drain, which it enqueued
    assert _waiting_drains() == 1
    assert inbound.inbound_process_due() == 1


def test_a_drain_leaves_messages_waiting_for_their_retry(
    db, processor, django_capture_on_commit_callbacks
):
    with clock.frozen_at(T0):
        poison = store(b"poison", "p1", django_capture_on_commit_callbacks)
        assert poison.attempts == 1

        # when a later message wakes a drain
        store(b"fine", "g1", django_capture_on_commit_callbacks)

    # then the failed one waits for its backoff (the retry sweep takes it then)
    poison.refresh_from_db()
    assert poison.attempts == 1
    assert calls.count(poison.pk) == 1


def test_a_duplicate_delivery_wakes_nobody(db, processor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as first:
        stored, _created = inbound.inbound_store(channel="sms", external_id="d1", raw=b"fine")
    with django_capture_on_commit_callbacks() as second:
        again, created = inbound.inbound_store(channel="sms", external_id="d1", raw=b"other")

    assert len(first) == 1
    assert not created and again.pk == stored.pk and bytes(again.raw) == b"fine"
    assert second == []


@pytest.mark.postgresql
def test_two_workers_draining_together_process_each_message_once(
    transactional_db, processor, settings
):
    import threading

    from django.db import connections

    # given forty stored messages (their wake-ups go nowhere)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    for n in range(40):
        inbound.inbound_store(channel="sms", external_id=f"w{n}", raw=b"fine")
    done: list[int] = []

    def worker() -> None:
        try:
            done.append(inbound.inbound_process_due(budget=timedelta(minutes=1)))
        finally:
            connections.close_all()

    # when two workers drain at the same time
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then every message was processed exactly once
    assert sum(done) == 40
    assert sorted(calls) == sorted(set(calls))
    assert InboundMessage.objects.filter(status=Status.DONE, attempts=1).count() == 40


def writer(message: InboundMessage) -> Outcome:
    """A processor that writes a row for each message, then fails on 'poison'."""
    calls.append(message.pk)
    builders.customer(given_name="Writer", family_name=bytes(message.raw).decode())
    if b"poison" in bytes(message.raw):
        raise RuntimeError("cannot understand this one")
    return Outcome("ok")


@pytest.mark.postgresql
def test_a_drain_processes_a_batch_in_one_transaction(db, monkeypatch):
    calls.clear()
    monkeypatch.setitem(inbound.PROCESSORS, "sms", f"{__name__}.writer")
    stored = [
        inbound.inbound_store(channel="sms", external_id=f"w{n}", raw=f"fine{n}".encode())[0]
        for n in range(5)
    ]

    with CaptureQueriesContext(connection) as queries:
        assert inbound.inbound_process_due() == 5

    # one claim and one outcome UPDATE for the five, in their order of arrival
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 2
    assert calls == [m.pk for m in stored]
    assert set(InboundMessage.objects.values_list("status", "outcome", "attempts")) == {
        (Status.DONE, "ok", 1)
    }
    assert Customer.objects.filter(given_name="Writer").count() == 5


@pytest.mark.postgresql
def test_a_poison_message_in_a_batch_is_isolated(db, monkeypatch):
    calls.clear()
    monkeypatch.setitem(inbound.PROCESSORS, "sms", f"{__name__}.writer")
    raws = [b"fine0", b"fine1", b"poison", b"fine3"]
    stored = [
        inbound.inbound_store(channel="sms", external_id=f"p{n}", raw=raw)[0]
        for n, raw in enumerate(raws)
    ]

    assert inbound.inbound_process_due() == 4

    # the batch failed at the poison message and was rolled back, then each message
    # went alone: the good ones are done once, the poison one waits for its retry
    ids = [m.pk for m in stored]
    assert calls == ids[:3] + ids
    statuses = dict(InboundMessage.objects.values_list("pk", "status"))
    assert [statuses[pk] for pk in ids] == [Status.DONE, Status.DONE, Status.RECEIVED, Status.DONE]
    poison = InboundMessage.objects.get(pk=ids[2])
    assert poison.attempts == 1
    assert "cannot understand this one" in poison.last_error
    assert poison.next_attempt_at is not None
    writers = Customer.objects.filter(given_name="Writer")
    names = sorted(writers.values_list("family_name", flat=True))
    assert names == ["fine0", "fine1", "fine3"]
