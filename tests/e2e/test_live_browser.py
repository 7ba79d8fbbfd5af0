"""The live desk in a real Chromium against the ASGI app served by uvicorn: a call pops up,
a new message and a handoff reach the inbox, and the page never reloads."""

import os
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from suivi.channels.chat import services as chat
from suivi.channels.chat.models import ChatWidget
from suivi.channels.phone import events as phone_events
from suivi.channels.phone.models import PhoneCall
from suivi.conversations import services
from suivi.core import clock
from tests import builders
from tests.asgi_server import serve_asgi

# Playwright's sync API keeps an event loop running in this thread; the test still needs
# the database from it, which Django otherwise refuses.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


@pytest.fixture
def asgi_url(settings):
    # The default layer: the test publishes in the server's own process, as the web
    # process does (the Redis layer is covered by tests/web/live/test_sockets.py).
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    with serve_asgi() as server:
        yield server.url


def test_the_desk_shows_a_call_a_new_message_and_a_handoff_without_reload(
    asgi_url, page, artifacts
):
    # given Léa's desk is open, with nobody waiting
    team = builders.team("Particuliers")
    lea = builders.advisor(team=team, name="Léa Martin")
    karim = builders.advisor(team=team, name="Karim Benali")
    customer = builders.customer(
        given_name="Hélène",
        family_name="Durand",
        address_as="Mme Durand",
        advisor=lea,
        phone="+33612345678",
    )
    waiting = builders.case(customer=customer, subject="Facture incorrecte", owner=lea)
    handed = builders.case(customer=customer, subject="Carte bloquée", owner=karim)
    # (written ten minutes ago: the inbox orders by the second, and this one must be older)
    builders.inbound(
        handed,
        text="Ma carte ne passe plus.",
        occurred_at=clock.now() - timedelta(minutes=10),
    )
    page.goto(f"{asgi_url}/login/")
    page.fill("#id_username", lea.user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    expect(page.locator("#inbox")).to_contain_text("Personne n’attend")
    expect(page.locator("body")).to_have_attribute("data-live", "open")
    page.evaluate("window.notReloaded = true")

    # when her phone rings with Hélène on the line
    phone_events.call_ringing.publish(
        advisor_id=lea.pk, customer_id=customer.pk, call_id="c-1", from_number="+33612345678"
    )

    # then the pop shows who calls, in an alert region, with a link to the file
    pop = page.locator("#live-pop[role=alert] .screen-pop")
    expect(pop).to_contain_text("Hélène Durand")
    expect(pop).to_contain_text("Bonjour Mme Durand")
    expect(pop.locator(f"a[href='/customers/{customer.pk}/']")).to_be_visible()
    page.screenshot(path=artifacts / "live-screen-pop.png", full_page=True)

    # when Hélène writes, then Karim hands his case over with a note
    builders.inbound(waiting, text="Toujours rien reçu ?")
    services.case_hand_over(
        case=handed, to=lea, by=karim, context_note="Carte bloquée : opposition faite hier."
    )

    # then both cases are in the inbox, oldest wait first, and the note is shown first
    expect(page.locator("#inbox .inbox-item")).to_have_count(2)
    expect(page.locator("#inbox .inbox-item").first).to_contain_text("Carte bloquée")
    expect(page.locator("#inbox .inbox-item").nth(1)).to_contain_text("Facture incorrecte")
    expect(page.locator("#inbox li.empty")).to_have_count(0)
    notice = page.locator("#live-notices .live-notice")
    expect(notice).to_contain_text("opposition faite hier")
    expect(notice).to_contain_text("Karim Benali")
    page.screenshot(path=artifacts / "live-desk.png", full_page=True)

    # and the dismissed pop goes away; the page was never reloaded
    pop.get_by_role("button").click()
    expect(pop).to_have_count(0)
    assert page.evaluate("window.notReloaded") is True


def test_an_open_customer_file_gets_the_new_entry_on_top(asgi_url, page):
    # given Léa has Hélène's file open
    team = builders.team("Particuliers")
    lea = builders.advisor(team=team, name="Léa Martin")
    customer = builders.customer(given_name="Hélène", family_name="Durand", advisor=lea)
    case = builders.case(customer=customer, subject="Facture incorrecte", owner=lea)
    builders.inbound(case, text="Premier message")
    page.goto(f"{asgi_url}/login/")
    page.fill("#id_username", lea.user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    page.goto(f"{asgi_url}/customers/{customer.pk}/")
    expect(page.locator("body")).to_have_attribute("data-live", "open")

    # when Hélène writes again
    interaction = builders.inbound(case, text="Second message, <script>alert(1)</script>")

    # then the entry is on top of the timeline, escaped
    first = page.locator("#timeline .timeline-item").first
    expect(first).to_have_attribute("id", f"interaction-{interaction.pk}")
    expect(first).to_contain_text("Second message, <script>alert(1)</script>")
    expect(page.locator("#timeline .timeline-item")).to_have_count(2)


def test_the_pop_gives_way_to_a_notice_when_a_colleague_answers(asgi_url, page):
    # given Léa's desk is open and a call rings for her
    team = builders.team("Particuliers")
    lea = builders.advisor(team=team, name="Léa Martin")
    karim = builders.advisor(team=team, name="Karim Benali")
    customer = builders.customer(advisor=lea, phone="+33612345678")
    page.goto(f"{asgi_url}/login/")
    page.fill("#id_username", lea.user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    expect(page.locator("body")).to_have_attribute("data-live", "open")
    phone_events.call_ringing.publish(
        advisor_id=lea.pk, customer_id=customer.pk, call_id="c-7", from_number="+33612345678"
    )
    expect(page.locator("#live-pop .screen-pop[data-call-id='c-7']")).to_have_count(1)

    # when Karim picks the call up (as the PBX reported it)
    moment = clock.now()
    PhoneCall.objects.create(
        call_id="c-7", direction="in", customer_number="+33612345678", customer=customer,
        ringing_advisor=lea, answered_by=karim, started_at=moment, answered_at=moment,
        outcome="answered", updated_at=moment,
    )  # fmt: skip
    phone_events.call_settled.publish(advisor_id=lea.pk, call_id="c-7")

    # then the pop is replaced by a short notice naming who answered, which can be dismissed
    notice = page.locator("#live-pop .call-settled[data-call-id='c-7']")
    expect(notice).to_contain_text("Karim Benali")
    expect(page.locator("#live-pop .screen-pop")).to_have_count(1)
    notice.get_by_role("button").click()
    expect(page.locator("#live-pop .screen-pop")).to_have_count(0)


def _lea_at_her_desk(asgi_url, page):
    """Léa, dedicated advisor of Hélène Durand, with her desk open and live."""
    team = builders.team("Particuliers")
    lea = builders.advisor(team=team, name="Léa Martin")
    builders.customer(
        given_name="Hélène", family_name="Durand", advisor=lea, email="helene@example.org"
    )
    page.goto(f"{asgi_url}/login/")
    page.fill("#id_username", lea.user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()
    expect(page.locator("body")).to_have_attribute("data-live", "open")
    return lea


def _helene_asks_for_a_person(team):
    """Hélène, on the website's chat, asks for a person (routing: Léa)."""
    widget = ChatWidget.objects.create(name="Site", allowed_origins="https://a.example", team=team)
    conversation = chat.conversation_open(widget=widget, token=None, language="fr")
    conversation = chat.conversation_identify(conversation=conversation, email="helene@example.org")
    chat.customer_message_receive(conversation=conversation, client_id="c1", text="Bonjour")
    chat.conversation_hand_over(conversation=conversation)
    conversation.refresh_from_db()
    return conversation


def test_a_chat_handed_over_appears_on_the_desk_with_the_way_to_it(asgi_url, page):
    # given Léa's desk is open
    lea = _lea_at_her_desk(asgi_url, page)

    # when Hélène, on the website's chat, asks for a person
    conversation = _helene_asks_for_a_person(lea.team)

    # then the desk names her, and the link opens the case's chat panel
    notice = page.locator(f"#live-notices [data-conversation-id='{conversation.pk}']")
    expect(notice).to_contain_text("Hélène Durand")
    notice.get_by_role("link").click()
    expect(page).to_have_url(f"{asgi_url}/cases/{conversation.case_id}/#chat-panel")
    expect(page.locator("#chat-panel")).to_be_visible()


def test_the_chat_notice_leaves_the_desk_once_answered(asgi_url, page):
    # given Léa's desk shows Hélène's chat waiting
    lea = _lea_at_her_desk(asgi_url, page)
    conversation = _helene_asks_for_a_person(lea.team)
    notices = page.locator("#live-notices")
    expect(notices.locator(f"[data-conversation-id='{conversation.pk}']")).to_be_visible()

    # when she answers it from the case page, in another tab
    chat.advisor_reply(conversation=conversation, advisor=lea, client_id="a1", text="Bonjour !")

    # then the desk no longer says it waits
    expect(notices.locator("[data-conversation-id]")).to_have_count(0)
    expect(notices).to_be_hidden()
