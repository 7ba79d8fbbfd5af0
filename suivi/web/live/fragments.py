"""What a socket shows its advisor for each push: HTML fragments rendered with the pages'
own templates, in the page's language.

Every function fetches through a selector that checks the advisor's rights in the same
query, and returns None when there is nothing this advisor may see: the permission is
checked where the object is fetched, at the moment of the push. Synchronous (database);
the consumer calls them through `database_sync_to_async`.
"""

from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse

from suivi.channels.chat.models import ChatConversation
from suivi.channels.phone.models import PhoneCall
from suivi.conversations import selectors as conversations
from suivi.core import clock
from suivi.core.errors import NotFound
from suivi.people.models import Advisor
from suivi.promises import selectors as promises

Payload = dict[str, Any]


def _page(item: Any) -> dict[str, Any]:
    # The list templates iterate over a page; a push is a page of one, with no "more".
    return {"items": [item], "next_cursor": None}


def timeline_item(*, advisor: Advisor, customer_id: int, interaction_id: int) -> Payload | None:
    """The new entry on top of an open customer file, as `_timeline_items.html` draws it."""
    item = conversations.timeline_entry(
        advisor=advisor, customer_id=customer_id, interaction_id=interaction_id
    )
    if item is None:
        return None
    html = render_to_string(
        "web/_timeline_items.html",
        {
            "timeline": _page(item),
            "customer": item.customer,
            "show_case": True,
            "page_url": reverse("customer", args=[customer_id]),
            "more_url": reverse("customer-timeline", args=[customer_id]),
        },
    )
    return {
        "type": "timeline",
        "customer_id": customer_id,
        "interaction_id": interaction_id,
        "html": html,
    }


def inbox_row(*, advisor: Advisor, case_id: int) -> Payload:
    """The case's row of the inbox, or its removal when nothing waits any more (answered,
    resolved, handed to someone else)."""
    case = conversations.inbox_entry(advisor=advisor, case_id=case_id)
    if case is None:
        return {"type": "inbox_remove", "case_id": case_id}
    html = render_to_string("web/_inbox_items.html", {"inbox": _page(case), "now": clock.now()})
    return {
        "type": "inbox",
        "case_id": case_id,
        "waiting_since": case.awaiting_reply_since.isoformat()
        if case.awaiting_reply_since
        else None,
        "html": html,
    }


def assignment(*, advisor: Advisor, handoff_id: int) -> Payload | None:
    """A case handed over to this advisor: the context note first, then the link."""
    handoff = conversations.handoff_received(advisor=advisor, handoff_id=handoff_id)
    if handoff is None:
        return None
    html = render_to_string("web/live/_assignment.html", {"handoff": handoff})
    return {"type": "assignment", "case_id": handoff.case_id, "html": html}


def screen_pop(
    *, advisor: Advisor, customer_id: int | None, call_id: str, from_number: str
) -> Payload:
    """Who is calling and their file, for the advisor whose phone rings. The name and the
    link only when this advisor may open the file; otherwise the number alone."""
    customer = None
    if customer_id is not None:
        try:
            customer = conversations.customer_access(advisor=advisor, customer_id=customer_id)
        except NotFound:
            customer = None
    html = render_to_string(
        "web/live/_screen_pop.html",
        {
            "customer": customer,
            # A customer this advisor may not see is not a "new caller" either.
            "hidden": customer_id is not None and customer is None,
            "from_number": from_number,
            "call_id": call_id,
        },
    )
    return {"type": "call", "call_id": call_id, "html": html}


def call_settled(*, advisor: Advisor, call_id: str) -> Payload | None:
    """What becomes of the screen-pop once the call stops ringing for this advisor, read
    from the call as it is now (events may arrive out of order): kept while they talk,
    removed when their call is over or it rings for someone else, or a short notice when
    a colleague answered or the call was missed. The push went to the advisor whose phone
    rang, who saw the number already; the notice shows nothing more than a name."""
    call = (
        PhoneCall.objects.select_related("answered_by")
        .only(
            "call_id", "customer_number", "ringing_advisor_id", "answered_at", "ended_at",
            "outcome", "callback_id", "answered_by__display_name",
        )
        .filter(call_id=call_id)
        .first()
    )  # fmt: skip
    if call is None:
        return None
    answered_by = call.answered_by if call.answered_at is not None else None
    if answered_by is not None and answered_by.pk == advisor.pk:
        if call.ended_at is None:
            return None  # they are on the call: the caller's file stays at hand
        return {"type": "call_settled", "call_id": call_id, "html": ""}
    if answered_by is None and call.ended_at is None:
        if call.ringing_advisor_id == advisor.pk:
            return None  # still ringing for them
        return {"type": "call_settled", "call_id": call_id, "html": ""}
    html = render_to_string(
        "web/live/_call_settled.html",
        {
            "call_id": call_id,
            "from_number": call.customer_number,
            "answered_by": answered_by,
            "voicemail": call.outcome == PhoneCall.Outcome.VOICEMAIL,
            "callback": call.callback_id is not None,
        },
    )
    return {"type": "call_settled", "call_id": call_id, "html": html}


def chat_waiting(*, advisor: Advisor, conversation_id: int) -> Payload | None:
    """ "Chat waiting from <customer>" with the way to the case's chat panel, while the
    chat is still handed to this advisor and not ended: the hand-over itself is the
    right to see it, checked in the same query."""
    conversation = (
        ChatConversation.objects.select_related("customer", "case")
        .filter(
            pk=conversation_id,
            advisor=advisor,
            case__isnull=False,
            status__in=[ChatConversation.Status.WAITING, ChatConversation.Status.LIVE],
        )
        .first()
    )
    if conversation is None:
        return None
    html = render_to_string("web/live/_chat_waiting.html", {"conversation": conversation})
    return {
        "type": "chat_waiting",
        "conversation_id": conversation_id,
        "case_id": conversation.case_id,
        "html": html,
    }


def promise_alerts(*, advisor: Advisor) -> Payload:
    """The desk's "Promise alerts (n)" link, recounted."""
    html = render_to_string(
        "web/promises/_alerts_link.html",
        {"unread": promises.unread_alert_count(advisor=advisor)},
    )
    return {"type": "promise_alerts", "html": html}
