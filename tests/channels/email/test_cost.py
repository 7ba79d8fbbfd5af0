"""What processing one e-mail costs, pinned: statements can go down, never up. And the
paths that must keep their own savepoint still do."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from suivi.channels.inbound import inbound_process
from suivi.channels.models import InboundMessage
from suivi.customers.models import Customer
from tests import builders

from .test_threading import email

Status = InboundMessage.Status
# The statements pinned are PostgreSQL's (batches, statements sent together, no
# savepoints); the embedded SQLite takes the plain paths.
pytestmark = pytest.mark.postgresql


@pytest.fixture
def store(db, settings):
    """Store a message without processing it (its wake-up goes nowhere)."""
    from suivi.channels.inbound import inbound_store

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    def _store(raw: str) -> InboundMessage:
        message, _created = inbound_store(
            channel="email",
            external_id=raw.split("Message-ID: <")[1].split(">")[0],
            raw=raw.encode(),
            envelope={"rcpt_tos": ["support@suivi.localhost"]},
        )
        return message

    return _store


def _process(message: InboundMessage) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        inbound_process(message_id=message.pk)
    message.refresh_from_db()
    assert message.status in (Status.DONE, Status.IGNORED), message.last_error
    return [q["sql"] for q in queries.captured_queries]


def _executed(statements: list[str]) -> int:
    """Statements PostgreSQL ran: a unit of work's writes put off to its end go in one
    round trip (one captured query), each still its own statement."""
    return sum(sql.count(";\n") + 1 for sql in statements)


def _savepoints(statements: list[str]) -> int:
    return sum(1 for sql in statements if sql.upper().startswith("SAVEPOINT"))


def test_a_known_sender_s_new_case(store, advisor):
    builders.customer(
        given_name="Hélène", family_name="Durand", email="helene@example.org", advisor=advisor
    )
    statements = _process(store(email()))
    # the claim, the processing (advisors' states included), the message's outcome;
    # within the test's transaction the processing block is a savepoint itself. 18
    # round trips before the third pass: the promises, the case's clocks, the
    # acknowledgement's e-mail and the Message-IDs now go in one round trip at the end
    assert len(statements) == 15, "\n".join(statements)
    assert _executed(statements) == 18
    assert _savepoints(statements) == 1


def test_a_new_sender_is_created_in_one_statement_without_savepoints(store):
    statements = _process(store(email(sender="Nouveau Client <nouveau@example.org>")))
    # 23 before the third pass: the customer and the identity are one INSERT (with its
    # ON CONFLICT), without customer_create's two savepoints and its identity SELECT;
    # the writes put off to the end of the unit of work go in one round trip
    assert len(statements) == 14, "\n".join(statements)
    assert _executed(statements) == 17
    assert _savepoints(statements) == 1  # the processing block (in the test's transaction)
    assert Customer.objects.filter(identities__value="nouveau@example.org").exists()


def test_a_message_continuing_a_case(store, advisor):
    builders.customer(
        given_name="Hélène", family_name="Durand", email="helene@example.org", advisor=advisor
    )
    _process(store(email()))
    statements = _process(store(email(message_id="m2@example.org", subject="Re: Facture")))
    # 14 round trips before the third pass: the case's clocks and the Message-ID now go
    # together at the end of the unit of work (the case is locked in it)
    assert len(statements) == 13, "\n".join(statements)
    assert _executed(statements) == 14


def test_an_invalid_sender_is_ignored_and_the_transaction_goes_on(store):
    # the address parses but is not a valid e-mail: customer creation refuses it before
    # writing anything (and outside any atomic block), and the outcome is still recorded
    message = store(email(sender="Jean <a..b@example.org>"))
    _process(message)
    assert (message.status, message.outcome) == (Status.IGNORED, "invalid_sender")
    assert not Customer.objects.exists()


def test_a_drain_wakes_the_sending_drain_once(transactional_db, settings):
    from suivi.channels.inbound import inbound_process_due, inbound_store
    from suivi.channels.models import OutboundEmail

    # given three new senders' messages stored, and the database task backend
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    for n in range(3):
        raw = email(sender=f"Client {n} <client{n}@example.org>", message_id=f"d{n}@x")
        inbound_store(channel="email", external_id=f"mid:d{n}@x", raw=raw.encode())
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    # when one drain processes them (each message committed on its own)
    with CaptureQueriesContext(connection) as queries:
        assert inbound_process_due() == 3

    # then three acknowledgements wait, and the sending drain was asked for once
    assert OutboundEmail.objects.filter(status="pending").count() == 3
    sending = [
        q["sql"]
        for q in queries.captured_queries
        if "django_tasks_database_dbtaskresult" in q["sql"] and "send_pending" in q["sql"]
    ]
    assert len(sending) == 2, sending  # is one waiting? no: enqueue it


def test_the_new_customers_of_a_batch_share_one_duplicate_detection(
    store, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from suivi.channels.inbound import inbound_process_due
    from suivi.channels.tasks import detect_duplicates_of
    from suivi.customers.models import PossibleDuplicate

    # given a known customer, and three new senders' messages, one with her name
    known = builders.customer(given_name="Hélène", family_name="Durand")
    senders = ["Hélène Durand <h.durand@example.org>", "Paul Roux <paul@example.org>",
               "Léa Petit <lea@example.org>"]  # fmt: skip
    for n, sender in enumerate(senders):
        store(email(sender=sender, message_id=f"dup{n}@example.org"))
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    # when one drain processes them together
    with django_capture_on_commit_callbacks(execute=True):
        assert inbound_process_due() == 3

    # then one detection task is waiting for the three new customers, none per customer
    created = set(Customer.objects.exclude(pk=known.pk).values_list("pk", flat=True))
    assert len(created) == 3
    waiting = DBTaskResult.objects.ready()
    assert waiting.filter(task_path="suivi.customers.tasks.detect_duplicates").count() == 0
    (task,) = waiting.filter(task_path=detect_duplicates_of.module_path)
    assert set(task.args_kwargs["kwargs"]["customer_ids"]) == created

    # and running it flags the namesake
    assert detect_duplicates_of.call(customer_ids=sorted(created)) == 1
    pair = PossibleDuplicate.objects.get()
    namesake = Customer.objects.get(identities__value="h.durand@example.org")
    assert {pair.customer_id, pair.other_id} == {known.pk, namesake.pk}
