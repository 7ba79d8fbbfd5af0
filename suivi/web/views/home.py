"""The advisor's home: "my customers" and the cases waiting for an answer."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from suivi.conversations import selectors
from suivi.core import clock
from suivi.people.models import Advisor
from suivi.scheduling.selectors import callbacks_due

from ..access import advisor_view, cursor_of

INBOX_PAGE = 25
MY_CUSTOMERS = 50
CALLBACKS_DUE = 25


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
