"""The chat's services without a socket: the assistant seam, replies, the end."""

import pytest

from suivi.channels.chat import services
from suivi.channels.chat.models import ChatConversation, ChatWidget
from suivi.conversations.models import Interaction
from tests import builders

pytestmark = pytest.mark.django_db

TURNS: list[tuple[int, str]] = []


def record_turn(*, conversation, message):
    """A stand-in assistant plugged in through the real setting."""
    TURNS.append((conversation.pk, message.text))


@pytest.fixture
def conversation(team, advisor):
    widget = ChatWidget.objects.create(name="Site", allowed_origins="https://a.example", team=team)
    conversation = services.conversation_open(widget=widget, token=None, language="fr")
    builders.customer(advisor=advisor, email="jo@example.org")
    return services.conversation_identify(conversation=conversation, email="jo@example.org")


@pytest.fixture
def write(django_capture_on_commit_callbacks):
    def _write(conversation, client_id, text):
        with django_capture_on_commit_callbacks(execute=True):
            return services.customer_message_receive(
                conversation=conversation, client_id=client_id, text=text
            )

    return _write


def test_the_assistant_gets_each_turn_until_a_person_takes_over(
    conversation, write, settings, django_capture_on_commit_callbacks
):
    settings.SUIVI_CHAT_ASSISTANT = "tests.channels.chat.test_services.record_turn"
    TURNS.clear()
    write(conversation, "c1", "Bonjour")
    write(conversation, "c1", "Bonjour")  # a resend is not a new turn
    write(conversation, "c2", "Ma facture ?")
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_hand_over(conversation=conversation)
    write(conversation, "c3", "Merci")
    assert [(conversation.pk, "Bonjour"), (conversation.pk, "Ma facture ?")] == TURNS


def test_an_advisor_reply_is_recorded_once_and_answers_the_customer(
    conversation, write, advisor, django_capture_on_commit_callbacks
):
    write(conversation, "c1", "Bonjour")
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_hand_over(conversation=conversation)
    first = services.advisor_reply(
        conversation=conversation, advisor=advisor, client_id="a1", text="Bonjour Jo"
    )
    again = services.advisor_reply(
        conversation=conversation, advisor=advisor, client_id="a1", text="Bonjour Jo"
    )
    assert first.pk == again.pk
    inbound = Interaction.objects.get(direction="in")
    assert inbound.first_answered_at is not None and inbound.case_id is not None
    conversation.refresh_from_db()
    assert (conversation.status, conversation.advisor_id) == ("live", advisor.pk)
    assert services.live_chats_of(advisor=advisor) == (1, 3)


def test_ending_adds_the_summary_to_the_case_summary(conversation, write, advisor):
    write(conversation, "c1", "Bonjour")
    services.conversation_hand_over(conversation=conversation)
    conversation.refresh_from_db()
    case = conversation.case
    ended = services.conversation_end(
        conversation=conversation, by=advisor, summary="Box redémarrée, tout fonctionne."
    )
    case.refresh_from_db()
    assert ended.status == ChatConversation.Status.ENDED
    assert case.summary.startswith("Chat du ") or "Box redémarrée" in case.summary
    assert case.summary.endswith("Box redémarrée, tout fonctionne.")
    with pytest.raises(services.ConversationEnded):
        write(conversation, "c9", "Encore là ?")


def test_a_resumed_conversation_keeps_its_token_and_an_ended_one_starts_anew(conversation):
    widget = conversation.widget
    assert (
        services.conversation_open(widget=widget, token=conversation.token, language="fr")
        == conversation
    )
    services.conversation_end(conversation=conversation, by=None)
    fresh = services.conversation_open(widget=widget, token=conversation.token, language="en")
    assert fresh.pk != conversation.pk and fresh.language == "en"


def test_the_transcript_is_one_query(conversation, write, django_assert_num_queries):
    for n in range(5):
        write(conversation, f"c{n}", f"ligne {n}")
    with django_assert_num_queries(1):
        lines = services.transcript(conversation=conversation, after=0)
        frames = [services.message_frame(line) for line in lines]
    assert [f["text"] for f in frames if f["author"] == "customer"] == [
        f"ligne {n}" for n in range(5)
    ]
    assert [f["author"] for f in frames] == ["customer", "assistant"] * 5


def test_origins_must_match_exactly(team):
    widget = ChatWidget(allowed_origins="https://shop.example.org\nhttp://localhost:8000/")
    assert services.origin_allowed(widget=widget, origin="https://shop.example.org")
    assert services.origin_allowed(widget=widget, origin="http://localhost:8000")
    assert not services.origin_allowed(widget=widget, origin="http://shop.example.org")
    assert not services.origin_allowed(widget=widget, origin="https://shop.example.org.evil.com")
    assert not services.origin_allowed(widget=widget, origin="")


def test_a_known_customer_may_ask_for_the_answer_at_another_address(conversation, team):
    # given the address belongs to somebody else's file
    builders.customer(email="shared@example.org")
    # when the identified customer leaves it for the follow-up
    followed = services.followup_by_email(conversation=conversation, email="shared@example.org")
    # then it is kept for this chat, and nobody's file changes hands
    assert followed.followup_email == "shared@example.org"
    assert followed.customer_id == conversation.customer_id
    assert followed.case is not None


def test_an_anonymous_visitor_queues_no_duplicate_detection_until_identified(
    team, write, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    widget = ChatWidget.objects.create(name="Site", allowed_origins="https://a.example", team=team)
    conversation = services.conversation_open(widget=widget, token=None, language="fr")
    detections = DBTaskResult.objects.filter(task_path="suivi.customers.tasks.detect_duplicates")

    # an anonymous visitor's first message makes their file: nothing to compare yet
    write(conversation, "c1", "Bonjour")
    conversation.refresh_from_db()
    assert conversation.customer is not None
    assert not detections.exists()

    # once they give an address, the detection runs for it
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_identify(conversation=conversation, email="new@example.org")
    assert list(detections.values_list("args_kwargs__kwargs__customer_id", flat=True)) == [
        conversation.customer_id
    ]
