import re
import threading
from datetime import timedelta

import icalendar
import pytest
from django.core import mail
from django.db import connection

from suivi.core.clock import frozen_at
from suivi.customers.models import Customer
from suivi.scheduling import links, services
from suivi.scheduling.errors import (
    AppointmentNotChangeable,
    ContactRequired,
    InvalidLink,
    SlotNotOffered,
    SlotTaken,
)
from suivi.scheduling.models import Appointment
from suivi.scheduling.services import ContactDetails
from tests import builders

from .conftest import MONDAY_8, at, make_advisor, make_location, make_type, schedule


def book(customer, shop, repair, when, **kwargs):
    return services.appointment_book(
        customer=customer, location=shop, appointment_type=repair, starts_at=when, **kwargs
    )


def test_booking_takes_the_slot_with_a_qualified_advisor(
    clock_hand, shop, repair, technician, customer
):
    appointment = book(customer, shop, repair, at(3, 10))
    assert appointment.advisor_id == technician.pk
    assert appointment.ends_at == at(3, 10, 30)
    assert appointment.status == Appointment.Status.BOOKED


def test_booking_the_same_slot_twice_is_refused_with_alternatives(
    clock_hand, shop, repair, technician, customer
):
    book(customer, shop, repair, at(3, 10))
    with pytest.raises(SlotTaken) as refused:
        book(builders.customer(), shop, repair, at(3, 10))
    assert refused.value.code == "slot_taken"
    assert refused.value.alternatives
    assert at(3, 10) not in [s.starts_at for s in refused.value.alternatives]


def test_second_advisor_takes_the_second_booking(
    clock_hand, shop, repair, technician, customer, team
):
    other = make_advisor(team=team)
    schedule(other, shop)
    first = book(customer, shop, repair, at(3, 10))
    second = book(builders.customer(), shop, repair, at(3, 10))
    assert {first.advisor_id, second.advisor_id} == {technician.pk, other.pk}


def test_dedicated_advisor_is_preferred(clock_hand, shop, repair, technician, team):
    mine = make_advisor(team=team)
    schedule(mine, shop)
    customer = builders.customer(advisor=mine)
    assert book(customer, shop, repair, at(3, 10)).advisor_id == mine.pk


def test_a_time_never_offered_is_refused(clock_hand, shop, repair, technician, customer):
    with pytest.raises(SlotNotOffered):
        book(customer, shop, repair, at(3, 12, 30))  # lunch
    with pytest.raises(SlotNotOffered):
        book(customer, shop, repair, at(3, 10, 10))  # not on the grid


def test_a_past_time_is_refused(clock_hand, shop, repair, technician, customer):
    clock_hand.advance(timedelta(hours=3))
    with pytest.raises(SlotNotOffered):
        book(customer, shop, repair, at(3, 10))


def test_move_keeps_the_advisor_and_frees_the_old_time(
    clock_hand, shop, repair, technician, customer, django_capture_on_commit_callbacks
):
    appointment = book(customer, shop, repair, at(3, 10))
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_move(appointment=appointment, starts_at=at(4, 15))
    appointment.refresh_from_db()
    assert appointment.starts_at == at(4, 15)
    assert appointment.advisor_id == technician.pk
    # the old time can be booked again
    assert book(builders.customer(), shop, repair, at(3, 10)).pk
    assert "a changé" in mail.outbox[-1].subject or "moved" in mail.outbox[-1].subject


def test_move_to_a_taken_time_is_refused(clock_hand, shop, repair, technician, customer):
    appointment = book(customer, shop, repair, at(3, 10))
    book(builders.customer(), shop, repair, at(3, 11))
    with pytest.raises(SlotTaken):
        services.appointment_move(appointment=appointment, starts_at=at(3, 11))


def test_move_to_an_overlapping_time_of_itself_works(
    clock_hand, shop, repair, technician, customer
):
    long = make_type(code="long", minutes=60)
    appointment = book(customer, shop, long, at(3, 10))
    services.appointment_move(appointment=appointment, starts_at=at(3, 10, 30))
    appointment.refresh_from_db()
    assert appointment.starts_at == at(3, 10, 30)


def test_cancel_frees_the_slot_and_cannot_be_changed_after(
    clock_hand, shop, repair, technician, customer
):
    appointment = book(customer, shop, repair, at(3, 10))
    services.appointment_cancel(appointment=appointment, reason="Empêchée")
    assert Appointment.objects.get(pk=appointment.pk).status == "cancelled"
    assert book(builders.customer(), shop, repair, at(3, 10)).pk
    with pytest.raises(AppointmentNotChangeable):
        services.appointment_move(appointment=appointment, starts_at=at(3, 11))
    with pytest.raises(AppointmentNotChangeable):
        services.appointment_cancel(appointment=appointment)


def test_online_booking_recognises_the_customer_by_email(
    clock_hand, shop, repair, technician, customer
):
    appointment = services.appointment_book_online(
        location=shop,
        appointment_type=repair,
        starts_at=at(3, 10),
        contact=ContactDetails("H", "D", email="HELENE@example.org"),
    )
    assert appointment.customer_id == customer.pk
    assert appointment.source == "online"


def test_online_booking_creates_an_unknown_customer_seen_by_the_advisors_team(
    clock_hand, shop, repair, technician
):
    appointment = services.appointment_book_online(
        location=shop,
        appointment_type=repair,
        starts_at=at(3, 10),
        contact=ContactDetails("Paul", "Martin", phone="06 11 22 33 44", language="en"),
    )
    customer = Customer.objects.get(pk=appointment.customer_id)
    assert customer.full_name == "Paul Martin"
    assert customer.language == "en"
    assert customer.team_id == technician.team_id
    assert customer.identities.get().value == "+33611223344"


def test_online_booking_needs_a_way_to_reach_the_customer(clock_hand, shop, repair, technician):
    with pytest.raises(ContactRequired):
        services.appointment_book_online(
            location=shop,
            appointment_type=repair,
            starts_at=at(3, 10),
            contact=ContactDetails("A", "B"),
        )


def test_a_lost_online_booking_keeps_no_new_customer(
    clock_hand, shop, repair, technician, customer
):
    book(customer, shop, repair, at(3, 10))
    before = Customer.objects.count()
    with pytest.raises(SlotTaken):
        services.appointment_book_online(
            location=shop,
            appointment_type=repair,
            starts_at=at(3, 10),
            contact=ContactDetails("Late", "Comer", email="late@example.org"),
        )
    assert Customer.objects.count() == before


def test_confirmation_email_in_the_customers_language_with_ics_and_qr(
    clock_hand, shop, repair, technician, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = services.appointment_book_online(
            location=shop,
            appointment_type=repair,
            starts_at=at(3, 10),
            contact=ContactDetails("Paul", "Martin", email="paul@example.org", language="en"),
        )
    (message,) = mail.outbox
    assert message.to == ["paul@example.org"]
    assert "confirmed" in message.subject and "Repair" in message.subject
    # The links are signed with the time of sending: read them back rather than re-sign.
    manage = re.search(r"/book/manage/([^/\s]+)/", message.body)
    check_in = re.search(r"/book/checkin/([^/\s]+)/", message.body)
    assert manage and links.appointment_from_token(manage[1], links.MANAGE) == appointment
    assert check_in and links.appointment_from_token(check_in[1], links.CHECK_IN) == appointment
    names = {name: (content, mime) for name, content, mime in message.attachments}
    assert names["check-in.png"][1] == "image/png"
    calendar = icalendar.Calendar.from_ical(names["invitation.ics"][0])
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == at(3, 10)
    assert event.decoded("dtend") == at(3, 10, 30)
    assert "Boutique Paris Opéra" in str(event["summary"])
    assert str(calendar["method"]) == "REQUEST"


def test_french_customer_gets_french_email(
    clock_hand, shop, repair, technician, customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        book(customer, shop, repair, at(3, 10), contact_email="helene@example.org")
    assert "lundi 3 juin 2030" in mail.outbox[0].body


def test_signed_links_refuse_tampering(clock_hand, shop, repair, technician, customer):
    appointment = book(customer, shop, repair, at(3, 10))
    token = links.sign(appointment.pk, links.MANAGE)
    assert links.appointment_from_token(token, links.MANAGE) == appointment
    with pytest.raises(InvalidLink):
        links.appointment_from_token(token[:-1] + ("A" if token[-1] != "A" else "B"), links.MANAGE)
    forged = links.sign(appointment.pk + 1, "another-purpose")
    with pytest.raises(InvalidLink):
        links.appointment_from_token(forged, links.MANAGE)
    # a manage link is not a check-in link
    with pytest.raises(InvalidLink):
        links.appointment_from_token(token, links.CHECK_IN)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_the_last_free_slot_book_it_once():
    # given one advisor with one free slot left on the Monday morning
    with frozen_at(MONDAY_8):
        team = builders.team("Boutique")
        shop = make_location(opening_hours={"mon": [["09:00", "10:00"]]})
        repair = make_type()
        advisor = make_advisor(team=team)
        schedule(advisor, shop)
        book(builders.customer(), shop, repair, at(3, 9))
        customers = [builders.customer() for _ in range(6)]
    barrier = threading.Barrier(len(customers))
    outcomes: list[object] = []

    def attempt(customer):
        with frozen_at(MONDAY_8):
            try:
                barrier.wait()
                outcomes.append(book(customer, shop, repair, at(3, 9, 30)))
            except SlotTaken as error:
                outcomes.append(error)
            finally:
                connection.close()

    # when six customers ask for it at the same moment
    threads = [threading.Thread(target=attempt, args=(c,)) for c in customers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then one wins and the others are told it is taken
    won = [o for o in outcomes if isinstance(o, Appointment)]
    lost = [o for o in outcomes if isinstance(o, SlotTaken)]
    assert len(won) == 1 and len(lost) == 5
    assert Appointment.objects.filter(starts_at=at(3, 9, 30)).count() == 1


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_an_overlap_even_without_the_lock():
    from django.db import IntegrityError

    with frozen_at(MONDAY_8):
        shop, repair = make_location(), make_type()
        advisor = make_advisor(team=builders.team("B"))
        schedule(advisor, shop)
        first = book(builders.customer(), shop, repair, at(3, 10))
        with pytest.raises(IntegrityError):
            Appointment.objects.create(
                customer=first.customer,
                location=shop,
                appointment_type=repair,
                advisor=advisor,
                starts_at=at(3, 10, 15),
                ends_at=at(3, 10, 45),
                created_at=MONDAY_8,
                updated_at=MONDAY_8,
            )
