"""Callbacks: a customer asks to be called (web page, API, a missed call, a visit), the
right advisor is assigned, and the call is a promise until it is made.

Each attempt is an outbound phone interaction. Retry policy after "no answer" (see
docs/callbacks.md): try again 15 business minutes later, then one business hour later;
after the third unanswered call the callback is closed as unreachable and the customer
is told, on their preferred channel, how to reach us.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from suivi.conversations import services as conversations
from suivi.conversations.models import Case, Interaction
from suivi.core import clock
from suivi.core.errors import InvalidInput
from suivi.core.vocabulary import Channel
from suivi.customers.identities import normalise
from suivi.customers.models import Customer, Identity
from suivi.people.models import Advisor
from suivi.promises import notify
from suivi.promises.calendars import add_business_time_or_default
from suivi.promises.models import Promise
from suivi.promises.policies import calendar_for
from suivi.promises.services import promise_cancel, promise_keep, promise_make
from suivi.routing.services import route

from . import callback_slots, events
from .errors import (
    CallbackCaseMismatch,
    CallbackNotOpen,
    CallbackOutcomeInvalid,
    CallbackPhoneRequired,
    CallbackReasonRequired,
    CallbackSlotNotOffered,
    CallbackWindowIncomplete,
    CallbackWindowInPast,
    CallbackWindowTooFar,
    InvalidWindow,
)
from .models import Callback, CallbackAttempt
from .services import ContactDetails, customer_for_booking

Source = Callback.Source
Outcome = CallbackAttempt.Outcome

# After the 1st and the 2nd unanswered call; the 3rd closes the callback.
RETRY_DELAYS = (timedelta(minutes=15), timedelta(hours=1))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A window starting further ahead than this is routed without today's presence and live
# load: what the advisor says now ("away", on a call) will be over by then.
PRESENCE_HORIZON = timedelta(minutes=15)


def phone_to_call(*, customer: Customer) -> str:
    """The customer's first phone number not known to be wrong; "" if none. One query."""
    wrong = Callback.objects.filter(
        customer=customer, status=Callback.Status.WRONG_NUMBER, phone=OuterRef("value")
    )
    value = (
        Identity.objects.filter(customer=customer, kind=Identity.Kind.PHONE)
        .exclude(Exists(wrong))
        .order_by("pk")
        .values_list("value", flat=True)
        .first()
    )
    return value or ""


def wrong_numbers(*, customer_id: int) -> set[str]:
    """Numbers of the customer flagged as wrong by a callback attempt."""
    return set(
        Callback.objects.filter(
            customer_id=customer_id, status=Callback.Status.WRONG_NUMBER
        ).values_list("phone", flat=True)
    )


def _window(
    *,
    customer: Customer,
    team_id: int | None,
    starts_at: datetime | None,
    ends_at: datetime | None,
    asap: bool,
) -> tuple[datetime, datetime, bool]:
    if asap or (starts_at is None and ends_at is None):
        starts, ends = callback_slots.asap_window(customer=customer, team_id=team_id)
        return starts, ends, True
    if starts_at is None or ends_at is None:
        raise CallbackWindowIncomplete(
            field="window_starts_at" if starts_at is None else "window_ends_at"
        )
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise InvalidWindow(_("The window needs its time zone."), field="window_starts_at")
    if ends_at <= starts_at:
        raise InvalidWindow(field="window_ends_at")
    if ends_at <= clock.now():
        raise CallbackWindowInPast(field="window_ends_at")
    if ends_at - starts_at > callback_slots.WINDOW_MAX or (
        starts_at - clock.now() > callback_slots.MAX_AHEAD
    ):
        raise CallbackWindowTooFar(field="window_ends_at")
    return starts_at, ends_at, False


def _assign(
    *,
    customer: Customer,
    case: Case | None,
    starts_at: datetime,
    ends_at: datetime,
    slot: callback_slots.CallbackSlot | None,
) -> tuple[Advisor | None, int | None]:
    """Routing decides who calls, as for an incoming call at the start of the window;
    the customer accepts any moment of the window, so that is their acceptable wait. A
    window ahead is planned: who is away or on the phone now may well call at 10:00
    tomorrow; absences and working hours at that moment still apply."""
    now = clock.now()
    decision = route(
        customer=customer,
        channel=Channel.PHONE,
        case=case,
        now=max(starts_at, now),
        acceptable_wait=ends_at - starts_at,
        planned=starts_at > now + PRESENCE_HORIZON,
    )
    advisor = decision.advisor
    if slot is None and advisor is None:
        # Nobody routable (a new caller without a team, or the team's own people all
        # away now): the first one free in the window, in the order routing prefers.
        slot = callback_slots.first_free(customer=customer, starts_at=starts_at, ends_at=ends_at)
    if slot is not None and (advisor is None or advisor.pk not in slot.advisor_ids):
        # The window was offered for someone else who may call (preferred order).
        advisor = Advisor.objects.get(pk=slot.advisor_ids[0])
    return advisor, decision.pk


def callback_request(
    *,
    customer: Customer,
    reason: str,
    phone: str = "",
    case: Case | None = None,
    window_starts_at: datetime | None = None,
    window_ends_at: datetime | None = None,
    asap: bool = False,
    created_by: Advisor | None = None,
    source: str = Source.API,
    require_offered_slot: bool = False,
    assign_to: Advisor | None = None,
) -> Callback:
    """A call the customer is promised, assigned to the advisor who will make it (see
    `callback_request_created`, which also says whether it is new)."""
    callback, _created = callback_request_created(
        customer=customer,
        reason=reason,
        phone=phone,
        case=case,
        window_starts_at=window_starts_at,
        window_ends_at=window_ends_at,
        asap=asap,
        created_by=created_by,
        source=source,
        require_offered_slot=require_offered_slot,
        assign_to=assign_to,
    )
    return callback


@transaction.atomic
def callback_request_created(
    *,
    customer: Customer,
    reason: str,
    phone: str = "",
    case: Case | None = None,
    window_starts_at: datetime | None = None,
    window_ends_at: datetime | None = None,
    asap: bool = False,
    created_by: Advisor | None = None,
    source: str = Source.API,
    require_offered_slot: bool = False,
    assign_to: Advisor | None = None,
) -> tuple[Callback, bool]:
    """A call the customer is promised, assigned to the advisor who will make it.

    Without a window (or `asap`), the call is due within the team's callback policy, in
    business hours. `require_offered_slot` (customer-facing requests) refuses a window
    that `callback_slots` does not offer, with the next offered ones. `assign_to` skips
    routing (an advisor promising to call back themselves, after a visit).

    Idempotent: while the customer has an open callback on this number, an ASAP request
    (or one for the very same window) returns it instead of promising a second call."""
    reason = " ".join(reason.split())
    if not reason:
        raise CallbackReasonRequired(field="reason")
    if source not in Source.values:
        raise InvalidInput(_("Unknown source."), field="source", source=source)
    if case is not None and case.customer_id != customer.pk:
        raise CallbackCaseMismatch(field="case_id", case_id=case.pk)
    number = normalise(Identity.Kind.PHONE, phone).value if phone.strip() else ""
    number = number or phone_to_call(customer=customer)
    if not number:
        raise CallbackPhoneRequired(field="phone")
    team_id = callback_slots.callback_team_id(customer)
    starts_at, ends_at, is_asap = _window(
        customer=customer,
        team_id=team_id,
        starts_at=window_starts_at,
        ends_at=window_ends_at,
        asap=asap,
    )
    # One customer, one open callback per number: a second missed call, a form sent twice
    # or a retried API request returns the callback already promised (rows locked so two
    # requests at once cannot both create one). Only an explicit other window adds one.
    list(Customer.objects.select_for_update().filter(pk=customer.pk).values_list("pk"))
    existing = (
        Callback.objects.filter(customer=customer, phone=number, status=Callback.Status.REQUESTED)
        .select_related("promise", "assigned_to")
        .order_by("window_ends_at", "pk")
    )
    if not is_asap:
        existing = existing.filter(window_starts_at=starts_at, window_ends_at=ends_at)
    found = existing.first()
    if found is not None:
        return found, False
    slot = None
    if require_offered_slot and not is_asap:
        # Serialise requests for this customer's advisors, then check the window is
        # still offered: two customers cannot take the last place of one window.
        people = [a.pk for a in callback_slots.candidates(customer)]
        list(Advisor.objects.select_for_update().filter(pk__in=people).values_list("pk"))
        slot = callback_slots.slot_at(customer=customer, starts_at=starts_at, ends_at=ends_at)
        if slot is None:
            error = CallbackSlotNotOffered(starts_at=starts_at.isoformat())
            error.alternatives = callback_slots.next_slots(  # type: ignore[attr-defined]
                customer=customer, after=starts_at - timedelta(hours=2)
            )
            raise error
    decision_id = None
    if assign_to is not None:
        advisor: Advisor | None = assign_to
    else:
        advisor, decision_id = _assign(
            customer=customer, case=case, starts_at=starts_at, ends_at=ends_at, slot=slot
        )
    if customer.team_id is None and advisor is not None and advisor.team_id is not None:
        # Someone must be able to see a new caller: the team of the advisor who calls.
        Customer.objects.filter(pk=customer.pk, team__isnull=True).update(team_id=advisor.team_id)
        customer.team_id = advisor.team_id
    with translation.override(customer.language):
        what = _("Call back: %(reason)s") % {"reason": reason}
    # The advisor who will call answers for the promise: alerts go to them and their
    # team lead (promises sweep); nobody assigned → the dedicated advisor and the lead.
    promise = promise_make(
        customer=customer,
        what=what[:500],
        due_at=ends_at,
        kind=Promise.Kind.CALLBACK,
        case=case,
        made_by=advisor,
    )
    callback = Callback.objects.create(
        customer=customer,
        case=case,
        window_starts_at=starts_at,
        window_ends_at=ends_at,
        asap=is_asap,
        reason=reason[:300],
        phone=number,
        source=source,
        created_by=created_by,
        assigned_to=advisor,
        routing_decision_id=decision_id,
        promise=promise,
        created_at=clock.now(),
    )
    payload = {
        "callback_id": callback.pk,
        "customer_id": customer.pk,
        "advisor_id": callback.assigned_to_id,
    }
    transaction.on_commit(lambda: events.callback_requested.publish(**payload))
    return callback, True


def _closed(callback: Callback) -> None:
    payload = {
        "callback_id": callback.pk,
        "customer_id": callback.customer_id,
        "advisor_id": callback.assigned_to_id,
        "status": callback.status,
    }
    transaction.on_commit(lambda: events.callback_closed.publish(**payload))


@transaction.atomic
def callback_request_online(
    *, contact: ContactDetails, reason: str, starts_at: datetime | None
) -> Callback:
    """A callback asked on the public page: the caller is recognised by their number (or
    becomes a customer to complete later) and picks an offered window or "as soon as
    possible". If the window is gone, nothing is kept, not even the new customer."""
    if not contact.phone.strip():
        raise CallbackPhoneRequired(field="phone")
    if starts_at is not None and starts_at - clock.now() > callback_slots.MAX_AHEAD:
        raise CallbackWindowTooFar(field="when")
    customer = customer_for_booking(contact=contact)
    ends_at = starts_at + timedelta(minutes=callback_slots.SLOT_MINUTES) if starts_at else None
    return callback_request(
        customer=customer,
        reason=reason,
        phone=contact.phone,
        window_starts_at=starts_at,
        window_ends_at=ends_at,
        asap=starts_at is None,
        source=Source.PORTAL,
        require_offered_slot=True,
    )


def _open_promise(callback: Callback) -> Promise | None:
    """The open promise of the callback: its own, or the new time the customer was given
    (`replaces` chain) when the sweep told them it would slip."""
    current = callback.promise_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        seen.add(current)
        promise = Promise.objects.filter(pk=current).first()
        if promise is None:
            return None
        if promise.status == Promise.Status.OPEN:
            return promise
        current = (
            Promise.objects.filter(replaces_id=current)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
        )
    return None


@dataclass(frozen=True)
class AttemptResult:
    attempt: CallbackAttempt
    callback: Callback
    interaction: Interaction
    # Told on their preferred channel when the callback closed unreachable/wrong number.
    customer_told: Interaction | None = None


def _default_text(callback: Callback, outcome: str, number: int) -> str:
    if outcome == Outcome.REACHED:
        return _("Called back: %(reason)s") % {"reason": callback.reason}
    if outcome == Outcome.NO_ANSWER:
        return _("Called back, no answer (attempt %(n)s of %(max)s).") % {
            "n": number,
            "max": MAX_ATTEMPTS,
        }
    return _("Wrong number: %(phone)s.") % {"phone": callback.phone}


def _tell_customer(callback: Callback, outcome: str) -> Interaction:
    customer = callback.customer
    with translation.override(customer.language):
        subject = _("We could not reach you by phone")
        if outcome == Outcome.WRONG_NUMBER:
            body = _(
                "We tried to call you back about “%(reason)s” at %(phone)s, but this "
                "number is not yours. Reply to this message with the right number, or "
                "ask for a new callback on our website."
            )
        else:
            body = _(
                "We tried to call you back about “%(reason)s” %(count)s times at "
                "%(phone)s, without reaching you. Reply to this message or ask for a "
                "new callback at a time that suits you: your request stays followed."
            )
        text = _("Hello %(name)s,") % {"name": customer.greeting_name or _("Madam, Sir")}
        text += "\n\n" + body % {
            "reason": callback.reason,
            "count": MAX_ATTEMPTS,
            "phone": callback.phone,
        }
    return notify.customer_message(
        customer=customer,
        case=callback.case,
        subject=subject,
        text=text,
        metadata={"callback_id": callback.pk, "callback_outcome": outcome},
    )


@transaction.atomic
def callback_attempt(
    *, callback: Callback, by: Advisor, outcome: str, note: str = ""
) -> AttemptResult:
    """Record one call made for the callback and apply its outcome.

    reached → done, and the promise is kept by this call (late calls count as broken);
    no_answer → retry later (RETRY_DELAYS), the third one closes it as unreachable and
    tells the customer; wrong_number → closed, the number flagged, the customer told."""
    if outcome not in Outcome.values:
        raise CallbackOutcomeInvalid(field="outcome", outcome=outcome)
    locked = (
        Callback.objects.select_for_update(of=("self",))
        .select_related("customer", "case")
        .get(pk=callback.pk)
    )
    if locked.status != Callback.Status.REQUESTED:
        raise CallbackNotOpen(callback_id=callback.pk)
    moment = clock.now()
    number = locked.attempt_count + 1
    with translation.override(locked.customer.language):
        default = _default_text(locked, outcome, number)
    case = (
        locked.case
        if locked.case is not None and locked.case.status != Case.Status.CLOSED
        else None
    )
    interaction = conversations.interaction_record(
        channel=Channel.PHONE,
        direction=Interaction.Direction.OUTBOUND,
        case=case,
        customer=locked.customer if case is None else None,
        author_advisor=by,
        text=note.strip() or default,
        metadata={
            "callback_id": locked.pk,
            "callback_outcome": outcome,
            "attempt": number,
            "to": locked.phone,
        },
    )
    attempt = CallbackAttempt.objects.create(
        callback=locked,
        outcome=outcome,
        note=note.strip(),
        phone=locked.phone,
        advisor=by,
        interaction=interaction,
        attempted_at=moment,
    )
    locked.attempt_count = number
    locked.next_attempt_at = None
    fields = ["attempt_count", "next_attempt_at"]
    promise = _open_promise(locked)
    told = None
    if outcome == Outcome.REACHED:
        locked.status, locked.closed_at = Callback.Status.DONE, moment
        if promise is not None:
            promise_keep(promise=promise, interaction=interaction)
    elif outcome == Outcome.NO_ANSWER and number < MAX_ATTEMPTS:
        calendar = calendar_for(team_id=promise.team_id if promise else locked.customer.team_id)
        delay = RETRY_DELAYS[number - 1].total_seconds()
        locked.next_attempt_at = add_business_time_or_default(moment, delay, calendar=calendar)
    else:
        unreachable = outcome == Outcome.NO_ANSWER
        locked.status = Callback.Status.UNREACHABLE if unreachable else Callback.Status.WRONG_NUMBER
        locked.closed_at = moment
        if promise is not None:
            # We called; nobody (or the wrong person) answered. Not a promise broken by us.
            reason = (
                _("Customer unreachable after %(count)s calls.") % {"count": MAX_ATTEMPTS}
                if unreachable
                else _("Wrong number: %(phone)s.") % {"phone": locked.phone}
            )
            promise_cancel(promise=promise, reason=reason, by=by)
        told = _tell_customer(locked, outcome)
    if locked.closed_at is not None:
        fields += ["status", "closed_at"]
        _closed(locked)
    locked.save(update_fields=fields)
    for name in ("status", "attempt_count", "next_attempt_at", "closed_at"):
        setattr(callback, name, getattr(locked, name))
    return AttemptResult(attempt, locked, interaction, told)


def callback_complete(*, callback: Callback, by: Advisor, note: str) -> Interaction:
    """The advisor reached the customer: the call goes on the timeline and keeps the
    callback's promise (late calls count as broken promises, as they should)."""
    return callback_attempt(
        callback=callback, by=by, outcome=Outcome.REACHED, note=note
    ).interaction


@transaction.atomic
def callback_cancel(*, callback: Callback, reason: str, by: Advisor | None = None) -> Callback:
    """The customer no longer needs the call: the callback and its promise are withdrawn."""
    locked = Callback.objects.select_for_update().get(pk=callback.pk)
    if locked.status != Callback.Status.REQUESTED:
        raise CallbackNotOpen(callback_id=callback.pk)
    promise = _open_promise(locked)
    if promise is not None:
        promise_cancel(promise=promise, reason=reason or _("Callback cancelled."), by=by)
    locked.status, locked.closed_at = Callback.Status.CANCELLED, clock.now()
    locked.save(update_fields=["status", "closed_at"])
    _closed(locked)
    callback.status, callback.closed_at = locked.status, locked.closed_at
    return locked


def callbacks_to_make(*, customer_id: int) -> list[Callback]:
    """The customer's callbacks still to make, earliest window first."""
    return list(
        Callback.objects.filter(customer_id=customer_id, status=Callback.Status.REQUESTED)
        .select_related("promise", "assigned_to")
        .order_by("window_starts_at", "pk")
    )
