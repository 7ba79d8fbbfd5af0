"""The advisor's home: "my customers" and the cases waiting for an answer."""

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from suivi.channels.chat.selectors import AssistantStats, assistant_stats_for
from suivi.conversations import selectors
from suivi.core import clock
from suivi.people.models import Advisor
from suivi.scheduling.selectors import callbacks_due

from ..access import advisor_view, cursor_of

INBOX_PAGE = 25
MY_CUSTOMERS = 50
CALLBACKS_DUE = 25
ASSISTANT_DAYS = 30


def _assistant_card(me: Advisor) -> AssistantStats | None:
    """The chat assistant's last 30 days, for team leads (their team) and
    administrators (every team); one aggregate query, none for other advisors."""
    if not (me.is_admin or (me.role == Advisor.Role.LEAD and me.team_id)):
        return None
    now = clock.now()
    return assistant_stats_for(advisor=me, since=now - timedelta(days=ASSISTANT_DAYS), until=now)


@require_GET
@advisor_view
def home(request: HttpRequest, me: Advisor) -> HttpResponse:
    return render(
        request,
        "web/home.html",
        {
            "my_customers": selectors.my_customers(advisor=me, limit=MY_CUSTOMERS),
            "inbox": selectors.inbox_page(advisor=me, cursor=cursor_of(request), limit=INBOX_PAGE),
            "now": clock.now(),
            "callbacks_due": callbacks_due(advisor=me, limit=CALLBACKS_DUE),
            "assistant": _assistant_card(me),
        },
    )


@require_GET
@advisor_view
def inbox_more(request: HttpRequest, me: Advisor) -> HttpResponse:
    """The next page of the inbox, as list items for htmx to append."""
    return render(
        request,
        "web/_inbox_items.html",
        {
            "inbox": selectors.inbox_page(advisor=me, cursor=cursor_of(request), limit=INBOX_PAGE),
            "now": clock.now(),
        },
    )
