from datetime import timedelta

import pytest

from suivi.scheduling import reception, services
from suivi.scheduling.errors import AlreadyCheckedIn, CheckInClosed, NobodyWaiting
from suivi.scheduling.models import Appointment, Visit
from tests import builders

from .conftest import at, make_advisor, schedule


def book(customer, shop, repair, when):
    return services.appointment_book(
        customer=customer, location=shop, appointment_type=repair, starts_at=when
    )


def names(shop):
    return [entry.visit.name for entry in reception.waiting_list(location=shop).entries]


def test_check_in_opens_an_hour_before(clock_hand, shop, repair, technician, customer):
    appointment = book(customer, shop, repair, at(3, 10))
    with pytest.raises(CheckInClosed):
        reception.appointment_check_in(appointment=appointment)  # at 8:00
    clock_hand.advance(timedelta(hours=1, minutes=5))
    visit = reception.appointment_check_in(appointment=appointment)
    assert visit.status == Visit.Status.WAITING and visit.queue_at == at(3, 10)
    assert Appointment.objects.get(pk=appointment.pk).status == "checked_in"
    assert visit.name == "Hélène D."
    with pytest.raises(AlreadyCheckedIn):
        reception.appointment_check_in(appointment=appointment)


def test_waiting_list_order(clock_hand, shop, repair, technician, team):
    # given appointments at 10:00 and 10:30, and walk-ins at 9:55 and 10:05
    ten = book(builders.customer(given_name="Dix"), shop, repair, at(3, 10))
    half = book(builders.customer(given_name="Demie"), shop, repair, at(3, 10, 30))
    clock_hand.advance(timedelta(hours=1, minutes=30))  # 9:30: both early
    reception.appointment_check_in(appointment=half)
    reception.appointment_check_in(appointment=ten)
    clock_hand.advance(timedelta(minutes=25))  # 9:55
    reception.walk_in_add(location=shop, name="Avant", reason="Écran")
    clock_hand.advance(timedelta(minutes=10))  # 10:05
    reception.walk_in_add(location=shop, name="Après", reason="Batterie")

    # then: the walk-in who came before 10:00, the 10:00 appointment, the walk-in of
    # 10:05, then the 10:30 appointment (checked in first, but queues from 10:30)
    assert names(shop) == ["Avant", "Dix D.", "Après", "Demie D."]


def test_a_late_customer_queues_from_arrival(clock_hand, shop, repair, technician):
    late = book(builders.customer(given_name="Tard"), shop, repair, at(3, 10))
    clock_hand.advance(timedelta(hours=2, minutes=5))  # 10:05
    reception.walk_in_add(location=shop, name="Passant")
    clock_hand.advance(timedelta(minutes=15))  # 10:20, 20 minutes late
    reception.appointment_check_in(appointment=late)
    assert names(shop) == ["Passant", "Tard D."]


def test_same_queue_time_goes_by_arrival(clock_hand, shop, repair, technician):
    clock_hand.advance(timedelta(hours=2))
    reception.walk_in_add(location=shop, name="Un")
    reception.walk_in_add(location=shop, name="Deux")
    assert names(shop) == ["Un", "Deux"]


def test_wait_estimate_uses_recent_visits_and_appointment_times(
    clock_hand, shop, repair, technician
):
    clock_hand.advance(timedelta(hours=2))  # 10:00
    # given visits here took 10 minutes lately
    for _ in range(2):
        visit = reception.walk_in_add(location=shop, name="Ancien")
        reception.visit_call(visit=visit, advisor=technician)
        Visit.objects.filter(pk=visit.pk).update(
            status="done", called_at=at(3, 9), finished_at=at(3, 9, 10)
        )
    first = reception.walk_in_add(location=shop, name="Premier")
    second = reception.walk_in_add(location=shop, name="Second")
    later = book(builders.customer(given_name="Tard"), shop, repair, at(3, 11, 30))
    clock_hand.advance(timedelta(minutes=30))  # 10:30
    reception.appointment_check_in(appointment=later)

    waiting = reception.waiting_list(location=shop)

    # then two people ahead would take 20 minutes, but the appointment is in an hour
    assert waiting.average_visit_minutes == 10 and waiting.advisors_on_duty == 1
    assert [e.wait_minutes for e in waiting.entries] == [0, 10, 60]
    assert reception.waiting_entry(visit=second).place == 2
    assert reception.waiting_entry(visit=first).wait_minutes == 0


def test_call_next_takes_walk_ins_and_own_appointments(clock_hand, shop, repair, technician, team):
    colleague = make_advisor(team=team)
    schedule(colleague, shop)
    theirs = services.appointment_book(
        customer=builders.customer(given_name="Autre"),
        location=shop,
        appointment_type=repair,
        starts_at=at(3, 10),
        advisor=colleague,
    )
    clock_hand.advance(timedelta(hours=2))
    reception.appointment_check_in(appointment=theirs)
    walk_in = reception.walk_in_add(location=shop, name="Passant")

    called = reception.visit_call_next(location=shop, advisor=technician)

    assert called.pk == walk_in.pk and called.status == "called" and called.called_by == technician
    with pytest.raises(NobodyWaiting):
        reception.visit_call_next(location=shop, advisor=technician)
    assert reception.visit_call_next(location=shop, advisor=colleague).appointment_id == theirs.pk


def test_walk_in_is_recognised_by_phone(clock_hand, shop, customer):
    visit = reception.walk_in_add(location=shop, name="Hélène", phone="06 12 34 56 78")
    assert visit.customer_id == customer.pk
