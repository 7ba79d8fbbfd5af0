"""E-mail out: an advisor's reply, the acknowledgement of a new case, and their delivery.

Each outgoing e-mail is first an interaction on the timeline and an `OutboundEmail` row,
in the caller's transaction; a task sends it after the commit through Django's mail
backend (a relay, or .eml files in var/outbox/), retried with backoff on failure.
"""

import logging
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from email.utils import formataddr, make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import Count, F, Func, JSONField, Value
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from suivi.conversations import services as conversations
from suivi.conversations.models import Case, Interaction
from suivi.core import clock, statements, work
from suivi.core.errors import InvalidInput
from suivi.core.vocabulary import Channel
from suivi.customers.models import Customer, Identity
from suivi.knowledge.selectors import reply_metadata
from suivi.people.models import Advisor
from suivi.promises import services as promises

from .. import queue
from ..models import EmailMessageId, OutboundEmail
from . import addresses, config

logger = logging.getLogger("suivi.channels.email")
SEND_ATTEMPTS = 5
SEND_BACKOFF = timedelta(minutes=1)
ACK_WINDOW = timedelta(hours=1)
# A sending drain gives its worker back after this long (other tasks get a turn).
SEND_BUDGET = timedelta(seconds=1)
# E-mails a sending drain claims, sends over one connection and marks sent together.
SEND_BATCH = 20


class NoEmailAddress(InvalidInput):
    code = "no_email_address"
    default_message = gettext_lazy("This customer has no e-mail address to answer to.")


def _domain() -> str:
    return addresses.split(config.support_addresses()[0])[2] or "suivi.localhost"


def _reference(case: Case, language: str) -> str:
    with translation.override(language):
        return _("[Ref. %(id)s]") % {"id": case.pk}


def _subject(case: Case, language: str) -> str:
    return f"Re: {case.subject} {_reference(case, language)}"[:300]


def _customer_address(case: Case) -> str:
    """Where the customer last wrote from on this case, else their first e-mail."""
    last = (
        Interaction.objects.filter(
            case=case, channel=Channel.EMAIL, direction=Interaction.Direction.INBOUND
        )
        .order_by("-occurred_at", "-pk")
        .values_list("metadata", flat=True)
        .first()
    )
    if isinstance(last, dict) and (address := last.get("email", {}).get("from")):
        return str(address)
    identity = (
        Identity.objects.filter(customer_id=case.customer_id, kind=Identity.Kind.EMAIL)
        .order_by("pk")
        .values_list("value", flat=True)
        .first()
    )
    if identity is None:
        raise NoEmailAddress(case_id=case.pk)
    return identity


def _thread_headers(case: Case) -> tuple[str, str]:
    work.flush(name=_UNSENT)  # the Message-IDs put off are read here
    ids = list(
        EmailMessageId.objects.filter(case=case)
        .order_by("-created_at", "-pk")
        .values_list("message_id", "direction")[:20]
    )
    inbound = [mid for mid, direction in ids if direction == EmailMessageId.Direction.INBOUND]
    in_reply_to = f"<{inbound[0]}>" if inbound else (f"<{ids[0][0]}>" if ids else "")
    references = " ".join(f"<{mid}>" for mid, _d in reversed(ids))
    return in_reply_to, references


def _compose(
    *,
    case: Case,
    kind: str,
    text: str,
    html: str,
    to_address: str,
    language: str,
    author: Advisor | None,
    thread_headers: tuple[str, str] | None = None,
    metadata: Mapping[str, object] | None = None,
    message_ids: Sequence[EmailMessageId] = (),
) -> OutboundEmail:
    """Record the interaction and the e-mail to send, in the caller's transaction.
    `thread_headers` (In-Reply-To, References), when the caller knows them, saves
    reading them back; `message_ids`: the caller's unsaved Message-ID rows, written in
    the same INSERT as this e-mail's."""
    message_id = make_msgid(domain=_domain()).strip("<>")
    in_reply_to, references = thread_headers or _thread_headers(case)
    reply_to = addresses.reply_address(case.pk)
    sender = f"{author.display_name} ({config.sender_name()})" if author else config.sender_name()
    interaction = conversations.interaction_record(
        case=case,
        channel=Channel.EMAIL,
        direction=Interaction.Direction.OUTBOUND,
        author_advisor=author,
        author_kind=Interaction.AuthorKind.ADVISOR if author else Interaction.AuthorKind.SYSTEM,
        text=text,
        html=html,
        metadata={
            "email": {"to": to_address, "message_id": message_id, "kind": kind},
            "delivery": {"status": OutboundEmail.Status.PENDING},
            **(metadata or {}),
        },
    )
    moment = clock.now()
    outbound = OutboundEmail(
        kind=kind,
        case=case,
        interaction=interaction,
        to_address=to_address,
        from_address=formataddr((sender, settings.DEFAULT_FROM_EMAIL)),
        reply_to=reply_to,
        subject=_subject(case, language),
        text=interaction.text,
        html=interaction.html,
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references,
        language=language,
        created_at=moment,
        next_attempt_at=moment,
    )
    own = EmailMessageId(
        message_id=message_id,
        case=case,
        interaction=interaction,
        direction=EmailMessageId.Direction.OUTBOUND,
        created_at=moment,
    )
    if work.at_end(_UNSENT, _insert_unsent):
        # Inside a unit of work (inbound processing): written at its end, with the
        # unit's other writes put off, in one round trip. Nothing reads them before.
        work.memo(_UNSENT)[id(outbound)] = (outbound, [*message_ids, own])  # type: ignore[index]
    else:
        statements.insert([outbound])
        statements.insert([*message_ids, own])
    transaction.on_commit(_wake)
    return outbound


# Unit-of-work memo (suivi.core.work): the e-mails composed in the unit and their
# Message-ID rows, not written yet (id(outbound) -> (outbound, rows); None for
# Message-IDs alone).
_UNSENT = "channels.email.unsent"


def _insert_unsent() -> None:
    unsent = work.memo(_UNSENT) or {}
    statements.insert([outbound for outbound, _rows in unsent.values() if outbound is not None])
    statements.insert([row for _outbound, rows in unsent.values() for row in rows])
    unsent.clear()


def message_ids_write() -> None:
    """Write the e-mails and Message-IDs the unit of work put off, before the caller
    reads Message-IDs with SQL (threading by In-Reply-To and References)."""
    work.flush(name=_UNSENT)


def _unsent_acknowledgements(to_address: str) -> int:
    """Acknowledgements to this address composed in the unit of work, not written yet
    (a batch of inbound messages may hold several of one sender's new cases)."""
    unsent = work.memo(_UNSENT) or {}
    return sum(
        1
        for outbound, _rows in unsent.values()
        if outbound is not None
        and outbound.kind == OutboundEmail.Kind.ACKNOWLEDGEMENT
        and outbound.to_address == to_address
    )


def record_message_ids(rows: Sequence[EmailMessageId]) -> None:
    """Store Message-ID rows: at the end of the unit of work when there is one (with
    its other writes put off, in one round trip), else now."""
    if not rows:
        return
    if work.at_end(_UNSENT, _insert_unsent):
        work.memo(_UNSENT)[object()] = (None, list(rows))  # type: ignore[index]
    else:
        statements.insert(rows)


def _wake() -> None:
    """A new e-mail waits: make sure a sending drain runs after this commit."""
    from .. import tasks

    queue.wake(tasks.send_pending)


def _enqueue(outbound_id: int) -> None:
    from .. import tasks

    try:
        tasks.send_email.enqueue(outbound_id=outbound_id)
    except Exception:
        logger.exception("Could not enqueue e-mail %s; the sweep will send it", outbound_id)


@transaction.atomic
def reply(
    *, case: Case, by: Advisor, body: str, html: str = "", knowledge_version_id: int | None = None
) -> OutboundEmail:
    """An advisor answers the customer by e-mail; the answer keeps the first-answer
    promise through the ordinary interaction events. `knowledge_version_id`: the
    published article version the answer quotes, kept in the interaction's metadata."""
    customer = case.customer
    used = reply_metadata(version_id=knowledge_version_id) if knowledge_version_id else {}
    return _compose(
        case=case,
        kind=OutboundEmail.Kind.REPLY,
        text=body,
        html=html,
        to_address=_customer_address(case),
        language=customer.language,
        author=by,
        metadata=used,
    )


def first_answer_due(case: Case) -> datetime | None:
    """When the case's open first-answer promise is due: the promises package made it
    by policy when the inbound interaction was recorded, in this same transaction."""
    return promises.first_answer_due(case)


# Asked for every new case: compiled once (one row, the count, when there is any).
_RECENT_ACKNOWLEDGEMENTS: statements.Compiled[Any] = statements.Compiled(
    lambda to_address, since: (
        OutboundEmail.objects.filter(
            to_address=to_address, kind=OutboundEmail.Kind.ACKNOWLEDGEMENT, created_at__gte=since
        )
        .order_by()
        .values("to_address")
        .annotate(count=Count("pk"))
        .values_list("count")
    )
)


def acknowledge(
    *,
    case: Case,
    customer: Customer,
    to_address: str,
    thread_headers: tuple[str, str] | None = None,
    message_ids: Sequence[EmailMessageId] = (),
) -> OutboundEmail | None:
    """Tell the customer we have their message, who will answer and by when — once per
    new case, in their language, and at most a few times an hour per sender.
    `thread_headers`: (In-Reply-To, References) when the caller knows them;
    `message_ids`: the caller's unsaved Message-ID rows, written with the e-mail's own
    (or alone when no acknowledgement goes out)."""
    counted = _RECENT_ACKNOWLEDGEMENTS.first(to_address=to_address, since=clock.now() - ACK_WINDOW)
    recent = (counted[0] if counted else 0) + _unsent_acknowledgements(to_address)
    if recent >= config.acknowledgements_per_hour():
        logger.info("Acknowledgement to %s not sent: rate limit", to_address)
        record_message_ids(message_ids)
        return None
    # Two plain queries: one with both as subqueries saves a round trip but costs more
    # to compile than it saves (measured).
    due = first_answer_due(case)
    language = customer.language or settings.LANGUAGE_CODE
    with translation.override(language):
        name = customer.greeting_name or _("Madam, Sir")
        lines = [_("Hello %(name)s,") % {"name": name}, ""]
        lines.append(_("We have received your message “%(subject)s”.") % {"subject": case.subject})
        owner = case.owner.display_name if case.owner else ""
        when = formats.date_format(timezone.localtime(due), "DATETIME_FORMAT") if due else ""
        if owner and when:
            lines.append(
                _("%(advisor)s will answer you by %(when)s.") % {"advisor": owner, "when": when}
            )
        elif owner:
            lines.append(_("%(advisor)s will answer you.") % {"advisor": owner})
        elif when:
            lines.append(_("An advisor will answer you by %(when)s.") % {"when": when})
        else:
            lines.append(_("An advisor will answer you as soon as possible."))
        lines += [
            _("To add something, simply reply to this e-mail."),
            "",
            _("Your reference: %(id)s") % {"id": case.pk},
        ]
        text = "\n".join(lines)
    return _compose(
        case=case,
        kind=OutboundEmail.Kind.ACKNOWLEDGEMENT,
        text=text,
        html="",
        to_address=to_address,
        language=language,
        author=None,
        thread_headers=thread_headers,
        message_ids=message_ids,
    )


def _set_delivery(outbound: OutboundEmail, status: str, error: str = "") -> None:
    """The interaction shows its delivery: pending, sent, or not delivered and why."""
    delivery = {"status": status, "attempts": outbound.attempts, "error": error}
    if connection.vendor == "postgresql":
        # One statement: the key is replaced in place, the rest of the metadata kept.
        Interaction.objects.filter(pk=outbound.interaction_id).update(
            metadata=Func(
                F("metadata"),
                Value("{delivery}"),
                Value(delivery, output_field=JSONField()),
                function="jsonb_set",
                output_field=JSONField(),
            )
        )
        return
    metadata = dict(
        Interaction.objects.filter(pk=outbound.interaction_id)
        .values_list("metadata", flat=True)
        .first()
        or {}
    )
    metadata["delivery"] = delivery
    Interaction.objects.filter(pk=outbound.interaction_id).update(metadata=metadata)


def _claim(moment: datetime, *, outbound_id: int | None = None) -> OutboundEmail | None:
    """Take a pending e-mail whose attempt is due (this one, or the oldest never tried
    that nobody else is taking): one more attempt, and the next one scheduled already in
    case this worker dies while sending."""
    if connection.vendor == "postgresql":
        condition = "status = %s AND next_attempt_at <= %s"
        where, params = (
            (f"id = %s AND {condition}", [outbound_id, OutboundEmail.Status.PENDING, moment])
            if outbound_id is not None
            else (
                queue.next_row(OutboundEmail, f"{condition} AND attempts = 0"),
                [OutboundEmail.Status.PENDING, moment],
            )
        )
        return queue.claim_returning(
            OutboundEmail,
            assignments="attempts = attempts + 1, next_attempt_at = %s",
            where=where,
            params=[moment + SEND_BACKOFF, *params],
        )
    due = OutboundEmail.objects.filter(
        status=OutboundEmail.Status.PENDING, next_attempt_at__lte=moment
    )
    if outbound_id is None:
        outbound_id = (
            due.filter(attempts=0).order_by("next_attempt_at", "pk").values_list("pk", flat=True)
        ).first()
        if outbound_id is None:
            return None
    claimed = due.filter(pk=outbound_id).update(
        attempts=F("attempts") + 1, next_attempt_at=moment + SEND_BACKOFF
    )
    return OutboundEmail.objects.get(pk=outbound_id) if claimed else None


def send(*, outbound_id: int) -> str:
    """Send one pending e-mail now; a failure schedules the next attempt."""
    moment = clock.now()
    outbound = _claim(moment, outbound_id=outbound_id)
    if outbound is None:
        return "skipped"
    return _deliver(outbound, moment)


def _claim_batch(moment: datetime, size: int) -> list[OutboundEmail]:
    """Up to `size` e-mails never tried yet (PostgreSQL: one statement), oldest first."""
    if connection.vendor != "postgresql" or size <= 1:
        outbound = _claim(moment)
        return [outbound] if outbound is not None else []
    claimed = queue.claim_many(
        OutboundEmail,
        assignments="attempts = attempts + 1, next_attempt_at = %s",
        condition="status = %s AND next_attempt_at <= %s AND attempts = 0",
        params=[moment + SEND_BACKOFF, OutboundEmail.Status.PENDING, moment],
        limit=size,
    )
    return sorted(claimed, key=lambda outbound: (outbound.created_at, outbound.pk))


def send_pending(*, budget: timedelta = SEND_BUDGET, batch: int = SEND_BATCH) -> int:
    """Send the e-mails never tried yet, a batch at a time (one claim, one mail
    connection, the sent ones marked with two statements), until none is left or the
    time budget is spent (then the next drain is enqueued). Retries wait for their
    backoff and come through `send_due`."""
    deadline = time.monotonic() + budget.total_seconds()
    count = 0
    if connection.vendor != "postgresql":
        batch = 1
    while claimed := _claim_batch(clock.now(), batch):
        with _batch_connection() as mail_connection:
            sent = [
                outbound
                for outbound in claimed
                if _deliver(outbound, clock.now(), mark_sent=False, via=mail_connection) == "sent"
            ]
        _mark_sent(sent)
        count += len(claimed)
        if len(claimed) < batch:
            break  # none was left; an e-mail recorded since woke a drain
        if time.monotonic() >= deadline:
            transaction.on_commit(_wake)
            break
    return count


@contextmanager
def _batch_connection() -> Iterator[BaseEmailBackend | None]:
    """One open mail connection for a batch (the relay is greeted once); None (a
    connection per e-mail) for the .eml files of var/outbox/, one file each, or when
    the relay cannot be reached now (each e-mail then fails and is retried alone)."""
    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        yield None
        return
    mail_connection = get_connection(fail_silently=False)
    try:
        mail_connection.open()
    except Exception:
        logger.warning("Mail connection refused; sending one by one", exc_info=True)
        yield None
        return
    try:
        yield mail_connection
    finally:
        try:
            mail_connection.close()
        except Exception:
            logger.warning("Mail connection did not close cleanly", exc_info=True)


def _mark_sent(sent: list[OutboundEmail]) -> None:
    """The e-mails went out: their rows and their interactions' delivery say so."""
    if not sent:
        return
    if connection.vendor != "postgresql":
        for outbound in sent:
            _mark_one_sent(outbound)
        return
    ids = [outbound.pk for outbound in sent]
    OutboundEmail.objects.filter(pk__in=ids).update(
        status=OutboundEmail.Status.SENT, sent_at=clock.now(), next_attempt_at=None, last_error=""
    )
    email_table = connection.ops.quote_name(OutboundEmail._meta.db_table)
    interaction_table = connection.ops.quote_name(Interaction._meta.db_table)
    with connection.cursor() as cursor:
        # One statement: each interaction's delivery key replaced in place.
        cursor.execute(
            f"UPDATE {interaction_table} AS i SET metadata = jsonb_set(i.metadata, "  # noqa: S608
            "'{delivery}', jsonb_build_object('status', %s::text, 'attempts', o.attempts, "
            f"'error', '')) FROM {email_table} AS o "
            "WHERE o.interaction_id = i.id AND o.id = ANY(%s)",
            [OutboundEmail.Status.SENT, ids],
        )


def _mark_one_sent(outbound: OutboundEmail) -> None:
    OutboundEmail.objects.filter(pk=outbound.pk).update(
        status=OutboundEmail.Status.SENT, sent_at=clock.now(), next_attempt_at=None, last_error=""
    )
    _set_delivery(outbound, OutboundEmail.Status.SENT)


def _deliver(
    outbound: OutboundEmail,
    moment: datetime,
    *,
    mark_sent: bool = True,
    via: BaseEmailBackend | None = None,
) -> str:
    """Send one claimed e-mail (through `via` when the caller holds a connection open);
    a failure schedules its next attempt. `mark_sent=False`: the caller marks it."""
    headers = {"Message-ID": f"<{outbound.message_id}>"}
    if outbound.in_reply_to:
        headers["In-Reply-To"] = outbound.in_reply_to
    if outbound.references:
        headers["References"] = outbound.references
    if outbound.kind == OutboundEmail.Kind.ACKNOWLEDGEMENT:
        # RFC 3834: well-behaved auto-responders will not answer this one.
        headers["Auto-Submitted"] = "auto-replied"
    mail = EmailMultiAlternatives(
        subject=outbound.subject,
        body=outbound.text,
        from_email=outbound.from_address,
        to=[outbound.to_address],
        reply_to=[outbound.reply_to],
        headers=headers,
        connection=via or get_connection(fail_silently=False),
    )
    if outbound.html:
        mail.attach_alternative(outbound.html, "text/html")
    try:
        mail.send()
    except Exception as error:
        given_up = outbound.attempts >= SEND_ATTEMPTS
        OutboundEmail.objects.filter(pk=outbound.pk).update(
            status=OutboundEmail.Status.FAILED if given_up else OutboundEmail.Status.PENDING,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=None
            if given_up
            else moment + SEND_BACKOFF * (4 ** (outbound.attempts - 1)),
        )
        status = OutboundEmail.Status.FAILED if given_up else OutboundEmail.Status.PENDING
        _set_delivery(outbound, status, f"{type(error).__name__}: {error}"[:500])
        logger.warning("E-mail %s not sent (attempt %s): %s", outbound.pk, outbound.attempts, error)
        return "failed"
    if mark_sent:
        _mark_one_sent(outbound)
    return "sent"


def send_due(*, limit: int = 200) -> int:
    due = list(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.PENDING, next_attempt_at__lte=clock.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        _enqueue(pk)
    return len(due)
