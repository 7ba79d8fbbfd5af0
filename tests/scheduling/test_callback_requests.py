"""Asking for a callback: window, phone number, assignment by routing, one promise."""

from datetime import timedelta

import pytest

from suivi.customers.identities import InvalidIdentity
from suivi.people.models import Absence
from suivi.promises.models import Policy, Promise
from suivi.routing.models import RoutingDecision
from suivi.routing.services import presence_set
from suivi.scheduling import callbacks
from suivi.scheduling.errors import (
    CallbackCaseMismatch,
    CallbackPhoneRequired,
    CallbackReasonRequired,
    CallbackWindowIncomplete,
    CallbackWindowInPast,
    InvalidWindow,
)
from suivi.scheduling.models import Callback
from tests import builders

from .conftest import at


@pytest.fixture
def backup(team, advisor):
    backup = builders.advisor(team=team, name="Karim Backup")
    advisor.backup = backup
    advisor.save(update_fields=["backup"])
    return backup


def test_a_window_request_is_assigned_to_the_dedicated_advisor_with_one_promise(
    clock_hand, customer, advisor
):
    # when Hélène asks to be called on Tuesday between 14:00 and 14:30
    callback = callbacks.callback_request(
        customer=customer,
        reason="Question sur ma facture",
        window_starts_at=at(4, 14),
        window_ends_at=at(4, 14, 30),
        source="portal",
    )

    # then her own advisor will call her, on her phone number, and it is a promise
    assert callback.assigned_to == advisor
    assert callback.phone == "+33612345678"
    assert (callback.source, callback.asap, callback.status) == ("portal", False, "requested")
    promise = callback.promise
    assert (promise.kind, promise.due_at, promise.status) == ("callback", at(4, 14, 30), "open")
    assert promise.made_by == advisor
    assert Promise.objects.filter(customer=customer).count() == 1
    decision = RoutingDecision.objects.get(pk=callback.routing_decision_id)
    assert decision.reason_code == "dedicated_advisor"


def test_asap_is_due_within_the_team_callback_policy_in_business_hours(clock_hand, customer, team):
    # given the team promises a callback within 2 business hours
    Policy.objects.create(team=team, channel="phone", callback_minutes=120)
    # and it is Friday 17:00 (the office closes at 18:00)
    clock_hand.advance(at(7, 17) - at(3, 8))

    callback = callbacks.callback_request(customer=customer, reason="Urgent", asap=True)

    # then one hour today and one hour on the next business day: Monday 10 June 2030 is
    # Whit Monday (a French public holiday), so due Tuesday 10:00
    assert callback.asap
    assert callback.window_starts_at == at(7, 17)
    assert callback.window_ends_at == at(11, 10)
    assert callback.promise.due_at == at(11, 10)


def test_no_window_means_as_soon_as_possible(clock_hand, customer):
    # at 8:00, before the office opens: the window starts at 9:00
    callback = callbacks.callback_request(customer=customer, reason="Rappel")

    assert callback.asap
    assert callback.window_starts_at == at(3, 9)
    assert callback.window_ends_at == at(3, 13)  # default policy: 4 business hours


def test_the_backup_calls_when_the_dedicated_advisor_is_absent(
    clock_hand, customer, advisor, backup
):
    Absence.objects.create(advisor=advisor, starts_at=at(3, 0), ends_at=at(8, 0))

    callback = callbacks.callback_request(
        customer=customer,
        reason="Résiliation",
        window_starts_at=at(4, 10),
        window_ends_at=at(4, 11),
    )

    assert callback.assigned_to == backup
    assert callback.promise.made_by == backup


def test_a_given_number_is_normalised_and_used(clock_hand, customer):
    callback = callbacks.callback_request(customer=customer, reason="x", phone="06 11 22 33 44")

    assert callback.phone == "+33611223344"


@pytest.mark.parametrize(
    ("fields", "error", "code"),
    [
        ({"reason": "  "}, CallbackReasonRequired, "callback_reason_required"),
        (
            {"window_starts_at": at(3, 6), "window_ends_at": at(3, 7)},
            CallbackWindowInPast,
            "callback_window_in_past",
        ),
        (
            {"window_starts_at": at(4, 12), "window_ends_at": at(4, 11)},
            InvalidWindow,
            "invalid_window",
        ),
        ({"window_starts_at": at(4, 12)}, CallbackWindowIncomplete, "callback_window_incomplete"),
        ({"phone": "12"}, InvalidIdentity, "invalid_identity"),
    ],
)
def test_invalid_requests_are_refused_with_stable_codes(clock_hand, customer, fields, error, code):
    fields.setdefault("reason", "Question")

    with pytest.raises(error) as raised:
        callbacks.callback_request(customer=customer, **fields)

    assert raised.value.code == code
    assert not Callback.objects.exists() and not Promise.objects.exists()


def test_a_customer_without_a_phone_number_needs_one(clock_hand, advisor):
    customer = builders.customer(advisor=advisor)

    with pytest.raises(CallbackPhoneRequired) as raised:
        callbacks.callback_request(customer=customer, reason="Question")

    assert raised.value.code == "callback_phone_required"


def test_a_case_of_another_customer_is_refused(clock_hand, customer, advisor):
    other = builders.case(customer=builders.customer(advisor=advisor))

    with pytest.raises(CallbackCaseMismatch):
        callbacks.callback_request(customer=customer, reason="x", case=other)


def test_a_wrong_number_is_not_used_again(clock_hand, customer, advisor):
    # given a second number, and the first one turned out wrong
    from suivi.customers.services import identity_add

    identity_add(customer=customer, kind="phone", value="+33699887766")
    first = callbacks.callback_request(customer=customer, reason="x")
    callbacks.callback_attempt(callback=first, by=advisor, outcome="wrong_number")

    # when she asks again without giving a number, the other one is used
    second = callbacks.callback_request(customer=customer, reason="y")

    assert first.phone == "+33612345678"
    assert second.phone == "+33699887766"
    assert callbacks.wrong_numbers(customer_id=customer.pk) == {"+33612345678"}


def test_nobody_available_leaves_the_callback_unassigned_but_promised(clock_hand, team):
    customer = builders.customer(team=team, phone="+33611111111")

    callback = callbacks.callback_request(
        customer=customer, reason="x", window_starts_at=at(4, 10), window_ends_at=at(4, 11)
    )

    assert callback.assigned_to is None
    assert callback.promise.status == "open"


def test_a_new_caller_joins_the_team_of_the_advisor_who_calls(clock_hand, advisor):
    from suivi.customers.services import customer_create

    stranger = customer_create(
        given_name="Nouveau", family_name="Client", identities=[], language="fr"
    )

    callback = callbacks.callback_request(customer=stranger, reason="x", phone="0611223344")

    stranger.refresh_from_db()
    assert callback.assigned_to == advisor
    assert stranger.team_id == advisor.team_id


def test_a_visit_callback_is_made_by_the_advisor_who_promised(clock_hand, customer, colleague):
    from suivi.scheduling import visits

    callback = visits.callback_schedule(
        customer=customer,
        request=visits.CallbackRequest(at(5, 9), at(5, 12), "Appareil prêt"),
        by=colleague,
    )

    assert (callback.assigned_to, callback.source, callback.created_by) == (
        colleague,
        "visit",
        colleague,
    )
    assert callback.routing_decision_id is None


def test_request_then_wait_a_day_still_one_promise(clock_hand, customer):
    callbacks.callback_request(customer=customer, reason="x")
    clock_hand.advance(timedelta(days=1))

    assert Promise.objects.filter(kind="callback").count() == 1


@pytest.mark.parametrize("days", [1, 7])
def test_slots_take_a_fixed_number_of_queries(
    clock_hand, customer, advisor, backup, django_assert_num_queries, days
):
    from suivi.scheduling.callback_slots import callback_slots

    for day in (4, 5):
        callbacks.callback_request(
            customer=builders.customer(advisor=advisor, phone=f"+3361234560{day}"),
            reason="x",
            window_starts_at=at(day, 10),
            window_ends_at=at(day, 10, 30),
        )

    # calendar, candidates, absences, appointments, callbacks held (whatever the days)
    with django_assert_num_queries(5):
        slots = callback_slots(customer=customer, days=days)

    assert slots and slots[0].advisor_ids[0] == advisor.pk


def test_a_window_ahead_goes_to_the_advisor_away_right_now(clock_hand, customer, advisor, backup):
    # given Léa is away at the moment (a meeting)
    presence_set(advisor=advisor, status="away")

    # when Hélène asks to be called tomorrow between 10:00 and 10:30
    later = callbacks.callback_request(
        customer=customer, reason="Facture", window_starts_at=at(4, 10),
        window_ends_at=at(4, 10, 30),
    )  # fmt: skip
    # and, at 10:00 today, as soon as possible
    clock_hand.advance(timedelta(hours=2))
    now = callbacks.callback_request(
        customer=customer, reason="Urgent", asap=True, phone="+33612345679"
    )

    # then tomorrow is hers; right now her backup calls
    assert later.assigned_to == advisor
    assert now.assigned_to == backup


def test_a_window_ahead_still_follows_the_absence_at_that_moment(
    clock_hand, customer, advisor, backup
):
    # given Léa is away now and on leave tomorrow
    presence_set(advisor=advisor, status="away")
    Absence.objects.create(advisor=advisor, starts_at=at(4, 0), ends_at=at(5, 0))

    # when
    callback = callbacks.callback_request(
        customer=customer, reason="Facture", window_starts_at=at(4, 10),
        window_ends_at=at(4, 10, 30),
    )  # fmt: skip

    # then
    assert callback.assigned_to == backup
    decision = RoutingDecision.objects.get(pk=callback.routing_decision_id)
    assert decision.details["skipped"][0]["why"] == "absent"
