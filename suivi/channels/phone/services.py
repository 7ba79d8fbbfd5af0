"""Writes advisors make about calls (the CTI events themselves are in processing.py)."""

from django.db import transaction

from suivi.core import clock
from suivi.people.models import Advisor

from .errors import CallNoteEmpty, CallWithoutCustomer
from .models import PhoneCall
from .timeline import record_interaction

MAX_NOTE = 10_000


@transaction.atomic
def call_note_set(*, call: PhoneCall, by: Advisor, note: str) -> PhoneCall:
    """What the advisor writes after the call: kept on the call and shown with it on the
    customer's timeline. Writing again replaces the note (the last author is kept)."""
    text = note.strip()[:MAX_NOTE]
    if not text:
        raise CallNoteEmpty(field="note")
    locked = (
        PhoneCall.objects.select_for_update(of=("self",))
        .select_related("answered_by", "ringing_advisor", "interaction")
        .get(pk=call.pk)
    )
    if locked.customer_id is None:
        raise CallWithoutCustomer(call_id=call.pk)
    locked.note, locked.note_by, locked.note_at = text, by, clock.now()
    locked.save(update_fields=["note", "note_by", "note_at"])
    record_interaction(locked)
    return locked
