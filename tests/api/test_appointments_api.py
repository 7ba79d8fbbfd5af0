from datetime import timedelta

import pytest

from suivi.core.clock import frozen_at
from suivi.scheduling import services
from tests import builders
from tests.scheduling.conftest import MONDAY_8, at, make_advisor, make_location, make_type, schedule


@pytest.fixture
def setup(team):
    with frozen_at(MONDAY_8) as hand:
        shop = make_location(
            opening_hours={"mon": [["09:00", "10:00"]], "tue": [["09:00", "10:00"]]}
        )
        repair = make_type()
        technician = make_advisor(team=team)
        schedule(technician, shop)
        customer = builders.customer(team=team)
        yield {
            "shop": shop,
            "repair": repair,
            "customer": customer,
            "hand": hand,
            "technician": technician,
        }


def test_slots_query(api, setup):
    response = api.get(
        "/api/v1/appointments/slots",
        location_id=setup["shop"].pk,
        type_id=setup["repair"].pk,
        days=1,
    )
    assert response.status_code == 200
    assert [s["starts_at"][:16] for s in response.json()] == [
        "2030-06-03T09:00",
        "2030-06-03T09:30",
    ]


def test_book_then_the_same_slot_answers_409_with_alternatives(api, setup):
    body = {
        "customer_id": setup["customer"].pk,
        "location_id": setup["shop"].pk,
        "type_id": setup["repair"].pk,
        "starts_at": at(3, 9).isoformat(),
    }
    first = api.post("/api/v1/appointments", body)
    assert first.status_code == 201, first.content
    assert first.json()["source"] == "api"

    second = api.post(
        "/api/v1/appointments",
        {**body, "customer_id": builders.customer(team=setup["customer"].team).pk},
    )

    assert second.status_code == 409
    payload = second.json()
    assert payload["code"] == "slot_taken" and payload["message"]
    assert [s["starts_at"][:16] for s in payload["alternatives"]][:2] == [
        "2030-06-03T09:30",
        "2030-06-04T09:00",
    ]


def test_book_a_time_never_offered_is_422(api, setup):
    body = {
        "customer_id": setup["customer"].pk,
        "location_id": setup["shop"].pk,
        "type_id": setup["repair"].pk,
        "starts_at": at(3, 11).isoformat(),
    }
    response = api.post("/api/v1/appointments", body)
    assert response.status_code == 422 and response.json()["code"] == "slot_not_offered"
    bad = api.post("/api/v1/appointments", {**body, "starts_at": "tomorrow"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_input"


def test_booking_for_an_invisible_customer_is_404(api_as, outsider, setup):
    body = {
        "customer_id": setup["customer"].pk,
        "location_id": setup["shop"].pk,
        "type_id": setup["repair"].pk,
        "starts_at": at(3, 9).isoformat(),
    }
    assert api_as(outsider).post("/api/v1/appointments", body).status_code == 404


def test_move_cancel_check_in_and_waiting_list(api, setup):
    appointment = services.appointment_book(
        customer=setup["customer"],
        location=setup["shop"],
        appointment_type=setup["repair"],
        starts_at=at(3, 9),
    )
    moved = api.post(
        f"/api/v1/appointments/{appointment.pk}/move", {"starts_at": at(3, 9, 30).isoformat()}
    )
    assert moved.status_code == 200 and moved.json()["starts_at"].startswith("2030-06-03T09:30")

    setup["hand"].advance(timedelta(minutes=45))
    checked = api.post(f"/api/v1/appointments/{appointment.pk}/check-in")
    assert checked.status_code == 201 and checked.json()["status"] == "waiting"
    again = api.post(f"/api/v1/appointments/{appointment.pk}/check-in")
    assert again.status_code == 409 and again.json()["code"] == "already_checked_in"
    walk_in = api.post(
        f"/api/v1/appointments/locations/{setup['shop'].pk}/walk-ins", {"name": "Passant"}
    )
    assert walk_in.status_code == 201

    waiting = api.get(f"/api/v1/appointments/locations/{setup['shop'].pk}/waiting-list").json()
    assert [e["visit"]["name"] for e in waiting["entries"]] == ["Passant", "Hélène D."] or len(
        waiting["entries"]
    ) == 2
    assert [e["place"] for e in waiting["entries"]] == [1, 2]

    other = services.appointment_book(
        customer=setup["customer"],
        location=setup["shop"],
        appointment_type=setup["repair"],
        starts_at=at(4, 9),
    )
    cancelled = api.post(f"/api/v1/appointments/{other.pk}/cancel", {"reason": "Malade"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert (
        api.post(f"/api/v1/appointments/{other.pk}/cancel", {}).json()["code"]
        == "appointment_not_changeable"
    )


def test_assets_crud_search_and_service_record(api, setup):
    customer = setup["customer"]
    created = api.post(
        "/api/v1/assets",
        {"customer_id": customer.pk, "model": "iPhone 13", "serial_number": "f2l xk1"},
    )
    assert created.status_code == 201 and created.json()["serial_number"] == "F2LXK1"
    asset_id = created.json()["id"]
    assert api.patch(f"/api/v1/assets/{asset_id}", {"notes": "Rayure"}).json()["notes"] == "Rayure"
    assert [a["id"] for a in api.get("/api/v1/assets", serial="F2L").json()["items"]] == [asset_id]

    case = builders.case(customer=customer, subject="Écran cassé")
    assert api.post(f"/api/v1/assets/{asset_id}/links", {"case_id": case.pk}).status_code == 201
    builders.inbound(case, text="Toujours cassé")

    record = api.get(f"/api/v1/assets/{asset_id}/record").json()
    assert [line["kind"] for line in record["items"]] == ["interaction", "case"]
    assert record["items"][1]["title"] == "Écran cassé"
    missing = api.post("/api/v1/assets", {"customer_id": customer.pk, "model": " "})
    assert missing.status_code == 422 and missing.json()["code"] == "model_required"
