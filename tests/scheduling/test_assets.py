import pytest

from suivi.core.pagination import keyset_page  # noqa: F401
from suivi.customers import services as customer_services
from suivi.scheduling import assets
from suivi.scheduling.assets import AssetOfAnotherCustomer
from suivi.scheduling.models import Asset, AssetLink
from tests import builders


def test_interactions_on_a_linked_case_join_the_service_record(clock_hand, customer, advisor):
    # given a laptop linked to a case
    laptop = assets.asset_create(customer=customer, model="MacBook Air", serial_number="C02 XK1")
    case = builders.case(customer=customer, subject="Ne démarre plus")
    assets.asset_link(asset=laptop, case=case)

    # when the customer writes and the advisor answers on that case
    builders.inbound(case, text="Toujours noir")
    clock_hand.advance(__import__("datetime").timedelta(minutes=5))
    builders.answer(case, advisor, text="Apportez-le en boutique")

    # then the record holds the case and both messages, newest first
    page = assets.service_record_page(asset=laptop)
    assert [line.kind for line in page.items] == ["interaction", "interaction", "case"]
    assert page.items[0].interaction.text == "Apportez-le en boutique"


def test_service_record_is_paginated_by_keyset(clock_hand, customer, advisor):
    laptop = assets.asset_create(customer=customer, model="MacBook Air")
    case = builders.case(customer=customer)
    assets.asset_link(asset=laptop, case=case)
    for i in range(5):
        clock_hand.advance(__import__("datetime").timedelta(minutes=1))
        builders.inbound(case, text=f"m{i}")
    first = assets.service_record_page(asset=laptop, limit=4)
    second = assets.service_record_page(asset=laptop, cursor=first.next_cursor, limit=4)
    assert len(first.items) == 4 and len(second.items) == 2 and second.next_cursor is None
    assert not {line.pk for line in first.items} & {line.pk for line in second.items}


def test_search_by_serial_ignores_spaces_and_case(clock_hand, customer):
    assets.asset_create(customer=customer, model="iPhone", serial_number="F2L XK1 9")
    assets.asset_create(customer=customer, model="iPad", serial_number="ZZZ")
    found = assets.assets_search(queryset=Asset.objects.all(), serial="f2lxk")
    assert [a.model for a in found] == ["iPhone"]


def test_linking_another_customers_case_is_refused(clock_hand, customer):
    laptop = assets.asset_create(customer=customer, model="MacBook")
    with pytest.raises(AssetOfAnotherCustomer):
        assets.asset_link(asset=laptop, case=builders.case(customer=builders.customer()))


def test_linking_twice_is_a_no_op(clock_hand, customer):
    laptop = assets.asset_create(customer=customer, model="MacBook")
    case = builders.case(customer=customer)
    assets.asset_link(asset=laptop, case=case)
    assets.asset_link(asset=laptop, case=case)
    assert AssetLink.objects.filter(asset=laptop).count() == 1


def test_assets_and_appointments_move_with_the_customer_on_merge(
    clock_hand, customer, advisor, shop, repair, technician
):
    from suivi.scheduling import services

    from .conftest import at

    duplicate = builders.customer(
        given_name="Hélène", family_name="Durand", email="h.durand@example.org"
    )
    laptop = assets.asset_create(customer=duplicate, model="MacBook")
    appointment = services.appointment_book(
        customer=duplicate, location=shop, appointment_type=repair, starts_at=at(3, 10)
    )

    customer_services.customers_merge(keep=customer, duplicate=duplicate, by=advisor)

    laptop.refresh_from_db()
    appointment.refresh_from_db()
    assert laptop.customer_id == customer.pk and appointment.customer_id == customer.pk


def test_scheduling_demo_loads_once(db, team):
    from suivi.scheduling.demo import load_scheduling_demo
    from suivi.scheduling.models import Appointment, Location

    for _ in range(3):
        builders.advisor(team=team)
        builders.customer(team=team)
    summary = load_scheduling_demo(seed=1)
    assert summary["locations"] == 2 and Location.objects.count() == 2
    assert Asset.objects.count() == summary["assets"] > 0
    assert Appointment.objects.count() == summary["appointments"]
    assert load_scheduling_demo(seed=1) == {}
