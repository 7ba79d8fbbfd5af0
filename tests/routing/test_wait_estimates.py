"""Wait estimates per team and channel, and GET /api/v1/wait-estimates."""

from datetime import timedelta

import pytest

from suivi.core import clock
from suivi.routing import waiting
from suivi.routing.services import presence_set
from tests import builders
from tests.conftest import ApiClient


def _answered_after(world, minutes, channel="phone"):
    case = builders.case(customer=world.customer)
    builders.inbound(case, channel=channel, occurred_at=clock.now() - timedelta(minutes=minutes))
    builders.answer(case, by=world.marie, channel=channel)


def test_median_first_answer_delay_is_computed_per_team_and_channel(world):
    # given phone answers after 2, 4 and 10 minutes, and e-mails after 1 and 3
    for minutes in (2, 10, 4):
        _answered_after(world, minutes)
    for minutes in (1, 3):
        _answered_after(world, minutes, channel="email")

    # when
    medians = waiting.median_handling_seconds(
        team_ids=[world.team.pk], channels=("phone", "email"), moment=clock.now()
    )

    # then the middle one, and the mean of the two middle ones
    assert medians[(world.team.pk, "phone")] == pytest.approx(4 * 60)
    assert medians[(world.team.pk, "email")] == pytest.approx(2 * 60)


def test_waiting_cases_make_the_wait_and_offer_a_callback(world, django_assert_num_queries):
    # given two agents on duty, calls taking 4 minutes, and 3 calls waiting
    for advisor in (world.lead, world.karim, world.tom):
        presence_set(advisor=advisor, status="away")
    _answered_after(world, 4)
    for _ in range(3):
        builders.inbound(builders.case(customer=world.customer), channel="phone")

    # when
    with django_assert_num_queries(4):
        (estimate,) = waiting.wait_estimates(team_id=world.team.pk, channels=("phone",))

    # then (3 + 1) × 240 s / 2 agents
    assert estimate.agents_available == 2
    assert estimate.waiting == 3
    assert estimate.estimated_wait_seconds == 480
    assert estimate.offer_callback


def test_a_quiet_team_answers_at_once(world):
    (estimate,) = waiting.wait_estimates(team_id=world.team.pk, channels=("chat",))

    assert estimate.waiting == 0
    assert estimate.estimated_wait_seconds == 0
    assert not estimate.offer_callback


def test_api_lists_every_channel_of_the_team(world):
    # given
    client = ApiClient(world.marie)

    # when
    response = client.get("/api/v1/wait-estimates", team=world.team.pk)

    # then
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["channel"] for i in items] == ["phone", "chat", "email"]
    assert items[0] == {
        "team": world.team.pk,
        "team_name": "Particuliers",
        "channel": "phone",
        "agents_available": 5,
        "waiting": 0,
        "estimated_wait_seconds": 0,
        "offer_callback": False,
    }


def test_api_one_channel(world):
    response = ApiClient(world.marie).get("/api/v1/wait-estimates", channel="chat")

    assert response.status_code == 200
    assert {i["channel"] for i in response.json()["items"]} == {"chat"}


def test_api_needs_credentials(world):
    response = ApiClient(None).get("/api/v1/wait-estimates")

    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_api_refuses_an_unknown_channel_with_a_code(world):
    response = ApiClient(world.marie).get("/api/v1/wait-estimates", channel="pigeon")

    assert response.status_code == 422
    assert response.json()["code"] == "unknown_channel"


def test_api_unknown_team_is_not_found(world):
    response = ApiClient(world.marie).get("/api/v1/wait-estimates", team=999999)

    assert response.status_code == 404
