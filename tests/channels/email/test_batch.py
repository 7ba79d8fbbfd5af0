"""A batch of inbound e-mails processed as one unit of work (PostgreSQL): what one
message puts off until the end of the batch is still seen by the next ones."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from suivi.channels.email import addresses
from suivi.channels.inbound import inbound_process_due, inbound_store
from suivi.channels.models import EmailMessageId, InboundMessage, OutboundEmail
from suivi.conversations.models import Case
from suivi.core import clock
from suivi.promises.models import Promise
from tests import builders

from .test_threading import email

pytestmark = pytest.mark.postgresql


@pytest.fixture
def store(db, settings):
    """Store messages without processing them: a drain then takes them as one batch."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    def _store(raw: str, rcpt_tos: list[str] | None = None) -> InboundMessage:
        message_id = raw.split("Message-ID: <")[1].split(">")[0]
        message, _created = inbound_store(
            channel="email",
            external_id=f"mid:{message_id}",
            raw=raw.encode(),
            envelope={"rcpt_tos": rcpt_tos or ["support@suivi.localhost"]},
        )
        return message

    return _store


@pytest.fixture
def drained(caplog):
    """Run one drain; fail if its batch had to fall back to one message at a time."""

    def _drain() -> list[InboundMessage]:
        with caplog.at_level("INFO", logger="suivi.channels"):
            inbound_process_due()
        assert "one by one" not in caplog.text
        messages = list(InboundMessage.objects.order_by("pk"))
        assert {m.status for m in messages} <= {"done", "ignored"}, [m.last_error for m in messages]
        return messages

    return _drain


def test_a_reply_to_a_message_of_the_same_batch_continues_its_case(store, drained):
    # given a new sender's message and her reply to it, stored before any processing
    store(email(sender="Anne Petit <anne@example.org>", message_id="a1@example.org"))
    store(
        email(
            sender="Anne Petit <anne@example.org>",
            subject="Autre chose",
            message_id="a2@example.org",
            headers="In-Reply-To: <a1@example.org>\r\n",
        )
    )

    # when one drain processes both together
    first, second = drained()

    # then the reply found the first message's Message-ID, not written until the end
    assert (first.outcome, second.outcome) == ("new_case", "in_reply_to")
    assert second.case_id == first.case_id
    assert EmailMessageId.objects.filter(case_id=first.case_id).count() == 3  # 2 in, 1 ack


def test_the_acknowledgement_limit_counts_those_of_the_same_batch(store, drained, settings):
    # given at most one acknowledgement an hour, and one sender's two new subjects
    settings.SUIVI_EMAIL_ACKS_PER_HOUR = 1
    store(email(sender="Anne Petit <anne@example.org>", subject="Un", message_id="b1@x"))
    store(email(sender="Anne Petit <anne@example.org>", subject="Deux", message_id="b2@x"))

    # when one drain processes both
    first, second = drained()

    # then two cases, one acknowledgement
    assert first.case_id != second.case_id
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.ACKNOWLEDGEMENT).count() == 1


def test_a_quiet_case_taken_up_again_is_continued_by_the_next_message(store, drained, advisor):
    # given a customer's open case nobody touched for three weeks
    customer = builders.customer(email="helene@example.org", advisor=advisor)
    case = builders.case(customer=customer, subject="Facture")
    long_ago = clock.now() - timedelta(days=21)
    Case.objects.filter(pk=case.pk).update(updated_at=long_ago)
    # and her answer to our e-mail (its token), then a second message on the same topic
    token_address = addresses.reply_address(case.pk)
    store(email(to=token_address, subject="Re: Facture", message_id="c1@x"), [token_address])
    store(email(subject="Facture", message_id="c2@x"))

    # when one drain processes both
    first, second = drained()

    # then the second continued the case: its clock, changed by the first and put off
    # until the end of the batch, was written before the second looked for recent cases
    assert (first.outcome, first.case_id) == ("token", case.pk)
    assert (second.outcome, second.case_id) == ("topic", case.pk)
    case.refresh_from_db()
    assert case.updated_at > long_ago


def test_a_case_reopened_in_a_batch_is_open_for_the_next_message(store, drained, advisor):
    # given a customer's resolved case, and her answer to it, then a new subject
    customer = builders.customer(email="helene@example.org", advisor=advisor)
    case = builders.case(customer=customer, subject="Facture")
    Case.objects.filter(pk=case.pk).update(status=Case.Status.RESOLVED, resolved_at=clock.now())
    token_address = addresses.reply_address(case.pk)
    store(email(to=token_address, subject="Re: Facture", message_id="e1@x"), [token_address])
    store(email(subject="Autre sujet", message_id="e2@x"))

    # when one drain processes both
    with CaptureQueriesContext(connection) as queries:
        first, _second = drained()

    # then the reopening was written at once, before the next message was routed (the
    # advisors' open cases are counted by status)
    assert first.case_id == case.pk
    sql = [q["sql"] for q in queries.captured_queries]
    case_updates = [n for n, s in enumerate(sql) if s.startswith('UPDATE "conversations_case"')]
    reopened = next(n for n in case_updates if '"status"' in sql[n])
    routed = [n for n, s in enumerate(sql) if 'FROM "people_advisor"' in s]
    assert reopened < routed[-1]


def test_a_batch_writes_each_table_s_put_off_rows_once(store, drained, advisor):
    # given four known senders' new messages
    for n in range(4):
        builders.customer(email=f"client{n}@example.org", advisor=advisor)
        store(email(sender=f"Client {n} <client{n}@example.org>", message_id=f"d{n}@x"))

    # when one drain processes them together
    with CaptureQueriesContext(connection) as queries:
        messages = drained()

    # then four cases with their promises, acknowledgements and Message-IDs
    assert [m.outcome for m in messages] == ["new_case"] * 4
    assert Promise.objects.count() == 8  # first answer and resolution, each
    assert OutboundEmail.objects.count() == 4
    assert EmailMessageId.objects.count() == 8
    # each table's rows written in one INSERT, and the cases' clocks in one UPDATE
    statements = ";\n".join(q["sql"] for q in queries.captured_queries).split(";\n")
    for table in ("promises_promise", "channels_outboundemail", "channels_emailmessageid"):
        inserts = [s for s in statements if s.lstrip().startswith(f'INSERT INTO "{table}"')]
        assert len(inserts) == 1, (table, [s[:80] for s in statements if table in s])
    case_updates = [s for s in statements if s.lstrip().startswith('UPDATE "conversations_case"')]
    assert len(case_updates) == 1, case_updates
