"""/api/v1/wait-estimates: honest waits per team and channel, and when to offer a callback."""

from django.http import HttpRequest
from ninja import Query, Router, Schema

from suivi.core.errors import NotFound
from suivi.routing import waiting
from suivi.routing.services import check_channel

router = Router(tags=["routing"])


class WaitEstimateQuery(Schema):
    team: int | None = None
    channel: str | None = None


class WaitEstimateOut(Schema):
    team: int
    team_name: str
    channel: str
    agents_available: int
    waiting: int
    estimated_wait_seconds: int | None
    offer_callback: bool


class WaitEstimatesOut(Schema):
    items: list[WaitEstimateOut]


@router.get("", response=WaitEstimatesOut)
def wait_estimates(request: HttpRequest, query: Query[WaitEstimateQuery]) -> dict:
    channels = waiting.ROUTED_CHANNELS
    if query.channel is not None:
        check_channel(query.channel)
        channels = (query.channel,)  # type: ignore[assignment]
    estimates = waiting.wait_estimates(team_id=query.team, channels=channels)
    if query.team is not None and not estimates:
        raise NotFound(team=query.team)
    return {
        "items": [
            {
                "team": e.team_id,
                "team_name": e.team_name,
                "channel": e.channel,
                "agents_available": e.agents_available,
                "waiting": e.waiting,
                "estimated_wait_seconds": e.estimated_wait_seconds,
                "offer_callback": e.offer_callback,
            }
            for e in estimates
        ]
    }
