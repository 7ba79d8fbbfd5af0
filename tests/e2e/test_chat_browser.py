"""The web chat in a real Chromium: a customer on the demo page asks a question, gets the
published answer with its article, asks for a person; her advisor reads the whole
transcript on the case page and answers (inserting a published answer); both sides are
screenshotted."""

import os
import re
import time

import pytest
from playwright.sync_api import expect

from suivi.channels.chat import identity
from suivi.channels.chat.limits import addresses
from suivi.channels.chat.models import ChatWidget
from suivi.conversations.models import Case, Interaction
from suivi.knowledge import services as knowledge
from suivi.people.models import Advisor
from tests import builders
from tests.channels.chat.server import serve

# Playwright's sync API keeps an event loop running in this thread; the test still needs
# the database from it, which Django otherwise refuses.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


@pytest.fixture
def server(transactional_db):
    addresses.__init__()
    with serve() as base:
        yield base


def test_a_customer_talks_to_her_advisor_through_the_widget(browser, server, artifacts):
    # given Hélène, followed by Marie, on a site that embeds the chat widget
    team = builders.team("Particuliers")
    marie = builders.advisor(team=team, name="Marie Curie")
    builders.customer(
        given_name="Hélène", family_name="Durand", advisor=marie, email="helene@example.org"
    )
    widget = ChatWidget.objects.create(name="Boutique", allowed_origins=server, team=team)
    # and a published answer about boxes that stop working
    editor = builders.advisor(team=team, role=Advisor.Role.LEAD, name="Nadia Lefèvre")
    article = knowledge.article_create(
        kind="answer",
        language="fr",
        title="Votre box ne marche plus",
        body="Débranchez la box 30 secondes puis rebranchez-la. Si le voyant reste rouge, "
        "un conseiller peut la relancer à distance.",
        by=editor,
    )
    version = knowledge.version_publish_urgently(
        version=article.versions.get(), by=editor, reason="setup"
    )
    token = identity.sign(
        secret=widget.secret,
        claims={"email": "helene@example.org", "exp": int(time.time()) + 600},
    )
    customer_context = browser.new_context(locale="fr-FR", viewport={"width": 1100, "height": 800})
    # The advisor works in English (the French catalogue of these pages is added at merge).
    advisor_context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 1000})
    for context in (customer_context, advisor_context):
        context.set_default_timeout(10_000)
    customer = customer_context.new_page()
    advisor = advisor_context.new_page()
    try:
        # when she opens the demo page, the chat, and the site says who she is
        customer.goto(f"{server}/chat/demo/?key={widget.public_key}")
        expect(customer.locator("html")).to_have_attribute("lang", "fr")
        launcher = customer.get_by_role("button", name="Discuter avec nous")
        launcher.click()
        dialog = customer.get_by_role("dialog", name="Discussion avec le service client")
        expect(dialog).to_be_visible()
        expect(launcher).to_have_attribute("aria-expanded", "true")
        expect(dialog.get_by_role("status")).to_have_text("Connecté")
        customer.evaluate("token => window.Suivi.identify(token)", token)

        # and writes, with the keyboard only
        box = dialog.get_by_label("Votre message")
        expect(box).to_be_focused()
        box.type("Bonjour, ma box ne marche plus. Que faire ?")
        box.press("Enter")
        log = dialog.get_by_role("log")
        mine = log.locator("li.customer", has_text="ma box ne marche plus")
        expect(mine).to_have_count(1)
        expect(mine).not_to_contain_text("envoi…")

        # then the assistant answers with the published answer and shows the article
        answer_line = log.locator("li.assistant", has_text="Débranchez la box 30 secondes")
        expect(answer_line).to_have_count(1)
        source = answer_line.get_by_role("link", name=re.compile("Votre box ne marche plus"))
        expect(source).to_have_attribute("href", f"{server}/help/fr/{article.pk}/")
        expect(source).to_have_attribute("target", "_blank")
        customer.screenshot(path=artifacts / "chat-customer-assistant.png")

        # when she presses "talk to a person" under that answer, with the keyboard
        person = answer_line.get_by_role("button", name="Parler à un conseiller")
        person.focus()
        customer.keyboard.press("Enter")
        expect(log.locator("li.system", has_text="Marie Curie")).to_be_visible()
        expect(person).to_be_hidden()
        customer.screenshot(path=artifacts / "chat-customer-waiting.png")

        # then Marie finds the case in her inbox with the transcript in the live panel
        case = Case.objects.get()
        advisor.goto(f"{server}/login/")
        advisor.fill("#id_username", marie.user.username)
        advisor.fill("#id_password", PASSWORD)
        advisor.locator("form[action='/login/'] button[type=submit]").click()
        expect(advisor.locator("#inbox")).to_contain_text("ma box ne marche plus")
        advisor.goto(f"{server}/cases/{case.pk}/")
        panel = advisor.locator("#chat-panel")
        expect(panel.get_by_role("log")).to_contain_text("Bonjour, ma box ne marche plus")
        # including the assistant's answer and the article it used
        assistant_line = panel.locator(".chat-line--assistant")
        expect(assistant_line).to_contain_text("Débranchez la box 30 secondes")
        expect(assistant_line).to_contain_text("Votre box ne marche plus (v1)")
        expect(panel.locator(".chat-load")).to_contain_text("1 of 3")
        # and the published answers for her last message, ready to insert
        suggestion = panel.locator(".chat-suggestions li", has_text="Votre box ne marche plus")
        expect(suggestion).to_have_count(1)

        # when she starts typing, Hélène sees it; when she answers, Hélène reads it once
        reply = panel.get_by_label("Your chat reply")
        reply.type("Bonjour Hélène, je relance votre box à distance.")
        expect(dialog.get_by_role("status")).to_contain_text("Marie Curie")
        suggestion.get_by_role("button", name=re.compile("Insert")).click()
        expect(reply).to_have_value(re.compile(r"à distance\.\n\nDébranchez la box"))
        reply.press("Enter")
        answer = log.locator("li.advisor", has_text="je relance votre box")
        expect(answer).to_have_count(1)
        expect(answer).to_contain_text("Marie Curie")
        expect(answer).to_contain_text("Débranchez la box")
        replied = Interaction.objects.get(channel="chat", direction="out")
        assert replied.metadata["knowledge_version_id"] == version.pk
        # the case holds the whole transcript, the assistant's answer included
        assert list(
            case.interactions.order_by("occurred_at", "pk").values_list("channel", flat=True)
        )[:2] == ["chat", "assistant"]

        # and Hélène's next message reaches Marie live
        box.type("Merci beaucoup !")
        box.press("Enter")
        expect(panel.get_by_role("log")).to_contain_text("Merci beaucoup !")
        customer.screenshot(path=artifacts / "chat-customer.png")
        advisor.screenshot(path=artifacts / "chat-advisor.png", full_page=True)

        # when Marie ends the chat with a summary, it is added to the case summary
        panel.get_by_label("Short summary, added to the case summary").fill("Box relancée.")
        panel.get_by_role("button", name="End the chat").click()
        expect(dialog.get_by_role("status")).to_have_text("La discussion est terminée.")
        expect(advisor.locator("#id_summary")).to_have_value(
            re.compile(_today() + r".*Box relancée\.$")
        )
    finally:
        customer_context.close()
        advisor_context.close()


def _today() -> str:
    from suivi.core import clock

    return clock.now().strftime("%Y-%m-%d")
