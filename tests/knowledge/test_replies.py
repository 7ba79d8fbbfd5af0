"""Advisors insert a live answer into a reply; the reply records the version it used."""

import pytest
from django.test import Client

from suivi.channels.email.outgoing import reply
from suivi.conversations.models import Interaction
from suivi.knowledge import errors, services
from tests import builders

from .conftest import live_article


@pytest.fixture
def case(advisor):
    customer = builders.customer(advisor=advisor, email="helene@example.org", language="fr")
    return builders.case(customer=customer, subject="Résiliation")


def test_the_api_reply_records_the_article_version(api, case, editor):
    _article, version = live_article(editor, title="Résilier", body="Depuis votre espace.")

    response = api.post(
        f"/api/v1/cases/{case.pk}/replies",
        {"channel": "email", "body": "Depuis votre espace.", "knowledge_version_id": version.pk},
    )

    assert response.status_code == 201, response.content
    interaction = Interaction.objects.get(pk=response.json()["interaction_id"])
    assert interaction.metadata["knowledge_version_id"] == version.pk
    assert interaction.metadata["knowledge_article_id"] == version.article_id
    assert interaction.metadata["email"]["to"] == "helene@example.org"


def test_a_draft_cannot_be_claimed_as_the_answer(api, case, editor):
    article = services.article_create(kind="answer", language="fr", title="T", body="B", by=editor)

    response = api.post(
        f"/api/v1/cases/{case.pk}/replies",
        {"channel": "email", "body": "B", "knowledge_version_id": article.versions.get().pk},
    )

    assert (response.status_code, response.json()["code"]) == (422, "invalid_knowledge_version")
    assert not Interaction.objects.filter(direction="out").exists()


def test_a_version_replaced_since_it_was_inserted_is_still_recorded(case, editor, advisor):
    # the advisor inserted v1; an urgent fix went live before they pressed send
    article, v1 = live_article(editor)
    v2 = services.version_draft_create(article=article, title="T", body="B2", by=editor)
    services.version_publish_urgently(version=v2, by=editor, reason="fix")

    sent = reply(case=case, by=advisor, body="texte", knowledge_version_id=v1.pk)

    assert sent.interaction.metadata["knowledge_version_id"] == v1.pk
    unseen = services.version_draft_create(article=article, title="T", body="B3", by=editor)
    with pytest.raises(errors.InvalidKnowledgeVersion):
        reply(case=case, by=advisor, body="texte", knowledge_version_id=unseen.pk)


def test_the_case_page_reply_form_sends_the_version(case, editor, advisor):
    _article, version = live_article(editor)
    client = Client()
    client.force_login(advisor.user)

    page = client.get(f"/cases/{case.pk}/")
    response = client.post(
        f"/cases/{case.pk}/reply/",
        {"body": version.body_text, "knowledge_version_id": str(version.pk)},
    )

    html = page.content.decode()
    assert 'name="knowledge_version_id"' in html and "/knowledge/suggest/" in html
    assert response.status_code == 302
    sent = Interaction.objects.get(direction="out", case=case)
    assert sent.metadata["knowledge_version_id"] == version.pk


def test_the_case_page_costs_no_query_for_knowledge(
    case, editor, advisor, django_assert_max_num_queries
):
    """The answer box is static; suggestions come with a separate request. The page's
    count is the same with or without a knowledge base."""
    client = Client()
    client.force_login(advisor.user)
    client.get(f"/cases/{case.pk}/")  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(f"/cases/{case.pk}/")
    for i in range(5):
        live_article(editor, title=f"Réponse {i}")
    with CaptureQueriesContext(connection) as after:
        client.get(f"/cases/{case.pk}/")

    assert len(after) == len(before)
    assert not any("knowledge" in q["sql"] for q in after.captured_queries)


def test_suggestions_return_live_answers_with_an_insert_button(case, editor, advisor):
    _article, version = live_article(
        editor, title="Suivre sa livraison", body="Le numéro de suivi est dans l’e-mail."
    )
    services.article_create(
        kind="answer", language="fr", title="Livraison brouillon", body="x", by=editor
    )
    client = Client()
    client.force_login(advisor.user)

    response = client.get("/knowledge/suggest/", {"q": "livraison", "language": "fr"})

    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-version="{version.pk}"' in html
    assert "Le numéro de suivi est dans l’e-mail." in html
    assert "brouillon" not in html
