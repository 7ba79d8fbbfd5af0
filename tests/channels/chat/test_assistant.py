"""The chat assistant answers from published knowledge only, shows the article it used,
says when it does not know, and is counted when people leave it for a person."""

import logging
from datetime import timedelta

import pytest
from django.db import connection

from suivi.channels.chat import assistant, services
from suivi.channels.chat.models import ChatConversation, ChatMessage, ChatWidget
from suivi.channels.chat.selectors import assistant_stats
from suivi.channels.models import InboundMessage
from suivi.conversations.models import Interaction
from suivi.core import clock
from suivi.core.clock import frozen_at
from suivi.knowledge import services as knowledge
from suivi.knowledge.errors import InvalidKnowledgeVersion
from suivi.people.models import Advisor
from tests import builders
from tests.knowledge.conftest import MONDAY, TUESDAY_WINDOW, live_article

pytestmark = pytest.mark.django_db

CANCEL_FR = (
    "Résilier votre contrat",
    "Vous pouvez résilier votre contrat à tout moment, sans frais, depuis votre espace "
    "client, rubrique « Mon contrat ».",
)
CANCEL_EN = (
    "Cancelling your contract",
    "You can cancel your contract at any time, with no fee, from your online account.",
)


@pytest.fixture
def editor(team) -> Advisor:
    return builders.advisor(team=team, role=Advisor.Role.LEAD, name="Nadia Lefèvre")


@pytest.fixture
def open_chat(team, advisor):
    widget = ChatWidget.objects.create(name="Site", allowed_origins="https://a.example", team=team)
    builders.customer(advisor=advisor, email="jo@example.org")

    def _open(language: str = "fr") -> ChatConversation:
        conversation = services.conversation_open(widget=widget, token=None, language=language)
        return services.conversation_identify(conversation=conversation, email="jo@example.org")

    return _open


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """The customer writes; returns the assistant's line that answered (or None)."""

    def _ask(conversation: ChatConversation, text: str, client_id: str | None = None):
        client_id = client_id or f"c{ChatMessage.objects.count()}"
        with django_capture_on_commit_callbacks(execute=True):
            received = services.customer_message_receive(
                conversation=conversation, client_id=client_id, text=text
            )
        return ChatMessage.objects.filter(
            author="assistant", client_id=f"re:{received.message_id}"
        ).first()

    return _ask


def test_a_question_gets_the_published_answer_with_its_article(open_chat, ask, editor):
    # given a live French answer about cancelling
    article, version = live_article(editor, title=CANCEL_FR[0], body=CANCEL_FR[1])
    conversation = open_chat("fr")
    # when the customer asks in her own words
    line = ask(conversation, "Bonjour, comment je peux résilier mon contrat ?")
    # then the assistant quotes the article and shows which one, with its help page
    assert line.text == CANCEL_FR[1]
    frame = services.message_frame(line)
    assert frame["author"] == "assistant"
    assert frame["article"] == {
        "article_id": article.pk,
        "version_id": version.pk,
        "number": 1,
        "language": "fr",
        "title": CANCEL_FR[0],
        "url": f"/help/fr/{article.pk}/",
    }
    # and the exchange is an assistant interaction on her timeline, naming the article
    interaction = line.interaction
    assert (interaction.channel, interaction.direction, interaction.author_kind) == (
        "assistant",
        Interaction.Direction.OUTBOUND,
        "assistant",
    )
    assert interaction.customer_id == conversation.customer_id
    assert interaction.metadata["assistant"]["outcome"] == "answered"
    assert interaction.metadata["knowledge_version_id"] == version.pk
    assert interaction.metadata["knowledge_title"] == CANCEL_FR[0]
    conversation.refresh_from_db()
    assert (conversation.assistant_turns, conversation.assistant_answered) == (1, 1)


def test_when_nothing_is_good_enough_it_says_so_and_offers_a_person(open_chat, ask, editor):
    live_article(editor, title=CANCEL_FR[0], body=CANCEL_FR[1])
    conversation = open_chat("fr")
    # a question sharing one word of five with the article is not answered from it
    line = ask(conversation, "Mon contrat couvre-t-il un téléphone volé en Espagne ?")
    assert "article" not in services.message_frame(line)
    assert "Talk to a person" in line.text or "Parler à un conseiller" in line.text
    assert line.interaction.metadata["assistant"]["outcome"] == "unknown"
    assert "knowledge_version_id" not in line.interaction.metadata
    conversation.refresh_from_db()
    assert (conversation.assistant_unknown, conversation.assistant_last) == (1, "unknown")


def test_it_answers_only_in_the_conversation_language(open_chat, ask, editor):
    live_article(editor, title=CANCEL_EN[0], body=CANCEL_EN[1], language="en")
    # an English question in a French chat finds nothing French
    assert ask(open_chat("fr"), "How do I cancel my contract?").article is None
    # the same question in an English chat gets the English answer
    line = ask(open_chat("en"), "How do I cancel my contract?")
    assert line.article["title"] == CANCEL_EN[0] and line.text == CANCEL_EN[1]


def test_greetings_and_thanks_get_a_short_reply_and_no_article(open_chat, ask):
    conversation = open_chat("en")
    hello, thanks = ask(conversation, "Hello!"), ask(conversation, "Thanks a lot")
    assert hello.article is None and thanks.article is None
    assert hello.interaction.metadata["assistant"]["outcome"] == "greeting"
    conversation.refresh_from_db()
    assert (conversation.assistant_turns, conversation.assistant_unknown) == (2, 0)


def test_drafts_scheduled_and_retired_versions_are_never_served(open_chat, ask, editor):
    with frozen_at(MONDAY) as hand:
        # a draft, and a version waiting for Tuesday's window
        knowledge.article_create(
            kind="answer", language="fr", title=CANCEL_FR[0], body=CANCEL_FR[1], by=editor
        )
        scheduled = knowledge.article_create(
            kind="answer",
            language="fr",
            title="Résilier votre box",
            body="Pour résilier votre box, renvoyez-la sous 30 jours.",
            by=editor,
        )
        knowledge.version_schedule(version=scheduled.versions.get(), by=editor)
        conversation = open_chat("fr")
        assert ask(conversation, "résilier ma box").article is None
        # at the window the assistant switches, at the same instant as the help page
        hand.advance(TUESDAY_WINDOW - MONDAY)
        line = ask(conversation, "résilier ma box")
        assert line.article["title"] == "Résilier votre box"
        # once retired, it is served no more
        knowledge.version_retire(version=scheduled.versions.get(), by=editor)
        assert ask(conversation, "résilier ma box").article is None


def test_a_new_version_replaces_the_old_one_in_the_answers(open_chat, ask, editor):
    article, _v1 = live_article(editor, title=CANCEL_FR[0], body=CANCEL_FR[1])
    v2 = knowledge.version_draft_create(
        article=article, title=CANCEL_FR[0], body="Résiliez en un clic, sans frais.", by=editor
    )
    knowledge.version_publish_urgently(version=v2, by=editor, reason="wording")
    line = ask(open_chat("fr"), "résilier contrat")
    assert (line.text, line.article["version_id"], line.article["number"]) == (
        "Résiliez en un clic, sans frais.",
        v2.pk,
        2,
    )


def boom(*, conversation, message):
    raise RuntimeError("the assistant broke")


def test_a_failing_assistant_never_fails_the_customer_message(open_chat, ask, settings, caplog):
    settings.SUIVI_CHAT_ASSISTANT = "tests.channels.chat.test_assistant.boom"
    conversation = open_chat("fr")
    with caplog.at_level(logging.ERROR, logger="suivi.channels.chat"):
        assert ask(conversation, "Ma facture ?", client_id="c1") is None
    stored = InboundMessage.objects.get(channel="chat")
    assert stored.status == InboundMessage.Status.DONE
    assert list(ChatMessage.objects.values_list("author", "text")) == [("customer", "Ma facture ?")]
    assert "The chat assistant failed" in caplog.text


def test_each_customer_message_is_answered_once(open_chat, ask, editor):
    conversation = open_chat("fr")
    first = ask(conversation, "Bonjour", client_id="c1")
    customer_line = ChatMessage.objects.get(author="customer")
    assert assistant.assistant_turn(conversation=conversation, message=customer_line) is None
    assert list(ChatMessage.objects.filter(author="assistant")) == [first]


def test_the_handoff_takes_the_whole_transcript_and_is_counted(open_chat, ask, editor):
    live_article(editor, title=CANCEL_FR[0], body=CANCEL_FR[1])
    conversation = open_chat("fr")
    ask(conversation, "résilier mon contrat")
    ask(conversation, "et pour un téléphone volé en Espagne ?")
    # when the customer asks for a person after the assistant did not know
    services.conversation_hand_over(conversation=conversation)
    conversation.refresh_from_db()
    # then the case holds every line, the assistant's too, in order
    on_case = list(
        Interaction.objects.filter(case=conversation.case)
        .order_by("occurred_at", "pk")
        .values_list("channel", flat=True)
    )
    assert on_case == ["chat", "assistant", "chat", "assistant"]
    assert conversation.handed_over_at is not None
    assert conversation.handed_over_after == "unknown"
    # and the assistant stays silent while the customer waits for the person
    assert ask(conversation, "Merci") is None


def test_the_assistant_figures_are_one_aggregate(
    open_chat, ask, editor, team, django_assert_num_queries
):
    live_article(editor, title=CANCEL_FR[0], body=CANCEL_FR[1])
    helped = open_chat("fr")
    ask(helped, "résilier mon contrat")
    failed = open_chat("fr")
    ask(failed, "un téléphone volé en Espagne ?")
    services.conversation_hand_over(conversation=failed)
    open_chat("fr")  # opened, never written in: the assistant did nothing
    since, until = clock.now() - timedelta(hours=1), clock.now() + timedelta(hours=1)
    with django_assert_num_queries(1):
        stats = assistant_stats(since=since, until=until, team_id=team.pk)
    assert stats.__dict__ == {
        "turns": 2,
        "answered": 1,
        "unknown": 1,
        "conversations": 2,
        "handed_over": 1,
        "handed_over_after_unknown": 1,
    }
    assert assistant_stats(since=since, until=until, team_id=team.pk + 1000).turns == 0
    assert assistant_stats(since=until, until=until + timedelta(hours=1)).conversations == 0


def test_an_advisor_chat_reply_records_the_answer_it_inserted(open_chat, ask, editor, advisor):
    article, version = live_article(editor, title=CANCEL_FR[0], body=CANCEL_FR[1])
    conversation = open_chat("fr")
    ask(conversation, "Je veux partir")
    services.conversation_hand_over(conversation=conversation)
    line = services.advisor_reply(
        conversation=conversation,
        advisor=advisor,
        client_id="a1",
        text=CANCEL_FR[1],
        knowledge_version_id=version.pk,
    )
    assert line.interaction.metadata["knowledge_version_id"] == version.pk
    assert line.interaction.metadata["knowledge_title"] == CANCEL_FR[0]
    assert services.message_frame(line)["article"]["article_id"] == article.pk
    draft = knowledge.version_draft_create(article=article, title="x", body="y", by=editor)
    for bad in (draft.pk, "12", True, -1):
        with pytest.raises(InvalidKnowledgeVersion):
            services.advisor_reply(
                conversation=conversation,
                advisor=advisor,
                client_id=f"a-{bad}",
                text="...",
                knowledge_version_id=bad,
            )


def test_the_relevance_rule(editor):
    live_article(editor, title=CANCEL_FR[0], body=CANCEL_FR[1])
    # stems: "résiliation" is found by "résilier"; filler words do not count
    assert assistant.best_answer(question="résiliation du contrat svp", language="fr")
    assert assistant.terms_of("Bonjour, je voudrais résilier mon contrat") == [
        "resilier",
        "contrat",
    ]
    # two significant words of five found: below the threshold
    assert not assistant.best_answer(
        question="contrat téléphone volé Espagne résilier", language="fr"
    )
    assert assistant.suggestions(question="contrat téléphone volé Espagne", language="fr")


@pytest.mark.parametrize(
    "language, question, title",
    [
        ("fr", "Comment résilier mon contrat ?", "Résilier votre contrat"),
        ("fr", "Quel est le prix de la fibre ?", "Offre Fibre Essentielle : prix"),
        ("fr", "Je déménage, que dois-je faire ?", "Déménager sans coupure"),
        ("fr", "Mot de passe oublié", "Mot de passe de l'espace client oublié"),
        ("fr", "Quelle météo demain ?", None),
        ("en", "How do I cancel my contract?", "Cancelling your contract"),
        ("en", "When will my box be delivered?", "Delivery times for your box and equipment"),
        ("en", "I don't understand my bill", "Understanding your bill"),
        ("en", "My box does not work", None),
    ],
)
def test_the_demo_knowledge_answers_the_demo_chat(editor, language, question, title):
    from suivi.demo.knowledge import load_knowledge_demo

    load_knowledge_demo(editor=editor)
    said = assistant.reply_to(question=question, language=language)
    assert (said.hit.title if said.hit else None) == title


def test_an_empty_setting_turns_the_assistant_off(open_chat, ask, settings):
    settings.SUIVI_CHAT_ASSISTANT = ""
    assert ask(open_chat("fr"), "Bonjour") is None
    assert list(ChatMessage.objects.values_list("author", flat=True)) == ["customer"]


def _customer_line(conversation: ChatConversation, text: str, client_id: str) -> ChatMessage:
    received = services.customer_message_receive(
        conversation=conversation, client_id=client_id, text=text
    )
    return ChatMessage.objects.get(pk=received.message_id)


def test_a_batch_of_turns_is_answered_together_as_one_by_one_would(
    open_chat, editor, settings, django_capture_on_commit_callbacks, django_assert_num_queries
):
    # the writer hands the assistant every turn of its batch at once
    settings.SUIVI_CHAT_ASSISTANT = ""  # (so that writing the questions answers nothing)
    live_article(editor, title=CANCEL_FR[0], body=CANCEL_FR[1])
    first, second, handed = open_chat("fr"), open_chat("fr"), open_chat("fr")
    turns = [
        (first, _customer_line(first, "Comment résilier mon contrat ?", "a1")),
        (first, _customer_line(first, "Et un téléphone volé en Espagne ?", "a2")),
        (second, _customer_line(second, "Merci beaucoup", "b1")),
        (handed, _customer_line(handed, "Comment résilier mon contrat ?", "h1")),
    ]
    # (a person took this one over meanwhile: the assistant keeps quiet)
    ChatConversation.objects.filter(pk=handed.pk).update(status="waiting")
    settings.SUIVI_CHAT_ASSISTANT = assistant.DEFAULT
    # one search per question, then one transaction whatever the number of turns:
    # sync off (PostgreSQL), locks, answers given, interactions, lines (+ savepoint
    # pair), and the counters in one UPDATE per distinct change: two here (first +2
    # turns, second +1)
    expected = 4 + 8 + (1 if connection.vendor == "postgresql" else 0)
    with django_assert_num_queries(expected), django_capture_on_commit_callbacks(execute=True):
        lines = assistant.assistant_turns_many(turns)
    # then each turn of a chat with the assistant has its answer, as one by one
    assert [line.client_id for line in lines] == [f"re:{m.pk}" for _c, m in turns[:3]]
    assert lines[0].text == CANCEL_FR[1] and lines[0].article["title"] == CANCEL_FR[0]
    outcomes = [line.interaction.metadata["assistant"]["outcome"] for line in lines]
    assert outcomes == ["answered", "unknown", "greeting"]
    assert {line.interaction.channel for line in lines} == {"assistant"}
    first.refresh_from_db()
    assert (first.assistant_turns, first.assistant_answered, first.assistant_unknown) == (2, 1, 1)
    assert first.assistant_last == "unknown"
    assert not ChatMessage.objects.filter(conversation=handed, author="assistant").exists()
    # and a turn given again (a replayed batch) is not answered twice
    assert assistant.assistant_turns_many(turns[:1]) == []
    assert ChatMessage.objects.filter(author="assistant").count() == 3
