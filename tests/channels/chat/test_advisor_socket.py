"""The advisor's live panel socket: session login, case visibility, replies, typing, end."""

import time

import pytest
from django.test import Client
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from suivi.channels.chat import identity
from suivi.channels.chat.models import ChatConversation
from suivi.conversations.models import Case, Interaction
from tests import builders

from .server import Chat, chat_socket, ws_url

pytestmark = pytest.mark.django_db(transaction=True)


def session_cookie(advisor) -> str:
    client = Client()
    client.force_login(advisor.user)
    return f"sessionid={client.cookies['sessionid'].value}"


def advisor_socket(server, conversation_id, cookie=None, origin=None):
    headers = {"Cookie": cookie} if cookie else None
    url = ws_url(server, f"/ws/advisor-chat/{conversation_id}/")
    return connect(url, origin=origin or server, additional_headers=headers, open_timeout=5)


@pytest.fixture
def marie(chat_team):
    return builders.advisor(team=chat_team, name="Marie Curie")


@pytest.fixture
def handed_over(server, widget, marie):
    """Hélène wrote and asked for a person; Marie, her advisor, got the chat."""
    builders.customer(given_name="Hélène", advisor=marie, email="helene@example.org")
    token = identity.sign(
        secret=widget.secret, claims={"email": "helene@example.org", "exp": int(time.time()) + 60}
    )
    with chat_socket(server, widget.public_key) as chat:
        chat.send({"type": "hello", "identity": {"token": token}})
        chat.expect("welcome")
        chat.send({"type": "message", "client_id": "c1", "text": "Ma box clignote"})
        chat.expect("ack")
        chat.send({"type": "handoff"})
        chat.expect("handoff")
    return ChatConversation.objects.get()


def test_the_advisor_sees_the_transcript_replies_and_ends_with_a_summary(
    server, widget, marie, handed_over
):
    conversation = handed_over
    with (
        chat_socket(server, widget.public_key) as customer,
        advisor_socket(server, conversation.pk, session_cookie(marie)) as raw,
    ):
        customer.send({"type": "hello", "conversation": conversation.token})
        customer.expect("welcome")
        advisor = Chat(raw)
        # the advisor's panel gets the whole transcript
        advisor.send({"type": "hello"})
        welcome = advisor.expect("welcome")
        assert [m["text"] for m in welcome["messages"] if m["author"] == "customer"] == [
            "Ma box clignote"
        ]
        assert (welcome["live_chats"], welcome["capacity"]) == (1, 3)
        # typing goes both ways, never back to its author
        customer.send({"type": "typing", "active": True})
        assert advisor.expect("typing")["author"] == "customer"
        advisor.send({"type": "typing", "active": True})
        seen = customer.expect("typing")
        assert (seen["author"], seen["name"]) == ("advisor", "Marie Curie")
        # the reply reaches the customer, once, with the advisor's name
        advisor.send({"type": "reply", "client_id": "a1", "text": "Bonjour Hélène, je regarde."})
        ack = advisor.expect("ack", client_id="a1")
        line = customer.expect("message", id=ack["id"])
        assert (line["author"], line["name"]) == ("advisor", "Marie Curie")
        advisor.send({"type": "reply", "client_id": "a1", "text": "Bonjour Hélène, je regarde."})
        assert advisor.expect("ack", client_id="a1")["id"] == ack["id"]
        # ending the chat tells the customer
        advisor.send({"type": "end", "summary": "Box redémarrée à distance."})
        customer.expect("ended")
        customer.send({"type": "message", "client_id": "late", "text": "Merci"})
        assert customer.expect("error")["code"] == "conversation_ended"
    case = Case.objects.get()
    assert case.summary.endswith("Box redémarrée à distance.")
    assert case.awaiting_reply_since is None
    assert Interaction.objects.filter(direction="out", channel="chat").count() == 1


def test_an_advisor_who_may_not_see_the_case_is_refused(server, handed_over):
    stranger = builders.advisor(team=builders.team("Entreprises"), name="Tom")
    with advisor_socket(server, handed_over.pk, session_cookie(stranger)) as raw:
        chat = Chat(raw)
        assert chat.expect("error")["code"] == "not_found"
        with pytest.raises(ConnectionClosed) as closed:
            raw.recv(timeout=5)
    assert closed.value.rcvd.code == 4004


def test_without_a_session_the_panel_socket_is_refused(server, handed_over):
    with advisor_socket(server, handed_over.pk) as raw:
        assert Chat(raw).expect("error")["code"] == "login_required"
        with pytest.raises(ConnectionClosed) as closed:
            raw.recv(timeout=5)
    assert closed.value.rcvd.code == 4001


def test_the_panel_socket_refuses_foreign_origins(server, marie, handed_over):
    from websockets.exceptions import InvalidStatus

    with pytest.raises(InvalidStatus):
        advisor_socket(server, handed_over.pk, session_cookie(marie), origin="https://evil.example")
