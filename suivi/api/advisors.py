"""/api/v1/advisors: who is who, and each advisor's inbox."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema

from suivi.conversations import selectors as conversations
from suivi.core.pagination import keyset_page
from suivi.people import selectors
from suivi.routing import selectors as routing_selectors
from suivi.routing import services as routing

from .auth import current_advisor
from .schemas import AdvisorOut, CustomerRef, PageOut, PageQuery, advisor_out

router = Router(tags=["advisors"])


class InboxItemOut(Schema):
    id: int
    subject: str
    status: str
    topic: str
    customer: CustomerRef
    awaiting_reply_since: datetime
    unseen_handoff: bool


@router.get("", response=PageOut[AdvisorOut])
def list_advisors(request: HttpRequest, query: Query[PageQuery]) -> dict:
    page = keyset_page(
        selectors.advisors_list(), field="pk", descending=False, cursor=query.cursor,
        limit=query.limit,
    )  # fmt: skip
    return {"items": [advisor_out(a) for a in page.items], "next_cursor": page.next_cursor}


@router.get("/me", response=AdvisorOut)
def me(request: HttpRequest) -> dict:
    return advisor_out(selectors.advisor_get(advisor_id=current_advisor(request).pk))


@router.get("/me/inbox", response=PageOut[InboxItemOut])
def my_inbox(request: HttpRequest, query: Query[PageQuery]) -> dict:
    page = conversations.inbox_page(
        advisor=current_advisor(request), cursor=query.cursor, limit=query.limit
    )
    return {
        "items": [
            {
                "id": case.pk,
                "subject": case.subject,
                "status": case.status,
                "topic": case.topic,
                "customer": {"id": case.customer.pk, "name": case.customer.full_name},
                "awaiting_reply_since": case.awaiting_reply_since,
                "unseen_handoff": case.unseen_handoff,  # type: ignore[attr-defined]
            }
            for case in page.items
        ],
        "next_cursor": page.next_cursor,
    }


class PresenceIn(Schema):
    status: str


class PresenceOut(Schema):
    status: str
    updated_at: datetime | None


@router.get("/me/presence", response=PresenceOut)
def my_presence(request: HttpRequest) -> dict:
    presence = routing_selectors.presence_of(advisor=current_advisor(request))
    return {"status": presence.status, "updated_at": presence.updated_at}


@router.put("/me/presence", response=PresenceOut)
def set_my_presence(request: HttpRequest, body: PresenceIn) -> dict:
    """What the advisor says about themselves: available, busy or away (docs/routing.md)."""
    presence = routing.presence_set(advisor=current_advisor(request), status=body.status)
    return {"status": presence.status, "updated_at": presence.updated_at}
