"""In a real Chromium: an advisor finds a published answer from the case page and puts
it into the reply in one click; the sent reply records the article version. An editor
sees the missing translation."""

import os

import pytest
from playwright.sync_api import expect

from suivi.conversations.models import Interaction
from suivi.knowledge import services
from suivi.people.models import Advisor
from tests import builders

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


def _login(page, url: str, advisor: Advisor) -> None:
    page.goto(f"{url}/login/")
    page.fill("#id_username", advisor.user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()


def _live(editor: Advisor, **fields):
    article = services.article_create(kind="answer", by=editor, **fields)
    return services.version_publish_urgently(
        version=article.versions.get(), by=editor, reason="setup"
    )


def test_an_advisor_inserts_a_published_answer_into_the_reply(live_server, page, artifacts):
    team = builders.team("Particuliers")
    advisor = builders.advisor(team=team, name="Léa Martin")
    editor = builders.advisor(team=team, name="Nadia Lefèvre", role=Advisor.Role.LEAD)
    customer = builders.customer(
        given_name="Hélène", family_name="Durand", advisor=advisor,
        email="helene.durand@example.org", language="fr",
    )  # fmt: skip
    case = builders.case(customer=customer, subject="Résiliation")
    builders.inbound(case, text="Comment résilier mon contrat ?")
    version = _live(
        editor, language="fr", title="Résilier votre contrat",
        body="Vous pouvez résilier à tout moment depuis votre espace client.",
    )  # fmt: skip

    # given the advisor on the case page
    _login(page, live_server.url, advisor)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.fill("#reply-body", "Bonjour Madame Durand,")

    # when they search the knowledge base and press "Insert"
    page.fill("#knowledge-q", "résiliation")
    suggestion = page.locator(".knowledge-suggestion", has_text="Résilier votre contrat")
    expect(suggestion).to_be_visible()
    suggestion.locator("button[data-knowledge-insert]").click()

    # then the answer is in the reply, and sending it records the version used
    expect(page.locator("#reply-body")).to_have_value(
        "Bonjour Madame Durand,\n\nVous pouvez résilier à tout moment depuis votre espace client."
    )
    expect(page.locator("#reply-knowledge-version")).to_have_value(str(version.pk))
    page.screenshot(path=artifacts / "knowledge-insert.png", full_page=True)
    page.locator("#reply button[type=submit].primary").click()
    expect(page.locator(".messages")).to_contain_text("helene.durand@example.org")
    sent = Interaction.objects.get(case=case, direction="out")
    assert sent.metadata["knowledge_version_id"] == version.pk
    assert "espace client" in sent.text


def test_an_editor_sees_the_missing_translation(live_server, page, artifacts):
    editor = builders.advisor(team=builders.team("Qualité"), name="Nadia", role="lead")
    _live(editor, language="fr", title="Garantie de vos équipements", body="Deux ans.")

    _login(page, live_server.url, editor)
    page.goto(f"{live_server.url}/knowledge/")

    row = page.locator("tr", has_text="Garantie de vos équipements")
    expect(row.locator(".missing-translation")).to_be_visible()
    page.screenshot(path=artifacts / "knowledge-editors.png", full_page=True)
    row.locator("a[href*='translation_of']").click()
    expect(page.locator("#id_language")).to_have_value("en")
