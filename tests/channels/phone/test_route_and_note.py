"""The PBX asks whom to ring; the advisor writes a note after the call."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest

from suivi.channels.phone.models import PhoneCall
from suivi.conversations.models import Interaction
from suivi.people import services as people
from suivi.people.models import Absence
from suivi.routing.models import RoutingDecision
from suivi.routing.services import capacity_set, presence_set

from .conftest import CALLER

# --- GET /api/v1/channels/phone/route --------------------------------------------------


def test_the_dedicated_advisor_is_rung_first(office, pbx):
    response = pbx.route(urlencode({"from": CALLER}))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["extension"] == "201"
    assert (body["advisor_id"], body["reason_code"]) == (office.marie.pk, "dedicated_advisor")
    assert body["customer_id"] == office.customer.pk
    assert "Marie Dupont" in body["reason"]


def test_the_backup_is_rung_when_the_advisor_is_on_the_phone(office, pbx):
    presence_set(advisor=office.marie, status="busy")
    # Busy for long: a customer does not wait 5 minutes for their own advisor.
    response = pbx.route(urlencode({"from": CALLER}))

    body = response.json()
    assert (body["extension"], body["reason_code"]) == ("202", "backup")


def test_a_call_in_progress_counts_even_when_the_advisor_says_available(office, pbx):
    # given Marie answered a call (the PBX said so) and then set herself available
    pbx.send("call.ringing", call_id="call-a", advisor="201")
    pbx.send("call.answered", call_id="call-a", advisor="201", queue_wait_seconds=3)
    presence_set(advisor=office.marie, status="available")

    # when her customer calls again
    during = pbx.route(urlencode({"from": CALLER})).json()
    pbx.send("call.ended", call_id="call-a", advisor="201", duration_seconds=60)
    after = pbx.route(urlencode({"from": CALLER})).json()

    # then her one line is taken until the call ends
    assert (during["extension"], during["reason_code"]) == ("202", "backup")
    assert "capacit" in during["reason"].lower()  # the site speaks French
    assert (after["extension"], after["reason_code"]) == ("201", "dedicated_advisor")


def test_a_second_line_lets_the_advisor_take_a_second_call(office, pbx):
    # given Marie has two lines and is on one call
    capacity_set(advisor=office.marie, channel="phone", limit=2)
    pbx.send("call.answered", call_id="call-a", advisor="201", queue_wait_seconds=3)
    presence_set(advisor=office.marie, status="available")

    body = pbx.route(urlencode({"from": CALLER})).json()

    assert (body["extension"], body["reason_code"]) == ("201", "dedicated_advisor")


def test_the_backup_is_rung_when_the_advisor_is_absent(office, pbx, now):
    moment = now.advance(timedelta(0))
    Absence.objects.create(
        advisor=office.marie,
        starts_at=moment - timedelta(hours=1),
        ends_at=moment + timedelta(days=2),
    )

    body = pbx.route(urlencode({"from": CALLER})).json()

    assert (body["extension"], body["advisor_name"]) == ("202", "Léa Martin")
    assert "absent" in body["reason"].lower()


def test_an_unknown_caller_goes_to_the_queue(office, pbx):
    body = pbx.route(urlencode({"from": "+33698765432"})).json()

    assert body == {
        "number": "+33698765432",
        "customer_id": None,
        "advisor_id": None,
        "advisor_name": "",
        "extension": None,
        "reason_code": "unknown_caller",
        "reason": body["reason"],
    }


def test_an_advisor_without_extension_means_the_queue(office, pbx):
    people_advisor = office.marie
    people_advisor.extension = ""
    people_advisor.save(update_fields=["extension"])

    body = pbx.route(urlencode({"from": CALLER})).json()

    assert (body["advisor_id"], body["extension"]) == (office.marie.pk, None)


def test_a_plus_sent_unencoded_still_reads_as_e164(office, pbx):
    body = pbx.route(f"from={CALLER}").json()

    assert body["extension"] == "201"


def test_the_route_needs_the_signature(office, pbx):
    unsigned = pbx.route(urlencode({"from": CALLER}), signed=False)
    # A signature over another query string does not open this one.
    other = pbx.client.get(
        "/api/v1/channels/phone/route?" + urlencode({"from": CALLER}),
        headers=pbx.headers(b"from=%2B33100000000"),
    )

    assert (unsigned.status_code, unsigned.json()["code"]) == (401, "phone_signature_missing")
    assert (other.status_code, other.json()["code"]) == (401, "phone_signature_invalid")
    assert not RoutingDecision.objects.exists()


@pytest.mark.parametrize("query", ["from=hello", "from=", "to=%2B33612345678"])
def test_a_bad_number_is_a_4xx(office, pbx, query):
    response = pbx.route(query)

    assert response.status_code == 422
    assert response.json()["code"] in {"phone_event_invalid", "invalid_input"}


def test_the_route_runs_a_handful_of_indexed_queries(office, pbx, django_assert_num_queries):
    # identity lookup, advisor states (one aggregate), the decision in one INSERT
    with django_assert_num_queries(3):
        response = pbx.route(urlencode({"from": CALLER}))

    assert response.status_code == 200


def test_the_decision_the_pbx_followed_is_shown_on_the_call(office, pbx):
    pbx.route(urlencode({"from": CALLER}))

    pbx.send("call.ringing", advisor="201")

    interaction = Interaction.objects.get(channel="phone")
    assert interaction.metadata["routing"]["code"] == "dedicated_advisor"


# --- POST /api/v1/calls/{id}/note -----------------------------------------------------


@pytest.fixture
def ended_call(office, pbx) -> PhoneCall:
    pbx.send("call.answered", advisor="201", queue_wait_seconds=5)
    pbx.send("call.ended", advisor="201", duration_seconds=300)
    return PhoneCall.objects.get(call_id="call-1")


def test_the_advisor_writes_a_note_after_the_call(office, ended_call, api_as):
    api = api_as(office.marie)

    response = api.post(
        f"/api/v1/calls/{ended_call.pk}/note", {"note": "Déménage le 3 mai, nouveau compteur."}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["note"] == "Déménage le 3 mai, nouveau compteur."
    assert body["note_by"] == {"id": office.marie.pk, "display_name": "Marie Dupont"}
    assert (body["outcome"], body["queue_wait_seconds"], body["duration_seconds"]) == (
        "answered",
        5,
        300,
    )
    interaction = Interaction.objects.get(pk=ended_call.interaction_id)
    assert interaction.text.endswith("Déménage le 3 mai, nouveau compteur.")
    assert interaction.metadata["phone"]["note"] == "Déménage le 3 mai, nouveau compteur."
    assert api.get(f"/api/v1/calls/{ended_call.pk}").json()["note"] == body["note"]


def test_an_empty_note_is_refused(office, ended_call, api_as):
    response = api_as(office.marie).post(f"/api/v1/calls/{ended_call.pk}/note", {"note": "  "})

    assert response.status_code == 422
    assert response.json()["code"] == "call_note_empty"


def test_an_advisor_of_another_team_cannot_see_the_call(ended_call, outsider, api_as):
    api = api_as(outsider)

    assert api.get(f"/api/v1/calls/{ended_call.pk}").status_code == 404
    response = api.post(f"/api/v1/calls/{ended_call.pk}/note", {"note": "Vu."})
    assert response.status_code == 404
    ended_call.refresh_from_db()
    assert ended_call.note == ""


def test_advisor_extensions_are_unique(office):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        people.advisor_create(username="copy", password=None, display_name="Copie", extension="201")


def test_openapi_documents_the_phone_endpoints(client, db):
    schema = client.get("/api/openapi.json").json()

    event = schema["paths"]["/api/v1/channels/phone/events"]["post"]
    body = event["requestBody"]["content"]["application/json"]["schema"]
    assert {"id", "type", "call_id", "from"} <= set(body["properties"])
    assert "/api/v1/channels/phone/route" in schema["paths"]
    assert "/api/v1/calls/{call_id}/note" in schema["paths"]


def test_the_route_is_rate_limited(office, pbx, settings):
    settings.SUIVI_PHONE_RATE_LIMIT = 1
    pbx.route(urlencode({"from": CALLER}))

    response = pbx.route(urlencode({"from": CALLER}))

    assert (response.status_code, response.json()["code"]) == (429, "rate_limited")
    assert RoutingDecision.objects.count() == 1
