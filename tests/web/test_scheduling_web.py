import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils.http import urlencode

from suivi.core.clock import frozen_at
from suivi.customers.models import Customer
from suivi.scheduling import links, reception, services
from suivi.scheduling.assets import asset_create, asset_link
from suivi.scheduling.models import Appointment, Visit
from tests import builders
from tests.scheduling.conftest import MONDAY_8, at, make_advisor, make_location, make_type, schedule


def details_url(place, when):
    query = urlencode(
        {"location": place["shop"].pk, "type": place["repair"].pk, "start": when.isoformat()}
    )
    return f"/book/details/?{query}"


@pytest.fixture
def place(team):
    with frozen_at(MONDAY_8) as hand:
        shop = make_location()
        repair = make_type()
        technician = make_advisor(team=team, name="Inès Technicienne")
        schedule(technician, shop)
        yield {"shop": shop, "repair": repair, "technician": technician, "hand": hand}


def test_public_booking_flow_without_an_account(place, django_capture_on_commit_callbacks):
    client = Client(enforce_csrf_checks=True)
    shop, repair = place["shop"], place["repair"]
    start = client.get("/book/")
    assert start.status_code == 200 and "Boutique Paris Opéra" in start.content.decode()
    assert '<html lang="fr">' in start.content.decode()
    slots = client.get("/book/slots/", {"location": shop.pk, "type": repair.pk}).content.decode()
    assert "Inès" not in slots  # no advisor data on public pages
    details_url = (
        f"/book/details/?location={shop.pk}&type={repair.pk}&start={at(3, 10).isoformat()}"
    )
    form = client.get(details_url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.content.decode()).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            details_url,
            {
                "csrfmiddlewaretoken": token,
                "given_name": "Paul",
                "family_name": "Martin",
                "email": "paul@example.org",
            },
        )
    assert response.status_code == 302
    manage = client.get(response["Location"]).content.decode()
    assert "<svg" in manage and "Inès" not in manage
    assert Appointment.objects.get().customer.full_name == "Paul Martin"
    assert len(mail.outbox) == 1


def test_public_booking_refuses_without_csrf(place):
    client = Client(enforce_csrf_checks=True)
    url = details_url(place, at(3, 10))
    assert (
        client.post(
            url, {"given_name": "P", "family_name": "M", "email": "p@example.org"}
        ).status_code
        == 403
    )


def test_taken_slot_shows_409_with_other_times(place):
    services.appointment_book(
        customer=builders.customer(),
        location=place["shop"],
        appointment_type=place["repair"],
        starts_at=at(3, 10),
    )
    url = details_url(place, at(3, 10))
    response = Client().post(url, {"given_name": "P", "family_name": "M", "email": "p@example.org"})
    assert response.status_code == 409
    assert 'id="slot-taken"' in response.content.decode() and "10:30" in response.content.decode()


def test_public_pages_are_rate_limited(place, settings):
    settings.SUIVI_BOOKING_RATE_LIMIT = 3
    from django.core.cache import cache

    cache.clear()
    client = Client(REMOTE_ADDR="203.0.113.7")
    codes = [client.get("/book/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert Client(REMOTE_ADDR="203.0.113.8").get("/book/").status_code == 200
    cache.clear()


def test_tampered_manage_link_is_404(place):
    appointment = services.appointment_book(
        customer=builders.customer(),
        location=place["shop"],
        appointment_type=place["repair"],
        starts_at=at(3, 10),
    )
    path = links.manage_path(appointment)
    assert Client().get(path).status_code == 200
    assert Client().get(path.replace(":", ":x", 1)).status_code == 404


def test_cancel_and_move_from_the_signed_link(place):
    appointment = services.appointment_book(
        customer=builders.customer(),
        location=place["shop"],
        appointment_type=place["repair"],
        starts_at=at(3, 10),
    )
    token = links.sign(appointment.pk, links.MANAGE)
    client = Client()
    assert (
        client.post(f"/book/manage/{token}/move/", {"start": at(3, 11).isoformat()}).status_code
        == 302
    )
    appointment.refresh_from_db()
    assert appointment.starts_at == at(3, 11)
    assert client.post(f"/book/manage/{token}/cancel/").status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"


def test_check_in_link_then_waiting_page(place):
    appointment = services.appointment_book(
        customer=builders.customer(given_name="Zoé"),
        location=place["shop"],
        appointment_type=place["repair"],
        starts_at=at(3, 10),
    )
    place["hand"].advance(timedelta(hours=1, minutes=30))
    client = Client()
    path = links.check_in_path(appointment)
    assert client.get(path).status_code == 200
    assert Visit.objects.count() == 0  # a GET never checks in
    response = client.post(path)
    assert response.status_code == 302
    waiting = client.get(response["Location"]).content.decode()
    assert "1" in waiting and 'hx-trigger="every 5s"' in waiting


def test_reception_walk_in_queue_and_visit(place, web_as):
    technician = place["technician"]
    client = web_as(technician)
    shop = place["shop"]
    place["hand"].advance(timedelta(hours=2))
    assert (
        client.post(
            f"/locations/{shop.pk}/reception/walk-in/", {"name": "Marc Passant", "reason": "Écran"}
        ).status_code
        == 302
    )
    page = client.get(f"/locations/{shop.pk}/queue/").content.decode()
    assert "Marc Passant" in page and "hx-get" in page
    partial = client.get(f"/locations/{shop.pk}/queue/", HTTP_HX_REQUEST="true").content.decode()
    assert "Marc Passant" in partial and "<html" not in partial
    called = client.post(f"/locations/{shop.pk}/queue/next/")
    assert called.status_code == 302
    visit_url = called["Location"]
    recorded = client.post(visit_url, {"notes": "Écran remplacé"})
    assert recorded.status_code == 302
    assert Customer.objects.get(family_name="Passant").interactions.get().channel == "visit"


def test_reception_checks_in_a_booked_customer(place, web_as):
    customer = builders.customer(given_name="Ana", team=place["technician"].team)
    appointment = services.appointment_book(
        customer=customer,
        location=place["shop"],
        appointment_type=place["repair"],
        starts_at=at(3, 10),
    )
    place["hand"].advance(timedelta(hours=1, minutes=30))
    client = web_as(place["technician"])
    assert "Ana" in client.get(f"/locations/{place['shop'].pk}/reception/").content.decode()
    response = client.post(
        f"/locations/{place['shop'].pk}/reception/appointments/{appointment.pk}/check-in/"
    )
    assert response.status_code == 302
    assert (
        reception.waiting_list(location=place["shop"]).entries[0].visit.appointment_id
        == appointment.pk
    )


def test_advisor_books_for_a_customer(place, web_as, django_capture_on_commit_callbacks):
    customer = builders.customer(team=place["technician"].team)
    client = web_as(place["technician"])
    query = f"location={place['shop'].pk}&appointment_type={place['repair'].pk}"
    url = f"/customers/{customer.pk}/appointments/new/?{query}"
    assert "09:00" in client.get(url).content.decode()
    response = client.post(url, {"start": at(3, 9).isoformat()})
    assert response.status_code == 302
    assert Appointment.objects.get(customer=customer).booked_by == place["technician"]


def test_asset_search_by_serial_and_service_record_page(place, web_as):
    customer = builders.customer(team=place["technician"].team)
    asset = asset_create(customer=customer, model="iPhone 13", serial_number="F2LXK1")
    case = builders.case(customer=customer, subject="Écran noir")
    asset_link(asset=asset, case=case)
    client = web_as(place["technician"])
    found = client.get("/assets/", {"serial": "f2l"}).content.decode()
    assert f"/assets/{asset.pk}/" in found
    page = client.get(f"/assets/{asset.pk}/").content.decode()
    assert "Écran noir" in page
    assert (
        client.post(
            f"/customers/{customer.pk}/assets/new/",
            {"kind": "device", "model": "iPad", "serial_number": "x1"},
        ).status_code
        == 302
    )


def test_outsider_cannot_see_the_asset(place, web_as, outsider):
    asset = asset_create(customer=builders.customer(team=place["technician"].team), model="iPhone")
    assert web_as(outsider).get(f"/assets/{asset.pk}/").status_code == 404
