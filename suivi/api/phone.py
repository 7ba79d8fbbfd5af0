"""/api/v1/channels/phone: CTI events in, the routing answer out (signed by the PBX
bridge, see docs/channels/phone.md); /api/v1/calls: what advisors write about a call."""

from datetime import datetime

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from ninja import Query, Router, Schema
from pydantic import Field

from suivi.channels.inbound import inbound_process, inbound_store
from suivi.channels.phone import ring, selectors, services, signing
from suivi.channels.phone.errors import PhoneRateLimited
from suivi.channels.phone.models import PhoneCall
from suivi.channels.phone.schema import PhoneEvent, parse_event
from suivi.core.ratelimit import over_limit
from suivi.core.vocabulary import Channel

from .auth import current_advisor
from .schemas import AdvisorRef, advisor_ref

router = Router(tags=["phone"])
calls_router = Router(tags=["phone"])

RATE_WINDOW_SECONDS = 60


class EventAccepted(Schema):
    status: str = Field(description="`accepted`, or `duplicate` for an event id seen before")
    event_id: str
    inbound_id: int


class RouteQuery(Schema):
    from_: str = Field(alias="from", max_length=64, description="The caller, E.164")


class RouteOut(Schema):
    number: str
    customer_id: int | None
    advisor_id: int | None
    advisor_name: str
    extension: str | None = Field(description="The extension to ring; null: your own queue")
    reason_code: str
    reason: str


class CallOut(Schema):
    id: int
    call_id: str
    direction: str
    customer_id: int | None
    customer_number: str
    customer_created: bool
    outcome: str
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    queue_wait_seconds: int | None
    duration_seconds: int | None
    ringing_advisor: AdvisorRef | None
    answered_by: AdvisorRef | None
    interaction_id: int | None
    callback_id: int | None
    note: str
    note_by: AdvisorRef | None
    note_at: datetime | None


class NoteIn(Schema):
    note: str = Field(max_length=10_000)


def _rate_limited(request: HttpRequest, scope: str) -> JsonResponse | None:
    """A fixed window per client address: a runaway bridge cannot flood the workers."""
    if not over_limit(
        scope=f"phone:{scope}",
        client=request.META.get("REMOTE_ADDR", "unknown"),
        limit=int(settings.SUIVI_PHONE_RATE_LIMIT),
        window_seconds=RATE_WINDOW_SECONDS,
    ):
        return None
    error = PhoneRateLimited()
    response = JsonResponse({"code": error.code, "message": str(error.message)}, status=429)
    response["Retry-After"] = str(RATE_WINDOW_SECONDS)
    return response


def _verify(request: HttpRequest, body: bytes) -> None:
    signing.verify(
        body=body,
        timestamp=request.headers.get(signing.TIMESTAMP_HEADER),
        signature=request.headers.get(signing.SIGNATURE_HEADER),
    )


@router.post(
    "/events",
    auth=None,
    response=EventAccepted,
    summary="Receive a CTI event (signed with X-Suivi-Timestamp and X-Suivi-Signature)",
    # The body is read raw (the signature covers its bytes); its shape, for integrators:
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": PhoneEvent.model_json_schema()}},
        }
    },
)
def phone_event(request: HttpRequest) -> dict | JsonResponse:
    if (limited := _rate_limited(request, "events")) is not None:
        return limited
    body = request.body
    _verify(request, body)
    event = parse_event(body)
    # Stored raw before anything else; the event id is the idempotency key.
    # A ringing call is processed at once, in this request: the screen-pop is only worth
    # something while the phone rings, and it then reaches the advisor's sockets even with
    # the in-memory channel layer (docs/live.md). Stored first all the same; if processing
    # fails here, the retry sweep takes it up like any other message.
    at_once = event.type == "call.ringing"
    message, created = inbound_store(
        channel=Channel.PHONE,
        external_id=event.id,
        raw=body,
        source="cti-webhook",
        envelope={
            "remote_addr": request.META.get("REMOTE_ADDR", ""),
            "timestamp": request.headers.get(signing.TIMESTAMP_HEADER, ""),
        },
        enqueue=not at_once,
    )
    if created and at_once:
        inbound_process(message_id=message.pk)
    return {
        "status": "accepted" if created else "duplicate",
        "event_id": event.id,
        "inbound_id": message.pk,
    }


@router.get(
    "/route",
    auth=None,
    response=RouteOut,
    summary="Which advisor's extension to ring for a caller (signed like the events)",
)
def phone_route(request: HttpRequest, query: Query[RouteQuery]) -> dict | JsonResponse:
    if (limited := _rate_limited(request, "route")) is not None:
        return limited
    # A GET has no body: the signature covers the query string exactly as sent.
    _verify(request, request.META.get("QUERY_STRING", "").encode())
    number = query.from_
    if number.startswith(" "):
        # "from=+33..." sent without encoding the plus: the query string made it a space.
        number = "+" + number.lstrip()
    answer = ring.who_to_ring(number=number)
    return {
        "number": answer.number,
        "customer_id": answer.customer_id,
        "advisor_id": answer.advisor_id,
        "advisor_name": answer.advisor_name,
        "extension": answer.extension or None,
        "reason_code": answer.reason_code,
        "reason": answer.reason,
    }


def call_out(call: PhoneCall) -> dict:
    return {
        "id": call.pk,
        "call_id": call.call_id,
        "direction": call.direction,
        "customer_id": call.customer_id,
        "customer_number": call.customer_number,
        "customer_created": call.customer_created,
        "outcome": call.outcome or "in_progress",
        "started_at": call.started_at,
        "answered_at": call.answered_at,
        "ended_at": call.ended_at,
        "queue_wait_seconds": call.queue_wait_seconds,
        "duration_seconds": call.duration_seconds,
        "ringing_advisor": advisor_ref(call.ringing_advisor),
        "answered_by": advisor_ref(call.answered_by),
        "interaction_id": call.interaction_id,
        "callback_id": call.callback_id,
        "note": call.note,
        "note_by": advisor_ref(call.note_by),
        "note_at": call.note_at,
    }


@calls_router.get("/{call_id}", response=CallOut)
def get_call(request: HttpRequest, call_id: int) -> dict:
    call = selectors.call_access(advisor=current_advisor(request), call_id=call_id)
    return call_out(call)


@calls_router.post("/{call_id}/note", response=CallOut)
def note_call(request: HttpRequest, call_id: int, payload: NoteIn) -> dict:
    advisor = current_advisor(request)
    call = selectors.call_access(advisor=advisor, call_id=call_id)
    return call_out(services.call_note_set(call=call, by=advisor, note=payload.note))
