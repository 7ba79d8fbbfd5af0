"""The sweep: open promises become at risk, the customer is told a new time before a
promise slips, and overdue promises are broken.

Safe with any number of workers: each batch claims its rows with
`SELECT ... FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite has one writer at a time), and
every transition is a conditional UPDATE that moves the row out of the partial index
the claim reads, so it happens once. Alerts are also unique per (advisor, promise, kind).
"""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.db.models import F, QuerySet

from suivi.conversations.models import Case
from suivi.core import clock
from suivi.people.models import Advisor

from . import events, notify
from .models import Alert, Promise
from .policies import Lookups
from .services import SweepResult

BATCH = 1000
Open = Promise.Status.OPEN


def _running() -> QuerySet[Promise]:
    return Promise.objects.filter(status=Open, paused_at__isnull=True)


def _claim(queryset: QuerySet[Promise], field: str) -> list[int]:
    """Lock up to BATCH rows nobody else holds, in index order."""
    return list(
        queryset.select_for_update(skip_locked=True)
        .order_by(field, "pk")
        .values_list("pk", flat=True)[:BATCH]
    )


def _in_batches(
    queryset: QuerySet[Promise], field: str, transition: Callable[[list[int]], int]
) -> tuple[int, int]:
    """Run `transition` over claimed batches until none is left; (promises, alerts)."""
    done = alerts = 0
    while True:
        with transaction.atomic():
            ids = _claim(queryset, field)
            if not ids:
                break
            alerts += transition(ids)
            done += len(ids)
        if len(ids) < BATCH:
            break
    return done, alerts


def _owners(ids: list[int]) -> dict[int, set[int]]:
    """Who answers for each promise: the advisor who made it, else the case owner, else
    the dedicated advisor; and the team lead of that person (or of the promise's team)."""
    rows = Promise.objects.filter(pk__in=ids).values_list(
        "pk", "made_by_id", "case__owner_id", "customer__dedicated_advisor_id", "team__lead_id"
    )
    owner_of: dict[int, int | None] = {}
    team_lead_of: dict[int, int | None] = {}
    for pk, made_by, case_owner, dedicated, team_lead in rows:
        owner_of[pk] = made_by or case_owner or dedicated
        team_lead_of[pk] = team_lead
    leads = dict(
        Advisor.objects.filter(pk__in={o for o in owner_of.values() if o}).values_list(
            "pk", "team__lead_id"
        )
    )
    recipients: dict[int, set[int]] = {}
    for pk, owner in owner_of.items():
        lead = leads.get(owner) if owner else team_lead_of[pk]
        recipients[pk] = {a for a in (owner, lead) if a is not None}
    return recipients


def _alert(ids: list[int], kind: str, moment: datetime) -> int:
    alerts = [
        Alert(advisor_id=advisor_id, promise_id=pk, kind=kind, created_at=moment)
        for pk, advisors in _owners(ids).items()
        for advisor_id in sorted(advisors)
    ]
    Alert.objects.bulk_create(alerts, ignore_conflicts=True)
    raised = [(a.advisor_id, a.promise_id, kind) for a in alerts]
    if raised:
        transaction.on_commit(lambda: events.alerts_raised.publish(alerts=raised))
    return len(alerts)


def _flag_at_risk(moment: datetime) -> tuple[int, int]:
    # An overdue promise is not "at risk": it is broken, and alerted as such.
    due = _running().filter(at_risk_at__isnull=True, at_risk_from__lte=moment, due_at__gt=moment)

    def transition(ids: list[int]) -> int:
        Promise.objects.filter(pk__in=ids, status=Open, at_risk_at__isnull=True).update(
            at_risk_at=moment
        )
        return _alert(ids, Alert.Kind.AT_RISK, moment)

    return _in_batches(due, "at_risk_from", transition)


def _break_overdue(moment: datetime) -> tuple[int, int]:
    overdue = _running().filter(due_at__lte=moment)

    def transition(ids: list[int]) -> int:
        Promise.objects.filter(pk__in=ids, status=Open).update(
            status=Promise.Status.BROKEN, broken_at=F("due_at")
        )
        return _alert(ids, Alert.Kind.BROKEN, moment)

    return _in_batches(overdue, "due_at", transition)


def _tell_customers(moment: datetime) -> int:
    """One short transaction per promise, the case locked first (as conversations do),
    so that an answer being recorded on the same case never deadlocks with us."""
    due = _running().filter(customer_told_at__isnull=True, tell_customer_from__lte=moment)
    seen: set[int] = set()
    told = 0
    lookups = Lookups()
    while True:
        candidates = list(
            due.exclude(pk__in=seen)
            .order_by("tell_customer_from", "pk")
            .values_list("pk", "case_id")[:BATCH]
        )
        if not candidates:
            return told
        for pk, case_id in candidates:
            seen.add(pk)
            with transaction.atomic():
                if case_id is not None:
                    list(Case.objects.select_for_update().filter(pk=case_id).values_list("pk"))
                promise = (
                    due.select_for_update(skip_locked=True, of=("self",))
                    .select_related("customer", "case", "made_by")
                    .filter(pk=pk)
                    .first()
                )
                if promise is None:  # told, kept or claimed by another worker meanwhile
                    continue
                notify.tell_customer(promise=promise, moment=moment, lookups=lookups)
                told += 1


def sweep(*, now: datetime | None = None) -> SweepResult:
    moment = now or clock.now()
    at_risk, risk_alerts = _flag_at_risk(moment)
    told = _tell_customers(moment)
    broken, broken_alerts = _break_overdue(moment)
    return SweepResult(
        at_risk=at_risk,
        broken=broken,
        customers_told=told,
        alerts=risk_alerts + broken_alerts,
    )
