"""GET /api/v1/insights/assistant: the chat assistant's figures, for leads and admins."""

from datetime import timedelta

import pytest

from suivi.channels.chat import services as chat
from suivi.channels.chat.models import ChatConversation, ChatWidget
from suivi.core import clock
from suivi.people.models import Advisor
from tests import builders

pytestmark = pytest.mark.django_db

URL = "/api/v1/insights/assistant"


@pytest.fixture
def lead(team) -> Advisor:
    return builders.advisor(team=team, role=Advisor.Role.LEAD, name="Nadia Lefèvre")


def a_chat(team, **counters) -> ChatConversation:
    widget = ChatWidget.objects.create(name=f"Site {team.pk}", team=team)
    conversation = chat.conversation_open(widget=widget, token=None, language="fr")
    ChatConversation.objects.filter(pk=conversation.pk).update(**counters)
    return conversation


def period() -> dict[str, str]:
    now = clock.now()
    return {
        "since": (now - timedelta(days=1)).isoformat(),
        "until": (now + timedelta(hours=1)).isoformat(),
    }


def test_a_lead_reads_the_figures_of_their_team(api_as, lead, team, outsider):
    # given a chat the assistant could not help, handed over, and another team's chat
    a_chat(
        team,
        assistant_turns=2,
        assistant_answered=1,
        assistant_unknown=1,
        handed_over_at=clock.now(),
        handed_over_after="unknown",
    )
    a_chat(team, assistant_turns=1, assistant_answered=1)
    a_chat(outsider.team, assistant_turns=5, assistant_unknown=5)
    # when the lead asks
    response = api_as(lead).get(URL, **period())
    # then they read their team's figures only
    assert response.status_code == 200
    body = response.json()
    assert body["team"] == team.pk
    assert {k: body[k] for k in ("turns", "answered", "unknown", "conversations")} == {
        "turns": 3,
        "answered": 2,
        "unknown": 1,
        "conversations": 2,
    }
    assert (body["handed_over"], body["handed_over_after_unknown"]) == (1, 1)


def test_an_admin_reads_every_team_or_one(api_as, admin, team, outsider):
    a_chat(team, assistant_turns=1, assistant_answered=1)
    a_chat(outsider.team, assistant_turns=4, assistant_unknown=4)
    assert api_as(admin).get(URL, **period()).json()["turns"] == 5
    assert api_as(admin).get(URL, team=outsider.team_id, **period()).json()["turns"] == 4


def test_advisors_and_other_teams_are_refused(api_as, advisor, lead, outsider):
    refused = api_as(advisor).get(URL, **period())
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    other = api_as(lead).get(URL, team=outsider.team_id, **period())
    assert (other.status_code, other.json()["code"]) == (403, "permission_denied")
    assert api_as(None).get(URL, **period()).status_code == 401


@pytest.mark.parametrize(
    "params, code",
    [
        ({}, "invalid_input"),
        ({"since": "yesterday"}, "invalid_input"),
        ({"since": "2026-11-02T00:00:00Z", "until": "2026-11-01T00:00:00Z"}, "invalid_period"),
        ({"since": "2024-01-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"}, "invalid_period"),
        ({"since": "2026-11-01T00:00:00Z", "team": "x"}, "invalid_input"),
    ],
)
def test_bad_parameters_are_a_422_with_a_stable_code(api_as, lead, params, code):
    response = api_as(lead).get(URL, **params)
    assert (response.status_code, response.json()["code"]) == (422, code)
