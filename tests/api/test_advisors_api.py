import pytest
from django.test import Client

from .. import builders

pytestmark = pytest.mark.django_db


def test_advisors_list(api, advisor, colleague, team):
    response = api.get("/api/v1/advisors")

    assert response.status_code == 200
    items = response.json()["items"]
    assert {"id": advisor.pk, "display_name": "Léa Martin"}.items() <= items[0].items()
    assert items[0]["team"] == {"id": team.pk, "name": "Particuliers"}
    assert {i["id"] for i in items} == {advisor.pk, colleague.pk}


def test_advisors_require_credentials(api_as):
    assert api_as(None).get("/api/v1/advisors").status_code == 401


def test_a_revoked_or_unknown_token_is_401(advisor):
    client = Client()

    response = client.get("/api/v1/advisors", headers={"Authorization": "Bearer svi_nope"})

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_inbox_lists_waiting_cases_oldest_first(api, advisor):
    customer = builders.customer(advisor=advisor)
    newer, older, answered = (builders.case(customer=customer) for _ in range(3))
    builders.inbound(older)
    builders.inbound(newer)
    builders.inbound(answered)
    builders.answer(answered, advisor)

    response = api.get("/api/v1/advisors/me/inbox")

    assert response.status_code == 200
    assert [c["id"] for c in response.json()["items"]] == [older.pk, newer.pk]
    assert response.json()["items"][0]["customer"]["id"] == customer.pk


def test_inbox_is_paginated(api, advisor):
    customer = builders.customer(advisor=advisor)
    cases = [builders.case(customer=customer) for _ in range(5)]
    for case in cases:
        builders.inbound(case)

    first = api.get("/api/v1/advisors/me/inbox", limit=2).json()
    rest = api.get("/api/v1/advisors/me/inbox", limit=10, cursor=first["next_cursor"]).json()

    assert [c["id"] for c in first["items"] + rest["items"]] == [c.pk for c in cases]


def test_session_auth_needs_the_csrf_token(advisor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(advisor.user)

    read = client.get("/api/v1/advisors/me")
    write = client.post(
        "/api/v1/customers", data={"given_name": "X"}, content_type="application/json"
    )

    assert read.status_code == 200
    assert read.json()["id"] == advisor.pk
    assert write.status_code in (401, 403)


def test_a_user_who_is_not_an_advisor_is_401(db, django_user_model):
    user = django_user_model.objects.create_user("plain", password="pw-123456789")
    client = Client()
    client.force_login(user)

    assert client.get("/api/v1/advisors").status_code == 401


def test_openapi_schema_lists_the_endpoints(client):
    schema = client.get("/api/openapi.json").json()

    for path in (
        "/api/v1/customers",
        "/api/v1/customers/{customer_id}/file",
        "/api/v1/customers/{customer_id}/merge",
        "/api/v1/cases/{case_id}/handoffs",
        "/api/v1/advisors/me/inbox",
    ):
        assert path in schema["paths"], path
