"""A call on the customer's timeline: one interaction, rebuilt from the call's facts
each time they change (an event, the advisor's note)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from suivi.conversations import services as conversations
from suivi.conversations.models import Interaction
from suivi.core.vocabulary import Channel
from suivi.people.models import Advisor
from suivi.routing.models import RoutingDecision

from .models import PhoneCall

Result = PhoneCall.Outcome
# A routing answer given this long around the call's start is the one the PBX followed.
ROUTING_LOOKBACK = timedelta(minutes=5)


def site_language() -> str:
    return settings.LANGUAGE_CODE[:2] if settings.LANGUAGE_CODE[:2] in ("fr", "en") else "fr"


def record_interaction(
    call: PhoneCall, *, callback_error: str = "", routing: dict[str, Any] | None = None
) -> Interaction | None:
    """Create or refresh the call's interaction on the customer's timeline. `routing` is
    the answer the PBX followed (`routing_followed`), shown on a new interaction."""
    if call.customer_id is None:
        return None
    with translation.override(site_language()):
        text = summary(call)
    phone: dict[str, Any] = {
        "call": call.pk,
        "call_id": call.call_id,
        "number": call.customer_number,
        "outcome": call.outcome,
        "wait_seconds": call.queue_wait_seconds,
        "duration_seconds": call.duration_seconds,
        "answered_by": _person(call.answered_by),
        "customer_created": call.customer_created,
        "callback": call.callback_id,
    }
    if call.note:
        phone["note"] = call.note
        phone["note_by"] = _person(call.note_by)
        text = f"{text}\n\n{call.note}"
    first_answered_at = call.answered_at if call.direction == PhoneCall.Direction.INBOUND else None
    interaction = call.interaction if call.interaction_id else None
    if not callback_error and interaction is not None:
        callback_error = (interaction.metadata or {}).get("phone", {}).get("callback_error", "")
    if callback_error:
        phone["callback_error"] = callback_error
    if interaction is None:
        metadata: dict[str, Any] = {"phone": phone}
        if routing is not None:
            metadata["routing"] = routing
        interaction = _create_interaction(call, text, metadata)
        if first_answered_at is not None:
            Interaction.objects.filter(pk=interaction.pk).update(
                first_answered_at=first_answered_at
            )
        return interaction
    interaction.metadata = {**(interaction.metadata or {}), "phone": phone}
    fields: dict[str, Any] = {
        "text": text,
        "metadata": interaction.metadata,
        "occurred_at": call.started_at,
        "first_answered_at": first_answered_at,
    }
    if call.direction == PhoneCall.Direction.OUTBOUND and call.answered_by is not None:
        fields |= {
            "author_advisor": call.answered_by,
            "author_kind": Interaction.AuthorKind.ADVISOR,
        }
    Interaction.objects.filter(pk=interaction.pk).update(**fields)
    return interaction


def _create_interaction(call: PhoneCall, text: str, metadata: dict[str, Any]) -> Interaction:
    if call.direction == PhoneCall.Direction.INBOUND:
        return conversations.interaction_record(
            customer=call.customer,
            channel=Channel.PHONE,
            direction=Interaction.Direction.INBOUND,
            author_kind=Interaction.AuthorKind.CUSTOMER,
            text=text,
            occurred_at=call.started_at,
            metadata=metadata,
        )
    by = call.answered_by or call.ringing_advisor
    return conversations.interaction_record(
        customer=call.customer,
        channel=Channel.PHONE,
        direction=Interaction.Direction.OUTBOUND,
        author_kind=Interaction.AuthorKind.ADVISOR if by else Interaction.AuthorKind.SYSTEM,
        author_advisor=by,
        text=text,
        occurred_at=call.started_at,
        metadata=metadata,
    )


def routing_followed(call: PhoneCall) -> dict[str, Any] | None:
    """The answer the route endpoint gave the PBX for this caller around the call's
    start, so the timeline says why this advisor rang. One indexed query; read before a
    missed call's callback is routed, whose own decision is not the PBX's."""
    assert call.customer_id is not None
    decision = (
        RoutingDecision.objects.filter(
            customer_id=call.customer_id,
            channel=Channel.PHONE,
            decided_at__gte=call.started_at - ROUTING_LOOKBACK,
            decided_at__lte=call.started_at + ROUTING_LOOKBACK,
        )
        .order_by("-decided_at")
        .values("pk", "reason_code", "details")
        .first()
    )
    if decision is None:
        return None
    return {
        "decision": decision["pk"],
        "code": decision["reason_code"],
        "details": decision["details"],
    }


def _person(advisor: Advisor | None) -> dict[str, Any] | None:
    if advisor is None:
        return None
    return {"id": advisor.pk, "name": advisor.display_name}


def duration(seconds: int | None) -> str:
    """42 s, 4 min 05 s, 1 h 02 min: the same in French and English."""
    if seconds is None:
        return "?"
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def summary(call: PhoneCall) -> str:
    """One sentence a person reads on the timeline, in the active language."""
    number = call.customer_number or _("a withheld number")
    who = call.answered_by.display_name if call.answered_by else ""
    values = {
        "number": number,
        "who": who,
        "wait": duration(call.queue_wait_seconds),
        "duration": duration(call.duration_seconds),
        "ringing": call.ringing_advisor.display_name if call.ringing_advisor else "",
    }
    if call.direction == PhoneCall.Direction.OUTBOUND:
        if call.outcome == Result.ANSWERED and call.ended_at:
            return _("Call to %(number)s by %(who)s, %(duration)s.") % values
        if call.outcome == Result.ANSWERED:
            return _("Call to %(number)s by %(who)s, in progress.") % values
        if call.ended_at:
            return _("Call to %(number)s: no answer.") % values
        return _("Calling %(number)s…") % values
    if call.outcome == Result.ANSWERED and call.ended_at:
        return _("Call from %(number)s answered by %(who)s after %(wait)s, %(duration)s.") % values
    if call.outcome == Result.ANSWERED:
        return _("Call from %(number)s answered by %(who)s after %(wait)s, in progress.") % values
    if call.outcome == Result.VOICEMAIL:
        return _("Voicemail from %(number)s after %(wait)s of waiting.") % values
    if call.outcome == Result.MISSED:
        return _("Missed call from %(number)s: hung up after %(wait)s of waiting.") % values
    if values["ringing"]:
        return _("Call from %(number)s, ringing for %(ringing)s…") % values
    return _("Call from %(number)s, waiting…") % values
