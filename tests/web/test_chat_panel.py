"""The live chat panel appears on the page of a chat case, and only there."""

from suivi.channels.chat import services as chat
from suivi.channels.chat.models import ChatWidget
from tests import builders


def test_a_chat_case_shows_the_live_panel(web, customer, team, django_capture_on_commit_callbacks):
    # given a chat handed over to the customer's advisor
    widget = ChatWidget.objects.create(name="Site", allowed_origins="https://a.example", team=team)
    conversation = chat.conversation_open(widget=widget, token=None, language="fr")
    conversation = chat.conversation_identify(
        conversation=conversation, email="helene.durand@example.org"
    )
    with django_capture_on_commit_callbacks(execute=True):
        chat.customer_message_receive(conversation=conversation, client_id="c1", text="Bonjour")
        chat.conversation_hand_over(conversation=conversation)
    conversation.refresh_from_db()

    # when the advisor opens the case
    page = web.get(f"/cases/{conversation.case_id}/")

    # then the panel is there, wired to the conversation, with labelled controls
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-conversation="{conversation.pk}"' in html
    assert 'for="chat-reply-text"' in html and 'role="log"' in html
    assert "suivi/chat-panel.js" in html


def test_a_case_without_chat_has_no_panel(web, customer):
    case = builders.case(customer=customer)
    html = web.get(f"/cases/{case.pk}/").content.decode()
    assert "chat-panel" not in html
