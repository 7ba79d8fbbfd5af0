"""The sweep: at risk, the customer told a new time, broken; idempotent; concurrent."""

import os
import signal
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from suivi.conversations.models import Interaction
from suivi.core import periodic
from suivi.core.clock import frozen_at
from suivi.promises import events, tasks
from suivi.promises.models import Alert, Policy, Promise
from suivi.promises.services import SweepResult, promise_keep, promise_make, promises_sweep
from tests import builders

from .conftest import MONDAY_10, paris

Status = Promise.Status


def personal(customer, advisor, *, hours=4, **fields):
    fields.setdefault("case", None)
    return promise_make(
        customer=customer,
        what=fields.pop("what", "Je vous rappelle cet après-midi"),
        due_at=MONDAY_10 + timedelta(hours=hours),
        made_by=advisor,
        **fields,
    )


def alerts(promise):
    return sorted(Alert.objects.filter(promise=promise).values_list("advisor_id", "kind"))


def test_nothing_happens_before_the_margin(customer, advisor, lead, clock_hand):
    promise = personal(customer, advisor)  # due 14:00, at risk from 13:00
    clock_hand.advance(timedelta(hours=2, minutes=59))
    assert promises_sweep() == SweepResult()
    promise.refresh_from_db()
    assert promise.at_risk_at is None


def test_at_risk_alerts_the_owner_and_the_team_lead_once(customer, advisor, lead, clock_hand):
    promise = personal(customer, advisor)
    raised = []
    events.alerts_raised.subscribe(handler := lambda alerts: raised.extend(alerts))
    try:
        clock_hand.advance(timedelta(hours=3))  # 13:00
        # when
        result = promises_sweep()
        again = promises_sweep()
    finally:
        events.alerts_raised._handlers.remove(handler)
    # then
    assert (result.at_risk, result.alerts) == (1, 2)
    assert again == SweepResult()
    promise.refresh_from_db()
    assert promise.at_risk_at == paris(2026, 3, 2, 13)
    assert promise.status == Status.OPEN
    assert alerts(promise) == sorted([(advisor.pk, "at_risk"), (lead.pk, "at_risk")])


def test_the_live_hook_is_published_after_the_commit(
    customer, advisor, lead, clock_hand, django_capture_on_commit_callbacks
):
    personal(customer, advisor)
    raised = []
    events.alerts_raised.subscribe(handler := lambda alerts: raised.extend(alerts))
    try:
        clock_hand.advance(timedelta(hours=3))
        with django_capture_on_commit_callbacks(execute=True):
            promises_sweep()
    finally:
        events.alerts_raised._handlers.remove(handler)
    assert {advisor_id for advisor_id, _promise, _kind in raised} == {advisor.pk, lead.pk}


def test_a_policy_promise_alerts_the_case_owner(customer, advisor, lead, clock_hand):
    case = builders.case(customer=customer)
    builders.inbound(case)  # first answer due 18:00, at risk from 17:00
    clock_hand.advance(timedelta(hours=7))
    promises_sweep()
    promise = Promise.objects.get(case=case, kind="first_answer")
    assert alerts(promise) == sorted([(advisor.pk, "at_risk"), (lead.pk, "at_risk")])


def test_overdue_promises_are_broken_once(customer, advisor, lead, clock_hand):
    promise = personal(customer, advisor, hours=1)
    clock_hand.advance(timedelta(hours=2))
    # when
    result = promises_sweep()
    # then: straight to broken, no "at risk" for a promise already late
    assert (result.broken, result.at_risk) == (1, 0)
    promise.refresh_from_db()
    assert promise.status == Status.BROKEN
    assert promise.broken_at == promise.due_at
    assert "at_risk" not in {kind for _a, kind in alerts(promise)}
    assert promises_sweep().broken == 0
    assert Alert.objects.filter(promise=promise, kind="broken").count() == 2


def test_a_kept_promise_is_never_broken(customer, advisor, clock_hand):
    promise = personal(customer, advisor)
    promise_keep(promise=promise)
    clock_hand.advance(timedelta(days=2))
    assert promises_sweep() == SweepResult()


def test_the_customer_is_told_a_new_time_before_the_deadline(
    customer, advisor, lead, clock_hand, django_capture_on_commit_callbacks
):
    case = builders.case(customer=customer)
    promise = personal(customer, advisor, case=case)  # due 14:00, tell from 13:30
    clock_hand.advance(timedelta(hours=3, minutes=30))
    # when
    with django_capture_on_commit_callbacks(execute=True):
        result = promises_sweep()
    # then: a new promise, 4 business hours after the old time
    assert result.customers_told == 1
    promise.refresh_from_db()
    assert promise.customer_told_at == paris(2026, 3, 2, 13, 30)
    assert promise.status == Status.OPEN
    new = Promise.objects.get(replaces=promise)
    assert new.due_at == paris(2026, 3, 2, 18)  # 14:00 + 4 business hours
    assert (new.kind, new.made_by, new.case) == (promise.kind, advisor, case)
    # an outbound message on the timeline, in French, with the new time
    told = Interaction.objects.get(customer=customer, author_kind="system")
    assert (told.channel, told.direction, told.case) == ("email", "out", case)
    assert "lundi 2 mars 2026, 18:00" in told.text
    assert "Mme Durand" in told.text
    assert told.metadata["new_promise_id"] == new.pk
    # and an e-mail
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["helene@example.org"]
    assert "lundi 2 mars 2026, 18:00" in mail.outbox[0].body
    # telling again does nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert promises_sweep().customers_told == 0
    assert len(mail.outbox) == 1


def test_the_old_promise_still_counts_as_broken(customer, advisor, clock_hand):
    promise = personal(customer, advisor)
    clock_hand.advance(timedelta(hours=3, minutes=30))
    promises_sweep()
    clock_hand.advance(timedelta(minutes=30))  # 14:00: the old time passes
    promises_sweep()
    promise.refresh_from_db()
    new = Promise.objects.get(replaces=promise)
    assert promise.status == Status.BROKEN
    # keeping the new one later does not rewrite history
    clock_hand.advance(timedelta(hours=1))
    promise_keep(promise=new)
    promise.refresh_from_db()
    new.refresh_from_db()
    assert (promise.status, new.status) == (Status.BROKEN, Status.KEPT)


def test_keeping_in_time_keeps_the_new_time_too(customer, advisor, clock_hand):
    promise = personal(customer, advisor)
    clock_hand.advance(timedelta(hours=3, minutes=30))
    promises_sweep()
    clock_hand.advance(timedelta(minutes=10))
    promise_keep(promise=promise)
    assert Promise.objects.get(replaces=promise).status == Status.KEPT


def test_the_message_is_in_the_customers_language(advisor, team, clock_hand):
    customer = builders.customer(
        given_name="John", advisor=advisor, team=team, language="en", preferred_channel="email"
    )
    personal(customer, advisor)
    clock_hand.advance(timedelta(hours=3, minutes=30))
    promises_sweep()
    told = Interaction.objects.get(customer=customer, author_kind="system")
    assert "Monday 2 March 2026, 18:00" in told.text
    assert "new time" in told.text


def test_the_preferred_channel_is_used_without_e_mail(
    advisor, team, clock_hand, django_capture_on_commit_callbacks
):
    customer = builders.customer(advisor=advisor, team=team, preferred_channel="sms")
    personal(customer, advisor)
    clock_hand.advance(timedelta(hours=3, minutes=30))
    with django_capture_on_commit_callbacks(execute=True):
        promises_sweep()
    told = Interaction.objects.get(customer=customer, author_kind="system")
    assert told.channel == "sms"
    assert told.metadata["delivery"] == "pending"
    assert mail.outbox == []


def test_appointments_are_not_moved_behind_the_customers_back(customer, advisor, clock_hand):
    personal(customer, advisor, kind="appointment")
    clock_hand.advance(timedelta(hours=3, minutes=59))
    assert promises_sweep().customers_told == 0


def test_no_telling_when_the_policy_says_so(customer, advisor, team, clock_hand):
    Policy.objects.create(team=team, channel="", tell_customer_margin_minutes=0)
    personal(customer, advisor)
    clock_hand.advance(timedelta(hours=3, minutes=59))
    assert promises_sweep().customers_told == 0


def test_a_short_promise_is_not_at_risk_the_moment_it_is_made(customer, advisor, clock_hand):
    promise = personal(customer, advisor, hours=0.5)  # "in 30 minutes"
    assert promise.at_risk_from == MONDAY_10 + timedelta(minutes=15)
    assert promise.tell_customer_from == MONDAY_10 + timedelta(minutes=22, seconds=30)


def test_the_task_and_the_command_run_the_sweep(customer, advisor, clock_hand, capsys):
    personal(customer, advisor, hours=1)
    clock_hand.advance(timedelta(hours=2))
    result = tasks.sweep.enqueue()
    assert result.return_value["broken"] == 1
    call_command("promises_sweep")
    assert "broken 0" in capsys.readouterr().out


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_never_alert_or_notify_twice(
    advisor, lead, team, django_capture_on_commit_callbacks
):
    # given: promises at every stage
    with frozen_at(MONDAY_10):
        customers = [builders.customer(advisor=advisor, team=team) for _ in range(20)]
        cases = [builders.case(customer=c) for c in customers]
        for i, (customer, case) in enumerate(zip(customers, cases, strict=True)):
            promise_make(
                customer=customer, case=case, what=f"Rappel {i}",
                due_at=MONDAY_10 + timedelta(hours=4 if i % 2 else 1), made_by=advisor,
            )  # fmt: skip
    moment = MONDAY_10 + timedelta(hours=3, minutes=45)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(promises_sweep(now=moment))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    # when
    with frozen_at(moment):
        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    # then
    assert errors == []
    assert sum(r.broken for r in results) == 10
    # the late ones are told too (better late than never), each exactly once
    assert sum(r.customers_told for r in results) == 20
    assert sum(r.at_risk for r in results) == 10
    assert Interaction.objects.filter(author_kind="system").count() == 20
    assert Promise.objects.filter(replaces__isnull=False).count() == 20
    assert Alert.objects.filter(kind="at_risk").count() == 20  # owner + lead, once each
    assert Alert.objects.filter(kind="broken").count() == 20
    assert len(mail.outbox) == 20


def test_the_command_sweeps_every_n_seconds_until_stopped(monkeypatch, capsys):
    from suivi.promises.management.commands import promises_sweep as command

    calls = []
    before = signal.getsignal(signal.SIGTERM)

    def sweep_then_stop():
        calls.append(1)
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGTERM)
        return SweepResult()

    monkeypatch.setattr(command, "promises_sweep", sweep_then_stop)
    call_command("promises_sweep", "--every", "0.01")
    assert len(calls) == 3
    assert capsys.readouterr().out.count("at risk 0") == 3
    assert signal.getsignal(signal.SIGTERM) is before


def test_the_sweep_is_a_periodic_task_every_minute():
    registered = {task.task_path: task for task in periodic.registered()}
    assert registered["suivi.promises.tasks.sweep"].every_seconds == 60


def test_a_policy_promise_is_described_in_the_customers_language(advisor, team, clock_hand):
    customer = builders.customer(advisor=advisor, team=team, language="en")
    case = builders.case(customer=customer)
    builders.inbound(case)  # first answer due 18:00, customer told from 17:30
    clock_hand.advance(timedelta(hours=7, minutes=30))
    promises_sweep()
    told = Interaction.objects.get(customer=customer, author_kind="system")
    assert "We promised you: A first answer from a person, by Monday 2 March 2026, 18:00" in (
        told.text
    )
    assert told.case == case
