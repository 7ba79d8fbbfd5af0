"""Who answers, over a table of situations; each names the expected advisor and code."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import translation

from suivi.channels.chat.models import ChatConversation, ChatWidget
from suivi.channels.phone.models import PhoneCall
from suivi.conversations import services as conversations
from suivi.core import clock
from suivi.people import services as people
from suivi.routing import services as routing
from suivi.routing.models import RoutingDecision
from tests import builders

from .conftest import World, absent, give_open_cases, make_advisor


@dataclass
class Situation:
    name: str
    given: Callable[[World], dict[str, Any]]
    expected: str | None  # attribute of World, or None for nobody
    code: str
    first_skip: str | None = None


def nothing(w: World) -> dict[str, Any]:
    return {}


def marie_absent(w: World) -> dict[str, Any]:
    absent(w.marie)
    return {}


def marie_outside_hours(w: World) -> dict[str, Any]:
    w.marie.working_hours = {"mon": [["09:00", "17:00"]]}
    w.marie.save(update_fields=["working_hours"])
    return {"channel": "phone"}


def marie_outside_hours_email(w: World) -> dict[str, Any]:
    marie_outside_hours(w)
    return {}


def marie_away(w: World) -> dict[str, Any]:
    routing.presence_set(advisor=w.marie, status="away")
    return {"channel": "phone"}


def marie_away_email(w: World) -> dict[str, Any]:
    marie_away(w)
    return {}


def marie_overloaded(w: World) -> dict[str, Any]:
    routing.capacity_set(advisor=w.marie, channel="email", limit=2)
    give_open_cases(w.marie, 2)
    return {}


def marie_on_a_call(w: World) -> dict[str, Any]:
    routing.presence_set(advisor=w.marie, status="busy")
    return {"channel": "phone"}


def marie_busy_but_email(w: World) -> dict[str, Any]:
    routing.presence_set(advisor=w.marie, status="busy")
    return {"channel": "email"}


def hold_chats(advisor, count: int, *, status: str = "live") -> None:
    widget = ChatWidget.objects.create(name="Site")
    for _ in range(count):
        ChatConversation.objects.create(
            widget=widget, advisor=advisor, status=status, started_at=clock.now()
        )


def call_in_progress(advisor, *, answered: bool = True, ended: bool = False) -> PhoneCall:
    moment = clock.now() - timedelta(minutes=2)
    return PhoneCall.objects.create(
        call_id=f"call-{advisor.pk}-{PhoneCall.objects.count()}",
        direction=PhoneCall.Direction.INBOUND,
        answered_by=advisor if answered else None,
        ringing_advisor=advisor,
        started_at=moment,
        answered_at=moment if answered else None,
        ended_at=clock.now() if ended else None,
        outcome=PhoneCall.Outcome.ANSWERED if answered else PhoneCall.Outcome.IN_PROGRESS,
        updated_at=moment,
    )


def marie_holds_three_chats(w: World) -> dict[str, Any]:
    hold_chats(w.marie, 2)
    hold_chats(w.marie, 1, status="waiting")
    return {"channel": "chat"}


def marie_holds_three_chats_email(w: World) -> dict[str, Any]:
    hold_chats(w.marie, 3)
    return {"channel": "email"}


def marie_holds_two_chats_and_ended_ones(w: World) -> dict[str, Any]:
    hold_chats(w.marie, 2)
    hold_chats(w.marie, 3, status="ended")
    return {"channel": "chat"}


def marie_in_a_call(w: World) -> dict[str, Any]:
    call_in_progress(w.marie)
    return {"channel": "phone"}


def marie_in_a_call_chat(w: World) -> dict[str, Any]:
    call_in_progress(w.marie)
    return {"channel": "chat"}


def marie_after_her_calls(w: World) -> dict[str, Any]:
    call_in_progress(w.marie, ended=True)
    call_in_progress(w.marie, answered=False)  # rang, never answered (missed)
    return {"channel": "phone"}


def marie_and_lea_in_calls(w: World) -> dict[str, Any]:
    call_in_progress(w.marie)
    call_in_progress(w.lea)
    return {"channel": "phone"}


def marie_and_lea_absent(w: World) -> dict[str, Any]:
    absent(w.marie)
    absent(w.lea)
    return {}


def english_customer_without_advisor(w: World) -> dict[str, Any]:
    return {"customer": builders.customer(team=w.team, language="en")}


def case_of_karim(w: World) -> dict[str, Any]:
    return {"case": builders.case(customer=w.customer, owner=w.karim)}


def case_of_karim_at_capacity(w: World) -> dict[str, Any]:
    routing.capacity_set(advisor=w.karim, channel="email", limit=1)
    return case_of_karim(w)  # his only open case, already in his load


def case_reassigned_twice_owner_away(w: World) -> dict[str, Any]:
    case = builders.case(customer=w.customer)
    conversations.case_hand_over(case=case, to=w.lea, by=w.lead, context_note="Facture")
    conversations.case_hand_over(case=case, to=w.karim, by=w.lead, context_note="Relance")
    routing.presence_set(advisor=w.karim, status="away")
    return {"case": case, "channel": "phone"}


def case_reassigned_twice_owner_present(w: World) -> dict[str, Any]:
    kwargs = case_reassigned_twice_owner_away(w)
    routing.presence_set(advisor=w.karim, status="available")
    return kwargs


def no_team(w: World) -> dict[str, Any]:
    return {"customer": builders.customer()}


def whole_team_away(w: World) -> dict[str, Any]:
    for advisor in (w.lead, w.marie, w.lea, w.karim, w.tom):
        routing.presence_set(advisor=advisor, status="away")
    return {"channel": "phone"}


def backup_outside_the_team(w: World) -> dict[str, Any]:
    absent(w.marie)
    other = make_advisor(builders.team("Entreprises"), "Paul")
    people.advisor_set_backup(advisor=w.marie, backup=other)
    w.paul = other  # type: ignore[attr-defined]
    return {}


SITUATIONS = [
    Situation("present", nothing, "marie", "dedicated_advisor"),
    Situation("absent", marie_absent, "lea", "backup", "absent"),
    Situation("outside hours", marie_outside_hours, "lea", "backup", "outside_hours"),
    Situation("away", marie_away, "lea", "backup", "away"),
    # An e-mail is answered within its promise: the advisor's evening or lunch break
    # does not pass the customer to someone else.
    Situation("outside hours, e-mail", marie_outside_hours_email, "marie", "dedicated_advisor"),
    Situation("away, e-mail", marie_away_email, "marie", "dedicated_advisor"),
    Situation("overloaded", marie_overloaded, "lea", "backup", "at_capacity"),
    Situation("on a call, phone", marie_on_a_call, "lea", "backup", "at_capacity"),
    Situation("on a call, e-mail", marie_busy_but_email, "marie", "dedicated_advisor"),
    # Live contacts are counted per channel against the capacity (1 call, 3 chats).
    Situation("three chats, chat", marie_holds_three_chats, "lea", "backup", "at_capacity"),
    Situation("three chats, e-mail", marie_holds_three_chats_email, "marie", "dedicated_advisor"),
    Situation(
        "two chats held, three ended",
        marie_holds_two_chats_and_ended_ones,
        "marie",
        "dedicated_advisor",
    ),
    Situation("call in progress, phone", marie_in_a_call, "lea", "backup", "at_capacity"),
    Situation("call in progress, chat", marie_in_a_call_chat, "marie", "dedicated_advisor"),
    Situation("calls over or missed", marie_after_her_calls, "marie", "dedicated_advisor"),
    Situation(
        "dedicated and backup in calls",
        marie_and_lea_in_calls,
        "karim",
        "least_loaded",
        "at_capacity",
    ),
    # Tom has no case at all but speaks no French; Nadia has five.
    Situation("backup absent too", marie_and_lea_absent, "karim", "least_loaded", "absent"),
    Situation("language", english_customer_without_advisor, "tom", "least_loaded"),
    Situation("case owner", case_of_karim, "karim", "case_owner"),
    Situation("case owner at capacity", case_of_karim_at_capacity, "karim", "case_owner"),
    Situation("reassigned twice", case_reassigned_twice_owner_away, "lead", "team_lead", "away"),
    Situation(
        "reassigned twice, owner here", case_reassigned_twice_owner_present, "karim", "case_owner"
    ),
    Situation("no team", no_team, None, "no_team"),
    Situation("nobody available", whole_team_away, None, "nobody_available", "away"),
    Situation("backup in another team", backup_outside_the_team, "paul", "backup", "absent"),
]


@pytest.mark.parametrize("situation", SITUATIONS, ids=[s.name for s in SITUATIONS])
def test_route(world, situation):
    # given
    kwargs = {"customer": world.customer, "channel": "email", **situation.given(world)}

    # when
    decision = routing.route(**kwargs)

    # then
    expected = getattr(world, situation.expected) if situation.expected else None
    assert decision.advisor == expected
    assert decision.reason_code == situation.code
    skips = decision.details["skipped"]
    assert (skips[0]["why"] if skips else None) == situation.first_skip
    assert RoutingDecision.objects.get().pk == decision.pk


def test_the_reason_says_who_was_absent_until_when_and_who_answers(world):
    # given Marie is away until Friday
    absent(world.marie, days=3)

    # when
    with translation.override("en"):
        decision = routing.route(customer=world.customer, channel="email")

    # then
    assert decision.reason == "Dedicated advisor Marie absent until Friday 18 April → backup Léa"


def test_the_reason_is_rendered_again_in_the_readers_language(world):
    # given
    absent(world.marie, days=3)
    decision = routing.route(customer=world.customer, channel="phone")

    # when
    with translation.override("fr"):
        text = decision.reason_text

    # then the facts are the same, the words are the reader's
    assert "Marie" in text and "Léa" in text
    assert decision.details["skipped"][0]["until"]


def test_owner_at_capacity_on_the_phone_is_kept_when_free_within_the_acceptable_wait(world):
    # given Marie is on a call and calls take 5 minutes by default
    routing.presence_set(advisor=world.marie, status="busy")

    # when the customer accepts to wait ten minutes for her
    decision = routing.route(
        customer=world.customer, channel="phone", acceptable_wait=timedelta(minutes=10)
    )

    # then
    assert decision.advisor == world.marie


def test_an_unknown_channel_is_refused(world):
    with pytest.raises(routing.UnknownChannel):
        routing.route(customer=world.customer, channel="pigeon")


def test_presence_refuses_an_unknown_status(world):
    with pytest.raises(routing.UnknownPresence):
        routing.presence_set(advisor=world.marie, status="asleep")


def test_the_route_reads_a_constant_number_of_queries(world, django_assert_num_queries):
    # given a team ten times larger, all busy elsewhere
    for n in range(10):
        give_open_cases(make_advisor(world.team, f"Extra{n}"), 1)
    absent(world.marie)
    absent(world.lea)

    # then: every state in one query, and the decision
    with django_assert_num_queries(2):
        decision = routing.route(customer=world.customer, channel="email")
    assert decision.reason_code == "least_loaded"


@pytest.mark.parametrize("channel", ["phone", "chat"])
def test_counting_live_contacts_keeps_one_query_for_the_states(
    world, channel, django_assert_num_queries
):
    # given a larger team, each member holding calls and chats
    for n in range(10):
        extra = make_advisor(world.team, f"Extra{n}")
        hold_chats(extra, 3)
        call_in_progress(extra)
    absent(world.marie)
    absent(world.lea)

    # then: every state (with the live contacts) in one query, and the decision
    with django_assert_num_queries(2):
        decision = routing.route(customer=world.customer, channel=channel)
    assert decision.reason_code == "least_loaded"
    assert decision.advisor in (world.karim, world.lead)


def test_a_call_that_never_ended_stops_counting_after_some_hours(world, now):
    # given the PBX never sent `call.ended` for Marie's call
    call_in_progress(world.marie)

    # when
    now.advance(timedelta(hours=5))
    decision = routing.route(customer=world.customer, channel="phone")

    # then
    assert decision.advisor == world.marie


def test_a_callback_ahead_ignores_todays_presence_and_calls(world):
    # given Marie is away and on a call right now
    routing.presence_set(advisor=world.marie, status="away")
    call_in_progress(world.marie)

    # when routing a call for tomorrow at 10:00
    decision = routing.route(
        customer=world.customer, channel="phone", now=clock.now() + timedelta(days=1),
        planned=True,
    )  # fmt: skip

    # then
    assert decision.advisor == world.marie
    assert decision.reason_code == "dedicated_advisor"


def test_a_callback_ahead_still_follows_absences_and_hours(world):
    # given Marie is away now and absent tomorrow; Léa's hours end at 17:00
    routing.presence_set(advisor=world.marie, status="away")
    absent(world.marie, days=3)

    # when routing for tomorrow 10:00 and for tomorrow 20:00
    tomorrow = clock.now() + timedelta(days=1)
    morning = routing.route(customer=world.customer, channel="phone", now=tomorrow, planned=True)
    evening = routing.route(
        customer=world.customer, channel="phone", now=tomorrow + timedelta(hours=10),
        planned=True,
    )  # fmt: skip

    # then
    assert morning.advisor == world.lea and morning.details["skipped"][0]["why"] == "absent"
    assert evening.advisor is None and evening.reason_code == "nobody_available"


def test_a_customer_without_team_or_advisor_costs_only_the_decision(
    world, django_assert_num_queries
):
    customer = builders.customer()

    with django_assert_num_queries(1):
        decision = routing.route(customer=customer, channel="email")

    assert decision.reason_code == "no_team" and decision.advisor is None


def test_a_chat_nobody_ended_stops_counting_after_half_a_day(world, now):
    # given Marie holds three chats the customers left without a word
    hold_chats(world.marie, 3)

    # when
    now.advance(timedelta(days=1))  # Thursday 10:00
    decision = routing.route(customer=world.customer, channel="chat", now=clock.now())

    # then
    assert decision.advisor == world.marie
