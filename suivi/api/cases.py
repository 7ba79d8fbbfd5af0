"""/api/v1/cases: cases, their interactions and handoffs."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from suivi.conversations import selectors, services
from suivi.conversations.models import Case, Interaction
from suivi.core.text import excerpt
from suivi.core.vocabulary import Channel

from .auth import current_advisor
from .references import advisor_or_invalid
from .schemas import CaseOut, HandoffOut, InteractionOut, advisor_ref, author_out, case_out

router = Router(tags=["cases"])

ChannelName = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
StatusName = Literal[tuple(Case.Status.values)]  # type: ignore[valid-type]
DirectionName = Literal[tuple(Interaction.Direction.values)]  # type: ignore[valid-type]


class CaseIn(Schema):
    customer_id: int
    subject: str = Field(max_length=200)
    topic: str = Field("", max_length=60)
    summary: str = Field("", max_length=20_000)
    owner_id: int | None = None


class CasePatch(Schema):
    subject: str | None = Field(None, max_length=200)
    topic: str | None = Field(None, max_length=60)
    status: StatusName | None = None  # type: ignore[valid-type]
    summary: str | None = Field(None, max_length=20_000)
    owner_id: int | None = None


class InteractionIn(Schema):
    channel: ChannelName  # type: ignore[valid-type]
    direction: DirectionName  # type: ignore[valid-type]
    body: str = Field(max_length=100_000)
    html: str = Field("", max_length=500_000)
    occurred_at: datetime | None = None
    metadata: dict = Field(default_factory=dict)


class HandoffIn(Schema):
    to_advisor_id: int
    context_note: str = Field("", max_length=10_000)


def interaction_out(interaction: Interaction, customer_name: str) -> dict:
    return {
        "id": interaction.pk,
        "customer_id": interaction.customer_id,
        "case_id": interaction.case_id,
        "channel": interaction.channel,
        "direction": interaction.direction,
        "occurred_at": interaction.occurred_at,
        "author": author_out(interaction, customer_name),
        "excerpt": excerpt(interaction.text),
        "text": interaction.text,
        "html": interaction.html,
        "metadata": interaction.metadata,
        "first_answered_at": interaction.first_answered_at,
    }


@router.post("", response={201: CaseOut})
def open_case(request: HttpRequest, payload: CaseIn) -> Status[dict]:
    advisor = current_advisor(request)
    customer = selectors.customer_access(advisor=advisor, customer_id=payload.customer_id)
    case = services.case_open(
        customer=customer,
        subject=payload.subject,
        topic=payload.topic,
        summary=payload.summary,
        owner=advisor_or_invalid(payload.owner_id),
        by=advisor,
    )
    return Status(201, case_out(case))


@router.get("/{int:case_id}", response=CaseOut)
def get_case(request: HttpRequest, case_id: int) -> dict:
    return case_out(selectors.case_access(advisor=current_advisor(request), case_id=case_id))


@router.patch("/{int:case_id}", response=CaseOut)
def update_case(request: HttpRequest, case_id: int, payload: CasePatch) -> dict:
    case = selectors.case_access(advisor=current_advisor(request), case_id=case_id)
    changes = payload.model_dump(exclude_unset=True)
    if "owner_id" in changes:
        changes["owner"] = advisor_or_invalid(changes.pop("owner_id"))
    return case_out(services.case_update(case=case, changes=changes))


@router.post("/{int:case_id}/interactions", response={201: InteractionOut})
def add_interaction(request: HttpRequest, case_id: int, payload: InteractionIn) -> Status[dict]:
    advisor = current_advisor(request)
    case = selectors.case_access(advisor=advisor, case_id=case_id)
    inbound = payload.direction == Interaction.Direction.INBOUND
    interaction = services.interaction_record(
        case=case,
        channel=payload.channel,
        direction=payload.direction,
        text=payload.body,
        html=payload.html,
        author_advisor=None if inbound else advisor,
        occurred_at=payload.occurred_at,
        metadata={**payload.metadata, "recorded_by": advisor.pk} if inbound else payload.metadata,
    )
    return Status(201, interaction_out(interaction, case.customer.full_name))


@router.post("/{int:case_id}/handoffs", response={201: HandoffOut})
def hand_over(request: HttpRequest, case_id: int, payload: HandoffIn) -> Status[dict]:
    advisor = current_advisor(request)
    case = selectors.case_access(advisor=advisor, case_id=case_id)
    previous_owner = case.owner
    to = advisor_or_invalid(payload.to_advisor_id)
    assert to is not None
    handoff = services.case_hand_over(
        case=case, to=to, by=advisor, context_note=payload.context_note
    )
    return Status(
        201,
        {
            "id": handoff.pk,
            "case_id": case.pk,
            "from_advisor": advisor_ref(previous_owner),
            "to_advisor": advisor_ref(to),
            "context_note": handoff.context_note,
            "created_at": handoff.created_at,
        },
    )
