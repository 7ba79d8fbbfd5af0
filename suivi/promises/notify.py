"""Telling the customer, before a promise slips, the new time we can honestly keep.

The message is an outbound interaction on the customer's timeline, on their preferred
channel, written in their language. E-mail goes out through Django's mail backend after
the commit; the other channels' adapters send what is on the timeline.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import override

from suivi.conversations import services as conversations
from suivi.conversations.models import Case, Interaction
from suivi.core.vocabulary import Channel
from suivi.customers.models import Customer, Identity

from . import services
from .calendars import WorkingTime, add_business_time_or_default
from .models import Policy, Promise
from .policies import Lookups

logger = logging.getLogger("suivi.promises")

# Channels on which the system cannot write to a person: fall back to e-mail or phone.
_NOT_WRITABLE = {Channel.NOTE, Channel.ASSISTANT, Channel.VISIT, Channel.WEB_FORM}


def new_time(
    *, promise: Promise, moment: datetime, calendar: WorkingTime, policy: Policy
) -> datetime:
    """The old due time (or now, if later) plus the policy's slip, in business time."""
    base = max(promise.due_at, moment)
    return add_business_time_or_default(base, policy.slip_minutes * 60, calendar=calendar)


def _channel_for(customer: Customer, email: str | None) -> str:
    preferred = customer.preferred_channel
    if preferred and preferred not in _NOT_WRITABLE:
        return preferred
    return Channel.EMAIL if email else Channel.PHONE


def _when(moment: datetime, calendar: WorkingTime) -> str:
    # Formatted in the team's time zone, with the active language's day and month names.
    local = moment.astimezone(calendar.zone)
    return formats.date_format(local, "l j F Y, H:i")


def message(
    *, promise: Promise, customer: Customer, new_due: datetime, calendar: WorkingTime
) -> tuple[str, str]:
    """(subject, text) in the customer's language."""
    with override(customer.language):
        # A policy promise is described in the customer's language, not the stored text.
        kind = Promise.Kind(promise.kind)
        what = (
            str(services.POLICY_WHAT.get(kind, kind.label)) if promise.by_policy else promise.what
        )
        subject = _("A new time for your request")
        text = _(
            "Hello %(name)s,\n\n"
            "We promised you: %(what)s, by %(old)s. We will not manage it in time, "
            "and we would rather tell you now than after the deadline.\n\n"
            "Our new time: %(new)s. You do not need to contact us again: "
            "your request is followed.\n\nThank you for your patience."
        ) % {
            "name": customer.greeting_name or _("Madam, Sir"),
            "what": what,
            "old": _when(promise.due_at, calendar),
            "new": _when(new_due, calendar),
        }
    return subject, text


def tell_customer(
    *, promise: Promise, moment: datetime, lookups: Lookups | None = None
) -> tuple[Promise, Interaction]:
    """Record the message, make the new promise that replaces `promise`, and mark
    `promise` as told. The caller holds the lock on `promise` (and on its case)."""
    lookups = lookups or Lookups()
    customer = promise.customer
    calendar = lookups.calendar(team_id=promise.team_id)
    policy = lookups.policy(team_id=promise.team_id, channel=promise.channel)
    new_due = new_time(promise=promise, moment=moment, calendar=calendar, policy=policy)
    replacement = services._create(
        customer=customer,
        what=promise.what,
        due_at=new_due,
        kind=promise.kind,
        case=promise.case,
        made_by=promise.made_by,
        by_policy=promise.by_policy,
        channel=promise.channel,
        team_id=promise.team_id,
        policy=policy,
        replaces=promise,
    )
    subject, text = message(promise=promise, customer=customer, new_due=new_due, calendar=calendar)
    interaction = customer_message(
        customer=customer,
        case=promise.case,
        subject=subject,
        text=text,
        metadata={"promise_id": promise.pk, "new_promise_id": replacement.pk},
    )
    Promise.objects.filter(pk=promise.pk, customer_told_at__isnull=True).update(
        customer_told_at=moment
    )
    return replacement, interaction


def customer_message(
    *, customer: Customer, case: Case | None, subject: str, text: str, metadata: dict
) -> Interaction:
    """Write to the customer on their preferred channel (e-mail when they have no
    writable preference): an outbound system interaction on their timeline, e-mailed
    after the commit when the channel is e-mail. Used by other packages too (callbacks)."""
    email = (
        Identity.objects.filter(customer=customer, kind=Identity.Kind.EMAIL)
        .order_by("pk")
        .values_list("value", flat=True)
        .first()
    )
    channel = _channel_for(customer, email)
    case = case if case and case.status != Case.Status.CLOSED else None
    sent_by_email = channel == Channel.EMAIL and email is not None
    interaction = conversations.interaction_record(
        case=case,
        customer=None if case else customer,
        channel=channel,
        direction=Interaction.Direction.OUTBOUND,
        author_kind=Interaction.AuthorKind.SYSTEM,
        text=text,
        metadata={
            **metadata,
            "subject": subject,
            # Other channels' adapters pick up what is waiting to be delivered.
            "delivery": "email" if sent_by_email else "pending",
        },
    )
    if sent_by_email:
        assert email is not None
        transaction.on_commit(lambda: _send(subject=subject, text=text, to=email))
    return interaction


def _send(*, subject: str, text: str, to: str) -> None:
    try:
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:
        # The message is on the timeline; the advisor sees it was not delivered in the log.
        logger.exception("Could not e-mail %s (subject: %s)", to, subject)
