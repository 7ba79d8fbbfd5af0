import pytest

from suivi.customers.models import Customer, Identity

from .. import builders

pytestmark = pytest.mark.django_db


def test_create_customer_returns_the_file_fields(api, advisor):
    # given / when
    response = api.post(
        "/api/v1/customers",
        {
            "given_name": "Nicolas",
            "family_name": "Lefèvre",
            "address_as": "M. Lefèvre",
            "language": "fr",
            "preferred_channel": "phone",
            "dedicated_advisor_id": advisor.pk,
            "identities": [
                {"kind": "email", "value": "Nicolas.Lefevre@Example.FR"},
                {"kind": "phone", "value": "06 12 34 56 78"},
            ],
        },
    )

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["given_name"] == "Nicolas"
    assert body["dedicated_advisor"] == {"id": advisor.pk, "display_name": "Léa Martin"}
    assert {(i["kind"], i["value"]) for i in body["identities"]} == {
        ("email", "nicolas.lefevre@example.fr"),
        ("phone", "+33612345678"),
    }
    assert Customer.objects.get(pk=body["id"]).team_id == advisor.team_id


@pytest.mark.parametrize(
    ("kind", "value"), [("email", "not-an-address"), ("phone", "12"), ("fax", "x")]
)
def test_create_customer_with_a_bad_identity_is_422(api, kind, value):
    response = api.post(
        "/api/v1/customers",
        {
            "given_name": "Anne",
            "family_name": "Roy",
            "identities": [{"kind": kind, "value": value}],
        },
    )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_identity"
    assert not Customer.objects.exists()


def test_create_customer_without_credentials_is_401(api_as):
    response = api_as(None).post("/api/v1/customers", {"given_name": "Anne"})

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_customer_file_shows_identities_cases_and_timeline(api, advisor):
    customer = builders.customer(advisor=advisor, given_name="Claire", family_name="Petit")
    case = builders.case(customer=customer, summary="Double prélèvement en mars.")
    builders.inbound(case, channel="email")
    builders.inbound(case, channel="phone", text="Appel: toujours pas remboursée")
    builders.answer(case, advisor, channel="letter")

    response = api.get(f"/api/v1/customers/{customer.pk}/file")

    assert response.status_code == 200
    body = response.json()
    assert body["customer"]["id"] == customer.pk
    assert body["dedicated_advisor"]["id"] == advisor.pk
    assert [c["summary"] for c in body["open_cases"]] == ["Double prélèvement en mars."]
    assert [i["channel"] for i in body["timeline"]["items"]] == ["letter", "phone", "email"]
    assert body["timeline"]["items"][0]["author"] == {
        "kind": "advisor",
        "id": advisor.pk,
        "name": "Léa Martin",
    }
    assert Identity.objects.filter(customer=customer).count() == len(body["identities"])


def test_customer_of_another_team_is_404(api, outsider):
    customer = builders.customer(advisor=outsider)

    response = api.get(f"/api/v1/customers/{customer.pk}/file")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_search_finds_by_email_phone_name_and_number(api, advisor):
    # given
    found = builders.customer(
        advisor=advisor,
        given_name="Élodie",
        family_name="Garnier",
        email="elodie.garnier@example.fr",
        phone="+33 6 11 22 33 44",
    )
    builders.customer(advisor=advisor, given_name="Paul", family_name="Roux")
    api.post(
        f"/api/v1/customers/{found.pk}/identities", {"kind": "customer_number", "value": "c-1"}
    )

    # when / then
    for query in ("ELODIE.garnier@example.fr", "06 11 22 33 44", "garn", "elodie gar", "C-1"):
        items = api.get("/api/v1/customers", q=query).json()["items"]
        assert [c["id"] for c in items] == [found.pk], query


def test_search_never_shows_other_teams(api, outsider):
    builders.customer(advisor=outsider, given_name="Zoé", family_name="Hidden")

    response = api.get("/api/v1/customers", q="hidden")

    assert response.status_code == 200
    assert response.json()["items"] == []


def test_list_is_keyset_paginated(api, advisor):
    created = [builders.customer(advisor=advisor).pk for _ in range(5)]

    first = api.get("/api/v1/customers", limit=3).json()
    second = api.get("/api/v1/customers", limit=3, cursor=first["next_cursor"]).json()

    assert [c["id"] for c in first["items"] + second["items"]] == sorted(created, reverse=True)
    assert second["next_cursor"] is None


@pytest.mark.parametrize(
    ("params", "code"), [({"limit": 101}, "invalid_input"), ({"cursor": "%%%"}, "invalid_cursor")]
)
def test_list_refuses_bad_paging(api, params, code):
    response = api.get("/api/v1/customers", **params)

    assert response.status_code == 422
    assert response.json()["code"] == code


def test_patch_changes_preferences_and_dedicated_advisor(api, advisor, colleague):
    customer = builders.customer(advisor=advisor)

    response = api.patch(
        f"/api/v1/customers/{customer.pk}",
        {"address_as": "Nicolas", "language": "en", "dedicated_advisor_id": colleague.pk},
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["address_as"], body["greeting_name"], body["language"]) == (
        "Nicolas",
        "Nicolas",
        "en",
    )
    assert body["dedicated_advisor"]["id"] == colleague.pk


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"language": "de"}, "invalid_input"),
        ({"dedicated_advisor_id": 999999}, "invalid_advisor"),
        ({"given_name": "", "family_name": ""}, "name_required"),
    ],
)
def test_patch_with_bad_input_is_422(api, advisor, payload, code):
    customer = builders.customer(advisor=advisor)

    response = api.patch(f"/api/v1/customers/{customer.pk}", payload)

    assert response.status_code == 422
    assert response.json()["code"] == code


def test_patch_a_customer_of_another_team_is_404(api, outsider):
    customer = builders.customer(advisor=outsider)

    response = api.patch(f"/api/v1/customers/{customer.pk}", {"address_as": "x"})

    assert response.status_code == 404


def test_add_identity_then_taken_by_another_is_409(api, advisor):
    first = builders.customer(advisor=advisor)
    second = builders.customer(advisor=advisor)

    added = api.post(
        f"/api/v1/customers/{first.pk}/identities", {"kind": "phone", "value": "+44 7911 123456"}
    )
    again = api.post(
        f"/api/v1/customers/{first.pk}/identities", {"kind": "phone", "value": "0044 7911-123-456"}
    )
    taken = api.post(
        f"/api/v1/customers/{second.pk}/identities", {"kind": "phone", "value": "+447911123456"}
    )

    assert added.status_code == 201
    assert added.json()["value"] == "+447911123456"
    assert again.status_code == 200
    assert again.json()["id"] == added.json()["id"]
    assert taken.status_code == 409
    assert taken.json()["code"] == "identity_taken"


def test_add_bad_identity_is_422(api, advisor):
    customer = builders.customer(advisor=advisor)

    response = api.post(
        f"/api/v1/customers/{customer.pk}/identities", {"kind": "email", "value": "nope@"}
    )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_identity"


def test_create_with_an_identity_already_taken_is_409(api, advisor):
    builders.customer(advisor=advisor, email="taken@example.org")

    response = api.post(
        "/api/v1/customers",
        {"given_name": "Jo", "identities": [{"kind": "email", "value": "TAKEN@example.org"}]},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "identity_taken"


def test_merge_moves_everything_and_the_duplicate_is_gone(api, advisor):
    # given
    keep = builders.customer(advisor=advisor, given_name="Jean", family_name="Dupont")
    duplicate = builders.customer(
        advisor=advisor, given_name="Jean", family_name="Dupond", phone="0611111111"
    )
    case = builders.case(customer=duplicate)
    builders.inbound(case)

    # when
    response = api.post(f"/api/v1/customers/{keep.pk}/merge", {"duplicate_id": duplicate.pk})

    # then
    assert response.status_code == 200
    kinds = sorted(i["kind"] for i in response.json()["identities"])
    assert kinds == ["email", "email", "phone"]
    assert api.get(f"/api/v1/customers/{duplicate.pk}").status_code == 404
    file = api.get(f"/api/v1/customers/{keep.pk}/file").json()
    assert [c["id"] for c in file["open_cases"]] == [case.pk]
    assert len(file["timeline"]["items"]) == 1


def test_merge_with_itself_is_422_and_unknown_duplicate_404(api, advisor, outsider):
    keep = builders.customer(advisor=advisor)
    hidden = builders.customer(advisor=outsider)

    itself = api.post(f"/api/v1/customers/{keep.pk}/merge", {"duplicate_id": keep.pk})
    invisible = api.post(f"/api/v1/customers/{keep.pk}/merge", {"duplicate_id": hidden.pk})

    assert (itself.status_code, itself.json()["code"]) == (422, "merge_with_itself")
    assert (invisible.status_code, invisible.json()["code"]) == (404, "not_found")
    assert Customer.objects.filter(pk=hidden.pk).exists()


def test_possible_duplicates_are_listed(api, advisor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        builders.customer(advisor=advisor, email="marie.curie+shop@gmail.com")
        builders.customer(advisor=advisor, email="marie.curie@gmail.com")

    response = api.get("/api/v1/customers/duplicates")

    assert response.status_code == 200
    assert [(i["reason"], i["reason_label"]) for i in response.json()["items"]] == [
        ("same_email", "même adresse e-mail")
    ]


def test_customer_file_timeline_pages_do_not_overlap(api, advisor):
    customer = builders.customer(advisor=advisor)
    case = builders.case(customer=customer)
    for n in range(7):
        builders.inbound(case, text=f"message {n}")

    first = api.get(f"/api/v1/customers/{customer.pk}/file", limit=4).json()["timeline"]
    second = api.get(
        f"/api/v1/customers/{customer.pk}/file", limit=4, cursor=first["next_cursor"]
    ).json()["timeline"]

    excerpts = [i["excerpt"] for i in first["items"] + second["items"]]
    assert excerpts == [f"message {n}" for n in reversed(range(7))]
    assert second["next_cursor"] is None


def test_malformed_json_is_a_4xx_with_a_code(api):
    response = api.client.post(
        "/api/v1/customers",
        data="{not json",
        content_type="application/json",
        headers=api.headers,
    )

    assert 400 <= response.status_code < 500
    assert "code" in response.json()


def test_errors_are_translated_with_accept_language(api):
    response = api.client.post(
        "/api/v1/customers",
        data={"given_name": "A", "identities": [{"kind": "email", "value": "bad"}]},
        content_type="application/json",
        headers={**api.headers, "Accept-Language": "fr"},
    )

    assert response.json()["code"] == "invalid_identity"
    assert "n’est pas une adresse e-mail valide" in response.json()["message"]


def test_customer_file_query_count_does_not_grow_with_history(
    api, advisor, django_assert_num_queries
):
    # given a short and a long history, and a token already used once
    small, large = builders.customer(advisor=advisor), builders.customer(advisor=advisor)
    for customer, count in ((small, 2), (large, 60)):
        case = builders.case(customer=customer)
        for n in range(count):
            builders.inbound(case, text=f"m{n}", channel=("email", "phone", "chat")[n % 3])
        builders.answer(case, advisor)
    api.get("/api/v1/advisors/me")

    # when / then: token, access check, identities, open cases, timeline page
    for customer in (small, large):
        with django_assert_num_queries(5):
            assert api.get(f"/api/v1/customers/{customer.pk}/file").status_code == 200
