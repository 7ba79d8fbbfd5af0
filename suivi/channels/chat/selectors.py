"""Reading the chat for insights: what the assistant did, and how often people left it."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from suivi.core.errors import InvalidInput, PermissionDenied
from suivi.people.models import Advisor

from .models import ChatConversation


@dataclass(frozen=True)
class AssistantStats:
    turns: int  # assistant answers of any kind
    answered: int  # ... quoting a published article
    unknown: int  # ... saying it did not know
    conversations: int  # conversations the assistant answered at least once
    handed_over: int  # ... that then asked for a person
    handed_over_after_unknown: int  # ... right after the assistant said it did not know


def assistant_stats(
    *, since: datetime, until: datetime, team_id: int | None = None
) -> AssistantStats:
    """The assistant's record over the chats started in [since, until), for one team
    (the widget's) or all. One aggregate query over the conversations' counters."""
    rows = ChatConversation.objects.filter(started_at__gte=since, started_at__lt=until)
    if team_id is not None:
        rows = rows.filter(widget__team_id=team_id)
    helped = Q(assistant_turns__gt=0)
    totals = rows.aggregate(
        turns=Coalesce(Sum("assistant_turns"), 0),
        answered=Coalesce(Sum("assistant_answered"), 0),
        unknown=Coalesce(Sum("assistant_unknown"), 0),
        conversations=Count("pk", filter=helped),
        handed_over=Count("pk", filter=helped & Q(handed_over_at__isnull=False)),
        handed_over_after_unknown=Count(
            "pk", filter=helped & Q(handed_over_at__isnull=False, handed_over_after="unknown")
        ),
    )
    return AssistantStats(**totals)


class NotALead(PermissionDenied):
    default_message = _("Only team leads and administrators see the assistant's figures.")


class InvalidPeriod(InvalidInput):
    code = "invalid_period"
    default_message = _("The period must end after it starts, and last at most 366 days.")


MAX_PERIOD = timedelta(days=366)


def assistant_stats_for(
    *, advisor: Advisor, since: datetime, until: datetime, team_id: int | None = None
) -> AssistantStats:
    """`assistant_stats` as `advisor` may see them: administrators any team or all, a
    team lead their own team (the default for them)."""
    if not (advisor.is_admin or advisor.role == Advisor.Role.LEAD):
        raise NotALead()
    if not advisor.is_admin:
        if team_id is not None and team_id != advisor.team_id:
            raise NotALead(team_id=team_id)
        team_id = advisor.team_id
        if team_id is None:
            raise NotALead()
    if timezone.is_naive(since):
        since = timezone.make_aware(since)
    if timezone.is_naive(until):
        until = timezone.make_aware(until)
    if until <= since or until - since > MAX_PERIOD:
        raise InvalidPeriod(since=since.isoformat(), until=until.isoformat())
    return assistant_stats(since=since, until=until, team_id=team_id)
