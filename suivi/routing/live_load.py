"""How many live contacts (calls, chats) each advisor holds right now, per channel.

Routing sits below the channels and may not import them, yet only a channel knows what
"a call in progress" or "a chat being held" is. So each channel registers here, in its
AppConfig.ready(), the contacts it considers held at a moment and the field naming their
advisor; `advisor_states` turns that into a correlated COUNT subquery, so the load of
every advisor is read in the same single query as the rest of their state.

A live channel nobody registered counts no contact (only a `busy` presence fills it).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce


@dataclass(frozen=True)
class LiveContacts:
    # The contacts held at a moment (e.g. calls answered and not ended yet).
    held: Callable[[datetime], QuerySet[Any]]
    # The field of those rows naming the advisor who holds them.
    advisor_field: str


_registry: dict[str, LiveContacts] = {}


def live_contacts_register(
    channel: str, *, held: Callable[[datetime], QuerySet[Any]], advisor_field: str
) -> None:
    """Count `held(moment)` rows per advisor as their load on `channel` (idempotent)."""
    _registry[channel] = LiveContacts(held=held, advisor_field=advisor_field)


def live_count(channel: str, moment: datetime) -> Any:
    """An expression counting the contacts the outer advisor (`OuterRef("pk")`) holds on
    `channel` at `moment`; None when no channel counts them."""
    contacts = _registry.get(channel)
    if contacts is None:
        return None
    field = contacts.advisor_field
    counted = (
        contacts.held(moment)
        .filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)
