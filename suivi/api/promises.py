"""/api/v1/promises: commitments to customers, kept, broken or cancelled."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from suivi.conversations import selectors as files
from suivi.conversations.models import Interaction
from suivi.promises import selectors, services
from suivi.promises.models import Promise

from .auth import current_advisor
from .schemas import AdvisorRef, PageOut, PageQuery, advisor_ref

router = Router(tags=["promises"])

KindName = Literal[tuple(Promise.Kind.values)]  # type: ignore[valid-type]
StatusName = Literal[tuple(Promise.Status.values)]  # type: ignore[valid-type]


class PromiseIn(Schema):
    customer_id: int
    case_id: int | None = None
    what: str = Field(max_length=500)
    due_at: datetime
    kind: KindName = "personal"  # type: ignore[valid-type]


class PromiseKeepIn(Schema):
    interaction_id: int | None = None


class PromiseCancelIn(Schema):
    reason: str = Field("", max_length=500)


class PromiseList(PageQuery):
    status: StatusName | None = None  # type: ignore[valid-type]
    due_before: datetime | None = None
    advisor: int | None = None
    customer_id: int | None = None


class PromiseOut(Schema):
    id: int
    customer_id: int
    case_id: int | None
    kind: str
    what: str
    status: str
    made_by: AdvisorRef | None
    by_policy: bool
    channel: str
    created_at: datetime
    due_at: datetime
    at_risk_at: datetime | None
    customer_told_at: datetime | None
    paused_at: datetime | None
    paused_remaining_seconds: int | None
    kept_at: datetime | None
    kept_by_interaction_id: int | None
    broken_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str
    replaces_id: int | None


def promise_out(promise: Promise) -> dict:
    return {
        "id": promise.pk,
        "customer_id": promise.customer_id,
        "case_id": promise.case_id,
        "kind": promise.kind,
        "what": promise.what,
        "status": promise.status,
        "made_by": advisor_ref(promise.made_by),
        "by_policy": promise.by_policy,
        "channel": promise.channel,
        "created_at": promise.created_at,
        "due_at": promise.due_at,
        "at_risk_at": promise.at_risk_at,
        "customer_told_at": promise.customer_told_at,
        "paused_at": promise.paused_at,
        "paused_remaining_seconds": promise.paused_remaining_seconds,
        "kept_at": promise.kept_at,
        "kept_by_interaction_id": promise.kept_by_id,
        "broken_at": promise.broken_at,
        "cancelled_at": promise.cancelled_at,
        "cancel_reason": promise.cancel_reason,
        "replaces_id": promise.replaces_id,
    }


@router.post("", response={201: PromiseOut})
def make_promise(request: HttpRequest, payload: PromiseIn) -> Status[dict]:
    advisor = current_advisor(request)
    customer = files.customer_access(advisor=advisor, customer_id=payload.customer_id)
    case = (
        files.case_access(advisor=advisor, case_id=payload.case_id)
        if payload.case_id is not None
        else None
    )
    promise = services.promise_make(
        customer=customer,
        case=case,
        what=payload.what,
        due_at=payload.due_at,
        kind=payload.kind,
        made_by=advisor,
    )
    return Status(201, promise_out(promise))


@router.get("", response=PageOut[PromiseOut])
def list_promises(request: HttpRequest, query: Query[PromiseList]) -> dict:
    page = selectors.promises_page(
        advisor=current_advisor(request),
        status=query.status,
        due_before=query.due_before,
        answerable=query.advisor,
        customer_id=query.customer_id,
        cursor=query.cursor,
        limit=query.limit,
    )
    return {"items": [promise_out(p) for p in page.items], "next_cursor": page.next_cursor}


@router.get("/{int:promise_id}", response=PromiseOut)
def get_promise(request: HttpRequest, promise_id: int) -> dict:
    advisor = current_advisor(request)
    return promise_out(selectors.promise_access(advisor=advisor, promise_id=promise_id))


@router.post("/{int:promise_id}/keep", response=PromiseOut)
def keep_promise(request: HttpRequest, promise_id: int, payload: PromiseKeepIn) -> dict:
    promise = selectors.promise_access(advisor=current_advisor(request), promise_id=promise_id)
    interaction = None
    if payload.interaction_id is not None:
        interaction = Interaction.objects.filter(
            pk=payload.interaction_id, customer_id=promise.customer_id
        ).first()
        if interaction is None:
            raise services.PromiseInteractionMismatch(interaction_id=payload.interaction_id)
    return promise_out(services.promise_keep(promise=promise, interaction=interaction))


@router.post("/{int:promise_id}/cancel", response=PromiseOut)
def cancel_promise(request: HttpRequest, promise_id: int, payload: PromiseCancelIn) -> dict:
    advisor = current_advisor(request)
    promise = selectors.promise_access(advisor=advisor, promise_id=promise_id)
    return promise_out(services.promise_cancel(promise=promise, reason=payload.reason, by=advisor))
