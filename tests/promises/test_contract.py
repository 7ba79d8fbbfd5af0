"""The public contract other packages code against: make, keep, cancel."""

from datetime import UTC, datetime, timedelta

import pytest

from suivi.core.clock import frozen_at
from suivi.promises.models import Promise
from suivi.promises.services import (
    CancelWithoutReason,
    PromiseDueInPast,
    PromiseNotOpen,
    promise_cancel,
    promise_keep,
    promise_make,
)
from tests import builders

MONDAY_10 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Paris


@pytest.fixture
def customer(advisor, team):
    return builders.customer(advisor=advisor, team=team)


def test_a_personal_promise_is_open_and_due(customer, advisor):
    with frozen_at(MONDAY_10):
        promise = promise_make(
            customer=customer,
            what="Je vous rappelle demain avant midi",
            due_at=MONDAY_10 + timedelta(hours=26),
            made_by=advisor,
        )
    assert promise.status == Promise.Status.OPEN
    assert promise.kind == Promise.Kind.PERSONAL
    assert promise.made_by == advisor
    assert promise.at_risk_from < promise.due_at


def test_a_promise_due_in_the_past_is_refused(customer):
    with frozen_at(MONDAY_10), pytest.raises(PromiseDueInPast):
        promise_make(customer=customer, what="Rappel", due_at=MONDAY_10 - timedelta(minutes=1))


def test_keeping_records_the_interaction(customer, advisor):
    case = builders.case(customer=customer)
    with frozen_at(MONDAY_10) as hand:
        promise = promise_make(
            customer=customer, case=case, what="Rappel", due_at=MONDAY_10 + timedelta(hours=3)
        )
        hand.advance(timedelta(hours=1))
        call = builders.answer(case, advisor, channel="phone", text="Appel")
        promise_keep(promise=promise, interaction=call)
    promise.refresh_from_db()
    assert promise.status == Promise.Status.KEPT
    assert promise.kept_by == call
    assert promise.kept_at == MONDAY_10 + timedelta(hours=1)


def test_keeping_twice_changes_nothing_but_a_cancelled_promise_cannot_be_kept(customer):
    with frozen_at(MONDAY_10):
        kept = promise_make(customer=customer, what="A", due_at=MONDAY_10 + timedelta(hours=3))
        promise_keep(promise=kept)
        assert promise_keep(promise=kept).status == Promise.Status.KEPT
        other = promise_make(customer=customer, what="B", due_at=MONDAY_10 + timedelta(hours=3))
        promise_cancel(promise=other, reason="Le client a annulé")
        with pytest.raises(PromiseNotOpen):
            promise_keep(promise=other)


def test_cancelling_needs_a_reason(customer):
    with frozen_at(MONDAY_10):
        promise = promise_make(customer=customer, what="A", due_at=MONDAY_10 + timedelta(hours=3))
        with pytest.raises(CancelWithoutReason):
            promise_cancel(promise=promise, reason="  ")
        promise_cancel(promise=promise, reason="Plus nécessaire")
    promise.refresh_from_db()
    assert promise.status == Promise.Status.CANCELLED
    assert promise.cancel_reason == "Plus nécessaire"


def test_keeping_an_overdue_promise_counts_it_broken(customer):
    with frozen_at(MONDAY_10) as hand:
        promise = promise_make(customer=customer, what="A", due_at=MONDAY_10 + timedelta(hours=1))
        hand.advance(timedelta(hours=2))
        promise_keep(promise=promise)
    promise.refresh_from_db()
    assert promise.status == Promise.Status.BROKEN
    assert promise.broken_at == promise.due_at
