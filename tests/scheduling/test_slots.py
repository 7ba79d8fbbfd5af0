from datetime import timedelta

from suivi.people.models import Absence
from suivi.scheduling import services
from suivi.scheduling.slots import free_slots

from .conftest import at, make_advisor, make_type, schedule


def starts(slots):
    return [s.starts_at for s in slots]


def test_slots_follow_opening_hours_and_the_schedule(clock_hand, shop, repair, technician):
    # when the Monday is asked for
    slots = free_slots(location=shop, appointment_type=repair, days=1)

    # then every 30 minutes inside opening hours, none over lunch
    assert starts(slots)[:2] == [at(3, 9), at(3, 9, 30)]
    assert at(3, 11, 30) in starts(slots)
    assert at(3, 12) not in starts(slots) and at(3, 13, 30) not in starts(slots)
    assert starts(slots)[-1] == at(3, 17, 30)
    assert all(s.advisor_ids == (technician.pk,) for s in slots)


def test_no_slot_on_a_closed_day(clock_hand, shop, repair, technician):
    sunday = [
        s for s in free_slots(location=shop, appointment_type=repair) if s.starts_at.weekday() == 6
    ]
    assert sunday == []


def test_no_slot_in_the_past(clock_hand, shop, repair, technician):
    # given it is 10:10
    clock_hand.advance(timedelta(hours=2, minutes=10))

    # then the first slot is 10:30
    assert starts(free_slots(location=shop, appointment_type=repair, days=1))[0] == at(3, 10, 30)


def test_advisor_hours_narrow_the_slots(clock_hand, shop, repair, team):
    advisor = make_advisor(team=team, hours={"mon": [["14:00", "16:00"]]})
    schedule(advisor, shop)
    assert starts(free_slots(location=shop, appointment_type=repair, days=1)) == [
        at(3, 14),
        at(3, 14, 30),
        at(3, 15),
        at(3, 15, 30),
    ]


def test_absence_removes_the_advisors_slots(clock_hand, shop, repair, technician):
    Absence.objects.create(advisor=technician, starts_at=at(3, 9), ends_at=at(3, 11))
    assert starts(free_slots(location=shop, appointment_type=repair, days=1))[0] == at(3, 11)


def test_only_advisors_with_the_skills_are_offered(clock_hand, shop, technician, team):
    # given a type that needs a skill the technician lacks, and a colleague who has it
    business = make_type(code="pro", skills=("business",))
    expert = make_advisor(team=team, skills=("business", "repair"))
    schedule(expert, shop)

    slots = free_slots(location=shop, appointment_type=business, days=1)

    assert slots and all(s.advisor_ids == (expert.pk,) for s in slots)


def test_a_booked_time_is_no_longer_free(clock_hand, shop, repair, technician, customer):
    services.appointment_book(
        customer=customer, location=shop, appointment_type=repair, starts_at=at(3, 10)
    )
    assert at(3, 10) not in starts(free_slots(location=shop, appointment_type=repair, days=1))
    # a 60-minute type starting at 9:30 would overlap too
    long = make_type(code="long", minutes=60)
    assert at(3, 9, 30) not in starts(free_slots(location=shop, appointment_type=long, days=1))
    # but 9:00-10:00 ends as the booking starts
    assert at(3, 9) in starts(free_slots(location=shop, appointment_type=long, days=1))


def test_a_type_not_offered_at_the_location_has_no_slot(clock_hand, shop, technician):
    from suivi.scheduling.errors import TypeNotOffered
    from suivi.scheduling.slots import check_offered

    from .conftest import make_location

    elsewhere = make_location("Agence Lyon Part-Dieu")
    only_lyon = make_type(code="lyon")
    only_lyon.locations.add(elsewhere)
    import pytest

    with pytest.raises(TypeNotOffered):
        check_offered(location=shop, appointment_type=only_lyon)
