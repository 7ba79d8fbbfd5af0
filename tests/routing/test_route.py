"""Who answers, over a table of situations; each names the expected advisor and code."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import translation

from suivi.conversations import services as conversations
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


def test_a_customer_without_team_or_advisor_costs_only_the_decision(
    world, django_assert_num_queries
):
    customer = builders.customer()

    with django_assert_num_queries(1):
        decision = routing.route(customer=customer, channel="email")

    assert decision.reason_code == "no_team" and decision.advisor is None
