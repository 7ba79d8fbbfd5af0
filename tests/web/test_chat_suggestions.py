"""The live chat panel's suggestions: published answers for the customer's last message."""

import pytest
from django.test import Client

from suivi.knowledge import services as knowledge
from suivi.people.models import Advisor
from tests import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(advisor) -> Client:
    client = Client()
    client.force_login(advisor.user)
    return client


def publish(editor, title: str, body: str, language: str = "fr"):
    article = knowledge.article_create(
        kind="answer", language=language, title=title, body=body, by=editor
    )
    return knowledge.version_publish_urgently(
        version=article.versions.get(), by=editor, reason="setup"
    )


def test_up_to_three_live_answers_with_one_click_insert(desk, team, django_assert_num_queries):
    editor = builders.advisor(team=team, role=Advisor.Role.LEAD)
    versions = [
        publish(editor, f"Livraison {n}", f'Votre colis "{n}" arrive en {n} jours.')
        for n in range(5)
    ]
    knowledge.article_create(
        kind="answer", language="fr", title="Livraison brouillon", body="Jamais.", by=editor
    )
    publish(editor, "Delivery", "Your parcel arrives.", language="en")
    # session, user, advisor, the search
    with django_assert_num_queries(4):
        response = desk.get(
            "/chat/suggestions/", {"q": "Bonjour, où en est ma livraison ?", "language": "fr"}
        )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("data-chat-insert") == 3
    assert "brouillon" not in page and "Delivery" not in page
    # the text to insert is escaped in its attribute
    assert 'data-text="Votre colis &quot;' in page
    assert any(f'data-version="{v.pk}"' in page for v in versions)


def test_nothing_in_common_says_so_and_strangers_are_sent_to_login(desk):
    page = desk.get("/chat/suggestions/", {"q": "météo", "language": "xx"}).content.decode()
    assert "data-chat-insert" not in page
    assert Client().get("/chat/suggestions/", {"q": "x"}).status_code == 302
