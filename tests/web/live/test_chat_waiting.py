"""A chat handed to an advisor appears live on their desk, and only on theirs: the real
chat services, the desk's real WebSocket against uvicorn (in-memory layer and Redis)."""

import pytest

from suivi.channels.chat import services as chat
from suivi.channels.chat.models import ChatConversation, ChatWidget
from tests import builders

from .test_sockets import desk, first_push_is_the_sentinel, receive

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def conversation(team, advisor) -> ChatConversation:
    widget = ChatWidget.objects.create(name="Site", allowed_origins="https://a.example", team=team)
    builders.customer(
        given_name="Hélène", family_name="Durand", advisor=advisor, email="helene@example.org"
    )
    conversation = chat.conversation_open(widget=widget, token=None, language="fr")
    conversation = chat.conversation_identify(conversation=conversation, email="helene@example.org")
    chat.customer_message_receive(
        conversation=conversation, client_id="c1", text="Ma box ne marche plus"
    )
    return conversation


def until(ws, kind: str, *, limit: int = 10) -> dict:
    """The first push of this kind (the hand-over also moves the case into the inbox)."""
    for _ in range(limit):
        message = receive(ws)
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} push")


def test_a_chat_handed_over_appears_on_the_advisors_desk_only(
    asgi_server, conversation, advisor, colleague
):
    with (
        desk(asgi_server, advisor, {"type": "watch_inbox"}) as lea,
        desk(asgi_server, colleague, {"type": "watch_inbox"}) as karim,
    ):
        # when Hélène asks for a person: routing gives the chat to Léa, her advisor
        chat.conversation_hand_over(conversation=conversation)

        # then Léa's desk says who waits, with the way to the case's chat panel
        notice = until(lea, "chat_waiting")
        conversation.refresh_from_db()
        assert notice["conversation_id"] == conversation.pk
        assert notice["case_id"] == conversation.case_id
        assert "Chat waiting from Hélène Durand" in notice["html"]
        assert f'href="/cases/{conversation.case_id}/#chat-panel"' in notice["html"]
        # and Karim, of the same team, gets nothing
        first_push_is_the_sentinel(karim, colleague)


def test_a_page_other_than_the_desk_is_not_told(asgi_server, conversation, advisor):
    with desk(asgi_server, advisor) as customer_page:
        chat.conversation_hand_over(conversation=conversation)
        first_push_is_the_sentinel(customer_page, advisor)


def test_the_notice_gives_way_once_a_person_answers(asgi_server, conversation, advisor):
    with desk(asgi_server, advisor, {"type": "watch_inbox"}) as lea:
        chat.conversation_hand_over(conversation=conversation)
        until(lea, "chat_waiting")

        # when Léa answers in the chat panel (another tab)
        chat.advisor_reply(
            conversation=conversation, advisor=advisor, client_id="a1", text="Bonjour !"
        )

        # then every desk of hers drops the notice
        settled = until(lea, "chat_settled")
        assert settled == {"type": "chat_settled", "conversation_id": conversation.pk}


def test_the_notice_gives_way_when_the_chat_ends_unanswered(
    asgi_server, conversation, advisor, colleague
):
    with (
        desk(asgi_server, advisor, {"type": "watch_inbox"}) as lea,
        desk(asgi_server, colleague, {"type": "watch_inbox"}) as karim,
    ):
        chat.conversation_hand_over(conversation=conversation)
        until(lea, "chat_waiting")

        chat.conversation_end(conversation=conversation, by=None)

        assert until(lea, "chat_settled")["conversation_id"] == conversation.pk
        first_push_is_the_sentinel(karim, colleague)
