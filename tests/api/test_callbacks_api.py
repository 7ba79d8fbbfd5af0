"""/api/v1/callbacks over real HTTP: request, list, slots, attempts, cancel, errors."""

from datetime import datetime

import pytest

from suivi.core.clock import frozen_at
from suivi.promises.models import Promise
from suivi.scheduling import callbacks
from suivi.scheduling.models import Callback
from tests.scheduling.conftest import MONDAY_8, at

from .. import builders


@pytest.fixture(autouse=True)
def clock_hand():
    with frozen_at(MONDAY_8) as hand:  # Monday 3 June 2030, 8:00 Paris
        yield hand


@pytest.fixture
def customer(advisor, team):
    return builders.customer(advisor=advisor, team=team, given_name="Sophie", phone="+33612345678")


def when(text):
    return datetime.fromisoformat(text)


def request_one(customer, **fields):
    fields.setdefault("reason", "Question")
    return callbacks.callback_request(customer=customer, **fields)


def test_request_a_window_assigns_the_dedicated_advisor_and_promises(api, customer, advisor):
    response = api.post(
        "/api/v1/callbacks",
        {
            "customer_id": customer.pk,
            "reason": "Question sur ma facture",
            "phone": "06 11 22 33 44",
            "window_starts_at": at(4, 10).isoformat(),
            "window_ends_at": at(4, 10, 30).isoformat(),
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert body["assigned_to"] == {"id": advisor.pk, "display_name": advisor.display_name}
    assert (body["phone"], body["status"], body["source"], body["asap"]) == (
        "+33611223344",
        "requested",
        "api",
        False,
    )
    promise = Promise.objects.get(pk=body["promise_id"])
    assert (promise.kind, promise.due_at, promise.status) == ("callback", at(4, 10, 30), "open")


def test_asap_then_the_same_again_is_idempotent(api, customer):
    first = api.post("/api/v1/callbacks", {"customer_id": customer.pk, "reason": "x", "asap": True})
    again = api.post("/api/v1/callbacks", {"customer_id": customer.pk, "reason": "x", "asap": True})

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert when(first.json()["window_ends_at"]) == at(3, 13)  # 4 business hours from 9:00
    assert Callback.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"reason": "  "}, 422, "callback_reason_required"),
        ({"phone": "12"}, 422, "invalid_identity"),
        ({"window_starts_at": "2030-06-04T10:00:00+02:00"}, 422, "callback_window_incomplete"),
        (
            {
                "window_starts_at": "2030-06-04T11:00:00+02:00",
                "window_ends_at": "2030-06-04T10:00:00+02:00",
            },
            422,
            "invalid_window",
        ),
        (
            {
                "window_starts_at": "2030-06-01T10:00:00+02:00",
                "window_ends_at": "2030-06-01T11:00:00+02:00",
            },
            422,
            "callback_window_in_past",
        ),
        ({"window_starts_at": "demain"}, 422, "invalid_input"),
        (
            {
                "window_starts_at": "2030-06-04T10:00:00",
                "window_ends_at": "2030-06-04T11:00:00",
            },
            422,
            "invalid_window",
        ),
        (
            {
                "window_starts_at": "2030-06-04T10:00:00+02:00",
                "window_ends_at": "2030-06-14T10:00:00+02:00",
            },
            422,
            "callback_window_too_far",
        ),
        (
            {
                "window_starts_at": "9999-12-31T10:00:00+00:00",
                "window_ends_at": "9999-12-31T11:00:00+00:00",
            },
            422,
            "callback_window_too_far",
        ),
        ({"reason": "x" * 301}, 422, "invalid_input"),
        ({"source": "missed_call"}, 422, "invalid_input"),
        ({"customer_id": 999999}, 404, "not_found"),
        ({"case_id": 999999}, 404, "not_found"),
    ],
)
def test_bad_requests_have_stable_codes(api, customer, payload, status, code):
    body = {"customer_id": customer.pk, "reason": "Question", **payload}

    response = api.post("/api/v1/callbacks", body)

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Callback.objects.exists()


def test_an_offered_only_request_outside_the_slots_is_409_with_alternatives(api, customer, advisor):
    advisor.working_hours = {"tue": [["09:00", "12:00"]], "wed": [["09:00", "12:00"]]}
    advisor.save(update_fields=["working_hours"])

    response = api.post(
        "/api/v1/callbacks",
        {
            "customer_id": customer.pk,
            "reason": "x",
            "window_starts_at": at(4, 15).isoformat(),
            "window_ends_at": at(4, 15, 30).isoformat(),
            "offered_only": True,
        },
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "callback_slot_not_offered"
    # the next windows when someone who may call works: Wednesday morning
    assert [when(a["starts_at"]) for a in body["alternatives"]] == [
        at(5, 9),
        at(5, 9, 30),
        at(5, 10),
        at(5, 10, 30),
        at(5, 11),
    ]


def test_slots_are_offered_only_when_someone_who_may_call_works(api, customer, advisor):
    advisor.working_hours = {"mon": [["14:00", "15:00"]]}
    advisor.save(update_fields=["working_hours"])

    response = api.get("/api/v1/callbacks/slots", customer=customer.pk)

    assert response.status_code == 200
    assert [when(s["starts_at"]) for s in response.json()] == [at(3, 14), at(3, 14, 30)]


def test_slots_of_an_invisible_customer_are_404(api_as, outsider, customer):
    response = api_as(outsider).get("/api/v1/callbacks/slots", customer=customer.pk)

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_list_filters_and_pages_soonest_due_first(api, customer, advisor, colleague):
    late = request_one(customer, window_starts_at=at(5, 10), window_ends_at=at(5, 11))
    soon = request_one(customer, window_starts_at=at(4, 10), window_ends_at=at(4, 11))
    other = builders.customer(advisor=colleague, phone="+33699999999")
    theirs = request_one(other, window_starts_at=at(4, 9), window_ends_at=at(4, 9, 30))
    callbacks.callback_cancel(callback=late, reason="Plus besoin")

    first = api.get("/api/v1/callbacks", limit=1)
    second = api.get("/api/v1/callbacks", limit=1, cursor=first.json()["next_cursor"])
    mine = api.get("/api/v1/callbacks", advisor=advisor.pk, status="requested")
    of_customer = api.get("/api/v1/callbacks", customer=other.pk)

    assert [c["id"] for c in first.json()["items"]] == [theirs.pk]
    assert [c["id"] for c in second.json()["items"]] == [soon.pk]
    assert [c["id"] for c in mine.json()["items"]] == [soon.pk]
    assert [c["id"] for c in of_customer.json()["items"]] == [theirs.pk]
    assert api.get("/api/v1/callbacks", status="maybe").status_code == 422
    assert api.get("/api/v1/callbacks", cursor="nope").json()["code"] == "invalid_cursor"


def test_an_outsider_sees_no_callback_and_cannot_act(api_as, outsider, customer):
    callback = request_one(customer)
    client = api_as(outsider)

    assert client.get("/api/v1/callbacks").json()["items"] == []
    for path in (
        f"/api/v1/callbacks/{callback.pk}/attempts",
        f"/api/v1/callbacks/{callback.pk}/cancel",
    ):
        response = client.post(path, {"outcome": "reached", "reason": "x"})
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert client.get(f"/api/v1/callbacks/{callback.pk}").status_code == 404
    assert Callback.objects.get(pk=callback.pk).status == "requested"


def test_record_attempts_no_answer_then_reached(api, customer, advisor):
    callback = request_one(customer)

    missed = api.post(f"/api/v1/callbacks/{callback.pk}/attempts", {"outcome": "no_answer"})
    reached = api.post(
        f"/api/v1/callbacks/{callback.pk}/attempts",
        {"outcome": "reached", "note": "Tout est réglé"},
    )
    again = api.post(f"/api/v1/callbacks/{callback.pk}/attempts", {"outcome": "reached"})

    assert missed.status_code == 201
    assert missed.json()["callback"]["next_attempt_at"] is not None
    assert reached.status_code == 201
    body = reached.json()
    assert (body["outcome"], body["note"], body["callback"]["status"]) == (
        "reached",
        "Tout est réglé",
        "done",
    )
    assert body["callback"]["attempt_count"] == 2
    assert Promise.objects.get(pk=callback.promise_id).kept_by_id == body["interaction_id"]
    assert (again.status_code, again.json()["code"]) == (409, "callback_not_open")


def test_an_unknown_outcome_is_422(api, customer):
    callback = request_one(customer)

    response = api.post(f"/api/v1/callbacks/{callback.pk}/attempts", {"outcome": "maybe"})

    assert (response.status_code, response.json()["code"]) == (422, "invalid_input")


def test_cancel_withdraws_the_promise_and_twice_is_409(api, customer):
    callback = request_one(customer)

    response = api.post(f"/api/v1/callbacks/{callback.pk}/cancel", {"reason": "Plus besoin"})
    again = api.post(f"/api/v1/callbacks/{callback.pk}/cancel", {"reason": "x"})

    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    assert Promise.objects.get(pk=callback.promise_id).status == "cancelled"
    assert (again.status_code, again.json()["code"]) == (409, "callback_not_open")


def test_openapi_documents_the_callback_endpoints(client):
    schema = client.get("/api/openapi.json").json()

    assert {
        "/api/v1/callbacks",
        "/api/v1/callbacks/slots",
        "/api/v1/callbacks/{callback_id}/attempts",
        "/api/v1/callbacks/{callback_id}/cancel",
    } <= set(schema["paths"])
    assert "no_answer" in str(schema["components"]["schemas"]["AttemptIn"])


def test_slots_with_a_naive_or_far_start_are_a_clear_answer_not_a_500(api, customer):
    naive = api.get("/api/v1/callbacks/slots", customer=customer.pk, start="2030-06-04T10:00:00")
    far = api.get("/api/v1/callbacks/slots", customer=customer.pk, start="9999-12-31T10:00:00Z")

    assert (naive.status_code, naive.json()["code"]) == (422, "invalid_window")
    assert (far.status_code, far.json()) == (200, [])


def test_the_list_runs_the_same_queries_for_2_or_20_callbacks(api, customer, advisor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/callbacks").status_code == 200
        return len(queries)

    for i in range(2):
        request_one(builders.customer(advisor=advisor, phone=f"+336123456{i:02d}"))
    count()  # the first call of a token also records when it was last used
    few = count()
    for i in range(2, 20):
        request_one(builders.customer(advisor=advisor, phone=f"+336123456{i:02d}"))

    assert count() == few
