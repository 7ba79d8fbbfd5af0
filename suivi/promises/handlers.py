"""How promises follow the conversations: policy promises are made, kept, paused and
cancelled as cases open, contacts arrive, answers go out and statuses change.

Subscribed in PromisesConfig.ready(); each handler runs inside the publisher's
transaction, with the case row already locked by conversations.
"""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from suivi.conversations import events
from suivi.conversations.models import Case, Interaction

from . import services
from .models import Promise

Kind = Promise.Kind


def on_case_opened(*, case: Case, **_payload: Any) -> None:
    services.promise_make_by_policy(case=case, kind=Kind.RESOLUTION, start=case.opened_at)


def on_interaction_recorded(
    *, interaction: Interaction, case: Case | None, **_payload: Any
) -> None:
    if case is None:
        return
    if interaction.direction == Interaction.Direction.INBOUND:
        # One first-answer promise at a time: a second message before the answer is
        # already covered by the promise made for the first.
        if services.first_answer_due(case) is None:
            services.promise_make_by_policy(
                case=case,
                kind=Kind.FIRST_ANSWER,
                channel=interaction.channel,
                start=interaction.occurred_at,
            )
    elif (
        interaction.direction == Interaction.Direction.OUTBOUND
        and interaction.author_kind == Interaction.AuthorKind.ADVISOR
    ):
        services.promises_keep_for_case(
            case=case,
            kinds=[Kind.FIRST_ANSWER],
            interaction=interaction,
            moment=interaction.occurred_at,
        )


def on_case_status_changed(*, case: Case, previous: str, **_payload: Any) -> None:
    status = case.status
    if status == Case.Status.WAITING:
        services.policy_clocks_pause(case=case)
    elif status == Case.Status.OPEN:
        services.policy_clocks_resume(case=case)
        if previous == Case.Status.RESOLVED:
            # Reopened: the resolution promise was kept; a new one starts now.
            services.promise_make_by_policy(case=case, kind=Kind.RESOLUTION)
    elif status == Case.Status.RESOLVED:
        services.promises_keep_for_case(case=case, kinds=[Kind.RESOLUTION])
    elif status == Case.Status.CLOSED:
        with override(settings.LANGUAGE_CODE):
            reason = str(_("The case was closed."))
        services.promises_cancel_for_case(case=case, reason=reason)


def subscribe() -> None:
    events.case_opened.subscribe(on_case_opened)
    events.interaction_recorded.subscribe(on_interaction_recorded)
    events.case_status_changed.subscribe(on_case_status_changed)
