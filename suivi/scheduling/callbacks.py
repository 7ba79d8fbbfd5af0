"""Making a promised callback: the call is an interaction, and it keeps the promise.

Callbacks are scheduled from a visit (`visits.callback_schedule`); the callback queue,
retries and the customer's own requests come with the routing issue.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from suivi.conversations import services as conversations
from suivi.conversations.models import Interaction
from suivi.core.vocabulary import Channel
from suivi.people.models import Advisor
from suivi.promises.models import Promise
from suivi.promises.services import promise_keep

from .errors import CallbackNotOpen
from .models import Callback


@transaction.atomic
def callback_complete(*, callback: Callback, by: Advisor, note: str) -> Interaction:
    """The advisor reached the customer: the call goes on the timeline and keeps the
    callback's promise (late calls count as broken promises, as they should)."""
    locked = Callback.objects.select_for_update().get(pk=callback.pk)
    if locked.status != Callback.Status.REQUESTED:
        raise CallbackNotOpen(callback_id=callback.pk)
    interaction = conversations.interaction_record(
        channel=Channel.PHONE,
        direction=Interaction.Direction.OUTBOUND,
        case=locked.case,
        customer=locked.customer if locked.case is None else None,
        author_advisor=by,
        text=note.strip() or _("Called back: %(reason)s") % {"reason": locked.reason},
        metadata={"callback_id": locked.pk},
    )
    locked.status = Callback.Status.DONE
    locked.save(update_fields=["status"])
    if locked.promise is not None and locked.promise.status == Promise.Status.OPEN:
        promise_keep(promise=locked.promise, interaction=interaction)
    callback.status = locked.status
    return interaction


def callbacks_to_make(*, customer_id: int) -> list[Callback]:
    """The customer's callbacks still to make, earliest window first."""
    return list(
        Callback.objects.filter(customer_id=customer_id, status=Callback.Status.REQUESTED)
        .select_related("promise")
        .order_by("window_starts_at", "pk")
    )
