"""The batching writer (writer.py) through real sockets, uvicorn and PostgreSQL: messages
queued together are stored and processed in one transaction and acknowledged after it."""

import threading
from contextlib import ExitStack

import pytest
from django.db import connection

from suivi.channels.chat import writer
from suivi.channels.chat.models import ChatConversation, ChatMessage
from suivi.channels.models import InboundMessage
from suivi.conversations.models import Interaction

from .server import chat_socket

pytestmark = pytest.mark.django_db(transaction=True)

# Long enough for the test to send all its messages before the writer takes them.
GATHER_MS = 400


@pytest.fixture(autouse=True)
def no_assistant(settings):
    """The writer is tested alone: the knowledge assistant's answers (lines of their
    own, after the ack) would interleave with the frames these tests count."""
    settings.SUIVI_CHAT_ASSISTANT = ""


@pytest.fixture
def gathering(settings):
    """One writer that waits for the test's messages before it takes them."""
    settings.SUIVI_CHAT_BATCH_WAIT_MS = GATHER_MS
    settings.SUIVI_CHAT_WRITERS = 1


def _open(stack, server, widget, count):
    chats = [stack.enter_context(chat_socket(server, widget.public_key)) for _ in range(count)]
    for chat in chats:
        chat.send({"type": "hello", "lang": "fr"})
        chat.expect("welcome")
    return chats


def _transactions(external_ids):
    """The transaction that last wrote each inbound row (xmin), by external id."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT external_id, xmin::text FROM channels_inboundmessage"
            " WHERE external_id = ANY(%s)",
            [list(external_ids)],
        )
        return dict(cursor.fetchall())


def _key(chat_welcome_token, client_id):
    conversation = ChatConversation.objects.get(token=chat_welcome_token)
    return f"{conversation.widget_id}:{conversation.pk}:{client_id}"


@pytest.mark.postgresql
def test_messages_queued_together_are_written_in_one_transaction_then_acknowledged(
    server, widget, gathering
):
    with ExitStack() as stack:
        # given three visitors in three chats
        chats = _open(stack, server, widget, 3)

        # when each writes within the same few milliseconds
        for n, chat in enumerate(chats):
            chat.send({"type": "message", "client_id": f"c{n}", "text": f"Bonjour {n}"})

        # then each ack comes once its message is committed: another connection (the
        # test's) already sees the raw message processed and its transcript line
        acks = []
        for n, chat in enumerate(chats):
            ack = chat.expect("ack", client_id=f"c{n}")
            stored = InboundMessage.objects.get(channel="chat", external_id__endswith=f":c{n}")
            assert stored.status == InboundMessage.Status.DONE and stored.attempts == 1
            assert ChatMessage.objects.get(pk=ack["id"]).text == f"Bonjour {n}"
            assert ack["duplicate"] is False
            acks.append(ack)
        # and each chat is shown its own line only
        for n, chat in enumerate(chats):
            shown = chat.expect("message", id=acks[n]["id"])
            assert shown["client_id"] == f"c{n}" and shown["author"] == "customer"
            assert [f for f in chat.drain() if f["type"] == "message"] == []

    # and the three were stored and processed by one single transaction
    keys = InboundMessage.objects.filter(channel="chat").values_list("external_id", flat=True)
    assert len(set(_transactions(keys).values())) == 1
    interactions = Interaction.objects.filter(channel="chat", direction="in")
    assert interactions.count() == 3
    for interaction in interactions:
        line = ChatMessage.objects.get(interaction=interaction)
        stored = InboundMessage.objects.get(interaction=interaction)
        assert interaction.metadata["chat"]["inbound_message_id"] == stored.pk
        assert interaction.customer_id == line.conversation.customer_id
        assert stored.outcome == f"chat:{line.pk}"


def test_the_same_message_twice_in_one_batch_is_one_line(server, widget, gathering):
    with ExitStack() as stack:
        # given a visitor
        (chat,) = _open(stack, server, widget, 1)

        # when the same message leaves twice (a resend) with another one, together
        chat.send({"type": "message", "client_id": "c1", "text": "premier"})
        chat.send({"type": "message", "client_id": "c1", "text": "premier"})
        chat.send({"type": "message", "client_id": "c2", "text": "second"})

        # then both copies are acknowledged with the same server id, the second as a
        # duplicate, and the other message normally
        first, again = chat.expect("ack", client_id="c1"), chat.expect("ack", client_id="c1")
        other = chat.expect("ack", client_id="c2")
    assert {first["duplicate"], again["duplicate"]} == {False, True}
    assert first["id"] == again["id"] and first["id"] is not None
    assert other["id"] != first["id"] and other["duplicate"] is False
    assert list(ChatMessage.objects.order_by("pk").values_list("client_id", flat=True)) == [
        "c1",
        "c2",
    ]
    assert InboundMessage.objects.filter(channel="chat").count() == 2
    assert Interaction.objects.filter(channel="chat").count() == 2


def test_a_resend_of_a_message_from_an_earlier_batch_gets_its_server_id(server, widget):
    with ExitStack() as stack:
        # given a message acknowledged in an earlier batch
        (chat,) = _open(stack, server, widget, 1)
        chat.send({"type": "message", "client_id": "c1", "text": "premier"})
        first = chat.expect("ack", client_id="c1")

        # when the widget sends it again
        chat.send({"type": "message", "client_id": "c1", "text": "premier"})

        # then it is recognised
        again = chat.expect("ack", client_id="c1")
    assert again == {**first, "duplicate": True}
    assert ChatMessage.objects.count() == 1


@pytest.mark.postgresql
def test_a_poison_message_is_left_alone_while_the_rest_of_its_batch_is_processed(
    server, widget, gathering
):
    with ExitStack() as stack:
        # given three visitors
        chats = _open(stack, server, widget, 3)

        # when they write together and the second message cannot be processed (PostgreSQL
        # text cannot hold a NUL character: the interaction's INSERT fails)
        texts = ["Bonjour", "bo\u0000om", "Au revoir"]
        for n, chat in enumerate(chats):
            chat.send({"type": "message", "client_id": f"c{n}", "text": texts[n]})

        # then every message is acknowledged, being stored; the poison one without a line
        acks = [chat.expect("ack", client_id=f"c{n}") for n, chat in enumerate(chats)]
    assert acks[0]["id"] is not None and acks[2]["id"] is not None
    assert acks[1]["id"] is None
    # and the two others were processed, the poison one kept for its retry, alone
    stored = {m.external_id.rsplit(":", 1)[1]: m for m in InboundMessage.objects.all()}
    assert stored["c0"].status == stored["c2"].status == InboundMessage.Status.DONE
    poison = stored["c1"]
    assert poison.status == InboundMessage.Status.RECEIVED
    assert poison.attempts == 1 and "NUL" in poison.last_error
    assert poison.next_attempt_at is not None
    assert sorted(ChatMessage.objects.values_list("text", flat=True)) == ["Au revoir", "Bonjour"]


turns: list[tuple[int, int, bool]] = []
turned = threading.Event()


def record_turn(*, conversation, message):
    """A stand-in assistant: is the customer's line committed when its turn comes?"""
    committed = ChatMessage.objects.filter(pk=message.pk).exists()
    turns.append((conversation.pk, message.pk, committed))
    turned.set()


def test_the_assistant_takes_its_turn_after_the_commit(server, widget, settings, gathering):
    settings.SUIVI_CHAT_ASSISTANT = "tests.channels.chat.test_writer.record_turn"
    turns.clear()
    turned.clear()
    with ExitStack() as stack:
        # given a chat that no advisor has joined
        (chat,) = _open(stack, server, widget, 1)

        # when the visitor writes
        chat.send({"type": "message", "client_id": "c1", "text": "Comment résilier ?"})
        ack = chat.expect("ack", client_id="c1")

        # then the assistant is given the turn, with the line already committed
        assert turned.wait(5)
    conversation = ChatConversation.objects.get()
    assert turns == [(conversation.pk, ack["id"], True)]


@pytest.mark.postgresql
@pytest.mark.parametrize("count", [3, 12])
def test_a_batch_costs_the_same_statements_whatever_its_size(
    widget, count, django_assert_num_queries, django_capture_on_commit_callbacks
):
    # given conversations whose visitors have written before (their customer exists)
    chats = [
        ChatConversation.objects.create(widget=widget, language="fr", started_at=widget.created_at)
        for _ in range(3)
    ]
    writer.messages_receive_many(
        [writer.Pending(conversation=c, client_id="first", text="Bonjour") for c in chats]
    )

    # when a batch of messages is written
    batch = [
        writer.Pending(conversation=chats[n % 3], client_id=f"m{n}", text=f"question {n}")
        for n in range(count)
    ]
    # BEGIN, store, lock, interactions, lines, mark processed, COMMIT
    with django_assert_num_queries(7):
        written = writer.messages_receive_many(batch)

    # then every message has its line
    assert all(w.received and w.received.message_id and w.frame for w in written)
    assert ChatMessage.objects.count() == 3 + count


@pytest.mark.postgresql
def test_one_batch_takes_chats_with_the_assistant_with_a_person_and_ended(widget):
    from suivi.conversations import services as conversations

    # given three chats: one with the assistant, one handed to a person (its case), one ended
    def chat(status):
        return ChatConversation.objects.create(
            widget=widget, language="fr", started_at=widget.created_at, status=status
        )

    assisted, handed, ended = chat("assistant"), chat("waiting"), chat("ended")
    writer.messages_receive_many(
        [writer.Pending(conversation=handed, client_id="first", text="Bonjour")]
    )
    handed.refresh_from_db()
    case = conversations.case_open(customer=handed.customer, subject="Chat", owner=None)
    ChatConversation.objects.filter(pk=handed.pk).update(case=case)

    # when one message of each is written in one batch
    written = writer.messages_receive_many(
        [
            writer.Pending(conversation=assisted, client_id="a", text="Une question"),
            writer.Pending(conversation=handed, client_id="h", text="Toujours là ?"),
            writer.Pending(conversation=ended, client_id="e", text="Encore moi"),
        ]
    )

    # then the assistant's chat gets its turn and a line off any case
    assert written[0].assistant_turn is not None and written[0].received
    assert Interaction.objects.get(metadata__chat__client_id="a").case_id is None
    # and the handed-over chat's message is on the case, which now waits for an answer
    assert written[1].assistant_turn is None and written[1].received
    on_case = Interaction.objects.get(metadata__chat__client_id="h")
    case.refresh_from_db()
    assert on_case.case_id == case.pk and case.awaiting_reply_since == on_case.occurred_at
    # and the ended chat's message is kept, ignored, and refused to the visitor
    assert written[2].error is not None and written[2].error.code == "conversation_ended"
    kept = InboundMessage.objects.get(external_id__endswith=":e")
    assert kept.status == InboundMessage.Status.IGNORED
    assert not ChatMessage.objects.filter(client_id="e").exists()


@pytest.mark.postgresql
def test_writers_share_conversations_and_keep_each_ones_order(server, widget, settings):
    settings.SUIVI_CHAT_WRITERS = 3
    with ExitStack() as stack:
        # given four chats, served by three writers
        chats = _open(stack, server, widget, 4)

        # when each sends five messages without waiting for the acks
        for n in range(5):
            for chat in chats:
                chat.send({"type": "message", "client_id": f"c{n}", "text": f"ligne {n}"})

        # then every message is acknowledged
        for chat in chats:
            for n in range(5):
                assert chat.expect("ack", client_id=f"c{n}")["id"] is not None

    # and each transcript is in the order its messages were sent
    for conversation in ChatConversation.objects.all():
        lines = conversation.messages.order_by("pk").values_list("client_id", flat=True)
        assert list(lines) == [f"c{n}" for n in range(5)]
