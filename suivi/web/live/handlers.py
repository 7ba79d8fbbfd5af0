"""Domain events → live pushes. Subscribed in WebConfig.ready().

Each handler runs inside the publisher's transaction and only registers an `on_commit`
callback, so a rolled-back interaction, handoff or call is never announced. A push names
its receivers by group and carries ids only: no query here. Each socket then checks
that its advisor may see what the push is about before it shows anything
(`fragments`), so a push addressed too widely still reveals nothing.
"""

from typing import Any

from django.db import transaction

from suivi.channels.chat import events as chat_events
from suivi.channels.phone import events as phone_events
from suivi.conversations import events as conversation_events
from suivi.conversations.models import Case, Handoff, Interaction
from suivi.people.models import Advisor
from suivi.promises import events as promise_events

from . import push

# Kinds of push (the consumer's `live_push` dispatches on them).
TIMELINE = "timeline"
INBOX = "inbox"
ASSIGNMENT = "assignment"
CALL = "call"
CALL_SETTLED = "call_settled"
PROMISE_ALERT = "promise_alert"
CHAT_WAITING = "chat_waiting"
CHAT_SETTLED = "chat_settled"


def subscribe() -> None:
    conversation_events.interaction_recorded.subscribe(on_interaction_recorded)
    conversation_events.case_status_changed.subscribe(on_case_status_changed)
    conversation_events.case_assigned.subscribe(on_case_assigned)
    phone_events.call_ringing.subscribe(on_call_ringing)
    phone_events.call_settled.subscribe(on_call_settled)
    promise_events.alerts_raised.subscribe(on_alerts_raised)
    chat_events.chat_waiting.subscribe(on_chat_waiting)
    chat_events.chat_settled.subscribe(on_chat_settled)


def _after_commit(messages: list[push.Message]) -> None:
    # robust: the publisher's work is committed; a failing push must not turn it into an error.
    transaction.on_commit(lambda: push.send(messages), robust=True)


def _inbox(owner_id: int, case_id: int) -> push.Message:
    """The owner's inbox row of this case is to be redrawn (added, moved or removed)."""
    return push.advisor_group(owner_id), {"kind": INBOX, "advisor_id": owner_id, "case_id": case_id}


def on_interaction_recorded(*, interaction: Interaction, case: Case | None, **_: Any) -> None:
    messages: list[push.Message] = [
        # Pages showing this file joined its group after the same permission check.
        (
            push.customer_group(interaction.customer_id),
            {
                "kind": TIMELINE,
                "customer_id": interaction.customer_id,
                "interaction_id": interaction.pk,
            },
        )
    ]
    if case is not None and case.owner_id is not None:
        # A new inbound contact puts the case in its owner's inbox; an answer takes it out.
        messages.append(_inbox(case.owner_id, case.pk))
    _after_commit(messages)


def on_case_status_changed(*, case: Case, **_: Any) -> None:
    if case.owner_id is not None:
        _after_commit([_inbox(case.owner_id, case.pk)])


def on_case_assigned(*, case: Case, to: Advisor, handoff: Handoff | None = None, **_: Any) -> None:
    messages = [_inbox(to.pk, case.pk)]
    if handoff is not None and handoff.from_advisor_id is not None:
        # The case leaves the former owner's inbox.
        messages.append(_inbox(handoff.from_advisor_id, case.pk))
    if handoff is not None:
        # The receiver reads the context note first, before the customer has to repeat it.
        messages.insert(
            0,
            (
                push.advisor_group(to.pk),
                {
                    "kind": ASSIGNMENT,
                    "advisor_id": to.pk,
                    "case_id": case.pk,
                    "handoff_id": handoff.pk,
                },
            ),
        )
    _after_commit(messages)


def on_call_ringing(
    *, advisor_id: int, customer_id: int | None, call_id: str, from_number: str, **_: Any
) -> None:
    """The screen-pop goes to the advisor whose phone rings, and to nobody else."""
    _after_commit(
        [
            (
                push.advisor_group(advisor_id),
                {
                    "kind": CALL,
                    "advisor_id": advisor_id,
                    "customer_id": customer_id,
                    "call_id": call_id,
                    "from_number": from_number,
                },
            )
        ]
    )


def on_call_settled(*, advisor_id: int, call_id: str, **_: Any) -> None:
    """The call no longer rings for this advisor: their screen-pop gives way."""
    _after_commit(
        [
            (
                push.advisor_group(advisor_id),
                {"kind": CALL_SETTLED, "advisor_id": advisor_id, "call_id": call_id},
            )
        ]
    )


def on_chat_waiting(*, advisor_id: int, conversation_id: int, **_: Any) -> None:
    """A chat handed to this advisor: their desk says who waits, with the way in."""
    _after_commit(
        [
            (
                push.advisor_group(advisor_id),
                {
                    "kind": CHAT_WAITING,
                    "advisor_id": advisor_id,
                    "conversation_id": conversation_id,
                },
            )
        ]
    )


def on_chat_settled(*, advisor_id: int, conversation_id: int, **_: Any) -> None:
    """The chat no longer waits for this advisor: the notice on their desk gives way."""
    _after_commit(
        [
            (
                push.advisor_group(advisor_id),
                {
                    "kind": CHAT_SETTLED,
                    "advisor_id": advisor_id,
                    "conversation_id": conversation_id,
                },
            )
        ]
    )


def on_alerts_raised(*, alerts: list[tuple[int, int, str]], **_: Any) -> None:
    # An alert exists for its advisor only; their desk re-reads its unread count, once
    # however many alerts a sweep raised for them.
    advisors = sorted({advisor_id for advisor_id, _promise_id, _kind in alerts})
    _after_commit(
        [
            (push.advisor_group(advisor_id), {"kind": PROMISE_ALERT, "advisor_id": advisor_id})
            for advisor_id in advisors
        ]
    )
