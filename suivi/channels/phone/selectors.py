"""Reads about calls, with the permission check where the call is fetched."""

from suivi.conversations.selectors import customers_visible_to
from suivi.people.models import Advisor

from .errors import CallNotFound
from .models import PhoneCall


def call_access(*, advisor: Advisor, call_id: int) -> PhoneCall:
    """The call if the advisor may see its customer; otherwise CallNotFound, as if absent.
    A call without a customer (withheld number) is visible to admins only."""
    calls = PhoneCall.objects.select_related("answered_by", "ringing_advisor", "note_by").filter(
        pk=call_id
    )
    if not advisor.is_admin:
        calls = calls.filter(customer__in=customers_visible_to(advisor).values("pk"))
    call = calls.first()
    if call is None:
        raise CallNotFound(call_id=call_id)
    return call
