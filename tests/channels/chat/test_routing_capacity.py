"""Chats held count against the advisor's chat capacity when the next chat is routed."""

import pytest

from suivi.channels.chat import services
from suivi.channels.chat.models import ChatConversation, ChatWidget
from suivi.people import services as people
from tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def widget(team):
    return ChatWidget.objects.create(name="Site", allowed_origins="https://a.example", team=team)


def hand_over(widget, advisor, n) -> ChatConversation:
    conversation = services.conversation_open(widget=widget, token=None, language="fr")
    builders.customer(advisor=advisor, email=f"client{n}@example.org")
    conversation = services.conversation_identify(
        conversation=conversation, email=f"client{n}@example.org"
    )
    services.customer_message_receive(conversation=conversation, client_id="c1", text="Bonjour")
    services.conversation_hand_over(conversation=conversation)
    conversation.refresh_from_db()
    return conversation


def test_the_fourth_chat_goes_to_the_backup_until_one_ends(widget, advisor, colleague):
    # given Léa (3 chats at once by default) has Karim as backup, and holds three chats
    people.advisor_set_backup(advisor=advisor, backup=colleague)
    held = [hand_over(widget, advisor, n) for n in range(3)]
    assert {c.advisor for c in held} == {advisor}

    # when a fourth customer of hers asks for a person
    fourth = hand_over(widget, advisor, 3)

    # then Karim takes it; once Léa ends a chat, the next one is hers again
    assert fourth.advisor == colleague
    services.conversation_end(conversation=held[0], by=advisor, summary="Réglé.")
    fifth = hand_over(widget, advisor, 4)
    assert fifth.advisor == advisor
