"""The advisor's side of callbacks: due on the home page, oldest promise first, on the
customer's file, and an attempt recorded with its outcome and note."""

import pytest
from django.test import Client

from suivi.conversations.models import Interaction
from suivi.core.clock import frozen_at
from suivi.promises.models import Promise
from suivi.scheduling import callbacks
from suivi.scheduling.models import Callback
from tests import builders
from tests.scheduling.conftest import MONDAY_8, at


@pytest.fixture(autouse=True)
def clock_hand():
    with frozen_at(MONDAY_8) as hand:
        yield hand


def request(customer, day, hour, reason):
    return callbacks.callback_request(
        customer=customer,
        reason=reason,
        phone="+33612345678",
        window_starts_at=at(day, hour),
        window_ends_at=at(day, hour, 30),
    )


def test_home_lists_my_callbacks_oldest_promise_first(web, advisor, colleague, customer):
    request(customer, 5, 10, "Rappel mercredi")
    request(customer, 4, 10, "Rappel mardi")
    other = builders.customer(advisor=colleague, phone="+33699999999")
    request(other, 3, 10, "Rappel du collègue")

    page = web.get("/").content.decode()
    section = page.split('id="callbacks-due"', 1)[1].split("</ol>", 1)[0]

    assert section.index("Rappel mardi") < section.index("Rappel mercredi")
    assert "Rappel du collègue" not in section
    assert 'href="tel:+33612345678"' in section
    assert 'name="outcome" value="no_answer"' in section


def test_home_says_when_there_is_no_callback(web):
    page = web.get("/").content.decode()

    assert 'id="callbacks-due"' in page and 'class="empty"' in page.split('id="callbacks-due"')[1]


def test_recording_no_answer_from_home_keeps_it_due_with_a_retry_time(web, customer):
    callback = request(customer, 3, 10, "Rappel")

    response = web.post(
        f"/callbacks/{callback.pk}/attempts/",
        {"outcome": "no_answer", "note": "Messagerie", "next": "/"},
    )

    assert (response.status_code, response["Location"]) == (302, "/")
    callback.refresh_from_db()
    assert (callback.status, callback.attempt_count) == ("requested", 1)
    call = Interaction.objects.get(metadata__callback_id=callback.pk)
    assert (call.channel, call.direction, call.text) == ("phone", "out", "Messagerie")
    assert "Rappel" in web.get("/").content.decode().split('id="callbacks-due"')[1]


def test_recording_reached_from_the_customer_page_keeps_the_promise(web, customer):
    callback = request(customer, 3, 10, "Question sur la facture")
    page = web.get(f"/customers/{customer.pk}/").content.decode()
    assert "Question sur la facture" in page.split('id="customer-callbacks"')[1]

    response = web.post(
        f"/callbacks/{callback.pk}/attempts/", {"outcome": "reached", "note": "Réglé"}
    )

    assert response["Location"] == f"/customers/{customer.pk}/"
    assert Promise.objects.get(pk=callback.promise_id).status == "kept"
    assert 'id="customer-callbacks"' not in web.get(f"/customers/{customer.pk}/").content.decode()


def test_a_bad_outcome_is_422_and_an_outsider_gets_404(web, web_as, outsider, customer):
    callback = request(customer, 3, 10, "Rappel")

    bad = web.post(f"/callbacks/{callback.pk}/attempts/", {"outcome": "maybe"})
    foreign = web_as(outsider).post(f"/callbacks/{callback.pk}/attempts/", {"outcome": "reached"})
    unsafe = web.post(
        f"/callbacks/{callback.pk}/attempts/",
        {"outcome": "no_answer", "next": "https://evil.example/"},
    )

    assert bad.status_code == 422
    assert foreign.status_code == 404
    assert unsafe["Location"] == f"/customers/{customer.pk}/"
    assert Callback.objects.get(pk=callback.pk).attempt_count == 1


def test_the_attempt_form_needs_its_csrf_token(advisor, customer):
    callback = request(customer, 3, 10, "Rappel")
    client = Client(enforce_csrf_checks=True)
    client.force_login(advisor.user)

    response = client.post(f"/callbacks/{callback.pk}/attempts/", {"outcome": "reached"})

    assert response.status_code == 403
    assert Callback.objects.get(pk=callback.pk).status == "requested"
