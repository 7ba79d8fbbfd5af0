"""Which extension the PBX should ring for a caller: the routing service's answer.

Read path of `GET /api/v1/channels/phone/route`: one indexed identity lookup, then
`suivi.routing.services.route` (one aggregate query and the recorded decision).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from suivi.core.vocabulary import Channel
from suivi.customers import selectors as customer_selectors
from suivi.customers.identities import InvalidIdentity, normalise
from suivi.customers.models import Identity
from suivi.routing.services import route

from .errors import PhoneEventInvalid

UNKNOWN_CALLER = "unknown_caller"


@dataclass(frozen=True)
class RingAnswer:
    number: str
    customer_id: int | None
    advisor_id: int | None
    advisor_name: str
    # Empty when nobody can take the call or the chosen advisor has no extension: the
    # PBX then sends the call to its own queue.
    extension: str
    reason_code: str
    reason: str
    decision_id: int | None = None


def who_to_ring(*, number: str) -> RingAnswer:
    """The advisor to ring for a call from `number` (dedicated advisor first)."""
    try:
        e164 = normalise(Identity.Kind.PHONE, number).value
    except InvalidIdentity as error:
        raise PhoneEventInvalid(error.message, field="from") from error
    customer = customer_selectors.customer_by_identity(kind=Identity.Kind.PHONE, value=e164)
    if customer is None:
        return RingAnswer(
            number=e164,
            customer_id=None,
            advisor_id=None,
            advisor_name="",
            extension="",
            reason_code=UNKNOWN_CALLER,
            reason=_("Unknown number: ring the team queue."),
        )
    decision = route(customer=customer, channel=Channel.PHONE)
    advisor = decision.advisor
    return RingAnswer(
        number=e164,
        customer_id=customer.pk,
        advisor_id=advisor.pk if advisor is not None else None,
        advisor_name=advisor.display_name if advisor is not None else "",
        extension=advisor.extension if advisor is not None else "",
        reason_code=decision.reason_code,
        reason=decision.reason_text,
        decision_id=decision.pk,
    )
