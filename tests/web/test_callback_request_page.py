"""The public "call me back" page: no account, CSRF, rate limit, unknown numbers,
offered windows only, a confirmation saying who calls and when, French and English."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from suivi.core.clock import frozen_at
from suivi.customers.models import Customer
from suivi.promises.models import Promise
from suivi.scheduling.models import Callback
from tests import builders
from tests.scheduling.conftest import MONDAY_8, at


@pytest.fixture(autouse=True)
def clock_hand():
    cache.clear()
    with frozen_at(MONDAY_8) as hand:  # Monday 3 June 2030, 8:00 Paris
        yield hand
    cache.clear()


@pytest.fixture
def lea(team):
    lea = builders.advisor(team=team, name="Léa Martin")
    lea.working_hours = {"mon": [["09:00", "12:00"]], "tue": [["09:00", "12:00"]]}
    lea.languages = ["fr", "en"]
    lea.save(update_fields=["working_hours", "languages"])
    return lea


def csrf(client, path="/callback/"):
    page = client.get(path)
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)


def details(**fields):
    return {
        "given_name": "Paul",
        "family_name": "Martin",
        "phone": "06 11 22 33 44",
        "reason": "Question sur mon contrat",
        "when": "asap",
        **fields,
    }


def test_the_page_offers_asap_and_only_windows_when_someone_works(lea):
    page = Client().get("/callback/").content.decode()

    assert '<html lang="fr">' in page
    assert 'value="asap"' in page
    assert at(3, 9).isoformat() in page and at(3, 11, 30).isoformat() in page
    assert at(3, 12).isoformat() not in page  # Léa stops at noon
    assert at(4, 9).isoformat() in page
    assert "Léa" not in page  # no advisor data before the request


def test_an_unknown_number_becomes_a_customer_and_the_confirmation_says_who_and_when(
    lea,
):
    client = Client(enforce_csrf_checks=True)
    token = csrf(client)

    response = client.post(
        "/callback/", details(csrfmiddlewaretoken=token, when=at(4, 10).isoformat())
    )

    assert response.status_code == 302
    callback = Callback.objects.get()
    customer = Customer.objects.get()
    assert customer.full_name == "Paul Martin" and customer.team_id == lea.team_id
    assert (callback.phone, callback.source, callback.assigned_to) == (
        "+33611223344",
        "portal",
        lea,
    )
    assert (callback.window_starts_at, callback.window_ends_at) == (at(4, 10), at(4, 10, 30))
    assert Promise.objects.get(pk=callback.promise_id).status == "open"
    confirmation = client.get(response["Location"]).content.decode()
    who = confirmation.split('class="lead"', 1)[1].split("</p>", 1)[0]
    assert "Léa" in who and "Martin" not in who  # a first name only
    assert "10:00" in confirmation and "10:30" in confirmation
    assert "+33611223344" in confirmation


def test_a_known_number_is_called_by_their_own_advisor(lea, team):
    customer = builders.customer(advisor=lea, team=team, phone="+33611223344")

    response = Client().post("/callback/", details())

    callback = Callback.objects.get()
    assert response.status_code == 302
    assert (callback.customer, callback.assigned_to, callback.asap) == (customer, lea, True)
    assert Customer.objects.count() == 1


def test_english_page_and_confirmation(lea):
    # Léa speaks English: she may call an English-speaking newcomer
    client = Client(headers={"accept-language": "en"})

    page = client.get("/callback/").content.decode()
    response = client.post("/callback/", details())
    confirmation = client.get(response["Location"]).content.decode()

    assert '<html lang="en">' in page and "As soon as possible" in page
    assert "Léa, from our team, will call you." in confirmation
    assert Customer.objects.get().language == "en"


def test_csrf_is_required(db):
    client = Client(enforce_csrf_checks=True)

    assert client.post("/callback/", details()).status_code == 403
    assert not Callback.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field_error"),
    [
        ({"phone": ""}, "id_phone_error"),
        ({"phone": "12"}, "id_phone_error"),
        ({"reason": ""}, "id_reason_error"),
        ({"given_name": ""}, "id_given_name_error"),
        ({"when": "demain"}, "callback-when-error"),
        ({"when": "2030-06-04T10:00:00"}, "callback-when-error"),  # no time zone
        ({"when": "9999-12-31T23:59:59+00:00"}, "callback-when-error"),  # far too late
    ],
)
def test_bad_input_is_a_clear_error_not_a_500(lea, fields, field_error):
    response = Client().post("/callback/", details(**fields))

    assert response.status_code == 422
    assert f'id="{field_error}"' in response.content.decode()
    assert not Callback.objects.exists() and not Customer.objects.exists()


def test_a_window_nobody_can_take_is_409_with_the_next_ones_and_keeps_nothing(lea):
    response = Client().post("/callback/", details(when=at(3, 15).isoformat()))

    page = response.content.decode()
    assert response.status_code == 409
    assert 'id="callback-when-error"' in page
    assert at(4, 9).isoformat() in page  # the next window offered
    assert not Customer.objects.exists() and not Callback.objects.exists()


def test_the_confirmation_link_cancels_and_a_forged_one_is_404(lea):
    client = Client()
    location = client.post("/callback/", details())["Location"]

    cancelled = client.post(location + "cancel/")
    page = client.get(location).content.decode()

    assert cancelled.status_code == 302
    assert Callback.objects.get().status == "cancelled"
    assert 'id="callback-confirmation"' not in page and "/cancel/" not in page
    assert client.get(location.replace(":", ":x", 1)).status_code == 404


def test_the_page_is_rate_limited_per_address(lea, settings):
    settings.SUIVI_BOOKING_RATE_LIMIT = 3
    client = Client(REMOTE_ADDR="203.0.113.9")

    codes = [client.get("/callback/").status_code for _ in range(3)]
    codes.append(client.post("/callback/", details()).status_code)

    assert codes == [200, 200, 200, 429]
    assert not Callback.objects.exists()


def test_the_booking_page_leads_to_the_callback_page(db):
    page = Client().get("/book/").content.decode()

    assert 'href="/callback/"' in page.split('id="callback-link"', 1)[1]
