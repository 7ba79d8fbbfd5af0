"""/api/v1/customers: the customer file for integrators."""

from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from suivi.conversations import selectors as files
from suivi.core.pagination import keyset_page
from suivi.core.text import excerpt
from suivi.core.vocabulary import Channel
from suivi.customers import selectors, services
from suivi.customers.models import Customer, Identity
from suivi.customers.services import IdentityInput

from .auth import current_advisor
from .references import advisor_or_invalid
from .schemas import (
    AdvisorRef,
    CustomerOut,
    CustomerRef,
    IdentityOut,
    PageOut,
    PageQuery,
    TimelineItemOut,
    advisor_ref,
    author_out,
    case_out,
    customer_out,
    identity_out,
)

router = Router(tags=["customers"])

ChannelName = Literal[tuple(Channel.values)]  # type: ignore[valid-type]


class IdentityIn(Schema):
    kind: str = Field(max_length=20)
    value: str = Field(max_length=254)


class CustomerIn(Schema):
    given_name: str = Field("", max_length=120)
    family_name: str = Field("", max_length=120)
    address_as: str = Field("", max_length=120)
    language: Literal["fr", "en"] = "fr"
    preferred_channel: ChannelName | Literal[""] = ""  # type: ignore[valid-type]
    contact_hours: str = Field("", max_length=200)
    dedicated_advisor_id: int | None = None
    identities: list[IdentityIn] = Field(default_factory=list, max_length=50)


class CustomerPatch(Schema):
    given_name: str | None = Field(None, max_length=120)
    family_name: str | None = Field(None, max_length=120)
    address_as: str | None = Field(None, max_length=120)
    language: Literal["fr", "en"] | None = None
    preferred_channel: ChannelName | Literal[""] | None = None  # type: ignore[valid-type]
    contact_hours: str | None = Field(None, max_length=200)
    dedicated_advisor_id: int | None = None


class MergeIn(Schema):
    duplicate_id: int


class CustomerSearch(PageQuery):
    q: str = Field("", max_length=200)


class OpenCaseOut(Schema):
    id: int
    subject: str
    status: str
    summary: str
    owner: AdvisorRef | None
    last_handoff_note: str | None


class TimelineOut(Schema):
    items: list[TimelineItemOut]
    next_cursor: str | None


class CustomerFileOut(Schema):
    customer: CustomerOut
    identities: list[IdentityOut]
    dedicated_advisor: AdvisorRef | None
    open_cases: list[OpenCaseOut]
    timeline: TimelineOut


class DuplicateOut(Schema):
    id: int
    customer: CustomerRef
    other: CustomerRef
    reason: str
    reason_label: str


def _customer_payload(customer: Customer) -> dict:
    return customer_out(customer, selectors.customer_identities(customer_id=customer.pk))


@router.post("", response={201: CustomerOut})
def create_customer(request: HttpRequest, payload: CustomerIn) -> Status[dict]:
    advisor = current_advisor(request)
    dedicated = advisor_or_invalid(payload.dedicated_advisor_id)
    customer = services.customer_create(
        given_name=payload.given_name,
        family_name=payload.family_name,
        address_as=payload.address_as,
        language=payload.language,
        preferred_channel=payload.preferred_channel,
        contact_hours=payload.contact_hours,
        dedicated_advisor=dedicated,
        team=advisor.team,
        identities=[IdentityInput(kind=i.kind, value=i.value) for i in payload.identities],
    )
    return Status(201, _customer_payload(customer))


@router.get("", response=PageOut[CustomerOut])
def list_customers(request: HttpRequest, query: Query[CustomerSearch]) -> dict:
    visible = files.customers_visible_to(current_advisor(request))
    found = selectors.customers_search(queryset=visible, q=query.q).select_related(
        "dedicated_advisor"
    )
    page = keyset_page(found, field="pk", descending=True, cursor=query.cursor, limit=query.limit)
    identities: dict[int, list[Identity]] = {}
    for identity in Identity.objects.filter(customer__in=[c.pk for c in page.items]).order_by(
        "kind", "pk"
    ):
        identities.setdefault(identity.customer_id, []).append(identity)
    return {
        "items": [customer_out(c, identities.get(c.pk, [])) for c in page.items],
        "next_cursor": page.next_cursor,
    }


@router.get("/duplicates", response=PageOut[DuplicateOut])
def list_duplicates(request: HttpRequest, query: Query[PageQuery]) -> dict:
    visible = files.customers_visible_to(current_advisor(request))
    pairs = selectors.possible_duplicates(visible=visible)
    page = keyset_page(pairs, field="pk", descending=True, cursor=query.cursor, limit=query.limit)
    return {
        "items": [
            {
                "id": pair.pk,
                "customer": {"id": pair.customer.pk, "name": pair.customer.full_name},
                "other": {"id": pair.other.pk, "name": pair.other.full_name},
                "reason": pair.reason,
                "reason_label": pair.get_reason_display(),
            }
            for pair in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@router.get("/{int:customer_id}", response=CustomerOut)
def get_customer(request: HttpRequest, customer_id: int) -> dict:
    customer = files.customer_access(advisor=current_advisor(request), customer_id=customer_id)
    return _customer_payload(customer)


@router.patch("/{int:customer_id}", response=CustomerOut)
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> dict:
    customer = files.customer_access(advisor=current_advisor(request), customer_id=customer_id)
    changes = payload.model_dump(exclude_unset=True)
    if "dedicated_advisor_id" in changes:
        changes["dedicated_advisor"] = advisor_or_invalid(changes.pop("dedicated_advisor_id"))
    services.customer_update(customer=customer, changes=changes)
    return _customer_payload(customer)


@router.post("/{int:customer_id}/identities", response={200: IdentityOut, 201: IdentityOut})
def add_identity(request: HttpRequest, customer_id: int, payload: IdentityIn) -> Status[dict]:
    customer = files.customer_access(advisor=current_advisor(request), customer_id=customer_id)
    identity, created = services.identity_add(
        customer=customer, kind=payload.kind, value=payload.value
    )
    return Status(201 if created else 200, identity_out(identity))


@router.post("/{int:customer_id}/merge", response=CustomerOut)
def merge_customer(request: HttpRequest, customer_id: int, payload: MergeIn) -> dict:
    advisor = current_advisor(request)
    keep = files.customer_access(advisor=advisor, customer_id=customer_id)
    duplicate = files.customer_access(advisor=advisor, customer_id=payload.duplicate_id)
    kept = services.customers_merge(keep=keep, duplicate=duplicate, by=advisor)
    return _customer_payload(files.customer_access(advisor=advisor, customer_id=kept.pk))


@router.get("/{int:customer_id}/file", response=CustomerFileOut)
def customer_file(request: HttpRequest, customer_id: int, query: Query[PageQuery]) -> dict:
    customer = files.customer_access(advisor=current_advisor(request), customer_id=customer_id)
    file = files.customer_file(customer=customer, cursor=query.cursor, limit=query.limit)
    name = customer.full_name
    return {
        "customer": customer_out(customer, file.identities),
        "identities": [identity_out(i) for i in file.identities],
        "dedicated_advisor": advisor_ref(customer.dedicated_advisor),
        "open_cases": [
            {
                **case_out(case),
                "last_handoff_note": getattr(case, "last_handoff_note", None),
            }
            for case in file.open_cases
        ],
        "timeline": {
            "items": [
                {
                    "id": item.pk,
                    "channel": item.channel,
                    "direction": item.direction,
                    "occurred_at": item.occurred_at,
                    "author": author_out(item, name),
                    "excerpt": excerpt(item.text),
                    "case_id": item.case_id,
                    "case_subject": getattr(item, "case_subject", None),
                }
                for item in file.timeline.items
            ],
            "next_cursor": file.timeline.next_cursor,
        },
    }
