"""Processing one stored e-mail: normalise, identify, thread, record, acknowledge.

Runs inside the transaction opened by `suivi.channels.inbound.inbound_process`: any
failure rolls it all back and the message is retried, never half-processed.
"""

import re
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from suivi.conversations import services as conversations
from suivi.conversations.models import Case, Interaction
from suivi.core import clock, db, statements, work
from suivi.core.vocabulary import Channel, Language, is_choice
from suivi.customers import selectors as customer_selectors
from suivi.customers import services as customer_services
from suivi.customers.identities import InvalidIdentity
from suivi.customers.models import Customer
from suivi.promises import policies
from suivi.routing import services as routing
from suivi.routing.models import RoutingDecision

from ..inbound import Outcome
from ..models import EmailAttachment, EmailMessageId, InboundMessage
from . import config, outgoing
from .parsing import Attachment, ParsedEmail, parse
from .threading import find_thread, token_case

_FRENCH = {"bonjour", "merci", "je", "vous", "est", "pour", "mon", "ma", "une", "le", "la", "et"}
_ENGLISH = {"hello", "hi", "thanks", "thank", "the", "is", "my", "you", "your", "and", "for"}
# A Date header further from the reception than this is not believed.
_DATE_TRUST = timedelta(days=7)


def process(message: InboundMessage) -> Outcome:
    # Any error rolls the whole message back (and it is retried): the services called
    # here need no savepoints of their own, and what the transaction already knows (the
    # case it locked or opened, the promises it made) is not read again (a unit of
    # work). A new case makes two policy promises: the team's policies and calendar are
    # read once (once per batch when the drain processes several messages together).
    with db.no_nested_savepoints(), work.unit_of_work(), policies.remembered():
        return _process(message)


def _process(message: InboundMessage) -> Outcome:
    parsed = parse(bytes(message.raw))
    envelope: dict[str, Any] = message.envelope or {}
    recipients = [*envelope.get("rcpt_tos", []), *parsed.to, *parsed.cc]
    by_token = token_case(recipients=recipients)
    if parsed.is_auto:
        return _record_auto_reply(message, parsed, by_token)
    created = False
    if by_token is not None:
        customer = by_token.customer
    else:
        if not parsed.from_address:
            return Outcome("no_sender", ignored=True)
        found, created = _customer(parsed)
        if found is None:
            return Outcome("invalid_sender", ignored=True)
        customer = found
    if created:
        # A customer created in this transaction has no case to continue yet (every
        # threading rule but the token one is limited to the customer's own cases).
        case, how = None, ""
    else:
        thread = find_thread(parsed=parsed, customer_id=customer.pk, by_token=by_token)
        case, how = thread.case, thread.how
    if case is None:
        decision = routing.route_decision(customer=customer, channel=Channel.EMAIL)
        case = conversations.case_open(
            customer=customer,
            subject=(parsed.subject or _("(no subject)"))[:200],
            opened_at=_occurred_at(message, parsed),
            owner=decision.advisor,
        )
        # Recorded once the case exists: one INSERT rather than an INSERT and an UPDATE.
        decision.case = case
        statements.insert([decision])
        how = "new_case"
    else:
        decision = routing.route(customer=customer, channel=Channel.EMAIL, case=case)
        _reassign(case, decision)
    attachments = parsed.attachments
    interaction = conversations.interaction_record(
        case=case,
        channel=Channel.EMAIL,
        direction=Interaction.Direction.INBOUND,
        text=_visible(parsed),
        html=parsed.html,
        occurred_at=_occurred_at(message, parsed),
        metadata={
            "email": {
                "from": parsed.from_address,
                "from_name": parsed.from_name,
                "subject": parsed.subject,
                "message_id": parsed.message_id,
                "inbound_message_id": message.pk,
                "quoted_removed": parsed.quoted_removed,
                "threaded_by": how,
                "attachments": len(attachments),
            },
            "routing": {
                "decision": decision.pk,
                "code": decision.reason_code,
                "details": decision.details,
            },
        },
    )
    message_ids = []
    if parsed.message_id:
        message_ids.append(
            EmailMessageId(
                message_id=parsed.message_id,
                case=case,
                interaction=interaction,
                direction=EmailMessageId.Direction.INBOUND,
                created_at=clock.now(),
            )
        )
    _store_attachments(message, case, interaction, attachments)
    if how == "new_case" and parsed.from_address:
        # The new case's only Message-ID is this message's: no need to read it back. It
        # is written with the acknowledgement's, in one INSERT.
        first = f"<{parsed.message_id}>" if parsed.message_id else ""
        outgoing.acknowledge(
            case=case,
            customer=customer,
            to_address=parsed.from_address,
            thread_headers=(first, first),
            message_ids=message_ids,
        )
    else:
        outgoing.record_message_ids(message_ids)
    return Outcome(
        how,
        customer_id=customer.pk,
        case_id=case.pk,
        interaction_id=interaction.pk,
        customer_created=created,
    )


def _reassign(case: Case, decision: RoutingDecision) -> None:
    """The case's owner cannot answer (absent, at capacity): the routed advisor takes it
    over through a handoff, so the case never bounces without its context."""
    if decision.advisor is None or decision.advisor_id == case.owner_id:
        return
    note = _("Reassigned automatically: %(reason)s.") % {"reason": decision.reason_text}
    if case.summary.strip():
        note = f"{note}\n{case.summary.strip()}"
    conversations.case_hand_over(case=case, to=decision.advisor, by=None, context_note=note)


def _record_auto_reply(
    message: InboundMessage, parsed: ParsedEmail, by_token: Case | None
) -> Outcome:
    """An out-of-office or a bounce: a note on the case it answers, nothing else.

    It never opens a case, never creates a customer, never gets an acknowledgement, and
    does not make the case wait for an answer, so two robots can never talk forever."""
    case = by_token
    if case is None and parsed.from_address:
        customer = customer_selectors.customer_by_identity(kind="email", value=parsed.from_address)
        known = parsed.in_reply_to + parsed.references
        if known:
            outgoing.message_ids_write()
            row = (
                EmailMessageId.objects.filter(message_id__in=known[:50])
                .select_related("case")
                .order_by("-created_at")
                .first()
            )
            if row is not None and (customer is None or row.case.customer_id == customer.pk):
                case = row.case
    if case is None or case.status == Case.Status.CLOSED:
        return Outcome(f"auto_reply_{parsed.auto_reply}"[:40], ignored=True)
    note = conversations.interaction_record(
        case=case,
        channel=Channel.NOTE,
        direction=Interaction.Direction.INTERNAL,
        author_kind=Interaction.AuthorKind.SYSTEM,
        text=_("Automatic reply received from %(sender)s: %(subject)s")
        % {"sender": parsed.from_address or "?", "subject": parsed.subject}
        + "\n\n"
        + parsed.visible_text[:2000],
        metadata={
            "email": {
                "auto_reply": parsed.auto_reply,
                "from": parsed.from_address,
                "inbound_message_id": message.pk,
            }
        },
    )
    return Outcome(
        "auto_reply",
        ignored=True,
        customer_id=case.customer_id,
        case_id=case.pk,
        interaction_id=note.pk,
    )


def _customer(parsed: ParsedEmail) -> tuple[Customer | None, bool]:
    """The sender's customer and whether they were created now; an unknown sender
    becomes one (the batch's duplicate detection, enqueued once for its new customers
    through Outcome.customer_created, then flags a similar existing customer)."""
    found = customer_selectors.customer_by_identity(kind="email", value=parsed.from_address)
    if found is not None:
        return found, False
    given, family = _names(parsed.from_name, parsed.from_address)
    try:
        # No savepoint: a sender another worker created meanwhile is simply returned.
        return customer_services.customer_create_for_identity(
            identity=customer_services.IdentityInput("email", parsed.from_address),
            given_name=given,
            family_name=family,
            language=_language(parsed),
            preferred_channel=Channel.EMAIL,
        )
    except InvalidIdentity:
        return None, False


def _names(display: str, address: str) -> tuple[str, str]:
    display = re.sub(r"[\"<>()]", " ", display).strip()
    if "@" in display:
        display = ""
    if "," in display:
        family, _sep, given = display.partition(",")
        return given.strip()[:120], family.strip()[:120]
    words = display.split()
    if len(words) >= 2:
        return " ".join(words[:-1])[:120], words[-1][:120]
    if words:
        return words[0][:120], ""
    local = address.partition("@")[0].split("+")[0]
    parts = [p.capitalize() for p in re.split(r"[._-]+", local) if p]
    if len(parts) >= 2:
        return " ".join(parts[:-1])[:120], parts[-1][:120]
    return (parts[0] if parts else address)[:120], ""


def _language(parsed: ParsedEmail) -> str:
    if parsed.language:
        return parsed.language
    words = set(re.findall(r"[a-zà-ÿ]+", parsed.visible_text.lower()[:2000]))
    french, english = len(words & _FRENCH), len(words & _ENGLISH)
    if english > french:
        return Language.ENGLISH
    if french > english:
        return Language.FRENCH
    return settings.LANGUAGE_CODE[:2] if is_choice(Language, settings.LANGUAGE_CODE[:2]) else "fr"


def _visible(parsed: ParsedEmail) -> str:
    text = parsed.visible_text or parsed.text
    if text.strip():
        return text
    if parsed.attachments:
        names = ", ".join(a.filename for a in parsed.attachments)
        return _("(attachments only: %(names)s)") % {"names": names}
    return parsed.subject or _("(empty message)")


def _occurred_at(message: InboundMessage, parsed: ParsedEmail) -> datetime:
    """When the customer wrote: the Date header if believable, else the reception."""
    if parsed.date is not None and abs(parsed.date - message.received_at) <= _DATE_TRUST:
        return min(parsed.date, message.received_at)
    return message.received_at


def _store_attachments(
    message: InboundMessage, case: Case, interaction: Interaction, found: list[Attachment]
) -> None:
    limit = config.max_attachment_bytes()
    rows = []
    for item in found:
        refused = "dangerous_type" if item.dangerous else ("too_large" if item.size > limit else "")
        rows.append(
            EmailAttachment(
                inbound=message,
                case=case,
                interaction=interaction,
                filename=item.filename,
                content_type=item.content_type,
                size=item.size,
                inline=item.inline,
                content_id=item.content_id,
                content=b"" if refused else item.content,
                refused=refused,
            )
        )
    EmailAttachment.objects.bulk_create(rows)
