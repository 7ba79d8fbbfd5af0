"""Honest wait estimates per team and channel, from live load and recent handling times.

Three queries whatever the number of teams: advisors on duty, waiting and recent
arrivals (one aggregate), and the median first-answer delay (one windowed query).
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Window
from django.db.models.functions import RowNumber

from suivi.conversations.models import Case, Interaction
from suivi.core import clock
from suivi.core.vocabulary import Channel
from suivi.people.models import Team

from .availability import advisor_states
from .erlang import estimated_wait

ROUTED_CHANNELS = (Channel.PHONE, Channel.CHAT, Channel.EMAIL)
ARRIVALS_WINDOW = timedelta(hours=1)
HANDLING_WINDOW = timedelta(days=14)
# Used until a team has answered anything on the channel in the handling window.
DEFAULT_HANDLING_SECONDS = {Channel.PHONE: 300.0, Channel.CHAT: 240.0}
DEFAULT_ASYNC_HANDLING_SECONDS = 4 * 3600.0
# Above this estimate the customer is offered a callback rather than a queue.
CALLBACK_AFTER_SECONDS = {Channel.PHONE: 180.0, Channel.CHAT: 180.0}
DEFAULT_ASYNC_CALLBACK_AFTER_SECONDS = 24 * 3600.0


@dataclass(frozen=True)
class WaitEstimate:
    team_id: int
    team_name: str
    channel: str
    agents_available: int
    waiting: int
    arrivals_last_hour: int
    handling_seconds: float
    # None when nobody of the team is on duty: no honest figure exists.
    estimated_wait_seconds: int | None
    offer_callback: bool


def default_handling_seconds(channel: str) -> float:
    return DEFAULT_HANDLING_SECONDS.get(channel, DEFAULT_ASYNC_HANDLING_SECONDS)  # type: ignore[call-overload]


def callback_threshold_seconds(channel: str) -> float:
    return CALLBACK_AFTER_SECONDS.get(channel, DEFAULT_ASYNC_CALLBACK_AFTER_SECONDS)  # type: ignore[call-overload]


def median_handling_seconds(
    *, team_ids: list[int], channels: tuple[str, ...], moment: datetime
) -> dict[tuple[int, str], float]:
    """Median first-answer delay of inbound contacts answered recently, per (team,
    channel), computed in the database: rows are numbered within each group by delay
    and only the one or two middle rows are read."""
    delay = ExpressionWrapper(
        F("first_answered_at") - F("occurred_at"), output_field=DurationField()
    )
    group = [F("customer__team"), F("channel")]
    rows = (
        Interaction.objects.filter(
            direction=Interaction.Direction.INBOUND,
            channel__in=channels,
            customer__team__in=team_ids,
            first_answered_at__gte=moment - HANDLING_WINDOW,
            first_answered_at__lte=moment,
        )
        .annotate(
            delay=delay,
            position=Window(RowNumber(), partition_by=group, order_by=[delay.asc(), F("pk")]),
            size=Window(Count("pk"), partition_by=group),
        )
        .filter(
            # 1-based middle positions: both are the same row when the size is odd.
            Q(position=(F("size") + 1) / 2) | Q(position=(F("size") + 2) / 2)
        )
        .values_list("customer__team", "channel", "delay")
    )
    middles: dict[tuple[int, str], list[float]] = defaultdict(list)
    for team_id, channel, value in rows:
        middles[(team_id, channel)].append(value.total_seconds())
    return {key: sum(values) / len(values) for key, values in middles.items()}


def wait_estimates(
    *, team_id: int | None = None, channels: tuple[str, ...] = ROUTED_CHANNELS,
    now: datetime | None = None,
) -> list[WaitEstimate]:  # fmt: skip
    moment = now or clock.now()
    teams = list(Team.objects.filter(**({"pk": team_id} if team_id else {})).order_by("name"))
    team_ids = [t.pk for t in teams]
    on_duty: dict[int, int] = defaultdict(int)
    for state in advisor_states(who=Q(team__in=team_ids), moment=moment):
        if state.on_duty(moment) is None and state.advisor.team_id is not None:
            on_duty[state.advisor.team_id] += 1
    loads = (
        Interaction.objects.filter(
            Q(first_answered_at__isnull=True, case__status__in=Case.ACTIVE_STATUSES)
            | Q(occurred_at__gte=moment - ARRIVALS_WINDOW),
            direction=Interaction.Direction.INBOUND,
            channel__in=channels,
            customer__team__in=team_ids,
        )
        .values("customer__team", "channel")
        .annotate(
            waiting=Count(
                "case",
                distinct=True,
                filter=Q(first_answered_at__isnull=True, case__status__in=Case.ACTIVE_STATUSES),
            ),
            arrivals=Count("pk", filter=Q(occurred_at__gte=moment - ARRIVALS_WINDOW)),
        )
        .order_by()
    )
    live = {(r["customer__team"], r["channel"]): r for r in loads}
    handling = median_handling_seconds(team_ids=team_ids, channels=channels, moment=moment)
    estimates = []
    for team in teams:
        for channel in channels:
            row = live.get((team.pk, channel), {})
            agents = on_duty[team.pk]
            seconds = handling.get((team.pk, channel)) or default_handling_seconds(channel)
            wait = estimated_wait(
                agents=agents,
                arrivals_per_hour=row.get("arrivals", 0),
                handling_seconds=seconds,
                waiting=row.get("waiting", 0),
            )
            known = not math.isinf(wait)
            estimates.append(
                WaitEstimate(
                    team_id=team.pk,
                    team_name=team.name,
                    channel=channel,
                    agents_available=agents,
                    waiting=row.get("waiting", 0),
                    arrivals_last_hour=row.get("arrivals", 0),
                    handling_seconds=seconds,
                    estimated_wait_seconds=round(wait) if known else None,
                    offer_callback=not known or wait > callback_threshold_seconds(channel),
                )
            )
    return estimates
