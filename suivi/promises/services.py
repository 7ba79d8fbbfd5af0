"""Every write about promises: make, keep, cancel; policy clocks; alerts.

The sweep (at risk, broken, telling the customer) lives in `sweep.py` and is re-exported
here, so `services` stays the one entry point for writes.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from suivi.conversations import services as conversations
from suivi.conversations.models import Case, Interaction
from suivi.core import clock, statements, work
from suivi.core.errors import Conflict, InvalidInput
from suivi.core.vocabulary import is_choice
from suivi.customers.models import Customer
from suivi.people.models import Advisor

from .calendars import add_business_time_or_default, business_seconds_between
from .models import Alert, Policy, Promise
from .policies import Lookups, calendar_for, policy_for


class PromiseWithoutWhat(InvalidInput):
    code = "promise_what_required"
    default_message = _("Say what is promised.")


class PromiseDueInPast(InvalidInput):
    code = "promise_due_in_past"
    default_message = _("A promise must be due in the future.")


class PromiseKindInvalid(InvalidInput):
    code = "promise_kind_invalid"
    default_message = _("Unknown kind of promise.")


class PromiseCaseMismatch(InvalidInput):
    code = "promise_case_mismatch"
    default_message = _("This case belongs to another customer.")


class PromiseInteractionMismatch(InvalidInput):
    code = "promise_interaction_mismatch"
    default_message = _("This interaction belongs to another customer.")


class PromiseNotOpen(Conflict):
    code = "promise_not_open"
    default_message = _("This promise is no longer open.")


class CancelWithoutReason(InvalidInput):
    code = "promise_cancel_reason_required"
    default_message = _("Say why the promise is cancelled.")


def _thresholds(
    *, created_at: datetime, due_at: datetime, policy: Policy, kind: str
) -> tuple[datetime, datetime | None]:
    """When a promise becomes at risk and when the customer is told of a new time.

    The margins come from the policy, but never before half (at risk) or three
    quarters (telling) of the promised time has passed: "in 20 minutes" is not at risk
    the moment it is made."""
    span = max(due_at - created_at, timedelta())
    at_risk_from = max(
        due_at - timedelta(minutes=policy.at_risk_margin_minutes), created_at + span / 2
    )
    # An appointment is not moved behind the customer's back: no automatic new time.
    if kind == Promise.Kind.APPOINTMENT or not policy.tell_customer_margin_minutes:
        return at_risk_from, None
    tell_from = max(
        due_at - timedelta(minutes=policy.tell_customer_margin_minutes), created_at + span * 3 / 4
    )
    return at_risk_from, tell_from


# Unit-of-work memo (suivi.core.work): the due times of the first-answer promises made
# in this transaction, by case; "distrusted" once any promise was kept, cancelled,
# paused, resumed or replaced in it (then the database is asked again).
_FIRST_ANSWERS = "promises.first_answers"
# The policy promises made in this unit of work, not written yet (see `_create`).
_PENDING = "promises.pending"
_DISTRUSTED = "distrusted"


def _note_first_answer(case_id: int, due_at: datetime) -> None:
    memo = work.memo(_FIRST_ANSWERS)
    if memo is not None:
        memo.setdefault(case_id, []).append(due_at)


def _distrust() -> None:
    """Another change to promises in this unit of work: the new ones are written first
    (it may concern them), and the memo is not believed any more."""
    work.flush(name=_PENDING)
    memo = work.memo(_FIRST_ANSWERS)
    if memo is not None:
        memo[_DISTRUSTED] = True


_FIRST_ANSWER_DUE: statements.Compiled[Any] = statements.Compiled(
    lambda case_id: (
        Promise.objects.filter(
            case_id=case_id, kind=Promise.Kind.FIRST_ANSWER, status=Promise.Status.OPEN
        )
        .order_by("due_at")
        .values_list("due_at")[:1]
    )
)


def first_answer_due(case: Case) -> datetime | None:
    """When the case's open first-answer promise is due (the earliest, if several), or
    None. No query for a case opened in the current unit of work: its promises are the
    ones this transaction made."""
    memo = work.memo(_FIRST_ANSWERS)
    made_now: list[datetime] = []
    if memo is not None and _DISTRUSTED not in memo:
        made_now = memo.get(case.pk, [])
        if conversations.case_opened_in_this_unit(case.pk):
            return min(made_now, default=None)
    else:
        work.flush(name=_PENDING)
    row = _FIRST_ANSWER_DUE.first(case_id=case.pk)
    stored = row[0] if row else None
    # Those made in this unit of work may not be written yet.
    return min([*made_now, *([stored] if stored is not None else [])], default=None)


def _team_id(*, customer: Customer, made_by: Advisor | None) -> int | None:
    if made_by is not None and made_by.team_id is not None:
        return made_by.team_id
    return customer.team_id


def _create(
    *,
    customer: Customer,
    what: str,
    due_at: datetime,
    kind: str,
    case: Case | None,
    made_by: Advisor | None,
    by_policy: bool = False,
    channel: str = "",
    policy: Policy | None = None,
    team_id: int | None = None,
    replaces: Promise | None = None,
    defer: bool = False,
) -> Promise:
    moment = clock.now()
    if policy is None:
        policy = policy_for(team_id=team_id, channel=channel)
    at_risk_from, tell_from = _thresholds(
        created_at=moment, due_at=due_at, policy=policy, kind=kind
    )
    if replaces is not None:
        _distrust()
    elif kind == Promise.Kind.FIRST_ANSWER and case is not None:
        _note_first_answer(case.pk, due_at)
    promise = Promise(
        customer=customer,
        case=case,
        kind=kind,
        what=what,
        made_by=made_by,
        by_policy=by_policy,
        team_id=team_id,
        channel=channel,
        created_at=moment,
        due_at=due_at,
        at_risk_from=at_risk_from,
        tell_customer_from=tell_from,
        replaces=replaces,
    )
    if defer and replaces is None and work.at_end(_PENDING, _write_pending):
        # Inside a unit of work: written with the unit's other new promises, at its end
        # (or before any other change to promises in it). The row has no id until then.
        work.memo(_PENDING)[id(promise)] = promise  # type: ignore[index]
        return promise
    statements.insert([promise])
    return promise


def _write_pending() -> None:
    pending = work.memo(_PENDING)
    if pending:
        statements.insert(list(pending.values()))
        pending.clear()


@transaction.atomic
def promise_make(
    *,
    customer: Customer,
    what: str,
    due_at: datetime,
    kind: str = "personal",
    case: Case | None = None,
    made_by: Advisor | None = None,
) -> Promise:
    """Record a commitment to the customer ("I'll call you tomorrow before noon")."""
    what = what.strip()
    if not what:
        raise PromiseWithoutWhat()
    if not is_choice(Promise.Kind, kind):
        raise PromiseKindInvalid(kind=kind)
    if timezone.is_naive(due_at):
        raise InvalidInput(_("The due time needs its time zone."), field="due_at")
    if due_at <= clock.now():
        raise PromiseDueInPast(field="due_at")
    if case is not None and case.customer_id != customer.pk:
        raise PromiseCaseMismatch(case_id=case.pk)
    return _create(
        customer=customer,
        what=what,
        due_at=due_at,
        kind=kind,
        case=case,
        made_by=made_by,
        team_id=_team_id(customer=customer, made_by=made_by),
    )


def _chain_ids(promise: Promise) -> tuple[list[int], list[int]]:
    """(ancestors, descendants) through `replaces`: the same commitment, retimed."""
    ancestors: list[int] = []
    descendants: list[int] = []
    current = promise.replaces_id
    while current is not None and current not in ancestors:
        ancestors.append(current)
        current = Promise.objects.filter(pk=current).values_list("replaces_id", flat=True).first()
    frontier = [promise.pk]
    while frontier:
        frontier = list(
            Promise.objects.filter(replaces_id__in=frontier)
            .exclude(pk__in=descendants)
            .values_list("pk", flat=True)
        )
        descendants.extend(frontier)
    return ancestors, descendants


def _lock(promise: Promise) -> Promise:
    locked = Promise.objects.select_for_update().get(pk=promise.pk)
    for name in ("status", "due_at", "kept_at", "kept_by_id", "broken_at", "paused_at"):
        setattr(promise, name, getattr(locked, name))
    return promise


def _fulfil(ids: list[int], *, moment: datetime, interaction: Interaction | None) -> int:
    """Keep the open ones still due; the overdue ones were not kept in time: they are
    broken (at their deadline), remembering what fulfilled them late."""
    _distrust()
    open_ = Promise.objects.filter(pk__in=ids, status=Promise.Status.OPEN)
    # A paused clock cannot be late: its due time moves when the case comes back.
    in_time = Q(due_at__gte=moment) | Q(paused_at__isnull=False)
    kept = open_.filter(in_time).update(
        status=Promise.Status.KEPT, kept_at=moment, kept_by=interaction
    )
    open_.exclude(in_time).update(
        status=Promise.Status.BROKEN, broken_at=F("due_at"), kept_by=interaction
    )
    return kept


@transaction.atomic
def promise_keep(*, promise: Promise, interaction: Interaction | None = None) -> Promise:
    """The promise was fulfilled (by `interaction` when there is one).

    Keeping an overdue promise the sweep has not seen yet marks it broken: it was not
    kept in time. Keeping a kept promise again changes nothing. The new times given to
    the customer for the same commitment (`replaces`) are fulfilled with it."""
    _distrust()
    if interaction is not None and interaction.customer_id != promise.customer_id:
        raise PromiseInteractionMismatch(interaction_id=interaction.pk)
    _lock(promise)
    if promise.status == Promise.Status.KEPT:
        return promise
    if promise.status != Promise.Status.OPEN:
        raise PromiseNotOpen(promise_id=promise.pk, status=promise.status)
    moment = clock.now()
    ancestors, descendants = _chain_ids(promise)
    _fulfil([promise.pk, *ancestors, *descendants], moment=moment, interaction=interaction)
    promise.refresh_from_db()
    return promise


@transaction.atomic
def promise_cancel(*, promise: Promise, reason: str, by: Advisor | None = None) -> Promise:
    """Withdraw a promise that no longer applies (the customer cancelled the callback).
    Its later new times are withdrawn with it."""
    _distrust()
    reason = reason.strip()
    if not reason:
        raise CancelWithoutReason()
    _lock(promise)
    if promise.status != Promise.Status.OPEN:
        raise PromiseNotOpen(promise_id=promise.pk, status=promise.status)
    _ancestors, descendants = _chain_ids(promise)
    _cancel([promise.pk, *descendants], reason=reason, by=by)
    promise.refresh_from_db()
    return promise


def _cancel(ids: list[int], *, reason: str, by: Advisor | None) -> int:
    _distrust()
    return Promise.objects.filter(pk__in=ids, status=Promise.Status.OPEN).update(
        status=Promise.Status.CANCELLED,
        cancelled_at=clock.now(),
        cancelled_by=by,
        cancel_reason=reason[:500],
    )


# --- Policy promises -------------------------------------------------------------------

POLICY_WHAT = {
    Promise.Kind.FIRST_ANSWER: _("A first answer from a person"),
    Promise.Kind.RESOLUTION: _("The case resolved"),
    Promise.Kind.CALLBACK: _("A call back"),
}


def promise_make_by_policy(
    *,
    case: Case,
    kind: str,
    channel: str = "",
    start: datetime | None = None,
) -> Promise:
    """A promise the team's policy makes for a case: first answer, resolution or
    callback, due after the policy's business time from `start` (default: now)."""
    customer = case.customer
    team_id = customer.team_id
    policy = policy_for(team_id=team_id, channel=channel)
    minutes = {
        Promise.Kind.FIRST_ANSWER: policy.first_answer_minutes,
        Promise.Kind.RESOLUTION: policy.resolution_minutes,
        Promise.Kind.CALLBACK: policy.callback_minutes,
    }[Promise.Kind(kind)]
    begin = max(start or clock.now(), clock.now())
    calendar = calendar_for(team_id=team_id)
    due_at = add_business_time_or_default(begin, minutes * 60, calendar=calendar)
    return _create(
        customer=customer,
        what=str(POLICY_WHAT[Promise.Kind(kind)]),
        due_at=due_at,
        kind=kind,
        case=case,
        made_by=None,
        by_policy=True,
        channel=channel,
        policy=policy,
        team_id=team_id,
        defer=True,
    )


def policy_clocks_pause(*, case: Case) -> int:
    """The case waits on the customer: stop its policy clocks, keeping the business
    time each one had left. Overdue promises are not paused: they are already late."""
    _distrust()
    moment = clock.now()
    running = list(
        Promise.objects.select_for_update()
        .filter(
            case=case,
            by_policy=True,
            status=Promise.Status.OPEN,
            paused_at__isnull=True,
            due_at__gt=moment,
        )
        .only("pk", "team_id", "due_at")
    )
    lookups = Lookups()
    for promise in running:
        calendar = lookups.calendar(team_id=promise.team_id)
        promise.paused_at = moment
        promise.paused_remaining_seconds = round(
            business_seconds_between(moment, promise.due_at, calendar=calendar)
        )
    Promise.objects.bulk_update(running, ["paused_at", "paused_remaining_seconds"])
    return len(running)


def policy_clocks_resume(*, case: Case) -> int:
    """The customer answered: restart the clocks; each due time moves by the business
    time the case spent waiting."""
    _distrust()
    moment = clock.now()
    paused = list(
        Promise.objects.select_for_update().filter(
            case=case, status=Promise.Status.OPEN, paused_at__isnull=False
        )
    )
    lookups = Lookups()
    for promise in paused:
        calendar = lookups.calendar(team_id=promise.team_id)
        remaining = promise.paused_remaining_seconds or 0
        promise.due_at = add_business_time_or_default(moment, remaining, calendar=calendar)
        policy = lookups.policy(team_id=promise.team_id, channel=promise.channel)
        promise.at_risk_from, promise.tell_customer_from = _thresholds(
            created_at=moment, due_at=promise.due_at, policy=policy, kind=promise.kind
        )
        promise.paused_at = None
        promise.paused_remaining_seconds = None
    Promise.objects.bulk_update(
        paused,
        ["due_at", "at_risk_from", "tell_customer_from", "paused_at", "paused_remaining_seconds"],
    )
    return len(paused)


def promises_keep_for_case(
    *,
    case: Case,
    kinds: list[str],
    interaction: Interaction | None = None,
    moment: datetime | None = None,
) -> int:
    """Fulfil the open promises of these kinds on the case (an answer, a resolution),
    as of `moment` (default: now; an answer logged afterwards counts when it happened)."""
    _distrust()
    moment = moment or clock.now()
    ids = list(
        Promise.objects.filter(case=case, kind__in=kinds, status=Promise.Status.OPEN).values_list(
            "pk", flat=True
        )
    )
    return _fulfil(ids, moment=moment, interaction=interaction) if ids else 0


def promises_cancel_for_case(*, case: Case, reason: str) -> int:
    _distrust()
    ids = list(
        Promise.objects.filter(case=case, status=Promise.Status.OPEN).values_list("pk", flat=True)
    )
    return _cancel(ids, reason=reason, by=None) if ids else 0


# --- Alerts ----------------------------------------------------------------------------


def alert_mark_read(*, alert: Alert, by: Advisor) -> None:
    if alert.read_at is None and alert.advisor_id == by.pk:
        alert.read_at = clock.now()
        Alert.objects.filter(pk=alert.pk, read_at__isnull=True).update(read_at=alert.read_at)


# --- The sweep -------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    at_risk: int = 0
    broken: int = 0
    customers_told: int = 0
    alerts: int = 0


def promises_sweep(*, now: datetime | None = None) -> SweepResult:
    """Mark promises at risk and broken, alert their owners and tell customers a new
    honest time before a promise slips. Idempotent; safe with several workers."""
    from .sweep import sweep

    return sweep(now=now)
