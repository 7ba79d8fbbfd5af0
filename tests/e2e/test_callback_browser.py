"""A caller asks to be called back on the public page, in a real browser; the advisor
finds the callback on their desk and records the call, which keeps the promise."""

import os

import pytest
from playwright.sync_api import expect

from suivi.promises.models import BusinessCalendar, Promise
from suivi.scheduling.models import Callback
from tests import builders

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def test_a_caller_asks_for_a_callback_and_the_advisor_makes_it(live_server, page, artifacts):
    # given a team open every hour of every day, with Léa on duty all the time
    BusinessCalendar.objects.create(
        name="Toujours ouvert",
        opening_hours={d: [["00:00", "24:00"]] for d in DAYS},
        holiday_country="",
    )
    lea = builders.advisor(team=builders.team("Particuliers"), name="Léa Martin")
    lea.working_hours = {d: [["00:00", "23:59"]] for d in DAYS}
    lea.save(update_fields=["working_hours"])

    # when a caller we do not know asks to be called at the first window offered
    page.goto(f"{live_server.url}/callback/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.fill("#id_given_name", "Paul")
    page.fill("#id_family_name", "Martin")
    page.fill("#id_phone", "06 11 22 33 44")
    page.fill("#id_reason", "Question sur mon contrat")
    page.locator("input[name=when]").nth(1).check()
    page.screenshot(path=artifacts / "callback-request.png", full_page=True)
    page.locator("#callback-form button[type=submit]").click()

    # then the confirmation says who calls, and at which number
    expect(page.locator("#callback-confirmation")).to_contain_text("Léa")
    expect(page.locator("#callback-confirmation")).not_to_contain_text("Martin Léa")
    expect(page.locator("#callback-confirmation")).to_contain_text("+33611223344")
    page.screenshot(path=artifacts / "callback-confirmation.png", full_page=True)

    # when Léa opens her desk
    desk = page.context.browser.new_context(locale="fr-FR").new_page()
    desk.goto(f"{live_server.url}/login/")
    desk.fill("#id_username", lea.user.username)
    desk.fill("#id_password", PASSWORD)
    desk.locator("form[action='/login/'] button[type=submit]").click()

    # then the callback is there, and she records the call
    due = desk.locator("#callbacks-due")
    expect(due).to_contain_text("Paul Martin")
    expect(due).to_contain_text("Question sur mon contrat")
    desk.screenshot(path=artifacts / "callback-desk.png", full_page=True)
    due.locator("input[value=reached]").first.check()
    due.locator("textarea[name=note]").first.fill("Contrat expliqué, client rassuré")
    due.locator("button[type=submit]").first.click()

    # and it leaves her desk, the call on the timeline keeping the promise
    expect(desk.locator("#callbacks-due")).not_to_contain_text("Paul Martin")
    callback = Callback.objects.get()
    assert callback.status == Callback.Status.DONE
    assert Promise.objects.get(pk=callback.promise_id).status == Promise.Status.KEPT
    desk.context.close()
