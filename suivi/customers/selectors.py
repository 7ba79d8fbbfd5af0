"""Reads about customers. Visibility rules live in `suivi.conversations.selectors`,
which also knows about cases an advisor owns."""

from django.db.models import Q, QuerySet

from suivi.core.statements import Compiled
from suivi.core.text import search_key
from suivi.people.models import Advisor

from .identities import InvalidIdentity, guess_kind, normalise
from .models import Customer, Identity, PossibleDuplicate


def customer_visibility_q(advisor: Advisor) -> Q:
    """Customers an advisor may see through their team or as a backup. Admins see all."""
    if advisor.is_admin:
        return Q()
    condition = Q(dedicated_advisor_id=advisor.pk) | Q(dedicated_advisor__backup_id=advisor.pk)
    if advisor.team_id is not None:
        condition |= Q(team_id=advisor.team_id)
    return condition


def customer_by_identity(*, kind: str, value: str) -> Customer | None:
    """One indexed query on the unique (kind, value) pair; None for an invalid value."""
    try:
        normalised = normalise(kind, value)
    except InvalidIdentity:
        return None
    return _BY_IDENTITY.first(kind=normalised.kind, value=normalised.value)


# Every inbound message asks it: compiled once (the unique pair makes at most one row).
_BY_IDENTITY: Compiled[Customer] = Compiled(
    lambda kind, value: Customer.objects.filter(
        identities__kind=kind, identities__value=value
    ).order_by()[:1]
)


def customers_search(*, queryset: QuerySet[Customer], q: str) -> QuerySet[Customer]:
    """Filter by name prefix, e-mail, phone or customer number, whichever `q` looks like."""
    text = q.strip()
    if not text:
        return queryset
    kind = guess_kind(text)
    if kind is not None:
        try:
            value = normalise(kind, text).value
        except InvalidIdentity:
            return queryset.none()
        return queryset.filter(pk__in=_owners(Q(kind=kind, value=value)))
    tokens = search_key(text).split()
    by_number = Q(pk__in=_owners(Q(kind=Identity.Kind.CUSTOMER_NUMBER, value=text.upper())))
    if len(tokens) == 1:
        (token,) = tokens
        return queryset.filter(
            Q(family_key__startswith=token) | Q(given_key__startswith=token) | by_number
        )
    first, rest = tokens[0], " ".join(tokens[1:])
    last, head = tokens[-1], " ".join(tokens[:-1])
    return queryset.filter(
        Q(given_key__startswith=first, family_key__startswith=rest)
        | Q(family_key__startswith=head, given_key__startswith=last)
        | Q(family_key__startswith=" ".join(tokens))
    )


def _owners(condition: Q) -> QuerySet[Identity, int]:
    return Identity.objects.filter(condition).values_list("customer_id", flat=True)


def customer_identities(*, customer_id: int) -> list[Identity]:
    return list(Identity.objects.filter(customer_id=customer_id).order_by("kind", "pk"))


def possible_duplicates(*, visible: QuerySet[Customer]) -> QuerySet[PossibleDuplicate]:
    """Open pairs where the reviewer can see both customers, newest first."""
    return (
        PossibleDuplicate.objects.filter(
            status=PossibleDuplicate.Status.OPEN,
            customer__in=visible.values("pk"),
            other__in=visible.values("pk"),
        )
        .select_related("customer", "other")
        .order_by("-detected_at", "-pk")
    )
