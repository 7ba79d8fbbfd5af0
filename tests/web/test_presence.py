"""The advisor says whether they are available, busy or away: top bar and API."""

import pytest

from suivi.routing.models import AdvisorPresence


@pytest.fixture
def logged_in(client, advisor):
    client.force_login(advisor.user)
    return client


def test_the_switch_shows_available_when_nothing_was_said(logged_in):
    page = logged_in.get("/presence/", HTTP_HX_REQUEST="true")

    assert page.status_code == 200
    assert '<option value="available" selected>' in page.content.decode()


def test_choosing_away_is_recorded_and_shown(logged_in, advisor):
    page = logged_in.post("/presence/", {"status": "away"}, HTTP_HX_REQUEST="true")

    assert page.status_code == 200
    assert '<option value="away" selected>' in page.content.decode()
    assert AdvisorPresence.objects.get(advisor=advisor).status == "away"


def test_without_javascript_the_form_goes_back_to_the_page(logged_in, advisor):
    response = logged_in.post("/presence/", {"status": "busy", "next": "/search/"})

    assert response.status_code == 302 and response["Location"] == "/search/"
    assert AdvisorPresence.objects.get(advisor=advisor).status == "busy"


def test_an_outside_next_is_not_followed(logged_in):
    response = logged_in.post("/presence/", {"status": "busy", "next": "https://evil.example/"})

    assert response.status_code == 302 and response["Location"] == "/presence/"


def test_an_unknown_status_is_a_clear_422(logged_in, advisor):
    page = logged_in.post("/presence/", {"status": "sleeping"}, HTTP_ACCEPT_LANGUAGE="fr")

    assert page.status_code == 422
    assert "Statut de présence inconnu" in page.content.decode()
    assert not AdvisorPresence.objects.exists()


def test_every_page_offers_the_switch_without_a_query(logged_in):
    page = logged_in.get("/")

    assert 'hx-get="/presence/"' in page.content.decode()


def test_the_api_reads_and_sets_presence(logged_in, advisor):
    assert logged_in.get("/api/v1/advisors/me/presence").json()["status"] == "available"

    response = logged_in.put(
        "/api/v1/advisors/me/presence", {"status": "busy"}, content_type="application/json"
    )

    assert response.status_code == 200 and response.json()["status"] == "busy"
    assert AdvisorPresence.objects.get(advisor=advisor).status == "busy"


def test_the_api_refuses_an_unknown_status_with_a_stable_code(logged_in):
    response = logged_in.put(
        "/api/v1/advisors/me/presence", {"status": "sleeping"}, content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json()["code"] == "unknown_presence"
