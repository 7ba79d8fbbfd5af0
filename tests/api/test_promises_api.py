from datetime import timedelta

import pytest

from suivi.core import clock
from suivi.promises.models import Promise
from suivi.promises.services import promise_cancel, promise_make

from .. import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(advisor, team):
    return builders.customer(advisor=advisor, team=team, given_name="Sophie")


def tomorrow() -> str:
    return (clock.now() + timedelta(days=1)).isoformat()


def make(customer, *, hours=24, **fields):
    return promise_make(
        customer=customer,
        what=fields.pop("what", "Rappel"),
        due_at=clock.now() + timedelta(hours=hours),
        **fields,
    )


def test_make_a_personal_promise(api, customer, advisor):
    case = builders.case(customer=customer)
    response = api.post(
        "/api/v1/promises",
        {
            "customer_id": customer.pk,
            "case_id": case.pk,
            "what": "Je vous rappelle demain avant midi",
            "due_at": tomorrow(),
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["status"], body["case_id"]) == ("personal", "open", case.pk)
    assert body["made_by"] == {"id": advisor.pk, "display_name": advisor.display_name}
    assert Promise.objects.filter(pk=body["id"], made_by=advisor).exists()


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"what": "x", "due_at": "PAST"}, "promise_due_in_past"),
        ({"what": "  ", "due_at": "TOMORROW"}, "promise_what_required"),
        ({"what": "x", "due_at": "TOMORROW", "kind": "miracle"}, "invalid_input"),
        ({"what": "x", "due_at": "2030-01-01T10:00:00"}, "invalid_input"),  # no time zone
        ({"what": "x", "due_at": "demain"}, "invalid_input"),
        ({"what": "x" * 501, "due_at": "TOMORROW"}, "invalid_input"),
        ({"due_at": "TOMORROW"}, "invalid_input"),
    ],
)
def test_make_with_bad_input(api, customer, payload, code):
    values = {"PAST": (clock.now() - timedelta(minutes=5)).isoformat(), "TOMORROW": tomorrow()}
    payload = {k: values.get(v, v) for k, v in payload.items()}
    response = api.post("/api/v1/promises", {"customer_id": customer.pk, **payload})
    assert response.status_code == 422
    assert response.json()["code"] == code


def test_a_case_of_another_customer_is_refused(api, customer, advisor):
    other = builders.customer(advisor=advisor)
    case = builders.case(customer=other)
    response = api.post(
        "/api/v1/promises",
        {"customer_id": customer.pk, "case_id": case.pk, "what": "x", "due_at": tomorrow()},
    )
    assert (response.status_code, response.json()["code"]) == (422, "promise_case_mismatch")


def test_an_invisible_customer_looks_absent(api_as, outsider, customer):
    response = api_as(outsider).post(
        "/api/v1/promises", {"customer_id": customer.pk, "what": "x", "due_at": tomorrow()}
    )
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_list_filters_and_pages(api, customer, advisor, colleague):
    soon = make(customer, hours=2, made_by=advisor)
    later = make(customer, hours=48, made_by=advisor)
    make(customer, hours=5, made_by=colleague)
    cancelled = make(customer, hours=3, made_by=advisor)
    promise_cancel(promise=cancelled, reason="annulé")
    # when: open promises of the advisor, soonest first, one per page
    first = api.get("/api/v1/promises", status="open", advisor=advisor.pk, limit=1).json()
    second = api.get(
        "/api/v1/promises", status="open", advisor=advisor.pk, limit=1, cursor=first["next_cursor"]
    ).json()
    # then
    assert [p["id"] for p in first["items"]] == [soon.pk]
    assert [p["id"] for p in second["items"]] == [later.pk]
    assert second["next_cursor"] is None
    due_before = (clock.now() + timedelta(hours=4)).isoformat()
    assert {
        p["id"] for p in api.get("/api/v1/promises", due_before=due_before).json()["items"]
    } == {
        soon.pk,
        cancelled.pk,
    }


def test_list_shows_only_promises_of_visible_customers(api_as, outsider, customer):
    make(customer)
    mine = make(builders.customer(advisor=outsider))
    body = api_as(outsider).get("/api/v1/promises").json()
    assert [p["id"] for p in body["items"]] == [mine.pk]


def test_list_with_bad_input(api):
    assert api.get("/api/v1/promises", status="late").json()["code"] == "invalid_input"
    assert api.get("/api/v1/promises", cursor="%%%").json()["code"] == "invalid_cursor"
    assert api.get("/api/v1/promises", due_before="soon").status_code == 422


def test_keep_with_the_interaction(api, customer, advisor):
    case = builders.case(customer=customer)
    promise = make(customer, case=case)
    call = builders.answer(case, advisor, channel="phone", text="Rappelé")
    response = api.post(f"/api/v1/promises/{promise.pk}/keep", {"interaction_id": call.pk})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["kept_by_interaction_id"]) == (
        "kept",
        call.pk,
    )


def test_keep_with_an_interaction_of_another_customer(api, customer, advisor):
    promise = make(customer)
    other_case = builders.case(customer=builders.customer(advisor=advisor))
    other = builders.answer(other_case, advisor)
    response = api.post(f"/api/v1/promises/{promise.pk}/keep", {"interaction_id": other.pk})
    assert (response.status_code, response.json()["code"]) == (422, "promise_interaction_mismatch")


def test_cancel_needs_a_reason_and_an_open_promise(api, customer):
    promise = make(customer)
    response = api.post(f"/api/v1/promises/{promise.pk}/cancel", {"reason": " "})
    assert (response.status_code, response.json()["code"]) == (
        422,
        "promise_cancel_reason_required",
    )
    response = api.post(f"/api/v1/promises/{promise.pk}/cancel", {"reason": "Plus utile"})
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    response = api.post(f"/api/v1/promises/{promise.pk}/keep", {})
    assert (response.status_code, response.json()["code"]) == (409, "promise_not_open")


def test_keep_and_cancel_of_an_invisible_promise_look_absent(api_as, outsider, customer):
    promise = make(customer)
    client = api_as(outsider)
    for path in ("keep", "cancel"):
        response = client.post(f"/api/v1/promises/{promise.pk}/{path}", {"reason": "x"})
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert client.get(f"/api/v1/promises/{promise.pk}").status_code == 404
    assert client.post("/api/v1/promises/99999999/keep", {}).status_code == 404


def test_unauthenticated(api_as):
    assert api_as(None).get("/api/v1/promises").status_code == 401


def test_openapi_documents_the_promise_endpoints(client):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/v1/promises", "/api/v1/promises/{promise_id}/keep"} <= set(schema["paths"])
    kinds = schema["components"]["schemas"]["PromiseIn"]["properties"]["kind"]
    assert "callback" in str(kinds)
