import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from suivi.conversations.models import Interaction


@pytest.mark.parametrize(
    "path",
    ["/", "/search/?q=durand", "/customers/duplicates/", "/customers/1/", "/cases/1/"],
)
def test_pages_send_anonymous_visitors_to_the_login_page(db, path):
    # given an anonymous visitor
    client = Client()

    # when they open a page
    response = client.get(path)

    # then they are asked to log in first
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_login_page_logs_an_advisor_in(advisor):
    # given the login page
    client = Client()

    # when the advisor posts their credentials
    response = client.post(
        "/login/", {"username": advisor.user.username, "password": "a-long-test-password"}
    )

    # then they land on their desk
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_logout_is_a_post(web):
    # given a logged-in advisor
    # when they log out
    response = web.post("/logout/")

    # then the session is over
    assert response.status_code == 302
    assert web.get("/").status_code == 302


def test_customer_of_another_team_is_not_found(web_as, outsider, customer):
    # given an advisor of another team
    client = web_as(outsider)

    # when they open our customer's file
    response = client.get(f"/customers/{customer.pk}/")

    # then it looks absent
    assert response.status_code == 404


def test_case_of_another_team_is_not_found(web_as, outsider, case):
    # given an advisor of another team
    client = web_as(outsider)

    # when they open our case
    response = client.get(f"/cases/{case.pk}/")

    # then it looks absent
    assert response.status_code == 404


def test_user_without_advisor_profile_is_refused(db):
    # given a Django account that is not an advisor
    user = get_user_model().objects.create_user(username="visitor", password="x" * 12)
    client = Client()
    client.force_login(user)

    # when they open the desk
    response = client.get("/")

    # then they are told why, not shown a crash
    assert response.status_code == 403


def test_post_without_csrf_token_is_refused(web_as, advisor, case):
    # given a client that enforces CSRF checks, logged in
    client = web_as(advisor, enforce_csrf_checks=True)

    # when it posts a note without the token
    response = client.post(f"/cases/{case.pk}/notes/", {"text": "Forged"})

    # then the request is refused and nothing is written
    assert response.status_code == 403
    assert not Interaction.objects.filter(text="Forged").exists()


def test_invalid_cursor_is_a_client_error(web, customer):
    # given a customer file
    # when the page is asked for with a forged cursor
    response = web.get(f"/customers/{customer.pk}/", {"cursor": "not-a-cursor"})

    # then the advisor sees a 4xx with a message
    assert response.status_code == 422
