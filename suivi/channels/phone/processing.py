"""Processing one stored CTI event: the call's facts, its interaction, presence, callback.

Runs inside the transaction opened by `suivi.channels.inbound.inbound_process`. Events of
one call may arrive in any order and more than once; each is applied to the call's row
under a lock, and the interaction on the customer's timeline is rebuilt from the facts.
"""

import functools
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

import phonenumbers
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from suivi.core.errors import DomainError
from suivi.core.vocabulary import Channel
from suivi.customers import selectors as customer_selectors
from suivi.customers import services as customer_services
from suivi.customers.identities import InvalidIdentity, normalise
from suivi.customers.models import Customer, Identity
from suivi.people.models import Advisor
from suivi.routing.models import AdvisorPresence
from suivi.routing.services import presence_set
from suivi.scheduling.callbacks import callback_request
from suivi.scheduling.models import Callback

from ..inbound import Outcome
from ..models import InboundMessage
from . import events
from .models import PhoneCall
from .schema import PhoneEvent, parse_event
from .timeline import record_interaction, routing_followed, site_language

logger = logging.getLogger("suivi.channels.phone")
Result = PhoneCall.Outcome


def process(message: InboundMessage) -> Outcome:
    event = parse_event(bytes(message.raw))
    # The PBX's clock may run ahead of ours: never record a call in the future.
    moment = min(event.occurred_at or message.received_at, message.received_at)
    advisor = _advisor(event.advisor)
    call, created = PhoneCall.objects.select_for_update().get_or_create(
        call_id=event.call_id,
        defaults={
            "direction": PhoneCall.Direction.INBOUND
            if event.direction == "inbound"
            else PhoneCall.Direction.OUTBOUND,
            "customer_number": _e164(event.customer_number),
            "our_number": event.our_number,
            "started_at": _started_at(event, moment),
            "updated_at": message.received_at,
        },
    )
    if created:
        customer, call.customer_created = _customer(call.customer_number, advisor)
        call.customer = customer
    call.started_at = min(call.started_at, _started_at(event, moment))
    rang_for = call.ringing_advisor_id
    _apply(call, event, moment, advisor)
    first = call.interaction_id is None and call.customer_id is not None
    routing = routing_followed(call) if first else None
    callback_error = _missed_call_callback(call)
    call.updated_at = message.received_at
    call.save()
    interaction = record_interaction(call, callback_error=callback_error, routing=routing)
    if call.customer_id is None:
        return Outcome("call_anonymous", ignored=True)
    if interaction is not None and call.interaction_id != interaction.pk:
        call.interaction = interaction
        PhoneCall.objects.filter(pk=call.pk).update(interaction=interaction)
    after_commit = []
    if event.type == "call.ringing" and call.ringing_advisor_id and not call.ended_at:
        payload = {
            "advisor_id": call.ringing_advisor_id,
            "customer_id": call.customer_id,
            "call_id": call.call_id,
            "from_number": call.customer_number,
            "interaction_id": call.interaction_id,
        }
        after_commit.append(lambda: events.call_ringing.publish(**payload))
    after_commit.extend(_settled(call, event.type, rang_for))
    return Outcome(
        event.type.replace(".", "_"),
        customer_id=call.customer_id,
        interaction_id=call.interaction_id,
        after_commit=after_commit,
    )


def _settled(call: PhoneCall, kind: str, rang_for: int | None) -> list[Callable[[], None]]:
    """Whose screen-pop of this call must give way: the advisor it rang for when it is
    answered or over, and the one it rang for before when it now rings for another."""
    advisors = set()
    if kind != "call.ringing" and call.ringing_advisor_id is not None:
        advisors.add(call.ringing_advisor_id)
    if rang_for is not None and rang_for != call.ringing_advisor_id:
        advisors.add(rang_for)
    return [
        functools.partial(events.call_settled.publish, advisor_id=advisor_id, call_id=call.call_id)
        for advisor_id in sorted(advisors)
    ]


def _advisor(extension: str) -> Advisor | None:
    if not extension:
        return None
    return Advisor.objects.filter(extension=extension).select_related("team").first()


def _e164(raw: str) -> str:
    try:
        return normalise(Identity.Kind.PHONE, raw).value
    except InvalidIdentity:
        # Withheld ("anonymous"), an internal extension, garbage: kept as the PBX said it.
        return raw[:64]


def _started_at(event: PhoneEvent, moment: datetime) -> datetime:
    """When the call reached us: the event time minus the wait (and talk) it reports."""
    seconds = event.queue_wait_seconds or 0
    if event.type == "call.ended":
        seconds += event.duration_seconds or 0
    return moment - timedelta(seconds=seconds)


def _customer(number: str, advisor: Advisor | None) -> tuple[Customer | None, bool]:
    """The caller's customer and whether they were created now. An unknown number
    becomes a customer named after it, to complete later (the duplicate detection flags a
    look-alike, as for an unknown e-mail sender); a withheld number has no customer."""
    try:
        number = normalise(Identity.Kind.PHONE, number).value
    except InvalidIdentity:
        return None, False
    found = customer_selectors.customer_by_identity(kind=Identity.Kind.PHONE, value=number)
    if found is not None:
        return found, False
    parsed = phonenumbers.parse(number)
    try:
        customer = customer_services.customer_create(
            given_name=phonenumbers.format_number(
                parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL
            ),
            family_name="",
            language=site_language(),
            preferred_channel=Channel.PHONE,
            team=advisor.team if advisor is not None else None,
            identities=[customer_services.IdentityInput(Identity.Kind.PHONE, number)],
        )
    except customer_services.IdentityTaken:
        # Another event of the same caller created them a moment ago.
        found = customer_selectors.customer_by_identity(kind=Identity.Kind.PHONE, value=number)
        return found, False
    return customer, True


def _apply(call: PhoneCall, event: PhoneEvent, moment: datetime, advisor: Advisor | None) -> None:
    """Merge one event into the call's facts; presence follows the phone system."""
    kind = event.type
    if kind == "call.ringing":
        if advisor is not None and call.answered_at is None:
            call.ringing_advisor = advisor
    elif kind == "call.answered":
        if call.answered_at is None or moment < call.answered_at:
            call.answered_at = moment
        call.answered_by = advisor or call.answered_by or call.ringing_advisor
        call.queue_wait_seconds = _seconds(event.queue_wait_seconds, call.started_at, moment)
        call.outcome = Result.ANSWERED
        if call.answered_by is not None and call.ended_at is None:
            presence_set(advisor=call.answered_by, status=AdvisorPresence.Status.BUSY)
    elif kind in ("call.ended", "call.voicemail"):
        call.ended_at = max(call.ended_at or moment, moment)
        if kind == "call.ended" and call.answered_at is None and event.duration_seconds:
            # Talk time means someone answered, even when `call.answered` was lost or is
            # still in another worker's hands: no callback for a call that was answered.
            call.answered_at = moment - timedelta(seconds=event.duration_seconds)
            call.answered_by = advisor or call.ringing_advisor
            call.queue_wait_seconds = _seconds(
                event.queue_wait_seconds, call.started_at, call.answered_at
            )
        if kind == "call.voicemail" or call.outcome == Result.VOICEMAIL:
            call.outcome = Result.ANSWERED if call.answered_at else Result.VOICEMAIL
        elif call.answered_at is not None:
            call.outcome = Result.ANSWERED
        else:
            call.outcome = Result.MISSED
        if call.answered_at is not None:
            call.answered_by = call.answered_by or advisor
            if kind == "call.ended":
                call.duration_seconds = _seconds(
                    event.duration_seconds, call.answered_at, call.ended_at
                )
            _free(call)
        elif call.queue_wait_seconds is None or event.queue_wait_seconds is not None:
            call.queue_wait_seconds = _seconds(event.queue_wait_seconds, call.started_at, moment)


def _seconds(given: int | None, start: datetime, end: datetime) -> int:
    if given is not None:
        return given
    return max(0, int((end - start).total_seconds()))


def _free(call: PhoneCall) -> None:
    """The call is over: the advisor is available again, unless they took another call
    meanwhile or chose another status themselves (only "busy" is the phone's doing)."""
    advisor = call.answered_by
    if advisor is None:
        return
    other_calls = (
        PhoneCall.objects.filter(
            answered_by=advisor, answered_at__isnull=False, ended_at__isnull=True
        )
        .exclude(pk=call.pk)
        .exists()
    )
    busy = AdvisorPresence.objects.filter(
        advisor=advisor, status=AdvisorPresence.Status.BUSY
    ).exists()
    if busy and not other_calls:
        presence_set(advisor=advisor, status=AdvisorPresence.Status.AVAILABLE)


def _missed_call_callback(call: PhoneCall) -> str:
    """A missed call or a voicemail is a callback for the dedicated advisor (or whoever
    routing picks), due within the team's callback promise; one per call, ever (the call
    row is locked). Returns the error code when the callback could not be made."""
    missed = call.outcome in (Result.MISSED, Result.VOICEMAIL)
    if (
        not missed
        or call.direction != PhoneCall.Direction.INBOUND
        or call.customer is None
        or call.callback_id is not None
    ):
        return ""
    customer = call.customer
    with translation.override(customer.language):
        when = formats.date_format(timezone.localtime(call.started_at), "DATETIME_FORMAT")
        if call.outcome == Result.VOICEMAIL:
            reason = _("voicemail left on %(when)s") % {"when": when}
        else:
            reason = _("missed call on %(when)s") % {"when": when}
    try:
        # A savepoint: a refused callback must not lose the call itself.
        with transaction.atomic():
            call.callback = callback_request(
                customer=customer,
                reason=reason,
                phone=call.customer_number,
                source=Callback.Source.MISSED_CALL,
            )
    except DomainError as error:
        logger.warning("No callback for missed call %s: %s", call.call_id, error)
        return error.code
    return ""
