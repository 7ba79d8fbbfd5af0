"""/api/v1/cases/{id}/replies: answer the customer on a channel from the case."""

from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from suivi.channels.email import outgoing
from suivi.conversations import selectors

from .auth import current_advisor

router = Router(tags=["cases"])


class ReplyIn(Schema):
    channel: Literal["email"]
    body: str = Field(min_length=1, max_length=100_000)
    html: str = Field("", max_length=500_000)
    # The published article version the answer quotes (docs/knowledge.md).
    knowledge_version_id: int | None = Field(None, ge=1, le=2**62)


class ReplyOut(Schema):
    interaction_id: int
    case_id: int
    channel: str
    to: str
    message_id: str
    delivery: str


@router.post("/{int:case_id}/replies", response={201: ReplyOut})
def reply(request: HttpRequest, case_id: int, payload: ReplyIn) -> Status[dict]:
    """Send an answer by e-mail (threaded, with the case's signed reply address) and put
    it on the timeline; it keeps the case's first-answer promise. Delivery is retried in
    the background; its state shows on the interaction's `metadata.delivery`."""
    advisor = current_advisor(request)
    case = selectors.case_access(advisor=advisor, case_id=case_id)
    sent = outgoing.reply(
        case=case, by=advisor, body=payload.body, html=payload.html,
        knowledge_version_id=payload.knowledge_version_id,
    )  # fmt: skip
    sent.refresh_from_db(fields=["status"])
    return Status(
        201,
        {
            "interaction_id": sent.interaction_id,
            "case_id": case.pk,
            "channel": payload.channel,
            "to": sent.to_address,
            "message_id": sent.message_id,
            "delivery": sent.status,
        },
    )
