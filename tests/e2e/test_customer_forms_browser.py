"""A walk-in customer, in a real Chromium: add them, open a case, log the phone call."""

import os

import pytest
from playwright.sync_api import expect

from suivi.conversations.models import Case, Interaction
from suivi.customers.models import Customer
from tests import builders

# Playwright's sync API keeps an event loop running in this thread; the test still needs
# the database from it, which Django otherwise refuses.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


def test_advisor_adds_a_customer_opens_a_case_and_logs_a_call(live_server, page, artifacts):
    # given an advisor logged in, in French
    advisor = builders.advisor(team=builders.team("Particuliers"), name="Léa Martin")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", advisor.user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("form[action='/login/'] button[type=submit]").click()

    # when they add a customer from the top bar
    page.locator(".topbar-nav a[href='/customers/new/']").click()
    expect(page.locator("#id_dedicated_advisor")).to_have_value(str(advisor.pk))
    page.fill("#id_given_name", "Nicolas")
    page.fill("#id_family_name", "Petit")
    page.fill("#id_address_as", "M. Petit")
    page.select_option("#id_preferred_channel", "phone")
    page.fill("#id_contact_hours", "après 18 h")
    page.fill("#id_phone", "06 12 34 56 79")
    page.screenshot(path=artifacts / "customer-new.png", full_page=True)
    page.locator("form[action='/customers/new/'] button[type=submit]").click()

    # then the new file greets him, with his phone number
    expect(page.locator("h1.greeting")).to_contain_text("M. Petit")
    expect(page.locator(".identities")).to_contain_text("+33612345679")
    page.screenshot(path=artifacts / "customer-created.png", full_page=True)
    customer = Customer.objects.get(family_name="Petit")
    assert customer.dedicated_advisor_id == advisor.pk

    # when they open a case from the file
    page.locator(f"a[href='/customers/{customer.pk}/cases/new/']").click()
    page.fill("#id_subject", "Carte bloquée")
    page.fill("#id_summary", "Bloquée au distributeur samedi")
    page.locator("form[action$='/cases/new/'] button[type=submit]").click()

    # then the case page opens
    expect(page.locator("h1")).to_contain_text("Carte bloquée")

    # when they log the phone call he made
    page.select_option("#id_contact_channel", "phone")
    page.select_option("#id_contact_direction", "in")
    page.fill("#id_contact_text", "A appelé : carte avalée par le distributeur")
    page.locator("form[action$='/contacts/'] button[type=submit]").click()

    # then the call is on the case timeline, as a phone contact from the customer
    first = page.locator("#timeline .timeline-item").first
    expect(first).to_contain_text("carte avalée")
    expect(first.locator(".channel--phone")).to_be_visible()
    page.screenshot(path=artifacts / "case-contact.png", full_page=True)
    case = Case.objects.get(subject="Carte bloquée")
    call = Interaction.objects.get(case=case)
    assert (call.channel, call.direction) == ("phone", "in")

    # and on the customer's file
    page.locator(".breadcrumb a").click()
    expect(page.locator("#timeline")).to_contain_text("carte avalée")
