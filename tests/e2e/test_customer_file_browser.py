"""An advisor's day in a real Chromium: find a customer, read the file, act on a case."""

import os
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from suivi.conversations import services
from suivi.conversations.models import Case, Handoff, Interaction
from suivi.core import clock
from tests import builders

# Playwright's sync API keeps an event loop running in this thread; the test still needs
# the database from it, which Django otherwise refuses.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHANNELS = ("email", "phone", "chat", "sms", "visit")
PASSWORD = "a-long-test-password"


@pytest.fixture
def story():
    team = builders.team("Particuliers")
    advisor = builders.advisor(team=team, name="Léa Martin")
    colleague = builders.advisor(team=team, name="Karim Benali")
    customer = builders.customer(
        given_name="Hélène",
        family_name="Durand",
        address_as="Mme Durand",
        advisor=advisor,
        email="helene.durand@example.org",
        phone="+33612345678",
    )
    case = builders.case(
        customer=customer, subject="Facture incorrecte", summary="Double prélèvement en mars"
    )
    start = clock.now() - timedelta(days=30)
    # More than one page of history (20 items), on five channels.
    for i in range(25):
        when = start + timedelta(hours=i * 7)
        channel = CHANNELS[i % len(CHANNELS)]
        if i % 2:
            builders.answer(case, advisor, text=f"Réponse {i}", channel=channel, occurred_at=when)
        else:
            builders.inbound(case, text=f"Message {i}", channel=channel, occurred_at=when)
    builders.inbound(case, text="Toujours rien reçu ?", channel="email")
    return {"advisor": advisor, "colleague": colleague, "customer": customer, "case": case}


def test_advisor_finds_a_customer_and_hands_a_case_over(live_server, page, story, artifacts):
    advisor, colleague, case = story["advisor"], story["colleague"], story["case"]

    # given the advisor logs in, in French
    page.goto(f"{live_server.url}/login/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.fill("#id_username", advisor.user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    expect(page.locator("#inbox")).to_contain_text("Facture incorrecte")
    page.screenshot(path=artifacts / "home.png", full_page=True)

    # when they search the customer by e-mail and open the file
    page.fill("#topbar-q", "helene.durand@example.org")
    page.press("#topbar-q", "Enter")
    page.locator(".result-name").first.click()

    # then the file greets her and shows five channels on one timeline
    expect(page.locator("h1.greeting")).to_contain_text("Mme Durand")
    expect(page.locator(".identities")).to_contain_text("+33612345678")
    timeline = page.locator("#timeline .timeline-item")
    expect(timeline).to_have_count(20)
    for channel in CHANNELS:
        expect(page.locator(f"#timeline .channel--{channel}").first).to_be_visible()
    page.screenshot(path=artifacts / "customer-file.png", full_page=True)

    # when they ask for older items, htmx appends them without leaving the page
    file_url = page.url
    page.locator("#timeline li.more a").click()
    expect(timeline).to_have_count(26)
    expect(page.locator("#timeline")).to_contain_text("Message 0")
    expect(page.locator("#timeline li.more")).to_have_count(0)
    assert page.url == file_url

    # when they open the case and add an internal note
    page.locator(".case-subject", has_text="Facture incorrecte").click()
    expect(page.locator("h1")).to_contain_text("Facture incorrecte")
    page.fill("#id_text", "Rappeler Mme Durand après 18 h")
    page.locator("form[action$='/notes/'] button[type=submit]").click()
    expect(page.locator("#timeline .timeline-item").first).to_contain_text("Rappeler Mme Durand")
    expect(page.locator("#timeline .channel--note").first).to_be_visible()
    page.screenshot(path=artifacts / "case.png", full_page=True)

    # and hand the case over with a note
    page.select_option("#id_to_advisor", str(colleague.pk))
    page.fill("#id_context_note", "Remboursement promis pour vendredi, elle préfère le téléphone")
    page.locator("form[action$='/handoff/'] button[type=submit]").click()

    # then they are back on their desk, told where the case went
    expect(page.locator(".messages")).to_contain_text("Karim Benali")
    assert Interaction.objects.filter(case=case, channel="note").count() == 1
    assert Case.objects.get(pk=case.pk).owner_id == colleague.pk
    assert Handoff.objects.get(case=case).context_note.startswith("Remboursement promis")

    # when they switch to English
    page.locator(".language-switch button[value=en]").click()

    # then the same page comes back in English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".language-switch button[value=en]")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.screenshot(path=artifacts / "home-en.png", full_page=True)


def test_receiver_reads_the_handoff_note_first(live_server, page, story, artifacts):
    advisor, colleague, case = story["advisor"], story["colleague"], story["case"]

    # given a case handed over to the colleague
    services.case_hand_over(
        case=case, to=colleague, by=advisor, context_note="Remboursement promis pour vendredi"
    )

    # when the colleague logs in and opens it from the inbox
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", colleague.user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    item = page.locator(".inbox-item", has_text="Facture incorrecte")
    expect(item.locator(".tag--new")).to_be_visible()
    item.locator("a").click()

    # then the handoff note is the first thing on the page
    first_section = page.locator("main > section").first
    expect(first_section).to_have_class("handoff handoff--new")
    expect(first_section).to_contain_text("Remboursement promis pour vendredi")
    expect(first_section).to_contain_text("Léa Martin")
    page.screenshot(path=artifacts / "case-handoff.png", full_page=True)
