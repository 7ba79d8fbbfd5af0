"""Reads for the customer file, the case page and the inbox.

Each function runs a fixed number of queries whatever the size of the history; the
tests pin those numbers.
"""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery

from suivi.core.errors import NotFound
from suivi.core.pagination import Page, keyset_page
from suivi.customers.models import Customer, Identity
from suivi.customers.selectors import customer_identities, customer_visibility_q
from suivi.people.models import Advisor

from .models import Case, Handoff, Interaction

DEFAULT_PAGE = 50


def customers_visible_to(advisor: Advisor) -> QuerySet[Customer]:
    """Customers of the advisor's team, those they back up, and those whose case they own."""
    if advisor.is_admin:
        return Customer.objects.all()
    owns_a_case = Case.objects.filter(owner=advisor, customer=OuterRef("pk"))
    return Customer.objects.filter(customer_visibility_q(advisor) | Q(Exists(owns_a_case)))


def customer_access(*, advisor: Advisor, customer_id: int) -> Customer:
    """The customer if the advisor may see them; otherwise NotFound, as if absent."""
    customer = (
        customers_visible_to(advisor)
        .select_related("dedicated_advisor", "dedicated_advisor__team")
        .filter(pk=customer_id)
        .first()
    )
    if customer is None:
        raise NotFound(customer_id=customer_id)
    return customer


def case_access(*, advisor: Advisor, case_id: int) -> Case:
    """The case if the advisor may see its customer or owns it; otherwise NotFound."""
    cases = Case.objects.select_related(
        "customer", "customer__dedicated_advisor", "owner", "owner__team"
    ).filter(pk=case_id)
    if not advisor.is_admin:
        cases = cases.filter(
            Q(owner=advisor) | Q(customer__in=customers_visible_to(advisor).values("pk"))
        )
    case = cases.first()
    if case is None:
        raise NotFound(case_id=case_id)
    return case


def _with_last_handoff(cases: QuerySet[Case]) -> QuerySet[Case]:
    latest = Handoff.objects.filter(case=OuterRef("pk")).order_by("-created_at", "-pk")
    return cases.annotate(
        last_handoff_note=Subquery(latest.values("context_note")[:1]),
        last_handoff_at=Subquery(latest.values("created_at")[:1]),
        last_handoff_by=Subquery(latest.values("by__display_name")[:1]),
    )


def _timeline_interactions() -> QuerySet[Interaction]:
    # The case subject rides along on the same query (a primary-key join), not a query per row.
    return Interaction.objects.select_related("author_advisor").annotate(
        case_subject=F("case__subject")
    )


def timeline_entry(
    *, advisor: Advisor, customer_id: int, interaction_id: int
) -> Interaction | None:
    """One interaction of the customer's timeline as the timeline shows it, if the advisor
    may see that customer (the live inbox adds it on top of an open file): one query."""
    interactions = _timeline_interactions().filter(customer_id=customer_id, pk=interaction_id)
    if not advisor.is_admin:
        interactions = interactions.filter(customer__in=customers_visible_to(advisor).values("pk"))
    return interactions.select_related("customer").first()


def timeline_page(
    *,
    customer_id: int | None = None,
    case_id: int | None = None,
    cursor: str | None = None,
    limit: int = DEFAULT_PAGE,
) -> Page[Interaction]:
    """Newest first, keyset-paginated, one query per page whatever the history."""
    interactions = _timeline_interactions()
    if case_id is not None:
        interactions = interactions.filter(case_id=case_id)
    elif customer_id is not None:
        interactions = interactions.filter(customer_id=customer_id)
    else:
        raise ValueError("timeline_page needs a customer_id or a case_id")
    return keyset_page(
        interactions, field="occurred_at", descending=True, cursor=cursor, limit=limit
    )


@dataclass(frozen=True)
class CustomerFile:
    customer: Customer
    identities: list[Identity]
    open_cases: list[Case]
    timeline: Page[Interaction]


def customer_file(
    *, customer: Customer, cursor: str | None = None, limit: int = DEFAULT_PAGE
) -> CustomerFile:
    """Everything an advisor needs to answer without asking again: three queries."""
    open_cases = list(
        _with_last_handoff(
            Case.objects.select_related("owner").filter(
                customer=customer, status__in=Case.ACTIVE_STATUSES
            )
        ).order_by("-opened_at", "-pk")[:20]
    )
    return CustomerFile(
        customer=customer,
        identities=customer_identities(customer_id=customer.pk),
        open_cases=open_cases,
        timeline=timeline_page(customer_id=customer.pk, cursor=cursor, limit=limit),
    )


def case_last_handoff(*, case: Case) -> Handoff | None:
    return (
        Handoff.objects.select_related("from_advisor", "by")
        .filter(case=case)
        .order_by("-created_at", "-pk")
        .first()
    )


def inbox_page(
    *, advisor: Advisor, cursor: str | None = None, limit: int = DEFAULT_PAGE
) -> Page[Case]:
    """Cases owned by the advisor waiting for an answer, the longest wait first."""
    return keyset_page(
        _inbox_cases(advisor),
        field="awaiting_reply_since",
        descending=False,
        cursor=cursor,
        limit=limit,
    )


def inbox_entry(*, advisor: Advisor, case_id: int) -> Case | None:
    """The case as a row of the advisor's inbox, or None when it is not (or no longer)
    there: another owner, or nothing waits for an answer. One query."""
    return _inbox_cases(advisor).filter(pk=case_id).first()


def _inbox_cases(advisor: Advisor) -> QuerySet[Case]:
    unseen = Handoff.objects.filter(case=OuterRef("pk"), to_advisor=advisor, seen_at__isnull=True)
    return (
        Case.objects.select_related("customer")
        .filter(owner=advisor, awaiting_reply_since__isnull=False)
        .annotate(unseen_handoff=Exists(unseen))
    )


def handoff_received(*, advisor: Advisor, handoff_id: int) -> Handoff | None:
    """A handoff given to the advisor, with its case, customer and giver: one query."""
    return (
        Handoff.objects.select_related("case", "case__customer", "by", "from_advisor")
        .filter(pk=handoff_id, to_advisor=advisor)
        .first()
    )


def my_customers(*, advisor: Advisor, limit: int = 50) -> list[Customer]:
    return list(
        Customer.objects.filter(dedicated_advisor=advisor).order_by(
            "family_key", "given_key", "pk"
        )[:limit]
    )
