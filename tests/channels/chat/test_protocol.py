"""The customer's chat socket, driven by a real WebSocket client against uvicorn."""

import json

import pytest
from websockets.exceptions import ConnectionClosed

from suivi.channels.chat.models import ChatConversation, ChatMessage
from suivi.channels.models import InboundMessage
from suivi.conversations.models import Interaction

from .server import chat_socket

pytestmark = pytest.mark.django_db(transaction=True)


def hello(chat, **fields):
    chat.send({"type": "hello", "lang": "fr", **fields})
    return chat.expect("welcome")


def test_a_message_is_stored_raw_then_acknowledged_and_shown(server, widget):
    with chat_socket(server, widget.public_key) as chat:
        # given a new conversation
        welcome = hello(chat)
        assert welcome["conversation"] and welcome["messages"] == []

        # when the visitor writes
        chat.send({"type": "message", "client_id": "c1", "text": "Bonjour, ma commande ?"})

        # then it is acknowledged with a server id and shown once
        ack = chat.expect("ack", client_id="c1")
        shown = chat.expect("message", id=ack["id"])
        assert shown["author"] == "customer" and shown["text"] == "Bonjour, ma commande ?"
    stored = InboundMessage.objects.get(channel="chat")
    conversation = ChatConversation.objects.get(token=welcome["conversation"])
    assert stored.external_id == f"{widget.pk}:{conversation.pk}:c1"
    assert json.loads(bytes(stored.raw))["text"] == "Bonjour, ma commande ?"
    assert stored.status == InboundMessage.Status.DONE
    interaction = Interaction.objects.get(pk=stored.interaction_id)
    assert (interaction.channel, interaction.direction) == ("chat", "in")
    assert interaction.customer_id == conversation.customer_id


def test_reconnect_and_resend_loses_nothing_and_shows_nothing_twice(server, widget):
    # given a visitor whose first message was acknowledged
    with chat_socket(server, widget.public_key) as chat:
        token = hello(chat)["conversation"]
        chat.send({"type": "message", "client_id": "c1", "text": "premier"})
        first = chat.expect("ack", client_id="c1")["id"]
        chat.expect("message", id=first)
        # and whose second message left just before the connection dropped, unacknowledged
        chat.send({"type": "message", "client_id": "c2", "text": "second"})
    # when the widget reconnects, resumes after the last id it showed and resends c2
    with chat_socket(server, widget.public_key) as chat:
        welcome = hello(chat, conversation=token, last_id=first)
        chat.send({"type": "message", "client_id": "c2", "text": "second"})
        ack = chat.expect("ack", client_id="c2")
        chat.send({"type": "message", "client_id": "c3", "text": "troisième"})
        chat.expect("ack", client_id="c3")
        frames = chat.drain()

    # then what the widget shows (lines by server id: a line may arrive both in the
    # resumed transcript and live) holds c2 and c3 once each, and not c1 again
    assert welcome["conversation"] == token
    assert ack["duplicate"] is True
    shown: dict[int, str] = {}
    for line in welcome["messages"] + [f for f in frames if f["type"] == "message"]:
        if line["author"] == "customer":
            assert shown.setdefault(line["id"], line["client_id"]) == line["client_id"]
    assert [shown[i] for i in sorted(shown)] == ["c2", "c3"]
    # and the server kept each message exactly once (the assistant answered each once)
    customer_lines = ChatMessage.objects.filter(author="customer").order_by("pk")
    assert list(customer_lines.values_list("client_id", flat=True)) == ["c1", "c2", "c3"]
    assert ChatMessage.objects.filter(author="assistant").count() == 3
    assert InboundMessage.objects.filter(channel="chat").count() == 3
    assert Interaction.objects.filter(channel="chat").count() == 3


def test_a_site_not_allowed_is_refused_with_a_reason(server, widget):
    with chat_socket(server, widget.public_key, origin="https://evil.example.com") as chat:
        error = chat.expect("error")
        with pytest.raises(ConnectionClosed) as closed:
            chat.socket.recv(timeout=5)
    assert error["code"] == "origin_refused"
    assert closed.value.rcvd.code == 4003
    assert ChatConversation.objects.count() == 0


def test_an_unknown_widget_is_refused(server, widget):
    with chat_socket(server, "w_nope") as chat:
        assert chat.expect("error")["code"] == "unknown_widget"
        with pytest.raises(ConnectionClosed) as closed:
            chat.socket.recv(timeout=5)
    assert closed.value.rcvd.code == 4004


def test_an_oversized_frame_gets_an_error_and_the_chat_goes_on(server, widget):
    with chat_socket(server, widget.public_key) as chat:
        hello(chat)
        chat.send({"type": "message", "client_id": "big", "text": "x" * 20_000})
        assert chat.expect("error")["code"] == "too_large"
        chat.send({"type": "message", "client_id": "long", "text": "y" * 4001})
        error = chat.expect("error")
        assert (error["code"], error["client_id"]) == ("too_large", "long")
        chat.send({"type": "message", "client_id": "ok", "text": "court"})
        assert chat.expect("ack", client_id="ok")["id"]
    assert ChatMessage.objects.filter(author="customer").count() == 1


def test_a_flood_is_limited(server, widget, settings):
    settings.SUIVI_CHAT_FRAME_BURST = 5
    settings.SUIVI_CHAT_FRAMES_PER_MINUTE = 6
    with chat_socket(server, widget.public_key) as chat:
        hello(chat)
        for n in range(30):
            chat.send({"type": "message", "client_id": f"f{n}", "text": f"spam {n}"})
        frames = chat.drain(timeout=1.0)
    acks = [f for f in frames if f["type"] == "ack"]
    refused = [f for f in frames if f["type"] == "error" and f["code"] == "rate_limited"]
    # the hello took one token of the burst of five
    assert len(acks) == 4
    assert len(refused) == 26 and all(f["retry_after"] > 0 for f in refused)
    assert ChatMessage.objects.filter(author="customer").count() == 4


def test_a_persistent_flood_closes_the_socket_with_a_reason(server, widget, settings):
    settings.SUIVI_CHAT_FRAME_BURST = 2
    settings.SUIVI_CHAT_FRAMES_PER_MINUTE = 1
    with chat_socket(server, widget.public_key) as chat, pytest.raises(ConnectionClosed) as closed:
        for _n in range(200):
            chat.send({"type": "ping"})
        while True:
            chat.socket.recv(timeout=5)
    assert closed.value.rcvd.code == 4029


def test_connections_per_address_are_limited(server, widget, settings):
    settings.SUIVI_CHAT_IP_CONNECTIONS = 2
    with chat_socket(server, widget.public_key) as one, chat_socket(server, widget.public_key):
        hello(one)
        with chat_socket(server, widget.public_key) as third:
            assert third.expect("error")["code"] == "rate_limited"
            with pytest.raises(ConnectionClosed) as closed:
                third.socket.recv(timeout=5)
    assert closed.value.rcvd.code == 4029


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "bad_json"),
        ("[1, 2]", "bad_frame"),
        ('{"type": 3}', "bad_frame"),
        ('{"type": "launch"}', "unknown_type"),
        ('{"type": "message", "text": "sans id"}', "bad_client_id"),
        ('{"type": "message", "client_id": "e", "text": "   "}', "empty_message"),
        ('{"type": "message", "client_id": "e", "text": 42}', "empty_message"),
        ('{"type": "identify"}', "bad_frame"),
        ('{"type": "identify", "email": "pas-une-adresse"}', "invalid_identity"),
    ],
)
def test_a_bad_frame_gets_an_error_frame_and_never_a_crash(server, widget, frame, code):
    with chat_socket(server, widget.public_key) as chat:
        hello(chat)
        chat.send(frame)
        error = chat.expect("error")
        # the socket is still there and still answers
        chat.send({"type": "ping"})
        chat.expect("pong")
    assert error["code"] == code and error["message"]


def test_a_message_before_hello_is_refused(server, widget):
    with chat_socket(server, widget.public_key) as chat:
        chat.send({"type": "message", "client_id": "c1", "text": "vite"})
        assert chat.expect("error")["code"] == "hello_first"
        chat.socket.send(b"\x00\x01")
        assert chat.expect("error")["code"] == "bad_frame"


def test_a_question_gets_the_assistant_answer_with_its_article(server, widget, chat_team):
    # given a live French answer
    from suivi.knowledge import services as knowledge
    from suivi.people.models import Advisor
    from tests import builders

    editor = builders.advisor(team=chat_team, role=Advisor.Role.LEAD)
    article = knowledge.article_create(
        kind="answer",
        language="fr",
        title="Délais de livraison",
        body="La box est livrée en 3 à 5 jours ouvrés.",
        by=editor,
    )
    knowledge.version_publish_urgently(version=article.versions.get(), by=editor, reason="setup")
    with chat_socket(server, widget.public_key) as chat:
        hello(chat)
        # when the visitor asks
        chat.send({"type": "message", "client_id": "q1", "text": "Délai de livraison de ma box ?"})
        ack = chat.expect("ack", client_id="q1")
        # then the assistant answers with the article, once, after her line
        answer = chat.expect("message", author="assistant")
        assert answer["id"] > ack["id"] and answer["client_id"] == f"re:{ack['id']}"
        assert answer["text"] == "La box est livrée en 3 à 5 jours ouvrés."
        assert answer["article"]["title"] == "Délais de livraison"
        assert answer["article"]["url"] == f"/help/fr/{article.pk}/"
        assert answer["article"]["version_id"] == article.versions.get().pk
        # and a question it cannot answer gets a plain "I do not know"
        chat.send({"type": "message", "client_id": "q2", "text": "Quelle météo à Lyon ?"})
        second = chat.expect("ack", client_id="q2")
        unknown = chat.expect("message", author="assistant", client_id=f"re:{second['id']}")
        assert "article" not in unknown
    # and a widget that reconnects gets the answers again with their article
    conversation = ChatConversation.objects.get()
    with chat_socket(server, widget.public_key) as chat:
        resumed = hello(chat, conversation=conversation.token, last_id=0)
    lines = {line["id"]: line for line in resumed["messages"]}
    assert lines[answer["id"]]["article"] == answer["article"]
    assert Interaction.objects.filter(channel="assistant").count() == 2
