"""A customer books on the public page, checks in with the link of the confirmation
e-mail, and the advisor's waiting-list screen shows them."""

import os
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests import builders
from tests.scheduling.conftest import make_advisor, make_location, make_type, schedule

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


def test_customer_books_checks_in_and_the_advisor_sees_them(live_server, page, artifacts):
    # given a shop open all day, every day, with one technician
    every_day = {d: [["00:00", "23:30"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    shop = make_location(opening_hours=every_day)
    make_type(label_fr="Réparation d’écran", label_en="Screen repair")
    technician = make_advisor(
        team=builders.team("Boutique"), name="Inès Technicienne", hours=every_day
    )
    schedule(technician, shop)

    # when a customer books the first free time, in French
    page.goto(f"{live_server.url}/book/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.locator("form.book-choose button[type=submit]").first.click()
    page.screenshot(path=artifacts / "booking-slots.png", full_page=True)
    page.locator("a.slot").first.click()
    page.fill("#id_given_name", "Paul")
    page.fill("#id_family_name", "Martin")
    page.fill("#id_email", "paul.martin@example.org")
    page.fill("#id_phone", "06 11 22 33 44")
    page.locator("form.booking-form button[type=submit]").click()

    # then the confirmation shows the QR code, and no advisor's name
    expect(page.locator("#confirmation")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Inès")
    page.screenshot(path=artifacts / "booking-confirmation.png", full_page=True)

    # and the e-mail carries the check-in link
    (message,) = mail.outbox
    assert message.to == ["paul.martin@example.org"]
    check_in_path = re.search(r"https?://[^/\s]+(/book/checkin/[^\s]+)", message.body).group(1)

    # when the customer arrives and checks in with it
    page.goto(live_server.url + check_in_path)
    page.locator("#check-in").click()

    # then they see their place
    expect(page.locator(".waiting-place")).to_contain_text("1")
    page.screenshot(path=artifacts / "booking-waiting.png", full_page=True)

    # when the technician opens the waiting list of the shop
    advisor_page = page.context.browser.new_context(locale="fr-FR").new_page()
    advisor_page.goto(f"{live_server.url}/login/")
    advisor_page.fill("#id_username", technician.user.username)
    advisor_page.fill("#id_password", PASSWORD)
    advisor_page.locator("form[action='/login/'] button[type=submit]").click()
    advisor_page.goto(f"{live_server.url}/locations/{shop.pk}/queue/")

    # then Paul is on it, and calling the next person opens his visit
    expect(advisor_page.locator("#waiting-list")).to_contain_text("Paul M.")
    advisor_page.screenshot(path=artifacts / "advisor-queue.png", full_page=True)
    advisor_page.locator("#call-next").click()
    expect(advisor_page.locator("h1")).to_contain_text("Paul M.")
    advisor_page.screenshot(path=artifacts / "advisor-visit.png", full_page=True)

    # and the customer's page tells him it is his turn, by itself (htmx polling)
    expect(page.locator(".waiting-called")).to_be_visible(timeout=12_000)
    advisor_page.context.close()
