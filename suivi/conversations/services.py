"""Every write about cases, interactions and handoffs."""

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from suivi.core import clock, statements, work
from suivi.core.errors import Conflict, InvalidInput, NotFound
from suivi.core.text import sanitise_html
from suivi.core.vocabulary import Channel, is_choice
from suivi.customers.models import Customer
from suivi.people.models import Advisor

from . import events
from .models import Case, Handoff, Interaction

Direction = Interaction.Direction
AuthorKind = Interaction.AuthorKind


class HandoffWithoutContext(InvalidInput):
    code = "handoff_without_context"
    default_message = _(
        "A handoff needs a context note: it is what the customer would otherwise repeat."
    )


class HandoffToOwner(Conflict):
    code = "handoff_to_owner"
    default_message = _("This advisor already owns the case.")


class CaseClosed(Conflict):
    code = "case_closed"
    default_message = _("This case is closed; open a new case instead.")


class InvalidInteraction(InvalidInput):
    code = "invalid_interaction"
    default_message = _("This interaction is not valid.")


class SubjectRequired(InvalidInput):
    code = "subject_required"
    default_message = _("A case needs a subject.")


# Clocks of phone systems and mail servers drift; a contact a few minutes ahead is fine.
FUTURE_TOLERANCE = timedelta(minutes=5)

CASE_UPDATABLE_FIELDS = frozenset({"subject", "topic", "status", "summary", "owner"})
# What other writers may have changed since the caller loaded the case.
_CASE_STATE = (
    "status",
    "owner_id",
    "resolved_at",
    "updated_at",
    "awaiting_reply_since",
    "last_interaction_at",
)


# Unit-of-work memos (suivi.core.work): the cases this transaction holds locked (pk ->
# the instance that is up to date), and the cases it opened (pk -> True).
LOCKED = "conversations.locked"
OPENED = "conversations.opened"
# The clocks of the cases this unit of work holds (opened or locked), saved once at its
# end (pk -> (case, fields)): a new case and its acknowledgement make one UPDATE, not
# two, sent with the unit's other writes put off.
_UNSAVED = "conversations.unsaved"


_LOCK: statements.Compiled[Any] = statements.Compiled(
    lambda pk: Case.objects.select_for_update().filter(pk=pk).values_list(*_CASE_STATE)
)


def _lock(case: Case) -> None:
    """Lock the case row and bring `case` up to date, so that two contacts or changes
    arriving together are applied one after the other, never from a stale copy.

    Inside a unit of work, a case this transaction already locked (or opened), passed
    as the same instance, is up to date: every change since went through it (the
    services below), and nobody else can write the row before our commit."""
    locked = work.memo(LOCKED)
    if locked is not None and locked.get(case.pk) is case:
        return
    work.flush(name=_UNSAVED)  # what the row is read into must be up to date
    current = _LOCK.first(pk=case.pk)
    if current is None:
        raise NotFound(case_id=case.pk)
    for name, value in zip(_CASE_STATE, current, strict=True):
        setattr(case, name, value)
    if locked is not None:
        locked[case.pk] = case


def _save_unsaved() -> None:
    """The cases' changes put off: one UPDATE for all the cases whose same fields
    changed (a batch of inbound messages changes every case's clocks)."""
    unsaved = work.memo(_UNSAVED) or {}
    by_fields: dict[frozenset[str], list[Case]] = {}
    for case, fields in unsaved.values():
        by_fields.setdefault(frozenset(fields), []).append(case)
    for fields, cases in by_fields.items():
        statements.update_many(cases, fields)
    unsaved.clear()


def case_changes_write(*, customer_id: int) -> None:
    """Write the changes to this customer's cases that the unit of work put off (their
    clocks), before the caller reads those cases with SQL; nothing outside a unit of
    work, or when none is pending for this customer."""
    unsaved = work.memo(_UNSAVED)
    if unsaved and any(case.customer_id == customer_id for case, _f in unsaved.values()):
        work.flush(name=_UNSAVED)


def _held_in_this_unit(case: Case) -> bool:
    """Whether the unit of work holds this very instance locked (it opened the case, or
    `_lock` locked it): every change to the row goes through it until the commit, and
    `_lock` writes what was put off before reading the row again."""
    locked = work.memo(LOCKED)
    return locked is not None and locked.get(case.pk) is case


def case_opened_in_this_unit(case_id: int) -> bool:
    """Whether the current unit of work opened this case (False outside one): such a
    case has nothing attached yet but what this transaction attached."""
    opened = work.memo(OPENED)
    return opened is not None and case_id in opened


@transaction.atomic
def case_open(
    *,
    customer: Customer,
    subject: str,
    topic: str = "",
    summary: str = "",
    owner: Advisor | None = None,
    by: Advisor | None = None,
    opened_at: datetime | None = None,
) -> Case:
    """Open a case, owned by the customer's dedicated advisor unless told otherwise."""
    if not subject.strip():
        raise SubjectRequired()
    moment = opened_at or clock.now()
    case = Case(
        customer=customer,
        subject=subject.strip(),
        topic=topic.strip(),
        summary=summary.strip(),
        owner=owner or customer.dedicated_advisor or by,
        opened_at=moment,
        updated_at=moment,
    )
    statements.insert([case])
    if (locked := work.memo(LOCKED)) is not None:
        # Not yet visible to anyone else: as good as locked, and up to date.
        locked[case.pk] = case
        work.memo(OPENED)[case.pk] = True  # type: ignore[index]
    events.case_opened.publish(case=case)
    return case


@transaction.atomic
def case_update(*, case: Case, changes: dict[str, Any]) -> Case:
    """Change subject, topic, status, summary or owner. A new owner goes through
    `case_hand_over`, which asks for the context note; only an unowned case is simply
    assigned."""
    unknown = set(changes) - CASE_UPDATABLE_FIELDS
    if unknown:
        raise InvalidInput(fields=sorted(unknown))
    if "status" in changes and not is_choice(Case.Status, changes["status"]):
        raise InvalidInput(
            _("Unknown status: %(status)s.") % {"status": changes["status"]}, field="status"
        )
    if "subject" in changes and not str(changes["subject"]).strip():
        raise SubjectRequired()
    _lock(case)
    if "owner" in changes:
        new_owner = changes["owner"]
        new_owner_id = new_owner.pk if new_owner is not None else None
        if case.owner_id is not None and new_owner_id != case.owner_id:
            raise HandoffWithoutContext(case_id=case.pk)
    moment = clock.now()
    previous_status = case.status
    previous_owner_id = case.owner_id
    fields = set(changes) | {"updated_at"}
    for field, value in changes.items():
        setattr(case, field, value.strip() if isinstance(value, str) else value)
    if "status" in changes:
        if case.status in (Case.Status.RESOLVED, Case.Status.CLOSED):
            case.resolved_at = case.resolved_at or moment
            case.awaiting_reply_since = None
        else:
            case.resolved_at = None
        fields |= {"resolved_at", "awaiting_reply_since"}
    case.updated_at = moment
    case.save(update_fields=sorted(fields))
    if case.status != previous_status:
        events.case_status_changed.publish(case=case, previous=previous_status)
    if case.owner_id is not None and case.owner_id != previous_owner_id:
        events.case_assigned.publish(case=case, to=case.owner, by=None, handoff=None)
    return case


@transaction.atomic
def case_hand_over(*, case: Case, to: Advisor, by: Advisor | None, context_note: str) -> Handoff:
    """Give a case to another advisor. The note is what the customer would otherwise
    have to repeat, so it is required. `by` is None when routing reassigns the case
    (its owner absent or at capacity)."""
    if not context_note.strip():
        raise HandoffWithoutContext(case_id=case.pk)
    _lock(case)
    if case.owner_id == to.pk:
        raise HandoffToOwner(case_id=case.pk, advisor_id=to.pk)
    moment = clock.now()
    handoff = Handoff.objects.create(
        case=case,
        from_advisor_id=case.owner_id,
        to_advisor=to,
        by=by,
        context_note=context_note.strip(),
        created_at=moment,
    )
    case.owner = to
    case.updated_at = moment
    case.save(update_fields=["owner", "updated_at"])
    events.case_assigned.publish(case=case, to=to, by=by, handoff=handoff)
    return handoff


def handoff_mark_seen(*, handoff: Handoff, by: Advisor) -> None:
    """The receiver has read the note; others opening the case do not count."""
    if handoff.seen_at is None and handoff.to_advisor_id == by.pk:
        handoff.seen_at = clock.now()
        Handoff.objects.filter(pk=handoff.pk, seen_at__isnull=True).update(seen_at=handoff.seen_at)


def _check_shape(*, channel: str, direction: str, author_kind: str) -> None:
    if not is_choice(Channel, channel):
        raise InvalidInteraction(_("Unknown channel: %(channel)s.") % {"channel": channel})
    if not is_choice(Direction, direction):
        raise InvalidInteraction(_("Unknown direction: %(direction)s.") % {"direction": direction})
    if (channel == Channel.NOTE) != (direction == Direction.INTERNAL):
        raise InvalidInteraction(_("Internal notes, and only they, are internal."))
    expected = {
        Direction.INBOUND: {AuthorKind.CUSTOMER, AuthorKind.SYSTEM},
        Direction.OUTBOUND: {AuthorKind.ADVISOR, AuthorKind.ASSISTANT, AuthorKind.SYSTEM},
        Direction.INTERNAL: {AuthorKind.ADVISOR, AuthorKind.SYSTEM},
    }[Direction(direction)]
    if author_kind not in expected:
        raise InvalidInteraction(_("This author cannot write in this direction."))


def _checked_interaction(
    *,
    customer_id: int,
    case: Case | None,
    channel: str,
    direction: str,
    text: str,
    author_advisor: Advisor | None,
    author_kind: str | None,
    html: str,
    occurred_at: datetime | None,
    metadata: dict[str, Any] | None,
    moment: datetime,
) -> Interaction:
    """One contact checked (time, shape, author, content) and built, not saved yet."""
    if occurred_at is not None and timezone.is_naive(occurred_at):
        raise InvalidInteraction(_("The time of an interaction needs its time zone."))
    if occurred_at is not None and occurred_at > moment + FUTURE_TOLERANCE:
        raise InvalidInteraction(_("An interaction cannot happen in the future."))
    if author_kind is None:
        author_kind = AuthorKind.CUSTOMER if direction == Direction.INBOUND else AuthorKind.ADVISOR
    _check_shape(channel=channel, direction=direction, author_kind=author_kind)
    if author_kind == AuthorKind.ADVISOR and author_advisor is None:
        raise InvalidInteraction(_("An advisor's interaction needs its advisor."))
    if not (text.strip() or html.strip()):
        raise InvalidInteraction(_("An interaction cannot be empty."))
    return Interaction(
        customer_id=customer_id,
        case=case,
        channel=channel,
        direction=direction,
        author_kind=author_kind,
        author_advisor=author_advisor,
        text=text.strip(),
        html=sanitise_html(html) if html else "",
        occurred_at=occurred_at or moment,
        metadata=metadata or {},
        created_at=moment,
    )


@transaction.atomic
def interaction_record(
    *,
    channel: str,
    direction: str,
    text: str,
    case: Case | None = None,
    customer: Customer | None = None,
    author_advisor: Advisor | None = None,
    author_kind: str | None = None,
    html: str = "",
    occurred_at: datetime | None = None,
    metadata: dict[str, Any] | None = None,
) -> Interaction:
    """Put one contact on the customer's timeline and keep the case's clocks right.

    An inbound contact makes the case wait for an answer (and reopens a resolved case);
    a person's outbound answer marks every waiting inbound contact as answered.
    """
    if case is None and customer is None:
        raise InvalidInteraction(_("An interaction belongs to a customer or a case."))
    if case is not None and customer is not None and case.customer_id != customer.pk:
        raise InvalidInteraction(_("This case belongs to another customer."))
    if case is not None:
        _lock(case)
        if case.status == Case.Status.CLOSED:
            raise CaseClosed(case_id=case.pk)
    moment = clock.now()
    interaction = _checked_interaction(
        customer_id=case.customer_id if case is not None else customer.pk,  # type: ignore[union-attr]
        case=case,
        channel=channel,
        direction=direction,
        text=text,
        author_advisor=author_advisor,
        author_kind=author_kind,
        html=html,
        occurred_at=occurred_at,
        metadata=metadata,
        moment=moment,
    )
    statements.insert([interaction])
    if case is not None:
        _case_follow(case=case, interaction=interaction, moment=moment)
    events.interaction_recorded.publish(interaction=interaction, case=case)
    return interaction


def _case_follow(*, case: Case, interaction: Interaction, moment: datetime) -> None:
    fields = {"updated_at", "last_interaction_at"}
    previous_status = case.status
    case.updated_at = moment
    if case.last_interaction_at is None or interaction.occurred_at > case.last_interaction_at:
        case.last_interaction_at = interaction.occurred_at
    if interaction.direction == Direction.INBOUND:
        if case.awaiting_reply_since is None or interaction.occurred_at < case.awaiting_reply_since:
            case.awaiting_reply_since = interaction.occurred_at
            fields.add("awaiting_reply_since")
        if case.status != Case.Status.OPEN:
            case.status, case.resolved_at = Case.Status.OPEN, None
            fields |= {"status", "resolved_at"}
    elif (
        interaction.direction == Direction.OUTBOUND
        and interaction.author_kind == AuthorKind.ADVISOR
        and case.awaiting_reply_since is not None
    ):
        Interaction.objects.filter(
            case=case,
            direction=Direction.INBOUND,
            first_answered_at__isnull=True,
            occurred_at__lte=interaction.occurred_at,
        ).update(first_answered_at=interaction.occurred_at)
        case.awaiting_reply_since = (
            Interaction.objects.filter(
                case=case, direction=Direction.INBOUND, first_answered_at__isnull=True
            )
            .order_by("occurred_at")
            .values_list("occurred_at", flat=True)
            .first()
        )
        fields.add("awaiting_reply_since")
    # A change of status is written at once: other contacts of the same unit of work (a
    # batch of inbound messages) choose cases and advisors by status.
    if "status" not in fields and _held_in_this_unit(case) and work.at_end(_UNSAVED, _save_unsaved):
        unsaved = work.memo(_UNSAVED)
        assert unsaved is not None
        _earlier, earlier_fields = unsaved.get(case.pk, (case, set()))
        unsaved[case.pk] = (case, fields | earlier_fields)
    else:
        statements.update(case, fields)
    if case.status != previous_status:
        events.case_status_changed.publish(case=case, previous=previous_status)


@transaction.atomic
def case_attach_interactions(*, case: Case, interaction_ids: list[int]) -> int:
    """Put contacts already on the customer's timeline without a case (a chat with the
    assistant before the customer asked for a person) into `case`, so that whoever takes
    it reads the whole transcript; the case's clocks follow. Returns how many moved."""
    _lock(case)
    if case.status == Case.Status.CLOSED:
        raise CaseClosed(case_id=case.pk)
    moved = Interaction.objects.filter(
        pk__in=interaction_ids, customer_id=case.customer_id, case__isnull=True
    ).update(case=case)
    if not moved:
        return 0
    clocks = Interaction.objects.filter(case=case).aggregate(
        last=Max("occurred_at"),
        waiting=Min(
            "occurred_at",
            filter=Q(direction=Direction.INBOUND, first_answered_at__isnull=True),
        ),
    )
    case.last_interaction_at = clocks["last"]
    case.awaiting_reply_since = clocks["waiting"]
    case.updated_at = clock.now()
    case.save(update_fields=["last_interaction_at", "awaiting_reply_since", "updated_at"])
    return moved


# No savepoint of its own: a caller's failure rolls the whole batch back anyway.
@transaction.atomic(savepoint=False)
def interactions_record_many(*, records: list[dict[str, Any]]) -> list[Interaction]:
    """Several contacts at once (a batch of chat messages), in the order given: each
    record holds `interaction_record`'s keyword arguments and gets the same checks and
    the same `interaction_recorded` event. Contacts without a case are inserted in one
    statement; a contact on a case goes through `interaction_record` (the case's lock
    and clocks)."""
    moment = clock.now()
    made: list[Interaction | None] = []
    loose: list[Interaction] = []
    for record in records:
        if record.get("case") is not None:
            made.append(None)
            continue
        customer: Customer | None = record.get("customer")
        if customer is None:
            raise InvalidInteraction(_("An interaction belongs to a customer or a case."))
        interaction = _checked_interaction(
            customer_id=customer.pk,
            case=None,
            channel=record["channel"],
            direction=record["direction"],
            text=record.get("text", ""),
            author_advisor=record.get("author_advisor"),
            author_kind=record.get("author_kind"),
            html=record.get("html", ""),
            occurred_at=record.get("occurred_at"),
            metadata=record.get("metadata"),
            moment=moment,
        )
        made.append(interaction)
        loose.append(interaction)
    statements.insert(loose)
    result: list[Interaction] = []
    for record, loose_one in zip(records, made, strict=True):
        if loose_one is None:
            result.append(interaction_record(**record))
        else:
            events.interaction_recorded.publish(interaction=loose_one, case=None)
            result.append(loose_one)
    return result
