"""Making a callback: attempts and their outcomes, the retry policy, cancelling,
idempotent requests, and the callback's promise watched by the promise sweep."""

from datetime import timedelta

import pytest
from django.core import mail

from suivi.conversations.models import Interaction
from suivi.promises.models import Alert, Promise
from suivi.promises.services import promises_sweep
from suivi.scheduling import callbacks
from suivi.scheduling.errors import CallbackNotOpen, CallbackOutcomeInvalid
from suivi.scheduling.models import Callback, CallbackAttempt
from tests import builders

from .conftest import at


@pytest.fixture
def lead(team):
    lead = builders.advisor(team=team, name="Claire Lefèvre (lead)")
    team.lead = lead
    team.save(update_fields=["lead"])
    return lead


@pytest.fixture
def callback(clock_hand, customer):
    # Monday 8:00: Hélène asks to be called today between 14:00 and 14:30
    return callbacks.callback_request(
        customer=customer,
        reason="Question sur ma facture",
        window_starts_at=at(3, 14),
        window_ends_at=at(3, 14, 30),
        source=Callback.Source.PORTAL,
    )


def move_to(clock_hand, moment):
    clock_hand.advance(moment - clock_hand.advance(timedelta(0)))


def test_reached_records_an_outbound_call_and_keeps_the_promise(clock_hand, callback, advisor):
    move_to(clock_hand, at(3, 14, 10))

    result = callbacks.callback_attempt(
        callback=callback, by=advisor, outcome="reached", note="Facture corrigée"
    )

    call = result.interaction
    assert (call.channel, call.direction, call.author_advisor) == ("phone", "out", advisor)
    assert call.customer_id == callback.customer_id and call.text == "Facture corrigée"
    assert call.metadata["callback_outcome"] == "reached"
    promise = Promise.objects.get(pk=callback.promise_id)
    assert (promise.status, promise.kept_by_id) == ("kept", call.pk)
    assert Callback.objects.get(pk=callback.pk).status == "done"
    assert result.attempt.outcome == "reached" and result.customer_told is None


def test_no_answer_retries_after_15_then_60_business_minutes_then_gives_up(
    clock_hand, callback, advisor, django_capture_on_commit_callbacks
):
    move_to(clock_hand, at(3, 14))

    first = callbacks.callback_attempt(callback=callback, by=advisor, outcome="no_answer")
    assert (first.callback.status, first.callback.next_attempt_at) == ("requested", at(3, 14, 15))
    move_to(clock_hand, at(3, 14, 15))
    second = callbacks.callback_attempt(callback=callback, by=advisor, outcome="no_answer")
    assert second.callback.next_attempt_at == at(3, 15, 15)
    assert Promise.objects.get(pk=callback.promise_id).status == "open"

    move_to(clock_hand, at(3, 15, 15))
    with django_capture_on_commit_callbacks(execute=True):
        third = callbacks.callback_attempt(callback=callback, by=advisor, outcome="no_answer")

    # then three calls on the timeline, the callback closed, the promise withdrawn (we did
    # call), and the customer told by e-mail how to reach us
    assert third.callback.status == "unreachable" and third.callback.attempt_count == 3
    calls = Interaction.objects.filter(metadata__callback_id=callback.pk, channel="phone")
    assert calls.count() == 3
    assert CallbackAttempt.objects.filter(callback=callback, outcome="no_answer").count() == 3
    promise = Promise.objects.get(pk=callback.promise_id)
    assert promise.status == "cancelled" and "3" in promise.cancel_reason
    assert third.customer_told is not None and third.customer_told.direction == "out"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["helene@example.org"]
    assert "3" in mail.outbox[0].body and "+33612345678" in mail.outbox[0].body


def test_wrong_number_closes_the_callback_and_tells_the_customer(
    clock_hand, callback, advisor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = callbacks.callback_attempt(
            callback=callback, by=advisor, outcome="wrong_number", note="Un autre abonné"
        )

    assert result.callback.status == "wrong_number"
    assert Promise.objects.get(pk=callback.promise_id).status == "cancelled"
    assert result.interaction.text == "Un autre abonné"
    assert len(mail.outbox) == 1


def test_an_attempt_on_a_closed_callback_is_refused_and_records_nothing(
    clock_hand, callback, advisor
):
    callbacks.callback_attempt(callback=callback, by=advisor, outcome="reached")

    with pytest.raises(CallbackNotOpen) as raised:
        callbacks.callback_attempt(callback=callback, by=advisor, outcome="no_answer")

    assert raised.value.code == "callback_not_open"
    assert CallbackAttempt.objects.filter(callback=callback).count() == 1


def test_an_unknown_outcome_is_refused(clock_hand, callback, advisor):
    with pytest.raises(CallbackOutcomeInvalid):
        callbacks.callback_attempt(callback=callback, by=advisor, outcome="maybe")

    assert not CallbackAttempt.objects.exists()


def test_cancelling_withdraws_the_promise_once(clock_hand, callback, advisor):
    callbacks.callback_cancel(callback=callback, reason="Plus besoin", by=advisor)

    assert Callback.objects.get(pk=callback.pk).status == "cancelled"
    promise = Promise.objects.get(pk=callback.promise_id)
    assert (promise.status, promise.cancel_reason) == ("cancelled", "Plus besoin")
    with pytest.raises(CallbackNotOpen):
        callbacks.callback_cancel(callback=callback, reason="Encore", by=advisor)


def test_a_second_missed_call_returns_the_open_callback(clock_hand, customer, advisor):
    first = callbacks.callback_request(
        customer=customer, reason="Appel manqué", source=Callback.Source.MISSED_CALL
    )
    second = callbacks.callback_request(
        customer=customer, reason="Appel manqué", source=Callback.Source.MISSED_CALL
    )

    assert second.pk == first.pk
    assert first.assigned_to == advisor
    assert Callback.objects.count() == 1
    assert Promise.objects.filter(kind="callback").count() == 1


def test_the_same_window_twice_is_one_callback_another_window_is_a_second(
    clock_hand, callback, customer
):
    again = callbacks.callback_request(
        customer=customer, reason="x", window_starts_at=at(3, 14), window_ends_at=at(3, 14, 30)
    )
    other = callbacks.callback_request(
        customer=customer, reason="y", window_starts_at=at(4, 10), window_ends_at=at(4, 10, 30)
    )

    assert again.pk == callback.pk
    assert other.pk != callback.pk


def test_the_sweep_watches_a_callback_promise_like_any_other(
    clock_hand, callback, advisor, lead, django_capture_on_commit_callbacks
):
    # given the callback is due at 14:30 (at risk from 13:30, customer told from 14:00)
    # when the clock reaches 13:30: the advisor who calls and the team lead are alerted
    move_to(clock_hand, at(3, 13, 30))
    assert promises_sweep().at_risk == 1
    assert sorted(Alert.objects.values_list("advisor_id", "kind")) == sorted(
        [(advisor.pk, "at_risk"), (lead.pk, "at_risk")]
    )

    # when it reaches 14:00 with no call made: Hélène is told a new time, before it slips
    move_to(clock_hand, at(3, 14))
    with django_capture_on_commit_callbacks(execute=True):
        assert promises_sweep().customers_told == 1
    told = Interaction.objects.get(customer=callback.customer, author_kind="system")
    assert told.metadata["promise_id"] == callback.promise_id
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["helene@example.org"]
    new = Promise.objects.get(replaces_id=callback.promise_id)
    assert new.due_at == at(4, 9, 30)  # 14:30 + 4 business hours (closes at 18:00)

    # when she is reached at 15:00: the first time counts as broken, the new one as kept
    move_to(clock_hand, at(3, 15))
    callbacks.callback_attempt(callback=callback, by=advisor, outcome="reached")
    assert Promise.objects.get(pk=callback.promise_id).status == "broken"
    assert Promise.objects.get(pk=new.pk).status == "kept"


def test_the_live_hooks_are_published_after_the_commit(
    clock_hand, customer, advisor, django_capture_on_commit_callbacks
):
    from suivi.scheduling import events

    seen = []
    events.callback_requested.subscribe(requested := lambda **kw: seen.append(("new", kw)))
    events.callback_closed.subscribe(closed := lambda **kw: seen.append(("closed", kw)))
    try:
        with django_capture_on_commit_callbacks(execute=False) as pending:
            callback = callbacks.callback_request(customer=customer, reason="x")
        assert seen == []  # nothing before the commit
        for run in pending:
            run()
        with django_capture_on_commit_callbacks(execute=True):
            callbacks.callback_attempt(callback=callback, by=advisor, outcome="reached")
    finally:
        events.callback_requested._handlers.remove(requested)
        events.callback_closed._handlers.remove(closed)

    ids = {"callback_id": callback.pk, "customer_id": customer.pk, "advisor_id": advisor.pk}
    assert seen == [("new", ids), ("closed", {**ids, "status": "done"})]
