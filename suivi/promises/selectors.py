"""Reads for the customer page, the case page, the API list and the alerts inbox.

Each function runs one query whatever the number of promises."""

from datetime import datetime

from django.db.models import Q, QuerySet

from suivi.conversations.models import Case
from suivi.conversations.selectors import customers_visible_to
from suivi.core.errors import NotFound
from suivi.core.pagination import Page, keyset_page
from suivi.customers.models import Customer
from suivi.people.models import Advisor

from .models import Alert, Promise


def promises_visible_to(advisor: Advisor) -> QuerySet[Promise]:
    """Promises of the customers the advisor may see."""
    if advisor.is_admin:
        return Promise.objects.all()
    return Promise.objects.filter(customer__in=customers_visible_to(advisor).values("pk"))


def promise_access(*, advisor: Advisor, promise_id: int) -> Promise:
    """The promise if the advisor may see its customer; otherwise NotFound, as if absent."""
    promise = (
        promises_visible_to(advisor)
        .select_related("made_by", "customer", "case")
        .filter(pk=promise_id)
        .first()
    )
    if promise is None:
        raise NotFound(promise_id=promise_id)
    return promise


def promises_page(
    *,
    advisor: Advisor,
    status: str | None = None,
    due_before: datetime | None = None,
    answerable: int | None = None,
    customer_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Promise]:
    """Visible promises, the soonest due first. `answerable` is the advisor who answers
    for them: who made them, or for policy promises the owner of the case."""
    promises = promises_visible_to(advisor).select_related("made_by")
    if status:
        promises = promises.filter(status=status)
    if due_before is not None:
        promises = promises.filter(due_at__lt=due_before)
    if answerable is not None:
        promises = promises.filter(
            Q(made_by_id=answerable) | Q(made_by__isnull=True, case__owner_id=answerable)
        )
    if customer_id is not None:
        promises = promises.filter(customer_id=customer_id)
    return keyset_page(promises, field="due_at", descending=False, cursor=cursor, limit=limit)


def customer_open_promises(*, customer: Customer, limit: int = 50) -> list[Promise]:
    """The customer's open promises, the soonest due first: one query."""
    return list(
        Promise.objects.select_related("made_by")
        .filter(customer=customer, status=Promise.Status.OPEN)
        .order_by("due_at", "pk")[:limit]
    )


def case_promises(*, case: Case, limit: int = 100) -> list[Promise]:
    """Every promise of the case, kept, broken, cancelled or open: one query."""
    return list(
        Promise.objects.select_related("made_by", "kept_by")
        .filter(case=case)
        .order_by("due_at", "pk")[:limit]
    )


def alerts_page(
    *, advisor: Advisor, unread_only: bool = False, cursor: str | None = None, limit: int = 50
) -> Page[Alert]:
    alerts = Alert.objects.select_related("promise", "promise__customer").filter(advisor=advisor)
    if unread_only:
        alerts = alerts.filter(read_at__isnull=True)
    return keyset_page(alerts, field="created_at", descending=True, cursor=cursor, limit=limit)


def unread_alert_count(*, advisor: Advisor) -> int:
    return Alert.objects.filter(advisor=advisor, read_at__isnull=True).count()
