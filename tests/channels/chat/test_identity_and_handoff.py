"""Who the visitor is (identity token, e-mail) and "talk to a person", over the socket."""

import time

import pytest

from suivi.channels.chat import identity
from suivi.channels.chat.models import ChatConversation, ChatMessage
from suivi.conversations.models import Case, Interaction
from suivi.customers.models import Customer
from suivi.people.models import Absence
from suivi.routing.models import RoutingDecision
from suivi.routing.services import presence_set
from tests import builders

from .server import chat_socket

pytestmark = pytest.mark.django_db(transaction=True)


def token_for(widget, **claims):
    claims.setdefault("exp", int(time.time()) + 600)
    return identity.sign(secret=widget.secret, claims=claims)


def hello(chat, **fields):
    chat.send({"type": "hello", "lang": "fr", **fields})
    return chat.expect("welcome")


@pytest.fixture
def marie(chat_team):
    return builders.advisor(team=chat_team, name="Marie Curie")


@pytest.fixture
def helene(marie):
    return builders.customer(
        given_name="Hélène", family_name="Durand", advisor=marie, email="helene@example.org"
    )


def test_a_valid_identity_token_lands_the_chat_in_the_existing_file(server, widget, helene):
    with chat_socket(server, widget.public_key) as chat:
        welcome = hello(chat, identity={"token": token_for(widget, email="Helene@example.org")})
        chat.send({"type": "message", "client_id": "c1", "text": "Bonjour"})
        chat.expect("ack", client_id="c1")
    assert welcome["identified"] == "token"
    conversation = ChatConversation.objects.get()
    assert conversation.customer_id == helene.pk
    assert Interaction.objects.get(channel="chat").customer_id == helene.pk
    assert Customer.objects.count() == 1


def test_a_token_for_a_new_person_creates_their_file_with_the_name_given(server, widget):
    token = token_for(widget, external_id="C-42", email="paul@example.org", name="Paul Martin")
    with chat_socket(server, widget.public_key) as chat:
        hello(chat, identity={"token": token})
    customer = ChatConversation.objects.get().customer
    assert (customer.given_name, customer.family_name) == ("Paul", "Martin")
    assert sorted(customer.identities.values_list("kind", "value")) == [
        ("customer_number", "C-42"),
        ("email", "paul@example.org"),
    ]


def test_a_forged_token_is_refused_and_the_chat_stays_anonymous(server, widget, helene):
    forged = identity.sign(
        secret="not-the-widget-secret", claims={"email": "helene@example.org", "exp": 2**40}
    )
    with chat_socket(server, widget.public_key) as chat:
        welcome = hello(chat, identity={"token": forged})
        error = chat.expect("error")
        chat.send({"type": "identify", "token": forged[:-3] + "abc"})
        again = chat.expect("error")
    assert welcome["identified"] == "anonymous"
    assert error["code"] == again["code"] == "identity_invalid"
    assert ChatConversation.objects.get().customer_id is None


def test_an_expired_token_is_refused(server, widget, helene):
    expired = token_for(widget, email="helene@example.org", exp=int(time.time()) - 5)
    with chat_socket(server, widget.public_key) as chat:
        hello(chat)
        chat.send({"type": "identify", "token": expired})
        assert chat.expect("error")["code"] == "identity_expired"
    assert ChatConversation.objects.get().customer_id is None


def test_an_anonymous_chat_is_linked_to_the_file_when_the_visitor_gives_their_email(
    server, widget, helene
):
    with chat_socket(server, widget.public_key) as chat:
        hello(chat)
        chat.send({"type": "message", "client_id": "c1", "text": "Bonjour"})
        chat.expect("ack", client_id="c1")
        anonymous = ChatConversation.objects.get().customer_id
        chat.send({"type": "identify", "email": "helene@example.org"})
        assert chat.expect("identified")["by"] == "email"
    # the anonymous file was merged into Hélène's: the message is on her timeline
    assert not Customer.objects.filter(pk=anonymous).exists()
    assert Interaction.objects.get(channel="chat").customer_id == helene.pk
    assert ChatConversation.objects.get().customer_id == helene.pk


def test_talk_to_a_person_routes_to_the_dedicated_advisor_with_the_transcript(
    server, widget, helene, marie
):
    # given Hélène, identified, has written twice
    with chat_socket(server, widget.public_key) as chat:
        hello(chat, identity={"token": token_for(widget, email="helene@example.org")})
        for n, text in enumerate(["Ma box ne marche plus", "Depuis hier soir"]):
            chat.send({"type": "message", "client_id": f"c{n}", "text": text})
            chat.expect("ack", client_id=f"c{n}")
            # (the assistant answers after the ack: she reads its answer before going on)
            chat.expect("message", author="assistant")
        # when she presses "talk to a person"
        chat.send({"type": "handoff"})
        handoff = chat.expect("handoff")
        line = chat.expect("message", author="system")

    # then she is told who is coming and how long, in her language
    assert handoff["advisor"] == "Marie Curie"
    assert handoff["offer_callback"] is False
    assert "Marie Curie" in handoff["text"] and line["text"] == handoff["text"]
    # and Marie has the case in her inbox with the whole transcript
    case = Case.objects.get()
    assert case.owner_id == marie.pk and case.customer_id == helene.pk
    assert case.awaiting_reply_since is not None
    # (the assistant's answers included: it did not know, and said so each time)
    transcript = list(
        case.interactions.order_by("occurred_at", "pk").values_list("channel", "text")
    )
    assert [channel for channel, _text in transcript] == ["chat", "assistant", "chat", "assistant"]
    assert [transcript[0][1], transcript[2][1]] == ["Ma box ne marche plus", "Depuis hier soir"]
    assert case.subject.endswith("Ma box ne marche plus")
    decision = RoutingDecision.objects.get()
    assert (decision.channel, decision.reason_code) == ("chat", "dedicated_advisor")
    conversation = ChatConversation.objects.get()
    assert (conversation.status, conversation.advisor_id) == ("waiting", marie.pk)


def test_when_nobody_is_free_a_callback_or_an_email_answer_is_offered(
    server, widget, helene, marie
):
    presence_set(advisor=marie, status="away")
    with chat_socket(server, widget.public_key) as chat:
        hello(chat, identity={"token": token_for(widget, email="helene@example.org")})
        chat.send({"type": "message", "client_id": "c1", "text": "Allô ?"})
        chat.expect("ack", client_id="c1")
        chat.send({"type": "handoff"})
        handoff = chat.expect("handoff")
        # she leaves her address to be answered by e-mail
        chat.send({"type": "email", "email": "helene.perso@example.org"})
        followup = chat.expect("email_followup")
    assert handoff["advisor"] is None
    assert handoff["offer_callback"] is True and handoff["offer_email"] is True
    assert handoff["callback_url"].endswith("/book/")
    assert followup["email"] == "helene.perso@example.org"
    conversation = ChatConversation.objects.get()
    assert conversation.followup_email == "helene.perso@example.org"
    assert conversation.case is not None
    assert ChatMessage.objects.filter(author="system").count() == 2


def test_an_absent_dedicated_advisor_hands_over_to_the_backup(
    server, widget, helene, marie, chat_team
):
    from datetime import timedelta

    from suivi.core import clock
    from suivi.people.services import advisor_set_backup

    backup = builders.advisor(team=chat_team, name="Léa Martin")
    advisor_set_backup(advisor=marie, backup=backup)
    now = clock.now()
    Absence.objects.create(
        advisor=marie, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=1)
    )
    with chat_socket(server, widget.public_key) as chat:
        hello(chat, identity={"token": token_for(widget, email="helene@example.org")})
        chat.send({"type": "handoff"})
        handoff = chat.expect("handoff")
    assert handoff["advisor"] == "Léa Martin"
    assert Case.objects.get().owner_id == backup.pk
