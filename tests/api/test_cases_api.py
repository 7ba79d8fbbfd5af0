import pytest

from suivi.conversations.models import Case, Handoff, Interaction

from .. import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(advisor):
    return builders.customer(advisor=advisor, given_name="Sophie", family_name="Marchand")


def test_open_case_is_owned_by_the_dedicated_advisor(api, customer, advisor):
    response = api.post(
        "/api/v1/cases",
        {"customer_id": customer.pk, "subject": "Déménagement", "topic": "moving"},
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["subject"], body["topic"]) == ("open", "Déménagement", "moving")
    assert body["owner"] == {"id": advisor.pk, "display_name": advisor.display_name}


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"subject": "no customer"}, 422, "invalid_input"),
        ({"customer_id": "CUSTOMER", "subject": "  "}, 422, "subject_required"),
        ({"customer_id": "CUSTOMER", "subject": "x" * 201}, 422, "invalid_input"),
        ({"customer_id": "CUSTOMER", "subject": "x", "owner_id": 987654}, 422, "invalid_advisor"),
    ],
)
def test_open_case_with_bad_input(api, customer, payload, status, code):
    payload = {k: customer.pk if v == "CUSTOMER" else v for k, v in payload.items()}

    response = api.post("/api/v1/cases", payload)

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Case.objects.exists()


def test_open_case_for_an_invisible_customer_is_404(api, outsider):
    hidden = builders.customer(advisor=outsider)

    response = api.post("/api/v1/cases", {"customer_id": hidden.pk, "subject": "x"})

    assert response.status_code == 404


def test_get_and_patch_case(api, customer):
    case = builders.case(customer=customer)

    patched = api.patch(
        f"/api/v1/cases/{case.pk}", {"summary": "Compteur relevé le 3 mars.", "status": "waiting"}
    )
    fetched = api.get(f"/api/v1/cases/{case.pk}")

    assert patched.status_code == 200
    assert fetched.json()["summary"] == "Compteur relevé le 3 mars."
    assert fetched.json()["status"] == "waiting"


def test_resolving_sets_resolved_at(api, customer):
    case = builders.case(customer=customer)

    body = api.patch(f"/api/v1/cases/{case.pk}", {"status": "resolved"}).json()

    assert body["resolved_at"] is not None


@pytest.mark.parametrize(
    ("payload", "code"),
    [({"status": "lost"}, "invalid_input"), ({"subject": ""}, "subject_required")],
)
def test_patch_case_with_bad_input_is_422(api, customer, payload, code):
    case = builders.case(customer=customer)

    response = api.patch(f"/api/v1/cases/{case.pk}", payload)

    assert (response.status_code, response.json()["code"]) == (422, code)


def test_changing_the_owner_by_patch_requires_a_handoff(api, customer, colleague):
    case = builders.case(customer=customer)

    response = api.patch(f"/api/v1/cases/{case.pk}", {"owner_id": colleague.pk})

    assert (response.status_code, response.json()["code"]) == (422, "handoff_without_context")


def test_case_of_another_team_is_404(api, outsider):
    case = builders.case(customer=builders.customer(advisor=outsider))

    assert api.get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert api.patch(f"/api/v1/cases/{case.pk}", {"summary": "x"}).status_code == 404
    note = {"channel": "note", "direction": "internal", "body": "x"}
    assert api.post(f"/api/v1/cases/{case.pk}/interactions", note).status_code == 404


def test_record_interactions_on_five_channels(api, customer, advisor):
    case = builders.case(customer=customer)
    for channel, direction in [
        ("email", "in"),
        ("phone", "in"),
        ("chat", "out"),
        ("visit", "in"),
        ("letter", "out"),
        ("note", "internal"),
    ]:
        response = api.post(
            f"/api/v1/cases/{case.pk}/interactions",
            {"channel": channel, "direction": direction, "body": f"via {channel}"},
        )
        assert response.status_code == 201, response.json()

    timeline = api.get(f"/api/v1/customers/{customer.pk}/file").json()["timeline"]["items"]
    assert {i["channel"] for i in timeline} == {"email", "phone", "chat", "visit", "letter", "note"}
    assert timeline[0]["author"]["id"] == advisor.pk


def test_an_answer_marks_the_inbound_contact_as_answered(api, customer):
    case = builders.case(customer=customer)
    question = api.post(
        f"/api/v1/cases/{case.pk}/interactions",
        {"channel": "email", "direction": "in", "body": "Ma facture ?"},
    ).json()

    api.post(
        f"/api/v1/cases/{case.pk}/interactions",
        {"channel": "phone", "direction": "out", "body": "Rappelée, c'est réglé."},
    )

    assert Interaction.objects.get(pk=question["id"]).first_answered_at is not None
    assert api.get(f"/api/v1/cases/{case.pk}").json()["awaiting_reply_since"] is None


def test_html_from_outside_is_sanitised(api, customer):
    case = builders.case(customer=customer)

    body = api.post(
        f"/api/v1/cases/{case.pk}/interactions",
        {
            "channel": "email",
            "direction": "in",
            "body": "hello",
            "html": '<p onclick="x()">hi<script>alert(1)</script></p>',
        },
    ).json()

    assert body["html"] == "<p>hi</p>"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"channel": "pigeon", "direction": "in", "body": "x"}, "invalid_input"),
        ({"channel": "note", "direction": "in", "body": "x"}, "invalid_interaction"),
        ({"channel": "email", "direction": "in", "body": "   "}, "invalid_interaction"),
        ({"channel": "email", "direction": "in"}, "invalid_input"),
    ],
)
def test_bad_interactions_are_422(api, customer, payload, code):
    case = builders.case(customer=customer)

    response = api.post(f"/api/v1/cases/{case.pk}/interactions", payload)

    assert (response.status_code, response.json()["code"]) == (422, code)
    assert not Interaction.objects.exists()


def test_a_closed_case_refuses_interactions_with_409(api, customer):
    case = builders.case(customer=customer)
    api.patch(f"/api/v1/cases/{case.pk}", {"status": "closed"})

    response = api.post(
        f"/api/v1/cases/{case.pk}/interactions",
        {"channel": "email", "direction": "in", "body": "encore moi"},
    )

    assert (response.status_code, response.json()["code"]) == (409, "case_closed")


def test_handoff_with_a_note_moves_the_case(api, customer, advisor, colleague):
    case = builders.case(customer=customer)

    response = api.post(
        f"/api/v1/cases/{case.pk}/handoffs",
        {"to_advisor_id": colleague.pk, "context_note": "Attend un avoir de 42 €, déjà validé."},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["from_advisor"]["id"] == advisor.pk
    assert body["to_advisor"]["id"] == colleague.pk
    assert api.get(f"/api/v1/cases/{case.pk}").json()["owner"]["id"] == colleague.pk
    file = api.get(f"/api/v1/customers/{customer.pk}/file").json()
    assert file["open_cases"][0]["last_handoff_note"] == "Attend un avoir de 42 €, déjà validé."


@pytest.mark.parametrize("note", ["", "   ", None])
def test_handoff_without_a_note_is_refused(api, customer, colleague, note):
    case = builders.case(customer=customer)
    payload = {"to_advisor_id": colleague.pk}
    if note is not None:
        payload["context_note"] = note

    response = api.post(f"/api/v1/cases/{case.pk}/handoffs", payload)

    assert (response.status_code, response.json()["code"]) == (422, "handoff_without_context")
    assert not Handoff.objects.exists()


def test_handoff_to_the_owner_is_409_and_to_nobody_422(api, customer, advisor):
    case = builders.case(customer=customer)

    same = api.post(
        f"/api/v1/cases/{case.pk}/handoffs", {"to_advisor_id": advisor.pk, "context_note": "n"}
    )
    nobody = api.post(
        f"/api/v1/cases/{case.pk}/handoffs", {"to_advisor_id": 424242, "context_note": "n"}
    )

    assert (same.status_code, same.json()["code"]) == (409, "handoff_to_owner")
    assert (nobody.status_code, nobody.json()["code"]) == (422, "invalid_advisor")


def test_the_receiver_of_a_cross_team_handoff_sees_the_case(api, api_as, customer, outsider):
    case = builders.case(customer=customer)
    api.post(
        f"/api/v1/cases/{case.pk}/handoffs",
        {"to_advisor_id": outsider.pk, "context_note": "Expert facturation pro requis."},
    )

    theirs = api_as(outsider)

    assert theirs.get(f"/api/v1/cases/{case.pk}").status_code == 200
    assert theirs.get(f"/api/v1/customers/{customer.pk}/file").status_code == 200
