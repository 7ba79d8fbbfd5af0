"""Policy promises follow the case: made, kept, paused and resumed, cancelled."""

from datetime import timedelta

from suivi.conversations import services as conversations
from suivi.promises.models import BusinessCalendar, Policy, Promise
from suivi.promises.services import promise_make, promises_sweep
from tests import builders

from .conftest import MONDAY_10, paris

Kind, Status = Promise.Kind, Promise.Status


def only(case, kind, **filters):
    return Promise.objects.get(case=case, kind=kind, **filters)


def test_opening_a_case_promises_its_resolution_in_business_time(customer, clock_hand):
    # when
    case = builders.case(customer=customer)
    # then: 45 business hours (5 days of 9 h) from Monday 10:00
    promise = only(case, Kind.RESOLUTION)
    assert promise.by_policy and promise.made_by is None
    assert promise.due_at == paris(2026, 3, 9, 10)
    assert promise.status == Status.OPEN


def test_an_inbound_contact_promises_a_first_answer(customer, clock_hand):
    case = builders.case(customer=customer)
    clock_hand.advance(timedelta(hours=5))  # Monday 15:00
    # when
    builders.inbound(case)
    # then: 8 business hours: 3 on Monday, 5 on Tuesday
    promise = only(case, Kind.FIRST_ANSWER)
    assert promise.channel == "email"
    assert promise.due_at == paris(2026, 3, 3, 14)


def test_a_second_message_before_the_answer_makes_no_second_promise(customer, clock_hand):
    case = builders.case(customer=customer)
    builders.inbound(case)
    builders.inbound(case, "Je relance.", channel="chat")
    assert Promise.objects.filter(case=case, kind=Kind.FIRST_ANSWER).count() == 1


def test_the_policy_of_the_team_and_channel_applies(customer, team, clock_hand):
    Policy.objects.create(team=team, channel="chat", first_answer_minutes=30)
    Policy.objects.create(team=None, channel="", first_answer_minutes=120)
    case = builders.case(customer=customer)
    builders.inbound(case, channel="chat")
    assert only(case, Kind.FIRST_ANSWER).due_at == MONDAY_10 + timedelta(minutes=30)
    other = builders.case(customer=customer, subject="Autre")
    builders.inbound(other, channel="email")
    assert only(other, Kind.FIRST_ANSWER).due_at == MONDAY_10 + timedelta(hours=2)


def test_the_team_calendar_applies(customer, team):
    BusinessCalendar.objects.create(
        team=team,
        name="Service 7/7",
        opening_hours={d: [["08:00", "20:00"]] for d in ("sat", "sun", "mon")},
        holiday_country="",
    )
    from suivi.core.clock import frozen_at

    with frozen_at(paris(2026, 3, 7, 19)):  # a Saturday evening
        case = builders.case(customer=customer)
        builders.inbound(case)
    # 8 h: 1 on Saturday, 7 on Sunday from 08:00
    assert only(case, Kind.FIRST_ANSWER).due_at == paris(2026, 3, 8, 15)


def test_an_advisors_answer_keeps_the_first_answer_promise(customer, advisor, clock_hand):
    case = builders.case(customer=customer)
    builders.inbound(case)
    clock_hand.advance(timedelta(hours=2))
    # when
    answer = builders.answer(case, advisor)
    # then
    promise = only(case, Kind.FIRST_ANSWER)
    assert promise.status == Status.KEPT
    assert promise.kept_by == answer
    assert promise.kept_at == MONDAY_10 + timedelta(hours=2)
    # the resolution promise is still open
    assert only(case, Kind.RESOLUTION).status == Status.OPEN


def test_a_system_message_keeps_nothing(customer, clock_hand):
    case = builders.case(customer=customer)
    builders.inbound(case)
    conversations.interaction_record(
        case=case, channel="email", direction="out", author_kind="system", text="Accusé"
    )
    assert only(case, Kind.FIRST_ANSWER).status == Status.OPEN


def test_an_answer_after_the_deadline_leaves_the_promise_broken(customer, advisor, clock_hand):
    case = builders.case(customer=customer)
    builders.inbound(case)  # due Monday 18:00
    clock_hand.advance(timedelta(days=1))
    answer = builders.answer(case, advisor)
    promise = only(case, Kind.FIRST_ANSWER)
    assert promise.status == Status.BROKEN
    assert promise.broken_at == paris(2026, 3, 2, 18)
    assert promise.kept_by == answer  # done, but late


def test_waiting_on_the_customer_pauses_policy_clocks_visibly(customer, advisor, clock_hand):
    case = builders.case(customer=customer)  # resolution due Monday 9 March 10:00
    personal = promise_make(
        customer=customer, case=case, what="Rappel", due_at=MONDAY_10 + timedelta(days=1)
    )
    clock_hand.advance(timedelta(hours=2))  # Monday 12:00, 43 business hours left
    # when
    conversations.case_update(case=case, changes={"status": "waiting"})
    # then
    resolution = only(case, Kind.RESOLUTION)
    assert resolution.is_paused
    assert resolution.paused_at == paris(2026, 3, 2, 12)
    assert resolution.paused_remaining_seconds == 43 * 3600
    personal.refresh_from_db()
    assert not personal.is_paused  # a person's promise does not wait


def test_a_paused_promise_is_not_broken_while_the_customer_is_silent(customer, clock_hand):
    case = builders.case(customer=customer)
    conversations.case_update(case=case, changes={"status": "waiting"})
    clock_hand.advance(timedelta(days=14))
    promises_sweep()
    assert only(case, Kind.RESOLUTION).status == Status.OPEN


def test_the_customers_answer_resumes_the_clock_pushed_by_the_pause(customer, clock_hand):
    case = builders.case(customer=customer)
    clock_hand.advance(timedelta(hours=2))  # Monday 12:00, 43 business hours left
    conversations.case_update(case=case, changes={"status": "waiting"})
    clock_hand.advance(timedelta(days=2))  # Wednesday 12:00
    # when: the customer writes back, which reopens the case
    builders.inbound(case, "Voici le document.")
    # then: 43 h from Wednesday 12:00 = Wednesday 11 March 10:00
    resolution = only(case, Kind.RESOLUTION)
    assert not resolution.is_paused
    assert resolution.paused_remaining_seconds is None
    assert resolution.due_at == paris(2026, 3, 11, 10)
    assert resolution.at_risk_from < resolution.due_at


def test_resolving_keeps_the_resolution_promise(customer, clock_hand):
    case = builders.case(customer=customer)
    clock_hand.advance(timedelta(hours=3))
    conversations.case_update(case=case, changes={"status": "resolved"})
    resolution = only(case, Kind.RESOLUTION)
    assert resolution.status == Status.KEPT
    assert resolution.kept_at == MONDAY_10 + timedelta(hours=3)


def test_resolving_while_paused_keeps_it(customer, clock_hand):
    case = builders.case(customer=customer)
    conversations.case_update(case=case, changes={"status": "waiting"})
    clock_hand.advance(timedelta(days=20))
    conversations.case_update(case=case, changes={"status": "resolved"})
    assert only(case, Kind.RESOLUTION).status == Status.KEPT


def test_reopening_a_resolved_case_promises_a_new_resolution(customer, clock_hand):
    case = builders.case(customer=customer)
    conversations.case_update(case=case, changes={"status": "resolved"})
    clock_hand.advance(timedelta(days=1))
    builders.inbound(case, "Ce n'est pas réglé.")
    assert Promise.objects.filter(case=case, kind=Kind.RESOLUTION, status=Status.OPEN).count() == 1
    assert Promise.objects.filter(case=case, kind=Kind.RESOLUTION, status=Status.KEPT).count() == 1


def test_closing_cancels_what_remains_open_with_a_reason(customer, clock_hand):
    case = builders.case(customer=customer)
    builders.inbound(case)
    personal = promise_make(
        customer=customer, case=case, what="Rappel", due_at=MONDAY_10 + timedelta(days=1)
    )
    conversations.case_update(case=case, changes={"status": "closed"})
    assert not Promise.objects.filter(case=case, status=Status.OPEN).exists()
    personal.refresh_from_db()
    assert personal.status == Status.CANCELLED
    assert personal.cancel_reason


def test_a_calendar_that_never_opens_falls_back_to_office_hours(customer, team, clock_hand):
    BusinessCalendar.objects.create(team=team, name="Mal configuré", opening_hours={})
    case = builders.case(customer=customer)  # the case still opens
    assert only(case, Kind.RESOLUTION).due_at == paris(2026, 3, 9, 10)


def test_remembered_lookups_choose_the_same_policy_with_one_query(team, django_assert_num_queries):
    from suivi.promises import policies

    # given policies at every level of precedence
    other = builders.team("Autre")
    Policy.objects.create(team=team, channel="chat", first_answer_minutes=30)
    Policy.objects.create(team=team, channel="", first_answer_minutes=60)
    Policy.objects.create(team=None, channel="phone", first_answer_minutes=90)
    Policy.objects.create(team=None, channel="", first_answer_minutes=120)
    Policy.objects.create(team=other, channel="email", first_answer_minutes=5)
    asked = [
        (team_id, channel)
        for team_id in (team.pk, other.pk, None)
        for channel in ("chat", "email", "phone", "")
    ]
    expected = [policies.policy_for(team_id=t, channel=c).pk for t, c in asked]

    # when the same questions are asked inside one unit of work
    with policies.remembered(), django_assert_num_queries(3):  # one per team
        remembered = [policies.policy_for(team_id=t, channel=c).pk for t, c in asked]

    # then the answers are the same
    assert remembered == expected
    assert expected[:4] == [
        Policy.objects.get(team=team, channel="chat").pk,
        Policy.objects.get(team=team, channel="").pk,
        Policy.objects.get(team=team, channel="").pk,
        Policy.objects.get(team=team, channel="").pk,
    ]


def test_remembered_calendar_is_read_once_per_team(team, django_assert_num_queries):
    from suivi.promises import policies

    BusinessCalendar.objects.create(team=team, name="Équipe", holiday_country="")
    expected = policies.calendar_for(team_id=team.pk)

    with policies.remembered(), django_assert_num_queries(2):  # calendar, closures
        assert policies.calendar_for(team_id=team.pk) == expected
        assert policies.calendar_for(team_id=team.pk) == expected

    # outside the block, every call reads again
    with django_assert_num_queries(2):
        policies.calendar_for(team_id=team.pk)
