from datetime import timedelta

import pytest

from suivi.core import clock
from tests import builders


@pytest.fixture
def waiting(advisor):
    case = builders.case(customer=builders.customer(advisor=advisor))
    builders.inbound(case, occurred_at=clock.now() - timedelta(hours=3, minutes=5))
    return case


def test_pages_are_french_by_default(web, waiting):
    # given an advisor who never chose a language
    # when they open their desk
    page = web.get("/").content.decode()

    # then the page is in French
    assert '<html lang="fr">' in page
    assert "3\xa0heures" in page


def test_language_switch_shows_english(web, waiting):
    # given an advisor on their desk
    # when they press "EN"
    response = web.post("/i18n/setlang/", {"language": "en", "next": "/"})

    # then they come back to the same page, in English
    assert response.status_code == 302
    assert response["Location"] == "/"
    page = web.get("/").content.decode()
    assert '<html lang="en">' in page
    assert "3\xa0hours" in page


def test_login_page_follows_the_language_switch(client, db):
    # given an anonymous visitor who switches to English
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})

    # when they open the login page
    page = client.get("/login/").content.decode()

    # then Django's own form labels are English too
    assert "Username" in page
