"""Schemas shared by several API resources."""

from datetime import datetime
from typing import Generic, TypeVar

from ninja import Schema
from pydantic import Field

from suivi.conversations.models import Case, Interaction
from suivi.customers.models import Customer, Identity
from suivi.people.models import Advisor

T = TypeVar("T")


class PageOut(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None


class PageQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=100)


class TeamRef(Schema):
    id: int
    name: str


class AdvisorRef(Schema):
    id: int
    display_name: str


class AdvisorOut(Schema):
    id: int
    display_name: str
    role: str
    team: TeamRef | None
    languages: list[str]
    skills: list[str]


class IdentityOut(Schema):
    id: int
    kind: str
    value: str


class CustomerRef(Schema):
    id: int
    name: str


class CustomerOut(Schema):
    id: int
    given_name: str
    family_name: str
    address_as: str
    greeting_name: str
    language: str
    preferred_channel: str
    contact_hours: str
    dedicated_advisor: AdvisorRef | None
    created_at: datetime
    identities: list[IdentityOut]


class HandoffOut(Schema):
    id: int
    case_id: int
    from_advisor: AdvisorRef | None
    to_advisor: AdvisorRef | None
    context_note: str
    created_at: datetime


class CaseOut(Schema):
    id: int
    customer_id: int
    subject: str
    topic: str
    status: str
    summary: str
    owner: AdvisorRef | None
    opened_at: datetime
    resolved_at: datetime | None
    awaiting_reply_since: datetime | None


class AuthorOut(Schema):
    kind: str
    id: int | None
    name: str


class TimelineItemOut(Schema):
    id: int
    channel: str
    direction: str
    occurred_at: datetime
    author: AuthorOut
    excerpt: str
    case_id: int | None
    case_subject: str | None = None


class InteractionOut(TimelineItemOut):
    customer_id: int
    text: str
    html: str
    metadata: dict
    first_answered_at: datetime | None


def advisor_ref(advisor: Advisor | None) -> dict | None:
    return {"id": advisor.pk, "display_name": advisor.display_name} if advisor else None


def advisor_out(advisor: Advisor) -> dict:
    team = advisor.team
    return {
        "id": advisor.pk,
        "display_name": advisor.display_name,
        "role": advisor.role,
        "team": {"id": team.pk, "name": team.name} if team else None,
        "languages": advisor.languages,
        "skills": advisor.skills,
    }


def identity_out(identity: Identity) -> dict:
    return {"id": identity.pk, "kind": identity.kind, "value": identity.value}


def customer_out(customer: Customer, identities: list[Identity]) -> dict:
    return {
        "id": customer.pk,
        "given_name": customer.given_name,
        "family_name": customer.family_name,
        "address_as": customer.address_as,
        "greeting_name": customer.greeting_name,
        "language": customer.language,
        "preferred_channel": customer.preferred_channel,
        "contact_hours": customer.contact_hours,
        "dedicated_advisor": advisor_ref(customer.dedicated_advisor),
        "created_at": customer.created_at,
        "identities": [identity_out(i) for i in identities],
    }


def case_out(case: Case) -> dict:
    return {
        "id": case.pk,
        "customer_id": case.customer_id,
        "subject": case.subject,
        "topic": case.topic,
        "status": case.status,
        "summary": case.summary,
        "owner": advisor_ref(case.owner),
        "opened_at": case.opened_at,
        "resolved_at": case.resolved_at,
        "awaiting_reply_since": case.awaiting_reply_since,
    }


def author_out(interaction: Interaction, customer_name: str) -> dict:
    kind = interaction.author_kind
    if kind == Interaction.AuthorKind.ADVISOR and interaction.author_advisor:
        advisor = interaction.author_advisor
        return {"kind": kind, "id": advisor.pk, "name": advisor.display_name}
    if kind == Interaction.AuthorKind.CUSTOMER:
        return {"kind": kind, "id": interaction.customer_id, "name": customer_name}
    return {"kind": kind, "id": None, "name": str(Interaction.AuthorKind(kind).label)}
