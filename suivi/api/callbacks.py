"""/api/v1/callbacks: ask for a callback (a window or as soon as possible), the windows
offered, the list, attempts and their outcome, cancelling. See docs/callbacks.md."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from suivi.conversations import selectors as files
from suivi.scheduling import callbacks, selectors
from suivi.scheduling.callback_slots import CallbackSlot, callback_slots
from suivi.scheduling.errors import CallbackSlotNotOffered
from suivi.scheduling.models import Callback, CallbackAttempt

from .auth import current_advisor
from .schemas import AdvisorRef, PageOut, PageQuery, advisor_ref

router = Router(tags=["callbacks"])

StatusName = Literal[tuple(Callback.Status.values)]  # type: ignore[valid-type]
OutcomeName = Literal[tuple(CallbackAttempt.Outcome.values)]  # type: ignore[valid-type]
# A missed call is recorded by the phone adapter, a visit's callback from the visit.
SourceName = Literal["api", "portal", "chat", "advisor"]


class CallbackIn(Schema):
    customer_id: int
    reason: str = Field(max_length=300)
    phone: str = Field("", max_length=32)
    case_id: int | None = None
    window_starts_at: datetime | None = None
    window_ends_at: datetime | None = None
    asap: bool = False
    source: SourceName = "api"
    # Refuse (409) a window that is not among the offered slots, as the public page does.
    offered_only: bool = False


class CallbackList(PageQuery):
    status: StatusName | None = None  # type: ignore[valid-type]
    advisor: int | None = None
    customer: int | None = None


class SlotQuery(Schema):
    customer: int
    start: datetime | None = None
    days: int = Field(1, ge=1, le=14)
    limit: int = Field(48, ge=1, le=200)


class AttemptIn(Schema):
    outcome: OutcomeName  # type: ignore[valid-type]
    note: str = Field("", max_length=5000)


class CancelIn(Schema):
    reason: str = Field("", max_length=500)


class WindowOut(Schema):
    starts_at: datetime
    ends_at: datetime


class SlotNotOfferedOut(Schema):
    code: str
    message: str
    alternatives: list[WindowOut]


class CallbackOut(Schema):
    id: int
    customer_id: int
    case_id: int | None
    status: str
    source: str
    reason: str
    phone: str
    asap: bool
    window_starts_at: datetime
    window_ends_at: datetime
    assigned_to: AdvisorRef | None
    routing_decision_id: int | None
    promise_id: int | None
    attempt_count: int
    next_attempt_at: datetime | None
    created_at: datetime
    closed_at: datetime | None


class AttemptOut(Schema):
    id: int
    outcome: str
    note: str
    phone: str
    advisor: AdvisorRef | None
    interaction_id: int | None
    attempted_at: datetime
    customer_told_interaction_id: int | None
    callback: CallbackOut


def callback_out(callback: Callback) -> dict:
    return {
        "id": callback.pk,
        "customer_id": callback.customer_id,
        "case_id": callback.case_id,
        "status": callback.status,
        "source": callback.source,
        "reason": callback.reason,
        "phone": callback.phone,
        "asap": callback.asap,
        "window_starts_at": callback.window_starts_at,
        "window_ends_at": callback.window_ends_at,
        "assigned_to": advisor_ref(callback.assigned_to),
        "routing_decision_id": callback.routing_decision_id,
        "promise_id": callback.promise_id,
        "attempt_count": callback.attempt_count,
        "next_attempt_at": callback.next_attempt_at,
        "created_at": callback.created_at,
        "closed_at": callback.closed_at,
    }


def _window(slot: CallbackSlot) -> dict:
    return {"starts_at": slot.starts_at, "ends_at": slot.ends_at}


@router.post("", response={200: CallbackOut, 201: CallbackOut, 409: SlotNotOfferedOut})
def request_callback(request: HttpRequest, payload: CallbackIn) -> Status[dict]:
    """201 with a new callback; 200 with the customer's open callback on that number
    when it already answers this request (idempotent)."""
    advisor = current_advisor(request)
    customer = files.customer_access(advisor=advisor, customer_id=payload.customer_id)
    case = (
        files.case_access(advisor=advisor, case_id=payload.case_id)
        if payload.case_id is not None
        else None
    )
    try:
        callback, created = callbacks.callback_request_created(
            customer=customer,
            reason=payload.reason,
            phone=payload.phone,
            case=case,
            window_starts_at=payload.window_starts_at,
            window_ends_at=payload.window_ends_at,
            asap=payload.asap,
            created_by=advisor,
            source=payload.source,
            require_offered_slot=payload.offered_only,
        )
    except CallbackSlotNotOffered as error:
        return Status(
            409,
            {
                "code": error.code,
                "message": str(error.message),
                "alternatives": [_window(s) for s in getattr(error, "alternatives", [])],
            },
        )
    return Status(201 if created else 200, callback_out(callback))


@router.get("", response=PageOut[CallbackOut])
def list_callbacks(request: HttpRequest, query: Query[CallbackList]) -> dict:
    page = selectors.callbacks_page(
        advisor=current_advisor(request),
        status=query.status,
        assigned_to=query.advisor,
        customer_id=query.customer,
        cursor=query.cursor,
        limit=query.limit,
    )
    return {"items": [callback_out(c) for c in page.items], "next_cursor": page.next_cursor}


@router.get("/slots", response=list[WindowOut])
def slots(request: HttpRequest, query: Query[SlotQuery]) -> list[dict]:
    customer = files.customer_access(advisor=current_advisor(request), customer_id=query.customer)
    found = callback_slots(customer=customer, start=query.start, days=query.days, limit=query.limit)
    return [_window(s) for s in found]


@router.get("/{int:callback_id}", response=CallbackOut)
def get_callback(request: HttpRequest, callback_id: int) -> dict:
    advisor = current_advisor(request)
    return callback_out(selectors.callback_access(advisor=advisor, callback_id=callback_id))


@router.post("/{int:callback_id}/attempts", response={201: AttemptOut})
def record_attempt(request: HttpRequest, callback_id: int, payload: AttemptIn) -> Status[dict]:
    advisor = current_advisor(request)
    callback = selectors.callback_access(advisor=advisor, callback_id=callback_id)
    result = callbacks.callback_attempt(
        callback=callback, by=advisor, outcome=payload.outcome, note=payload.note
    )
    attempt = result.attempt
    return Status(
        201,
        {
            "id": attempt.pk,
            "outcome": attempt.outcome,
            "note": attempt.note,
            "phone": attempt.phone,
            "advisor": advisor_ref(advisor),
            "interaction_id": attempt.interaction_id,
            "attempted_at": attempt.attempted_at,
            "customer_told_interaction_id": result.customer_told.pk
            if result.customer_told
            else None,
            "callback": callback_out(result.callback),
        },
    )


@router.post("/{int:callback_id}/cancel", response=CallbackOut)
def cancel_callback(request: HttpRequest, callback_id: int, payload: CancelIn) -> dict:
    advisor = current_advisor(request)
    callback = selectors.callback_access(advisor=advisor, callback_id=callback_id)
    return callback_out(
        callbacks.callback_cancel(callback=callback, reason=payload.reason, by=advisor)
    )
