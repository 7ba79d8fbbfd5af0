"""/api/v1/insights: read-only figures for team leads and administrators."""

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from suivi.channels.chat.selectors import assistant_stats_for
from suivi.core import clock

from .auth import current_advisor

router = Router(tags=["insights"])


class AssistantStatsQuery(Schema):
    since: datetime
    until: datetime | None = None  # now by default
    team: int | None = Field(None, ge=1, le=2**62)


class AssistantStatsOut(Schema):
    since: datetime
    until: datetime
    team: int | None
    turns: int
    answered: int
    unknown: int
    conversations: int
    handed_over: int
    handed_over_after_unknown: int


@router.get("/assistant", response=AssistantStatsOut)
def assistant_stats(request: HttpRequest, query: Query[AssistantStatsQuery]) -> dict:
    """What the chat assistant did over the chats started in [since, until): its turns,
    how many quoted an article or said it did not know, and how often people then asked
    for a person. Team leads see their team; administrators any team, or all."""
    me = current_advisor(request)
    since, until = query.since, query.until or clock.now()
    if timezone.is_naive(since):
        since = timezone.make_aware(since)
    if timezone.is_naive(until):
        until = timezone.make_aware(until)
    stats = assistant_stats_for(advisor=me, since=since, until=until, team_id=query.team)
    team = query.team if me.is_admin else me.team_id
    return {"since": since, "until": until, "team": team, **stats.__dict__}
